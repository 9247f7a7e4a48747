"""Scope-matrix rows of the integration API (issue 13): plans with their documents and attachments,
obligations, registrations, pledges, articles and coverage read through the API, the e-office
writes (create a draft, attach the signed file, record the number and date and issue), and the
pages of a person's own API tokens.

The harness reads every API row twice, with the session and with a read-only token, and sends
API writes with a read-write token (``thidua/scope_matrix.py``).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from thidua.accounts.models import ApiToken, Role
from thidua.accounts.tokens import PREFIX, token_create
from thidua.campaigns.models import Plan
from thidua.core.tests.matrix_rows import GIVEN, _article, _plan, _registration
from thidua.core.tests.matrix_workflows import PDF, SHARED_DOWN, _attached, _draft, _issued, _obligation, _pledge
from thidua.scope_matrix import Resource, Write
from thidua.testing import make_user

EMULATION = "manage_emulation"


def _plan_create(world, relation, target):
    title = f"Kế hoạch từ văn phòng điện tử {GIVEN[relation]}"
    return Write(
        "/api/plans",
        {
            "issuer_id": target.pk,
            "issued_on": "2025-03-01",
            "place": "Bắc Kạn",
            "title": title,
            "window_start": "2025-01-01",
            "window_end": "2025-12-31",
            "contents": [{"name": "Nội dung thi đua", "criteria": [{"name": "Sáng kiến", "kind": "yes_no"}]}],
        },
        lambda: Plan.objects.filter(title=title, contents__criteria__name="Sáng kiến").exists(),
        api=True,
    )


def _attach(plan):
    return Write(
        f"/api/plans/{plan.pk}/attachments",
        {"file": SimpleUploadedFile("ban-ky.pdf", PDF, content_type="application/pdf")},
        lambda: plan.attachments.filter(name="ban-ky.pdf").exists(),
        api=True,
        multipart=True,
    )


def _issue(plan):
    number = plan.number + 100
    return Write(
        f"/api/plans/{plan.pk}/issue",
        {"number": number, "issued_on": "2025-03-02", "due_on": "2025-03-20"},
        lambda: Plan.objects.filter(pk=plan.pk, status="issued", number=number, issued_on="2025-03-02").exists(),
        api=True,
    )


API_DRAFT_PLANS = Resource(
    name="api-draft-plans",
    make=_draft,
    marker=lambda p: p.title,
    api_list_urls=[lambda p: "/api/plans?limit=500", lambda p: "/api/plans?status=draft&limit=500"],
    api_detail_url=lambda p: f"/api/plans/{p.pk}",
    create=_plan_create,
    edit=_attach,
    approve=_issue,
    write_perm=EMULATION,
)

API_ISSUED_PLANS = Resource(
    name="api-issued-plans",
    make=_issued,
    marker=lambda p: p.title,
    api_list_urls=[lambda p: "/api/plans?limit=500"],
    api_detail_url=lambda p: f"/api/plans/{p.pk}",
    write_perm=EMULATION,
    visible_in=SHARED_DOWN,
)

API_PLAN_DOCUMENTS = Resource(
    name="api-plan-documents",
    make=_plan,
    marker=lambda p: p.title,
    api_detail_url=lambda p: f"/api/plans/{p.pk}/document.docx",
    write_perm=EMULATION,
)

API_PLAN_COVERAGE = Resource(
    name="api-plan-coverage",
    make=_issued,
    marker=lambda p: p.title,
    api_detail_url=lambda p: f"/api/plans/{p.pk}/coverage",
    write_perm=EMULATION,
    visible_in=SHARED_DOWN,
)

API_ATTACHMENTS = Resource(
    name="api-plan-attachments",
    make=_attached,
    marker=lambda a: a.name,
    api_detail_url=lambda a: f"/api/plans/{a.plan_id}/attachments/{a.pk}",
    write_perm=EMULATION,
    visible_in=SHARED_DOWN,
)

API_ATTACHMENT_LISTS = Resource(
    name="api-plan-attachment-lists",
    make=_attached,
    marker=lambda a: a.name,
    api_detail_url=lambda a: f"/api/plans/{a.plan_id}/attachments",
    write_perm=EMULATION,
    visible_in=SHARED_DOWN,
)

API_OBLIGATIONS = Resource(
    name="api-obligations",
    make=_obligation,
    marker=lambda o: o.unit.name,
    api_list_urls=[lambda o: "/api/obligations?limit=500"],
    api_detail_url=lambda o: f"/api/obligations/{o.pk}",
    write_perm=EMULATION,
)

API_REGISTRATIONS = Resource(
    name="api-registrations",
    make=_registration,
    marker=lambda r: r.unit.name,
    api_list_urls=[lambda r: "/api/registrations?limit=500"],
    api_detail_url=lambda r: f"/api/registrations/{r.pk}",
    write_perm=EMULATION,
)

API_PLEDGES = Resource(
    name="api-pledges",
    make=_pledge,
    marker=lambda p: p.member.full_name,
    api_list_urls=[lambda p: "/api/pledges?limit=500"],
    api_detail_url=lambda p: f"/api/pledges/{p.pk}",
    write_perm=EMULATION,
)

API_ARTICLES = Resource(
    name="api-articles",
    make=_article,
    marker=lambda a: a.title,
    api_list_urls=[lambda a: "/api/articles?limit=500"],
    api_detail_url=lambda a: f"/api/articles/{a.pk}",
    write_perm="publish",
)


# --- the pages of a person's own tokens: nobody else's, not even their superiors' -----------------

_OWNERS = itertools.count(1)
OWNER_ONLY = "own account only"  # a permission no role grants: only the token's owner acts on it


def _token(world, relation, target):
    owner = make_user(f"tich-hop-{relation}-{next(_OWNERS)}", (target, Role.OFFICER))
    row, _secret = token_create(user=owner, name=f"Mã {GIVEN[relation]}", access="read", expires_on=_in_a_month())
    return row


def _in_a_month():
    return timezone.localdate() + dt.timedelta(days=30)


API_TOKENS = Resource(
    name="api-tokens",
    make=_token,
    marker=lambda t: f"{PREFIX}{t.prefix}",
    list_urls=[lambda t: reverse("tokens:list")],
    export_urls=[lambda t: reverse("tokens:list") + "?format=xlsx"],
    delete=lambda t: Write(
        reverse("tokens:revoke", args=[t.pk]),
        {},
        lambda: ApiToken.objects.get(pk=t.pk).revoked_at is not None,
    ),
    write_perm=OWNER_ONLY,
    visible_in=(),
)

API_ROWS = [
    API_DRAFT_PLANS,
    API_ISSUED_PLANS,
    API_PLAN_DOCUMENTS,
    API_PLAN_COVERAGE,
    API_ATTACHMENTS,
    API_ATTACHMENT_LISTS,
    API_OBLIGATIONS,
    API_REGISTRATIONS,
    API_PLEDGES,
    API_ARTICLES,
    API_TOKENS,
]
