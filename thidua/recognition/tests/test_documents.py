"""The council's minutes and the award decision as .docx: structure read back with python-docx, and
layout read back from LibreOffice's PDF (``pdftotext -bbox``), as the plan documents are checked.

The decision and the session are built directly through the ORM (the decision and ballot services
are written beside this module); ``build_decision`` and ``build_session`` are shared with
test_certificates.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn

from thidua.recognition.documents import (
    decision_document,
    decision_docx_response,
    minutes_docx_response,
    money,
    money_in_words,
    render_decision,
    render_minutes,
)
from thidua.recognition.models import (
    Attendance,
    AwardCouncil,
    AwardCouncilMember,
    AwardDecision,
    BallotItem,
    BallotReceipt,
    Candidate,
    CouncilSession,
    DecisionEvent,
    DecisionLine,
    Nomination,
)
from thidua.recognition.tests.factories import catalogue, kind
from thidua.testing import make_member, make_unit
from thidua.units.models import Unit
from thidua.units.services import unit_update

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
NO_OFFICE = "LibreOffice or poppler is not installed"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

PEOPLE = ["Nguyễn Thị Hương", "Hoàng Văn Đức", "Lục Thị Mỷ", "Đặng Quốc Bảo", "Ma Văn Tường"]


# --- builders (shared with test_certificates) ------------------------------------------------------


_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi", "Đỗ", "Hà", "Lục", "Ma", "Nông"]
_MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Quốc", "Thu", "Minh", "Hữu"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hạnh", "Khánh", "Lâm", "Mỹ", "Nhung", "Phượng", "Quý", "Sơn"]


def generated_name(index: int) -> str:
    """A distinct Vietnamese name for every index (no digits: member names refuse them)."""
    surname = _SURNAMES[index % len(_SURNAMES)]
    middle = _MIDDLE[index // len(_SURNAMES) % len(_MIDDLE)]
    given = _GIVEN[index // (len(_SURNAMES) * len(_MIDDLE)) % len(_GIVEN)]
    return f"{surname} {middle} {given}"


def bac_kan() -> dict[str, Any]:
    national = make_unit(None, "Tổng Liên đoàn Lao động Việt Nam", "confederation", "TLD")
    province = make_unit(national, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    unit_update(unit=province, short_name="LĐLĐ", place_name="Bắc Kạn")
    district = make_unit(province, "Liên đoàn Lao động huyện Ba Bể", "district-federation", "BB")
    school = make_unit(district, "Công đoàn cơ sở Trường THCS Nam Mẫu", "grassroots", "NM")
    clinic = make_unit(district, "Công đoàn cơ sở Trạm Y tế xã Khang Ninh", "grassroots", "KN")
    units = {"national": national, "province": province, "district": district, "school": school, "clinic": clinic}
    return {key: Unit.objects.get(pk=unit.pk) for key, unit in units.items()}


def build_decision(
    people: int = 3,
    collectives: int = 2,
    *,
    number: int | None = 5,
    status: str = AwardDecision.Status.ISSUED,
    names: list[str] | None = None,
    units: dict[str, Any] | None = None,
    **fields: Any,
) -> AwardDecision:
    """A decision of the province's Ban Thường vụ with ``people`` Bằng khen to members and ``collectives``
    to grassroots unions; prizes and gold-book numbers as issuing writes them (none on a draft)."""
    catalogue()
    units = units or bac_kan()
    issued = status != AwardDecision.Status.DRAFT
    values: dict[str, Any] = {
        "issuer": units["province"],
        "number": number if issued else None,
        "year": 2026,
        "issued_on": dt.date(2026, 12, 20),
        "place": "Bắc Kạn",
        "title": "Khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua năm 2026",
        "legal_basis": "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022\n"
        "Căn cứ Điều lệ Công đoàn Việt Nam\n"
        "Xét đề nghị của Hội đồng Thi đua – Khen thưởng Liên đoàn Lao động tỉnh",
        "achievement": "Đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2026",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "signer_name": "Triệu Thị Mai",
        "base_salary": 2_340_000 if issued else None,
        "status": status,
        "recipients": "Tổng Liên đoàn Lao động Việt Nam (b/c)\nNhư Điều 3\nLưu: VT, CSPL",
    }
    values.update(fields)
    decision = AwardDecision.objects.create(**values)
    person_kind, unit_kind = kind("bang-khen-ldld-ca-nhan"), kind("bang-khen-ldld-tap-the")
    names = names or PEOPLE
    order = 0
    for index in range(people):
        order += 1
        name = names[index] if index < len(names) else generated_name(index)
        member = make_member(units["school"], name)
        DecisionLine.objects.create(
            decision=decision,
            kind=person_kind,
            member=member,
            unit=units["school"],
            position="Chủ tịch Công đoàn cơ sở" if index == 0 else "Giáo viên",
            unit_name="Trường THCS Nam Mẫu, huyện Ba Bể",
            prize=1_490_000 if issued else 0,
            gold_book=100 + order if issued else None,
            order=order,
        )
    for index in range(collectives):
        order += 1
        unit = units["clinic"] if index == 0 else make_unit(units["district"], f"Công đoàn cơ sở Trường số {index}")
        DecisionLine.objects.create(
            decision=decision,
            kind=unit_kind,
            unit=unit,
            unit_name="Liên đoàn Lao động huyện Ba Bể",
            prize=2_980_000 if issued else 0,
            gold_book=100 + order if issued else None,
            order=order,
        )
    return decision


def build_session(*, closed: bool = True, units: dict[str, Any] | None = None) -> CouncilSession:
    """The province council (10 members, chair and secretary) voting on three members: two pass, the
    third gets 7 of 10 against an 80 % threshold; one member absent, voting in writing."""
    catalogue()
    units = units or bac_kan()
    province = units["province"]
    council = AwardCouncil.objects.create(unit=province, name="Hội đồng Thi đua – Khen thưởng")
    seats = [
        AwardCouncilMember.objects.create(
            council=council, full_name="Triệu Thị Mai", position="Chủ tịch LĐLĐ tỉnh", role="chair"
        ),
        AwardCouncilMember.objects.create(council=council, full_name="Hoàng Văn Nam", role="secretary"),
    ]
    seats += [
        AwardCouncilMember.objects.create(council=council, full_name=f"Ủy viên số {n}", role="member") for n in range(8)
    ]
    nomination = Nomination.objects.create(
        proposer=units["district"],
        holder=province,
        title="Đề nghị tặng Bằng khen năm 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        status=Nomination.Status.TAKEN,
    )
    session = CouncilSession.objects.create(
        council=council,
        title="Xét khen thưởng phong trào thi đua năm 2026",
        held_on=dt.date(2026, 12, 15),
        place="Hội trường Liên đoàn Lao động tỉnh",
        council_size=10,
        present_count=9,
        quorum="2/3",
        status=CouncilSession.Status.CLOSED if closed else CouncilSession.Status.OPEN,
        opened_at=dt.datetime(2026, 12, 15, 1, 30, tzinfo=dt.UTC),
        closed_at=dt.datetime(2026, 12, 15, 3, 45, tzinfo=dt.UTC) if closed else None,
    )
    for seat in seats:
        Attendance.objects.create(session=session, member=seat, present=seat.full_name != "Ủy viên số 7")
        BallotReceipt.objects.create(session=session, member=seat, written=seat.full_name == "Ủy viên số 7")
    tallies = [(9, 1, "passed"), (10, 0, "passed"), (7, 3, "failed")]
    for position, (name, (approve, reject, result)) in enumerate(zip(PEOPLE, tallies, strict=False)):
        candidate = Candidate.objects.create(
            nomination=nomination,
            kind=kind("bang-khen-ldld-ca-nhan"),
            member=make_member(units["school"], name),
            unit=units["school"],
            position=position,
        )
        BallotItem.objects.create(
            session=session,
            candidate=candidate,
            threshold="80%",
            approve=approve if closed else None,
            reject=reject if closed else None,
            result=result if closed else BallotItem.Result.PENDING,
            position=position,
        )
    return session


def texts(content: bytes) -> list[str]:
    """Every paragraph's text in document order, table cells included."""
    document = read_docx(io.BytesIO(content))
    body = document.element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def tables(content: bytes) -> list[list[list[str]]]:
    document = read_docx(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


# --- helpers ---------------------------------------------------------------------------------------


def test_money_is_written_the_vietnamese_way():
    assert money(1_490_000) == "1.490.000" and money(0) == "0" and money(950) == "950"
    assert money_in_words(14_900_000) == "Mười bốn triệu chín trăm nghìn đồng"
    assert money_in_words(1_490_000) == "Một triệu bốn trăm chín mươi nghìn đồng"
    assert money_in_words(2_005_000) == "Hai triệu không trăm linh năm nghìn đồng"
    assert money_in_words(21_015_000) == "Hai mươi mốt triệu không trăm mười lăm nghìn đồng"
    assert money_in_words(1_000_000_000) == "Một tỷ đồng"
    assert money_in_words(105) == "Một trăm linh năm đồng"


# --- the decision ---------------------------------------------------------------------------------


def test_an_issued_decision_reads_as_a_decree_30_decision():
    decision = build_decision()
    content = render_decision(decision)
    lines = texts(content)
    text = "\n".join(lines)

    assert "Số: 05/QĐ-LĐLĐ" in lines and "Bắc Kạn, ngày 20 tháng 12 năm 2026" in lines
    assert lines[:4] == ["TỔNG LIÊN ĐOÀN LAO ĐỘNG", "VIỆT NAM", "LIÊN ĐOÀN LAO ĐỘNG", "TỈNH BẮC KẠN"]
    kind_at = lines.index("QUYẾT ĐỊNH")
    assert lines[kind_at + 1].startswith("Về việc khen thưởng các tập thể, cá nhân có thành tích xuất sắc")
    authority = lines.index("BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN")
    basis = lines.index("Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;")
    enacting = lines.index("QUYẾT ĐỊNH:")
    assert kind_at < authority < basis < enacting
    assert "Xét đề nghị của Hội đồng Thi đua – Khen thưởng Liên đoàn Lao động tỉnh." in lines

    article_one = next(line for line in lines if line.startswith("Điều 1."))
    assert "Tặng Bằng khen của Liên đoàn Lao động tỉnh cho 2 tập thể và 3 cá nhân (có danh sách kèm theo)" in (
        article_one
    )
    assert article_one.endswith(
        "đã có thành tích xuất sắc trong phong trào thi đua “Lao động giỏi, lao động sáng tạo” năm 2026."
    )
    article_two = next(line for line in lines if line.startswith("Điều 2."))
    assert "mỗi cá nhân được tặng Bằng khen của Liên đoàn Lao động tỉnh được thưởng 1.490.000 đồng" in article_two
    assert "mỗi tập thể được tặng Bằng khen của Liên đoàn Lao động tỉnh được thưởng 2.980.000 đồng" in article_two
    assert "Tổng số tiền thưởng: 10.430.000 đồng (Mười triệu bốn trăm ba mươi nghìn đồng)" in article_two
    assert "mức lương cơ sở 2.340.000 đồng/tháng" in article_two
    assert any(line.startswith("Điều 3.") for line in lines)

    # Signer and recipients.
    assert "TM. BAN THƯỜNG VỤ" in lines and "CHỦ TỊCH" in lines and "Triệu Thị Mai" in lines
    assert "Nơi nhận:" in lines and "- Như Điều 3;" in lines and "- Lưu: VT, CSPL." in lines

    # The annex: its title and reference, individuals before collectives, money grouped with dots.
    title = lines.index("DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG BẰNG KHEN CỦA LIÊN ĐOÀN LAO ĐỘNG TỈNH")
    reference = lines[title + 1]
    assert reference == (
        "(Kèm theo Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026 của Ban Thường vụ Liên đoàn Lao động tỉnh Bắc Kạn)"
    )
    assert title > lines.index("Triệu Thị Mai")  # after the signature
    people, units = lines.index("I. CÁ NHÂN"), lines.index("II. TẬP THỂ")
    assert title < people < units
    annex_people, annex_units = tables(content)[-2:]
    assert annex_people[0] == [
        "TT",
        "Họ và tên",
        "Chức vụ, đơn vị",
        "Danh hiệu, hình thức",
        "Số sổ vàng",
        "Tiền thưởng (đồng)",
    ]
    assert annex_people[1] == [
        "1",
        "Nguyễn Thị Hương",
        "Chủ tịch Công đoàn cơ sở, Trường THCS Nam Mẫu, huyện Ba Bể",
        "Bằng khen của Liên đoàn Lao động tỉnh",
        "101",
        "1.490.000",
    ]
    assert annex_people[-1][1] == "Cộng" and annex_people[-1][-1] == "4.470.000"
    assert annex_units[0][1] == "Tên tập thể"
    assert annex_units[1][1] == "Công đoàn cơ sở Trạm Y tế xã Khang Ninh" and annex_units[1][4] == "104"
    assert annex_units[-1][-1] == "5.960.000"
    assert "&amp;" not in text and "DỰ THẢO" not in text


def test_a_draft_decision_has_blanks_for_the_number_date_and_gold_book():
    decision = build_decision(status=AwardDecision.Status.DRAFT, legal_basis="")
    content = render_decision(decision)
    lines = texts(content)
    assert "DỰ THẢO" in lines
    assert any(line.startswith("Số: ") and line.endswith("/QĐ-LĐLĐ") and "05" not in line for line in lines)
    assert not any("ngày 20 tháng 12" in line for line in lines)
    reference = next(line for line in lines if line.startswith("(Kèm theo Quyết định số"))
    assert "/QĐ-LĐLĐ ngày" in reference and "20/12/2026" not in reference and reference.endswith("tỉnh Bắc Kạn)")
    article_two = next(line for line in lines if line.startswith("Điều 2."))
    assert "tính trên mức lương cơ sở áp dụng tại ngày ban hành" in article_two
    annex_people = tables(content)[-2]
    assert annex_people[1][4] == "" and annex_people[1][5] == ""  # no gold book, no prize yet
    assert decision_document(decision).sequence is None


def test_a_revoked_decision_says_so_with_its_reason():
    decision = build_decision(status=AwardDecision.Status.REVOKED, revoke_reason="Hồ sơ khai sai thành tích")
    DecisionEvent.objects.create(
        decision=decision, from_status="issued", to_status="revoked", at=dt.datetime(2027, 2, 3, 3, tzinfo=dt.UTC)
    )
    lines = texts(render_decision(decision))
    assert "ĐÃ THU HỒI" in lines
    assert "Quyết định đã bị thu hồi ngày 03/02/2027: Hồ sơ khai sai thành tích; không còn hiệu lực." in lines
    assert "Số: 05/QĐ-LĐLĐ" in lines


def test_prizes_that_differ_point_to_the_list():
    decision = build_decision(people=2, collectives=0)
    line = decision.lines.order_by("order").last()
    line.prize = 2_980_000
    line.prize_note = "Chỉ tính danh hiệu cao nhất"
    line.save()
    article_two = next(line for line in texts(render_decision(decision)) if line.startswith("Điều 2."))
    assert "mức thưởng của từng cá nhân được tặng Bằng khen của Liên đoàn Lao động tỉnh ghi tại danh sách" in (
        article_two
    )
    assert "Tổng số tiền thưởng: 4.470.000 đồng" in article_two


def test_the_decision_download_is_an_ascii_named_attachment():
    units = bac_kan()
    decision = build_decision(units=units)
    response = decision_docx_response(decision)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="quyet-dinh-khen-thuong-05-QD-2026.docx"'
    draft = build_decision(status=AwardDecision.Status.DRAFT, units=units)
    name = decision_docx_response(draft)["Content-Disposition"]
    assert name == f'attachment; filename="quyet-dinh-khen-thuong-du-thao-{draft.pk}.docx"'
    assert name.isascii()


# --- the minutes ----------------------------------------------------------------------------------


def test_the_minutes_of_a_closed_session_carry_the_tally_and_both_signers():
    session = build_session()
    content = render_minutes(session)
    lines = texts(content)
    text = "\n".join(lines)
    assert "BIÊN BẢN" in lines
    assert lines[:4] == [
        "LIÊN ĐOÀN LAO ĐỘNG",
        "TỈNH BẮC KẠN",
        "HỘI ĐỒNG THI ĐUA –",
        "KHEN THƯỞNG",
    ]  # no line starts "–"
    assert "Họp Hội đồng Thi đua – Khen thưởng xét khen thưởng phong trào thi đua năm 2026" in lines
    assert any(line.startswith("Số: ") and line.endswith("/BB-LĐLĐ") for line in lines)
    assert "Bắc Kạn, ngày 15 tháng 12 năm 2026" in lines
    assert "Thời gian: 08 giờ 30, ngày 15/12/2026." in text  # Asia/Ho_Chi_Minh
    assert "Địa điểm: Hội trường Liên đoàn Lao động tỉnh." in text
    assert "Tổng số thành viên Hội đồng: 10; có mặt: 9; vắng mặt: 1; số phiếu bằng văn bản" in text
    assert "Thành viên vắng mặt: Ủy viên số 7." in text
    assert "Số thành viên có mặt đủ tỷ lệ tối thiểu 2/3" in text
    assert "Số thành viên đã bỏ phiếu: 10 (trong đó 1 phiếu bằng văn bản)" in text
    tally = tables(content)[1]
    assert tally[0] == [
        "TT",
        "Họ và tên, tập thể",
        "Danh hiệu, hình thức",
        "Tỷ lệ cần đạt",
        "Đồng ý",
        "Không đồng ý",
        "Kết quả",
    ]
    assert tally[1] == [
        "1",
        "Nguyễn Thị Hương (Công đoàn cơ sở Trường THCS Nam Mẫu)",
        "Bằng khen của Liên đoàn Lao động tỉnh",
        "80%",
        "9",
        "1",
        "Đạt",
    ]
    assert tally[3][4:] == ["7", "3", "Không đạt"]
    assert "Hội đồng thống nhất đề nghị khen thưởng 2 trường hợp" in text and "1 trường hợp không đạt" in text
    assert "Phiên họp kết thúc vào 10 giờ 45, ngày 15/12/2026." in text
    signatures = tables(content)[-1]
    left, right = signatures[0]
    assert left.split("\n")[0] == "THƯ KÝ" and left.split("\n")[-1] == "Hoàng Văn Nam"
    assert right.split("\n")[:2] == ["CHỦ TỌA", "CHỦ TỊCH HỘI ĐỒNG"] and right.split("\n")[-1] == "Triệu Thị Mai"
    # The names stand on the same row of their cells (the left block is padded to the right one).
    assert len(left.split("\n")) == len(right.split("\n"))
    assert "DỰ THẢO" not in lines


def test_the_minutes_of_an_open_session_show_no_counts():
    session = build_session(closed=False)
    content = render_minutes(session)
    lines = texts(content)
    assert "DỰ THẢO" in lines
    tally = tables(content)[1]
    assert len(tally) == 4 and all(row[4:] == ["", "", ""] for row in tally[1:])
    assert "Phiên bỏ phiếu chưa kết thúc; kết quả chỉ được kiểm và ghi vào biên bản sau khi đóng phiếu." in lines
    assert not any("Đạt" in line or "thống nhất đề nghị" in line for line in lines)
    name = minutes_docx_response(session)["Content-Disposition"]
    assert name == f'attachment; filename="bien-ban-hop-hoi-dong-20261215-{session.pk}-du-thao.docx"'


def test_plans_still_render_with_one_signer_and_numbered_appendices():
    """The two extensions of the layer (an authority line, an unnumbered list) leave other documents alone."""
    from thidua.core import decree30

    doc = decree30.Document(
        parent_body="Tổng Liên đoàn Lao động Việt Nam",
        issuer_body="Liên đoàn Lao động tỉnh Bắc Kạn",
        symbol="KH-LĐLĐ",
        sequence=7,
        place="Bắc Kạn",
        day=dt.date(2018, 10, 16),
        kind="KẾ HOẠCH",
        summary="Tuyên truyền",
        signers=[decree30.Signer("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Triệu Thị Mai")],
        appendices=[decree30.Appendix(number="I", title="Biểu mẫu", reference="Kèm theo Kế hoạch số 07/KH-LĐLĐ")],
    )
    lines = texts(decree30.render(doc))
    assert "Phụ lục I" in lines and "QUYẾT ĐỊNH:" not in lines
    assert lines.index("KẾ HOẠCH") + 1 == lines.index("Tuyên truyền")


def test_table_cells_keep_their_own_text_and_alignment():
    """Cells after the first of each alignment are copies of it (speed): each keeps its own text; text
    python-docx must write specially (tabs, line breaks, edge spaces) still goes the slow way."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from thidua.core import decree30

    rows = (("1", "An & <Bình>", "1.490.000"), ("2", "  lề  ", "2.980.000"), ("3", "a\tb", ""), ("4", "x", "5"))
    doc = decree30.Document(
        parent_body="",
        issuer_body="Liên đoàn Lao động tỉnh Bắc Kạn",
        symbol="QĐ-LĐLĐ",
        sequence=1,
        place="Bắc Kạn",
        day=dt.date(2026, 1, 5),
        kind="QUYẾT ĐỊNH",
        summary="Về việc thử",
        body=[decree30.Table(headers=("TT", "Tên", "Tiền"), rows=rows, numeric=(2,))],
    )
    table = read_docx(io.BytesIO(decree30.render(doc))).tables[1]
    assert [[cell.text for cell in row.cells] for row in table.rows[1:]] == [list(row) for row in rows]
    aligns = [[cell.paragraphs[0].alignment for cell in row.cells] for row in table.rows[1:]]
    centre, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    assert aligns == [[centre, left, right]] * 4


# --- rendered by LibreOffice ----------------------------------------------------------------------


def _render(tmp_path: Path, documents: dict[str, bytes]) -> dict[str, list[Any]]:
    from thidua.core.tests.test_decree30_render import words_of

    for name, content in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(content)
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    files = [str(tmp_path / f"{name}.docx") for name in documents]
    command = [SOFFICE or "soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *files]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603 - our files
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:  # page images to look at: var/screenshots/recognition-<name>-<page>.png
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in documents:
            target = str(SCREENSHOTS / f"recognition-{name}")
            subprocess.run([pdftoppm, "-png", "-r", "60", str(tmp_path / f"{name}.pdf"), target], check=False)  # noqa: S603
    return {name: words_of(tmp_path / f"{name}.pdf") for name in documents}


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason=NO_OFFICE)
def test_decision_and_minutes_once_rendered(tmp_path):
    from thidua.core.tests.test_decree30_render import line_of, one_line

    units = bac_kan()
    decision = build_decision(people=12, collectives=3, units=units)
    session = build_session(units=units)
    pages = _render(tmp_path, {"decision": render_decision(decision), "minutes": render_minutes(session)})

    words = pages["decision"]
    half = 595 / 2  # A4 portrait, points
    motto = line_of(words, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert one_line(motto) and motto[0].x > half - 60 and motto[0].y < 120  # top right
    number = line_of(words, "Số: 05/QĐ-LĐLĐ")
    assert number[0].x < half - 60 and number[0].y < 200  # top left
    assert one_line(number + line_of(words, "Bắc Kạn, ngày 20 tháng 12 năm 2026"))
    enacting = line_of(words, "QUYẾT ĐỊNH:")
    assert enacting[0].page == 1
    # The list starts a page of its own, its title first, its reference under it.
    annex_title = next(w for w in words if w.text == "DANH" and w.page > 1)
    first_on_page = min((w for w in words if w.page == annex_title.page and w.text != str(w.page)), key=lambda w: w.y)
    assert first_on_page.text == "DANH"
    reference = line_of(words, "(Kèm theo Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026", page=annex_title.page)
    assert reference[0].y > annex_title.y
    signer = [w for w in words if w.text == "Mai"]
    assert signer[0].page < annex_title.page  # the signature closes the decision before the list
    people = line_of(words, "I. CÁ NHÂN", page=annex_title.page)
    later = [w for w in words if w.text == "II." and w.page >= annex_title.page]
    assert later and (later[0].page, later[0].y) > (people[0].page, people[0].y)
    assert "1.490.000" in {w.text for w in words}

    words = pages["minutes"]
    last = max(w.page for w in words)
    secretary, chair = line_of(words, "THƯ KÝ", page=last), line_of(words, "CHỦ TỌA", page=last)
    assert secretary[0].page == chair[0].page and abs(secretary[0].y - chair[0].y) < 2  # side by side
    assert secretary[0].x < half < chair[0].x  # the secretary left, the chair right
    nam = [w for w in words if w.text == "Nam" and w.page == secretary[0].page][-1]
    mai = [w for w in words if w.text == "Mai" and w.page == chair[0].page][-1]
    assert abs(nam.y - mai.y) < 2 and nam.x < half < mai.x and nam.y > secretary[0].y
    tally_page = next(w.page for w in words if w.text == "Không" and w.page <= last)
    assert line_of(words, "Không đạt", page=tally_page)
