"""The document layer's own rules, without rendering (the PDF is read in test_decree30_render)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua.core.decree30 import Para, Run, date_line, header_lines, html_blocks, letter, roman, text_width_mm


def test_widths_match_times_new_roman():
    # Measured with Liberation Serif 2 (metric-compatible with Times New Roman) through Pillow.
    # Pillow applies kerning (87.7 and 51.75 mm); the table sums advances, a little wider: on the safe side.
    assert 87.7 <= text_width_mm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True) <= 89
    assert 51 <= text_width_mm("Độc lập - Tự do - Hạnh phúc", 12, bold=True) <= 52.5


def test_names_break_before_the_place_and_never_leave_one_word_alone():
    assert header_lines("LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN", 68, 12, bold=True) == ["LIÊN ĐOÀN LAO ĐỘNG", "TỈNH BẮC KẠN"]
    assert header_lines("LIÊN ĐOÀN LAO ĐỘNG HUYỆN BA BỂ", 68, 12, bold=True) == ["LIÊN ĐOÀN LAO ĐỘNG", "HUYỆN BA BỂ"]
    assert header_lines("CÔNG ĐOÀN NGÀNH Y TẾ", 68, 12, bold=True) == ["CÔNG ĐOÀN NGÀNH Y TẾ"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["CÔNG", "ĐOÀN", "CƠ", "SỞ", "TRƯỜNG", "THCS", "NAM", "MẪU", "HUYỆN", "BA", "BỂ"]),
        min_size=1,
        max_size=14,
    )
)
def test_every_line_fits_unless_a_single_word_cannot(words):
    text = " ".join(words)
    lines = header_lines(text, 68, 12, bold=True)
    assert " ".join(lines) == text
    assert all(text_width_mm(line, 12, bold=True) <= 68 or " " not in line for line in lines)


def test_dates_follow_decree_30_padding():
    assert date_line("Bắc Kạn", dt.date(2018, 10, 16)) == "Bắc Kạn, ngày 16 tháng 10 năm 2018"
    assert date_line("Hà Nội", dt.date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert date_line("Huế", dt.date(2019, 6, 29)) == "Huế, ngày 29 tháng 6 năm 2019"
    assert date_line("Ba Bể", None).startswith("Ba Bể, ngày ") and "tháng" in date_line("Ba Bể", None)


def test_rich_text_becomes_runs_never_entities():
    blocks = html_blocks(
        "<p>Sản xuất &amp; Thương mại &lt; 0,5% <strong>đậm</strong> <em>nghiêng</em><br>dòng hai</p>"
        "<ul><li>một</li><li>hai</li></ul><p></p>"
    )
    assert blocks == [
        Para(runs=(Run("Sản xuất & Thương mại < 0,5% "), Run("đậm", bold=True), Run(" "), Run("nghiêng", italic=True))),
        Para(runs=(Run("dòng hai"),)),
        Para(runs=(Run("một"),), label="-"),
        Para(runs=(Run("hai"),), label="-"),
    ]


def test_numbering_helpers():
    assert [roman(n) for n in (1, 4, 5, 9, 14)] == ["I", "IV", "V", "IX", "XIV"]
    assert [letter(i) for i in range(7)] == ["a", "b", "c", "d", "đ", "e", "g"]


def test_minutes_with_two_signers_and_an_appendix_table():
    import io

    from docx import Document as open_docx

    from thidua.core.decree30 import Appendix, Document, Heading, Signer, Table, render

    doc = Document(
        parent_body="Liên đoàn Lao động tỉnh Bắc Kạn",
        issuer_body="Hội đồng Thi đua – Khen thưởng",
        symbol="BB-HĐTĐKT",
        sequence=3,
        place="Bắc Kạn",
        day=dt.date(2019, 1, 5),
        kind="Biên bản",
        summary="Họp xét thi đua năm 2018",
        body=[Heading("I.", "Thành phần"), Para.of("Có mặt 9/9 thành viên.")],
        signers=[Signer("", "Thư ký", "Nguyễn Văn An"), Signer("", "Chủ tịch Hội đồng", "Triệu Thị Mai")],
        appendices=[
            Appendix(
                "I",
                "Danh sách đề nghị khen thưởng",
                "Kèm theo Biên bản số 03/BB-HĐTĐKT ngày 05/01/2019 của Hội đồng Thi đua – Khen thưởng",
                (Table(("STT", "Họ và tên", "Đơn vị"), (("1", "Hà Thị Lan", "CĐCS Trường THCS Nam Mẫu"),)),),
            )
        ],
    )
    document = open_docx(io.BytesIO(render(doc)))
    signatures = document.tables[1].rows[0].cells
    assert [p.text for p in signatures[0].paragraphs if p.text] == ["THƯ KÝ", "Nguyễn Văn An"]
    assert [p.text for p in signatures[1].paragraphs if p.text] == ["CHỦ TỊCH HỘI ĐỒNG", "Triệu Thị Mai"]
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Phụ lục I")
    assert document.paragraphs[start].paragraph_format.page_break_before
    assert texts[start + 1 : start + 3] == [
        "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        "(Kèm theo Biên bản số 03/BB-HĐTĐKT ngày 05/01/2019 của Hội đồng Thi đua – Khen thưởng)",
    ]
    annex = document.tables[-1]
    assert [c.text for c in annex.rows[0].cells] == ["STT", "Họ và tên", "Đơn vị"]
    assert [c.text for c in annex.rows[1].cells] == ["1", "Hà Thị Lan", "CĐCS Trường THCS Nam Mẫu"]
    assert document.tables[0].rows[1].cells[0].paragraphs[0].text == "Số: 03/BB-HĐTĐKT"
