from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.campaigns.models import Title
from thidua.registrations import services
from thidua.registrations.imports import parse_pledges
from thidua.registrations.models import ImportBatch, MemberPledge, Registration
from thidua.testing import frozen, make_member

from .helpers import DRAIN_STATEMENTS, TODAY, open_plan, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return open_plan(world)


@pytest.fixture
def lao_dong_tien_tien(db):
    return Title.objects.get(name="Lao động tiên tiến")


def test_registration_is_refused_after_the_deadline_and_outside_the_plan(world, plan):
    with pytest.raises(ValidationError, match="hết hạn"):
        services.registration_open(plan=plan, unit=world.G1, by=None, today=dt.date(2025, 4, 1))
    with pytest.raises(ValidationError, match="không thuộc phạm vi"):
        services.registration_open(plan=plan, unit=world.G3, by=None, today=TODAY)
    assert not Registration.objects.exists()


def test_member_cannot_be_registered_twice_for_one_title(world, plan, lao_dong_tien_tien):
    member = make_member(world.G1)
    officer = world.users["grassroots"]
    registration = services.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    assert (
        services.pledges_add(
            registration=registration,
            by=officer,
            member_ids=[member.pk, member.pk],
            title=lao_dong_tien_tien,
            today=TODAY,
        )
        == 1
    )
    assert (
        services.pledges_add(
            registration=registration, by=officer, member_ids=[member.pk], title=lao_dong_tien_tien, today=TODAY
        )
        == 0
    )
    assert MemberPledge.objects.count() == 1
    other = make_member(world.G2)
    with pytest.raises(ValidationError, match="không thuộc đơn vị"):
        services.pledges_add(
            registration=registration, by=officer, member_ids=[other.pk], title=lao_dong_tien_tien, today=TODAY
        )


def test_accept_and_return_belong_to_the_level_above(world, plan, lao_dong_tien_tien):
    officer = world.users["grassroots"]
    registration = services.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    services.pledges_add(
        registration=registration,
        by=officer,
        member_ids=[make_member(world.G1).pk],
        title=lao_dong_tien_tien,
        today=TODAY,
    )
    services.registration_submit(registration=registration, by=officer, today=TODAY)
    assert registration.unit.parent == world.D1
    # Only the level directly above decides: not the unit itself, not the province above the district.
    for outsider in (officer, world.users["province"]):
        with pytest.raises(PermissionDenied):
            services.registration_accept(registration=registration, by=outsider)
        with pytest.raises(PermissionDenied):
            services.registration_return(registration=registration, by=outsider, comment="Sửa")
        assert Registration.objects.get(pk=registration.pk).status == Registration.Status.SUBMITTED
    with pytest.raises(ValidationError, match="lý do"):
        services.registration_return(registration=registration, by=world.users["district"], comment=" ")
    services.registration_return(registration=registration, by=world.users["district"], comment="Bổ sung cam kết")
    with pytest.raises(ValidationError, match="trạng thái"):
        services.registration_accept(registration=registration, by=world.users["district"])
    services.registration_submit(registration=registration, by=officer, today=TODAY)
    accepted = services.registration_accept(registration=registration, by=world.users["district"])
    assert accepted.status == Registration.Status.ACCEPTED and accepted.decided_by == world.users["district"]
    with pytest.raises(ValidationError, match="không sửa được"):
        services.pledges_add(
            registration=accepted,
            by=officer,
            member_ids=[make_member(world.G1).pk],
            title=lao_dong_tien_tien,
            today=TODAY,
        )
    assert [h.status for h in accepted.history.order_by("history_date")][-1] == "accepted"


# --- Excel import -----------------------------------------------------------


def _members(world):
    return [
        make_member(world.G1, "Nguyễn Thị Hoa", gender="F", birth_year=1985, id_number="001111111111"),
        make_member(world.T1a, "Đặng Văn Hùng", birth_year=1990),
        make_member(world.G1, "Lò Văn Sơn", birth_year=1979),
        make_member(world.G1, "Lò Văn Sơn", birth_year=1980),
    ]


def parse(world, content):
    from thidua.members.models import Member

    return parse_pledges(
        content, members=list(Member.objects.filter(unit__path__startswith=world.G1.path)), taken=set()
    )


def test_import_matches_names_dates_and_serials(world):
    _members(world)
    nfd = unicodedata.normalize("NFD", "  đặng  văn hùng ")
    content = xlsx(
        [
            [1, "Nguyễn Thị Hoa", 1985, "12/05/1985", "", "Lao động tiên tiến", "Hoàn thành xuất sắc"],
            [2, nfd, "1990", 32874, "", "lao dong tien tien", ""],  # 32874 = Excel serial for 01/01/1990
            [],
            [3, "Lò Văn Sơn", 1980, None, None, "Đoàn viên công đoàn xuất sắc", None],
        ]
    )
    result = parse(world, content)
    assert result.errors == []
    assert [r["row"] for r in result.rows] == [4, 5, 7]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[1, "Người Không Có", 1980, "", "", "Lao động tiên tiến", ""]], (4, "Họ và tên", "Không tìm thấy")),
        ([[1, "Nguyễn Thị Hoa", "abc", "", "", "Lao động tiên tiến", ""]], (4, "Năm sinh", "không phải số")),
        ([[1, "Nguyễn Thị Hoa", 1985, "31/02/1985", "", "Lao động tiên tiến", ""]], (4, "Ngày sinh", "dd/mm/yyyy")),
        ([[1, "Nguyễn Thị Hoa", 1985, "", "", "Bằng khen", ""]], (4, "Danh hiệu đăng ký", "Không có danh hiệu")),
        ([[1, '=HYPERLINK("x")', 1985, "", "", "Lao động tiên tiến", ""]], (4, "Họ và tên", "công thức")),
        (
            [
                [1, "Lò Văn Sơn", 1979, "", "", "Lao động tiên tiến", ""],
                [2, "Lò Văn Sơn", 1979, "", "", "Lao động tiên tiến", ""],
            ],
            (5, "Họ và tên", "Trùng"),
        ),
    ],
)
def test_import_errors_name_row_and_column(world, rows, expected):
    _members(world)
    result = parse(world, xlsx(rows))
    assert len(result.errors) == 1, result.errors
    row, column, message = result.errors[0]
    assert (row, column) == expected[:2] and expected[2] in message


