"""Decision pages: drafting from a session, editing the draft, issuing and revoking from the page,
downloads, the list with its export, the print layout page; scope (404 outside the branch, 403 for
the level above) and query budgets that do not grow with the number of lines."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from thidua.core.transitions import state_token
from thidua.recognition import decisions
from thidua.recognition.certificates import DEFAULT_POSITIONS
from thidua.recognition.models import (
    AwardDecision,
    CertificateLayout,
    DecisionLine,
)
from thidua.recognition.tests.decision_factories import (
    ISSUED_ON,
    candidate,
    catalogue,
    closed_session,
    draft,
    issued,
    kind,
)
from thidua.testing import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def g1(world):
    catalogue()
    return world.G1


@pytest.fixture
def officer(client, world):
    client.force_login(world.users["grassroots"])
    return client


def _form(decision_fields=None, **extra):
    data = {
        "title": "Về việc khen thưởng thành tích năm 2025",
        "issued_on": "15/01/2026",
        "place": "Alpha",
        "achievement": "Đã có thành tích xuất sắc năm 2025",
        "period_start": "01/01/2025",
        "period_end": "31/12/2025",
        "signer_capacity": "TM. BAN THƯỜNG VỤ",
        "signer_position": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn Ký",
    }
    data.update(decision_fields or {})
    data.update(extra)
    return data


def test_drafting_from_a_closed_session_on_the_page(officer, g1):
    passed = candidate(g1, "ldtt", member=make_member(g1, "Vũ Thị Mai"))
    session = closed_session(g1, [passed])
    page = officer.get(reverse("recognition:decision_create") + f"?session={session.pk}")
    assert page.status_code == 200 and session.title in page.content.decode()
    response = officer.post(reverse("recognition:decision_create"), _form(issuer=g1.pk, session=session.pk))
    decision = AwardDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("recognition:decision", args=[decision.pk])
    assert decision.session == session and decision.lines.get().candidate == passed


def test_bad_input_on_the_create_form_is_a_clear_400(officer, g1, world):
    passed = candidate(g1, "ldtt", member=make_member(g1))
    session = closed_session(g1, [passed])
    theirs = closed_session(world.G1b, [candidate(world.G1b, "ldtt", member=make_member(world.G1b))])
    for data, message in (
        (_form(issuer=g1.pk, session=theirs.pk), "lựa chọn hợp lệ"),  # tampered: another unit's session
        (_form(issuer=world.G1b.pk, session=session.pk), "lựa chọn hợp lệ"),  # not the user's desk
        (_form(issuer=g1.pk, session=session.pk, period_end="31/02/2025"), "ngày hợp lệ"),  # no such date
        (_form(issuer=g1.pk, session=session.pk, period_start="01/01/2026"), "sau ngày bắt đầu"),
        (_form(issuer=g1.pk), "Chọn một phiên họp"),
        (_form(issuer=g1.pk, session=session.pk, title=""), "bắt buộc"),
        (_form(issuer=g1.pk, session=session.pk, issued_on="x" * 5000), "ngày hợp lệ"),
    ):
        response = officer.post(reverse("recognition:decision_create"), data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), (message, data)
    assert not AwardDecision.objects.exists()


def test_edit_add_and_remove_lines_then_issue_and_revoke(officer, g1):
    member = make_member(g1, "Ngô Văn Bảo")
    decision = draft(g1, [candidate(g1, "ldtt", member=member)])
    extra = candidate(g1, "cstd-co-so", member=member)
    edit = officer.get(reverse("recognition:decision_edit", args=[decision.pk]))
    assert edit.status_code == 200 and "Chiến sĩ thi đua cơ sở" in edit.content.decode()
    response = officer.post(reverse("recognition:decision_line_add", args=[decision.pk]), {"candidates": [extra.pk]})
    assert response.status_code == 302 and decision.lines.count() == 2
    response = officer.post(
        reverse("recognition:decision_edit", args=[decision.pk]), _form(title="Khen thưởng năm học 2025")
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.title == "Khen thưởng năm học 2025"
    ldtt = decision.lines.get(kind__code="ldtt")
    assert officer.post(reverse("recognition:decision_line_remove", args=[ldtt.pk])).status_code == 302
    assert list(decision.lines.values_list("kind__code", flat=True)) == ["cstd-co-so"]
    stale = state_token(decision)
    response = officer.post(
        reverse("recognition:decision_issue", args=[decision.pk]), {"issued_on": "15/01/2026", "seen": stale}
    )
    decision.refresh_from_db()
    assert response.status_code == 302 and decision.status == "issued" and decision.number == 1
    again = officer.post(
        reverse("recognition:decision_issue", args=[decision.pk]), {"issued_on": "15/01/2026", "seen": stale}
    )
    import re

    print(re.findall(r"role=.alert.*?</div>", again.content.decode(), re.S))
    assert again.status_code == 400 and "người khác vừa thao tác" in again.content.decode()
    detail = officer.get(reverse("recognition:decision", args=[decision.pk])).content.decode()
    assert "01/QĐ-G1" in detail and "2.340.000" in detail and "Ngô Văn Bảo" in detail
    response = officer.post(
        reverse("recognition:decision_revoke", args=[decision.pk]), {"reason": "", "seen": state_token(decision)}
    )
    assert response.status_code == 400 and AwardDecision.objects.get(pk=decision.pk).status == "issued"
    response = officer.post(
        reverse("recognition:decision_revoke", args=[decision.pk]),
        {"reason": "Sai đối tượng", "seen": state_token(decision)},
    )
    assert response.status_code == 302 and AwardDecision.objects.get(pk=decision.pk).status == "revoked"


def test_the_level_above_sees_but_cannot_change(client, world, g1):
    decision = draft(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    client.force_login(world.users["district"])
    assert client.get(reverse("recognition:decision", args=[decision.pk])).status_code == 200
    assert client.get(reverse("recognition:decision_edit", args=[decision.pk])).status_code == 403
    response = client.post(reverse("recognition:decision_issue", args=[decision.pk]), {"issued_on": "15/01/2026"})
    assert response.status_code == 403
    assert AwardDecision.objects.get(pk=decision.pk).status == "draft"


def test_another_branch_gets_404_on_every_decision_url(client, world, g1):
    decision = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    line = decision.lines.get()
    outsider = make_user("other-branch", (world.P2, "officer"))
    client.force_login(outsider)
    reads = [
        reverse("recognition:decision", args=[decision.pk]),
        reverse("recognition:decision_edit", args=[decision.pk]),
        reverse("recognition:decision_docx", args=[decision.pk]),
        reverse("recognition:decision_certificates", args=[decision.pk]),
    ]
    writes = [
        reverse("recognition:decision_issue", args=[decision.pk]),
        reverse("recognition:decision_revoke", args=[decision.pk]),
        reverse("recognition:decision_line_add", args=[decision.pk]),
        reverse("recognition:decision_line_remove", args=[line.pk]),
        reverse("recognition:decision_edit", args=[decision.pk]),
    ]
    for url in reads:
        assert client.get(url).status_code == 404, url
    for url in writes:
        assert client.post(url, {"reason": "x", "issued_on": "15/01/2026"}).status_code == 404, url
    listing = client.get(reverse("recognition:decisions")).content.decode()
    assert decision.title not in listing
    assert AwardDecision.objects.get(pk=decision.pk).status == "issued"


def test_downloads(officer, g1):
    member = make_member(g1, "Đinh Thị Cúc")
    decision = draft(g1, [candidate(g1, "ldtt", member=member)])
    docx = officer.get(reverse("recognition:decision_docx", args=[decision.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    certificates = officer.get(reverse("recognition:decision_certificates", args=[decision.pk]))
    assert certificates.status_code == 302  # a draft has no certificates
    decisions_issue(decision)
    pdf = officer.get(reverse("recognition:decision_certificates", args=[decision.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    detail = officer.get(reverse("recognition:decision", args=[decision.pk])).content.decode()
    assert "?blank=1" not in detail
    CertificateLayout.objects.create(kind=kind("ldtt"), positions={})
    detail = officer.get(reverse("recognition:decision", args=[decision.pk])).content.decode()
    assert "?blank=1" in detail
    blank = officer.get(reverse("recognition:decision_certificates", args=[decision.pk]) + "?blank=1")
    assert blank.status_code == 200 and blank.content.startswith(b"%PDF")


def decisions_issue(decision):
    decisions.decision_issue(decision=decision, by=None, issued_on=ISSUED_ON)


def test_list_filters_searches_without_diacritics_and_exports(officer, g1):
    first = issued(g1, [candidate(g1, "ldtt", member=make_member(g1, "Trương Thị Ánh"))])
    draft(g1, [candidate(g1, "ldtt", member=make_member(g1, "Lý Văn Bốn"))], title="Dự thảo thứ hai")
    url = reverse("recognition:decisions")
    page = officer.get(url + "?q=truong thi anh").content.decode()
    assert first.title in page and "Dự thảo thứ hai" not in page
    page = officer.get(url + "?status=draft").content.decode()
    assert "Dự thảo thứ hai" in page and "01/QĐ-G1" not in page
    export = officer.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).active
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "01/QĐ-G1" in text and "710000" in text and "Dự thảo thứ hai" in text


def test_list_query_budget_does_not_grow(officer, g1, django_assert_max_num_queries):
    for _ in range(3):
        issued(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    with django_assert_max_num_queries(12):
        assert officer.get(reverse("recognition:decisions")).status_code == 200
    for _ in range(6):
        issued(g1, [candidate(g1, "ldtt", member=make_member(g1)), candidate(g1, "ldtt", member=make_member(g1))])
    with django_assert_max_num_queries(12):
        assert officer.get(reverse("recognition:decisions")).status_code == 200


def test_detail_query_budget_does_not_grow_with_lines(officer, g1, world, django_assert_max_num_queries):
    small = issued(g1, [candidate(g1, "ldtt", member=make_member(g1))])
    people = [candidate(g1, "ldtt", member=make_member(g1)) for _ in range(12)]
    people += [candidate(g1, "tt-ldtt", unit=world.T1), candidate(g1, "tt-ldtt", unit=world.T1a)]
    big = issued(g1, people, on=dt.date(2026, 1, 20))
    counts = []
    for decision in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(reverse("recognition:decision", args=[decision.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(16):
        officer.get(reverse("recognition:decision", args=[big.pk]))


# --- the print layout of a blank ------------------------------------------------------------------


def _layout_data(kind_pk, **changes):
    data = {"kind": kind_pk}
    for name, spec in DEFAULT_POSITIONS.items():
        for key, value in spec.items():
            data[f"{name}__{key}"] = value
    data.update(changes)
    return data


def test_the_layout_page_saves_with_history_and_test_prints(officer, g1):
    ldtt = kind("ldtt")
    url = reverse("recognition:certificate_layout") + f"?kind={ldtt.pk}"
    assert officer.get(reverse("recognition:certificate_layouts")).status_code == 200
    page = officer.get(url)
    assert page.status_code == 200 and "148.5" in page.content.decode().replace(",", ".")
    test = officer.post(url, _layout_data(ldtt.pk, action="test", recipient__y="95"))
    assert test.status_code == 200 and test.content.startswith(b"%PDF")
    assert not CertificateLayout.objects.exists()  # a test print saves nothing
    saved = officer.post(url, _layout_data(ldtt.pk, action="save", recipient__y="95"))
    assert saved.status_code == 302
    layout = CertificateLayout.objects.get(kind=ldtt)
    assert layout.positions["recipient"]["y"] == 95.0
    officer.post(url, _layout_data(ldtt.pk, action="save", recipient__y="96"))
    assert layout.history.count() == 2
    bad = officer.post(url, _layout_data(ldtt.pk, action="save", recipient__x="abc", signer__size="900"))
    assert bad.status_code == 400 and CertificateLayout.objects.get(kind=ldtt).positions["recipient"]["y"] == 96.0
    json.dumps(layout.positions)


def test_the_layout_page_is_for_the_kinds_a_desk_awards(client, world, g1):
    client.force_login(world.users["grassroots"])  # a grassroots desk does not print provincial awards
    assert client.get(reverse("recognition:certificate_layout") + f"?kind={kind('cstd-tinh').pk}").status_code == 403
    assert client.get(reverse("recognition:certificate_layout") + "?kind=999999").status_code == 404
    assert client.get(reverse("recognition:certificate_layout") + "?kind=abc").status_code == 404
    client.force_login(world.users["council"])  # no desk at all
    assert client.get(reverse("recognition:certificate_layouts")).status_code == 403
    assert (
        client.post(reverse("recognition:certificate_layout"), _layout_data(kind("ldtt").pk, action="save")).status_code
        == 403
    )
    assert not CertificateLayout.objects.exists()
    assert DecisionLine.objects.count() == 0
