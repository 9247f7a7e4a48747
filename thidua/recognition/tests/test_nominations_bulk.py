"""Bulk nomination: from a campaign's ranking (a tie at the quota's boundary goes to a vote) and from
an Excel list (preview with row-numbered errors, all or nothing, a template to download)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from thidua.recognition import dossier_imports, dossiers
from thidua.recognition.models import Candidate, Rule
from thidua.recognition.tests.factories import kind, rate
from thidua.recognition.tests.nomination_factories import MEMBER_KIND, PDF, UNIT_KIND, dossier, xlsx
from thidua.testing import make_member, title

pytestmark = pytest.mark.django_db


# --- from a campaign's ranking --------------------------------------------------------------------


def _sent(unit, district, **values):
    from thidua.monitoring import services
    from thidua.monitoring.tests.factories import report_of, values_for

    report = report_of(unit)
    services.report_save(report=report, by=None, values=values_for(report, **values), narrative="Đã thực hiện")
    services.report_submit(report=report, by=None, today=dt.date(2025, 2, 1))
    services.report_verify(report=report, by=district)


def _ranked_campaign(world, *, g1b_points="8"):
    """P's campaign, D1 implementing; G1 and G1b registered and their January reports verified."""
    from thidua.monitoring.tests.factories import campaign
    from thidua.registrations import services as registrations

    plan = campaign(world)
    for unit in (world.G1, world.G1b):
        registration = registrations.registration_open(plan=plan, unit=unit, by=None, today=dt.date(2025, 1, 15))
        registrations.registration_update(
            registration=registration,
            by=None,
            titles=[title("Bằng khen của Liên đoàn Lao động tỉnh")],
            pledge="Thi đua",
            commitments={},
            today=dt.date(2025, 1, 15),
        )
        registrations.registration_submit(registration=registration, by=None, today=dt.date(2025, 1, 15))
    district = world.users["district"]
    _sent(world.G1, district)
    _sent(world.G1b, district, points=g1b_points)
    return plan


def _one_seat():
    """The awarding unit's own cap on the LĐLĐ's Bằng khen for collectives: one per batch."""
    return Rule.objects.create(
        rule_set=Rule.objects.get(rule_set__code="luat-2022", key="dang-ky").rule_set,
        award_kind=kind(UNIT_KIND),
        kind=Rule.Kind.QUOTA,
        params={"max": 1, "base": "candidates"},
        explanation="Tối đa một tập thể mỗi đợt (thử)",
        source="Quy định của đơn vị (thử)",
    )


def test_a_tie_at_the_boundary_goes_to_the_vote(world):
    district = world.users["district"]
    plan = _ranked_campaign(world)
    nomination = dossier(world.D1, by=district, campaign=plan)
    _one_seat()
    ranked = dossiers.ranked_units(nomination)
    assert [(r.unit, r.position) for r in ranked] == [(world.G1b, 1), (world.G1, 1)] or [
        (r.unit, r.position) for r in ranked
    ] == [(world.G1, 1), (world.G1b, 1)]
    result = dossiers.nominate_from_ranking(nomination=nomination, kind=kind(UNIT_KIND), top_n=1, by=district)
    assert {c.unit for c in result.added} == {world.G1, world.G1b}  # tied with the first: both considered
    assert {c.verdict for c in result.added} == {"vote"}
    note = " ".join(result.added[0].notes)
    assert "2 ứng viên cho 1 suất còn lại, cần bỏ phiếu" in note
    assert not result.refused
    # A re-check keeps the tie (the submission checks again).
    rechecked = dossiers.candidates_recheck(nomination)
    assert [v.status for _c, v in rechecked] == ["vote", "vote"]
    # Running it again adds nobody twice.
    again = dossiers.nominate_from_ranking(nomination=nomination, kind=kind(UNIT_KIND), top_n=1, by=district)
    assert not again.added and set(again.skipped) == {world.G1.name, world.G1b.name}