def test_member_of_another_unit_is_not_found(world):
    make_member(world.G2, "Hà Văn Long", birth_year=1980)
    result = parse(world, xlsx([[1, "Hà Văn Long", 1980, "", "", "Lao động tiên tiến", ""]]))
    assert "Không tìm thấy" in result.errors[0][2]


def test_wrong_columns_renamed_files_and_zip_bombs_are_refused(world):
    result = parse(world, xlsx([[1, "A B", 1980]], headers=["STT", "Tên", "Tuổi"]))
    assert "Không tìm thấy dòng tiêu đề" in result.errors[0][2]
    assert "không phải Excel" in parse(world, b"%PDF-1.4 not a spreadsheet").errors[0][2]
    assert "không phải Excel" in parse(world, b"name,year\nA,1980\n").errors[0][2]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (200 * 1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    assert "giải nén quá lớn" in parse(world, bomb.getvalue()).errors[0][2]


def test_fifty_thousand_rows_are_read_and_nothing_is_written(world, client, plan):
    rows = [[i, f"Người Thứ {i}", 1980, "", "", "Lao động tiên tiến", ""] for i in range(50_000)]
    content = xlsx(rows)
    registration = services.registration_open(plan=plan, unit=world.G1, by=world.users["grassroots"], today=TODAY)
    client.force_login(world.users["grassroots"])
    with frozen("2025-02-01"):
        response = client.post(
            reverse("registrations:import", args=[registration.pk]), {"file": SimpleUploadedFile("big.xlsx", content)}
        )
    assert response.status_code == 400
    assert "chưa ghi gì" in response.content.decode()
    assert not ImportBatch.objects.exists() and not MemberPledge.objects.exists()


def test_import_preview_then_commit_once(world, client, plan):
    _members(world)
    registration = services.registration_open(plan=plan, unit=world.G1, by=world.users["grassroots"], today=TODAY)
    client.force_login(world.users["grassroots"])
    content = xlsx(
        [
            [1, "Nguyễn Thị Hoa", 1985, "", "", "Lao động tiên tiến", ""],
            [2, "Đặng Văn Hùng", 1990, "", "", "Lao động tiên tiến", ""],
        ]
    )
    with frozen("2025-02-01"):
        response = client.post(
            reverse("registrations:import", args=[registration.pk]), {"file": SimpleUploadedFile("ds.xlsx", content)}
        )
        assert response.status_code == 200
        assert "Xem trước: 2 dòng hợp lệ" in response.content.decode()
        assert not MemberPledge.objects.exists()
        batch = ImportBatch.objects.get()
        url = reverse("registrations:import_commit", args=[registration.pk, batch.token])
        client.post(url)
        response = client.post(url, follow=True)
    assert "đã được ghi trước đó" in response.content.decode()
    assert MemberPledge.objects.count() == 2


# --- coverage -----------------------------------------------------------------


def test_coverage_counts_and_query_budget(client, world, plan, lao_dong_tien_tien):
    from thidua.testing import make_unit

    officer = world.users["province"]
    members = [make_member(world.G1), make_member(world.G1), make_member(world.G2)]
    registration = services.registration_open(plan=plan, unit=world.G1, by=officer, today=TODAY)
    services.pledges_add(
        registration=registration, by=officer, member_ids=[members[0].pk], title=lao_dong_tien_tien, today=TODAY
    )
    services.registration_submit(registration=registration, by=officer, today=TODAY)
    client.force_login(officer)
    url = reverse("registrations:coverage", args=[plan.pk])

    def fetch():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    # The first read after writes drains their marks (a fixed number of statements per batch,
    # see test_coverage_tallies), the next reads the kept counts alone.
    pending, response = fetch()
    small, response = fetch()
    total = response.context["total"]
    assert (total.members, total.registered_members, total.grassroots, total.registered_units) == (3, 1, 3, 1)
    for i in range(20):
        make_member(make_unit(world.D2, f"CĐCS mới {i}"))
    pending_large, response = fetch()
    large, response = fetch()
    assert response.context["total"].grassroots == 23
    assert small == large <= 14
    assert pending <= small + DRAIN_STATEMENTS and pending_large <= small + DRAIN_STATEMENTS
    assert "coverage-data" in response.content.decode()