def test_ranking_takes_the_best_and_reports_the_refused(world):
    district = world.users["district"]
    plan = _ranked_campaign(world, g1b_points="2")
    nomination = dossier(world.D1, by=district, campaign=plan)
    result = dossiers.nominate_from_ranking(nomination=nomination, kind=kind(UNIT_KIND), top_n=1, by=district)
    assert [c.unit for c in result.added] == [world.G1] and result.added[0].verdict == "eligible", result.refused
    assert "Xếp thứ 1" in result.added[0].achievement
    # 100 % of those ranked: G1b too; but a warning-level discipline in it refuses it with the reason.
    rate(world.G1b, rating="good", discipline="warning")
    result = dossiers.nominate_from_ranking(nomination=nomination, kind=kind(UNIT_KIND), top_percent=100, by=district)
    assert not result.added and result.skipped == [world.G1.name]
    assert [name for name, _ in result.refused] == [world.G1b.name]
    assert any("Cảnh cáo" in m for m in result.refused[0][1])
    with pytest.raises(ValidationError):  # the ranking ranks collectives
        dossiers.nominate_from_ranking(nomination=nomination, kind=kind(MEMBER_KIND), top_n=1, by=district)


def test_ranking_needs_a_campaign(world, client):
    district = world.users["district"]
    nomination = dossier(world.D1, by=district)
    with pytest.raises(ValidationError) as refused:
        dossiers.nominate_from_ranking(nomination=nomination, kind=kind(UNIT_KIND), top_n=1, by=district)
    assert "phong trào" in " ".join(refused.value.messages)
    client.force_login(district)
    page = client.get(reverse("recognition:nomination_ranking", args=[nomination.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("recognition:nomination_ranking", args=[nomination.pk]), {"kind": kind(UNIT_KIND).pk, "top_n": "2"}
    )
    assert response.status_code == 400 and not nomination.candidates.exists()


# --- from an Excel list ----------------------------------------------------------------------------


def _upload(content: bytes, name: str = "de-nghi.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_good_file_is_previewed_then_written_whole(world, client):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    hoa = make_member(world.G1, "Nguyễn Thị Hoa", birth_year=1985)
    binh = make_member(world.G1, "Đặng Văn Bình", birth_year=1990)
    content = xlsx(
        [
            ["VÍ DỤ", "", "Nguyễn Thị Hoa", 1985, "", "Lao động tiên tiến", ""],
            [1, "", "nguyen thi hoa", "", "", MEMBER_KIND, "Hoàn thành xuất sắc nhiệm vụ"],
            [2, str(binh.pk), "Đặng Văn Bình", "", "", "Bằng khen của Liên đoàn Lao động tỉnh (cá nhân)", ""],
            [3, "", "", "", world.G1.code, kind(UNIT_KIND).name, "Tập thể tiêu biểu"],
            [],
            ["", "", "Người lập biểu", "", "", "", ""],
        ]
    )
    client.force_login(grassroots)
    url = reverse("recognition:nomination_import", args=[nomination.pk])
    response = client.post(url, {"file": _upload(content)})
    assert response.status_code == 200, response.content.decode()[:3000]
    page = response.content.decode()
    assert "Ghi tất cả" in page and "Nguyễn Thị Hoa" in page
    assert not nomination.candidates.exists()  # a preview writes nothing
    token = response.context["token"]
    assert [r["row"] for r in response.context["result"].rows] == [4, 5, 6]
    assert any("Dòng ví dụ" in n for n in response.context["result"].notes)
    assert any("Phần ký tên" in n for n in response.context["result"].notes)

    commit = reverse("recognition:nomination_import_commit", args=[nomination.pk])
    assert client.post(commit, {"token": token}).status_code == 302
    got = {(c.member_id, c.unit_id, c.kind.code) for c in nomination.candidates.select_related("kind")}
    assert got == {
        (hoa.pk, world.G1.pk, MEMBER_KIND),
        (binh.pk, world.G1.pk, MEMBER_KIND),
        (None, world.G1.pk, UNIT_KIND),
    }
    # The same preview sent again writes nothing more.
    client.post(commit, {"token": token})
    assert nomination.candidates.count() == 3
    # A token for another dossier, or tampered, is refused.
    other = dossier(world.G1, by=grassroots, title="Hồ sơ khác")
    client.post(reverse("recognition:nomination_import_commit", args=[other.pk]), {"token": token})
    client.post(commit, {"token": token[:-2] + "xx"})
    assert not other.candidates.exists() and nomination.candidates.count() == 3


def test_bad_rows_are_named_by_number_and_nothing_is_written(world):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    make_member(world.G1, "Lê Văn Trùng", birth_year=1980)
    make_member(world.G1, "Lê Văn Trùng", birth_year=1981)
    outsider = make_member(world.G2, "Phạm Thị Ngoài")
    punished = make_member(world.G1, "Hà Văn Phạt")
    rate(punished, rating="good", discipline="reprimand", days_off=50)
    ok = make_member(world.G1, "Vũ Thị Đạt")
    content = xlsx(
        [
            [1, "", "Vũ Thị Đạt", "", "", MEMBER_KIND, ""],
            [2, "", "Lê Văn Trùng", "", "", MEMBER_KIND, ""],
            [3, "", "Phạm Thị Ngoài", "", "", MEMBER_KIND, ""],
            [4, "", "Hà Văn Phạt", "", "", MEMBER_KIND, ""],
            [5, "", "Vũ Thị Đạt", "", "", "Danh hiệu không có", ""],
            [6, str(outsider.pk), "", "", "", MEMBER_KIND, ""],
            [7, "", "Vũ Thị Đạt", "", "", MEMBER_KIND, ""],
            [8, "", "", "", "Đơn vị không có", UNIT_KIND, ""],
        ]
    )
    result = dossier_imports.parse_candidates(content, nomination=nomination, user=grassroots)
    errors = {row: message for row, _column, message in result.errors}
    assert set(errors) == {4, 5, 6, 7, 8, 9, 10}, result.errors
    assert "Có 2 đoàn viên “Lê Văn Trùng”" in errors[4]
    assert "Không tìm thấy đoàn viên “Phạm Thị Ngoài”" in errors[5]
    assert "bị kỷ luật mức “Khiển trách”" in errors[6] and "nghỉ 50 ngày" in errors[6]
    assert "Không có danh hiệu" in errors[7]
    assert f"Không có đoàn viên mã {outsider.pk}" in errors[8]
    assert "Trùng với dòng 3" in errors[9]
    assert "Không tìm thấy đơn vị “Đơn vị không có”" in errors[10]
    assert [r["member"] for r in result.rows] == [ok.pk]
    # Written whole or not at all: the view refuses to preview a file with errors.
    assert not nomination.candidates.exists()


def test_wrong_files_are_refused_with_a_clear_message(world, client):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    client.force_login(grassroots)
    url = reverse("recognition:nomination_import", args=[nomination.pk])
    for name, content, expected in (
        ("de-nghi.xlsx", PDF, "không phải Excel"),
        ("de-nghi.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel cũ (.xls)"),
        ("de-nghi.xlsx", xlsx([[1, "x"]], headers=["STT", "Ghi chú"]), "Không tìm thấy dòng tiêu đề"),
    ):
        response = client.post(url, {"file": _upload(content, name)})
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not Candidate.objects.exists()


def test_the_template_downloads_and_reads_back(world, client):
    grassroots = world.users["grassroots"]
    nomination = dossier(world.G1, by=grassroots)
    client.force_login(grassroots)
    response = client.get(reverse("recognition:nomination_import_template") + f"?nomination={nomination.pk}")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames[:2] == ["Danh sách", "Danh mục"]
    codes = [row[0] for row in workbook["Danh mục"].iter_rows(values_only=True) if row]
    assert MEMBER_KIND in codes and UNIT_KIND in codes
    # The template itself imports as "nothing but the example row".
    result = dossier_imports.parse_candidates(response.content, nomination=nomination, user=grassroots)
    assert result.refused and "không có dòng dữ liệu" in result.errors[0][2]
