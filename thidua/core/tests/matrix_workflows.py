"""Scope-matrix rows for every action that has a URL of its own: a plan's contents, criteria,
rounds, attachments, recall, close, urging and implementation; a registration's pledges,
import, submit, accept and return; an article's unpublish and archive; notifications.

Each row builds its object at the target unit through the services, as users would.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from thidua.accounts.roles import Perm, Role
from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Content, Criterion, Plan, Reminder, Round
from thidua.campaigns.tests.factories import issued_plan, make_plan
from thidua.core.tests.matrix_rows import GIVEN, _leaf, _open_plan
from thidua.notifications.models import Notification
from thidua.notifications.services import notify
from thidua.portal.models import Article
from thidua.registrations import services as registrations
from thidua.registrations.imports import TEMPLATE_HEADERS
from thidua.registrations.models import ImportBatch, MemberPledge, Registration
from thidua.scope_matrix import Resource, Write
from thidua.testing import IN_SCOPE, make_member, make_user, title

# An issued plan is read by every unit below its issuer: from the "parent" relation it is
# visible (its pages answer 200, its writes 403), whatever the actor's role.
SHARED_DOWN = (*IN_SCOPE, "parent")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _draft(world, relation, target):
    return make_plan(target, title=f"Dự thảo {GIVEN[relation]} {relation}")


def _issued(world, relation, target):
    """An issued plan of the target, with a late obligation of a leaf below it (to urge)."""
    _leaf(world, relation, target)
    return issued_plan(target, title=f"Đã ban hành {GIVEN[relation]} {relation}", due_on=dt.date(2025, 3, 5))


def _plan_marker(plan):
    return plan.title


# --- a draft plan's parts (the issuer's side writes) ----------------------------


def _content_add(plan):
    name = f"Nội dung mới {plan.pk}"
    return Write(
        reverse("campaigns:content_add", args=[plan.pk]),
        {"name": name, "required": "on"},
        lambda: Content.objects.filter(plan=plan, name=name).exists(),
    )


def _round_add(plan):
    return Write(
        reverse("campaigns:round_add", args=[plan.pk]),
        {"name": "Đợt 1", "start": "01/02/2025", "end": "30/04/2025"},
        lambda: Round.objects.filter(plan=plan, name="Đợt 1").exists(),
    )


def _attachment_add(plan):
    return Write(
        reverse("campaigns:attachment_add", args=[plan.pk]),
        {"file": SimpleUploadedFile("phu-luc.pdf", PDF, content_type="application/pdf")},
        lambda: plan.attachments.exists(),
    )


PLAN_PARTS = Resource(
    name="plan-parts",
    make=_draft,
    marker=_plan_marker,
    guarded_reads=[
        lambda p: reverse("campaigns:content_add", args=[p.pk]),
        lambda p: reverse("campaigns:round_add", args=[p.pk]),
        lambda p: reverse("campaigns:edit", args=[p.pk]),
    ],
    edit=_content_add,
    approve=_round_add,
    delete=_attachment_add,  # "delete" slot: a third write on the same object
    write_perm=Perm.MANAGE_EMULATION,
)


def _content(world, relation, target):
    return _draft(world, relation, target).contents.get()


def _content_edit(content):
    name = content.name + " (sửa)"
    return Write(
        reverse("campaigns:content_edit", args=[content.pk]),
        {"name": name, "required": "on"},
        lambda: Content.objects.filter(pk=content.pk, name=name).exists(),
    )


def _content_delete(content):
    return Write(
        reverse("campaigns:content_edit", args=[content.pk]),
        {"delete": "1"},
        lambda: not Content.objects.filter(pk=content.pk).exists(),
    )


def _criterion_add(content):
    return Write(
        reverse("campaigns:criterion_add", args=[content.pk]),
        {"name": "Tiêu chí mới", "applies_to": "both", "kind": "yes_no"},
        lambda: content.criteria.filter(name="Tiêu chí mới").exists(),
    )


CONTENTS = Resource(
    name="plan-contents",
    make=_content,
    marker=lambda c: c.name,
    guarded_reads=[
        lambda c: reverse("campaigns:content_edit", args=[c.pk]),
        lambda c: reverse("campaigns:criterion_add", args=[c.pk]),
    ],
    edit=_content_edit,
    delete=_content_delete,
    approve=_criterion_add,
    write_perm=Perm.MANAGE_EMULATION,
)


def _criterion(world, relation, target):
    return Criterion.objects.get(content=_content(world, relation, target))


def _criterion_edit(criterion):
    return Write(
        reverse("campaigns:criterion_edit", args=[criterion.pk]),
        {"name": criterion.name, "applies_to": "both", "kind": "number", "unit_label": "sáng kiến", "target": "3"},
        lambda: Criterion.objects.filter(pk=criterion.pk, target=Decimal("3")).exists(),
    )


def _criterion_delete(criterion):
    return Write(
        reverse("campaigns:criterion_edit", args=[criterion.pk]),
        {"delete": "1"},
        lambda: not Criterion.objects.filter(pk=criterion.pk).exists(),
    )


CRITERIA = Resource(
    name="plan-criteria",
    make=_criterion,
    marker=lambda c: c.name,
    guarded_reads=[lambda c: reverse("campaigns:criterion_edit", args=[c.pk])],
    edit=_criterion_edit,
    delete=_criterion_delete,
    write_perm=Perm.MANAGE_EMULATION,
)


# --- an issued plan: read below its issuer, changed only on the issuer's side ----------


def _recall(plan):
    return Write(
        reverse("campaigns:recall", args=[plan.pk]),
        {"reason": "Ban hành nhầm"},
        lambda: Plan.objects.get(pk=plan.pk).status == Plan.Status.RECALLED,
    )


def _close(plan):
    return Write(
        reverse("campaigns:close", args=[plan.pk]),
        {},
        lambda: Plan.objects.get(pk=plan.pk).status == Plan.Status.CLOSED,
    )


def _urge(plan):
    return Write(
        reverse("campaigns:urge", args=[plan.pk]), {}, lambda: Reminder.objects.filter(obligation__plan=plan).exists()
    )


ISSUED_PLANS = Resource(
    name="issued-plans",
    make=_issued,
    marker=_plan_marker,
    page_marker=lambda p: f'href="{reverse("campaigns:detail", args=[p.pk])}"',
    list_urls=[lambda p: reverse("campaigns:list") + "?q=" + quote(p.title)],
    detail_url=lambda p: reverse("campaigns:detail", args=[p.pk]),
    more_detail_urls=[lambda p: reverse("campaigns:docx", args=[p.pk])],
    edit=_recall,
    delete=_close,
    approve=_urge,
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=SHARED_DOWN,
)


def _attached(world, relation, target):
    """An attachment of a plan issued by the target (attached while a draft, as clerks do)."""
    plan = make_plan(target, title=f"Có đính kèm {GIVEN[relation]}")
    upload = SimpleUploadedFile("phu-luc.pdf", PDF, content_type="application/pdf")
    attachment = campaigns.attachment_add(plan=plan, upload=upload, by=None)
    campaigns.plan_issue(plan=plan, by=None)
    return attachment


ATTACHMENTS = Resource(
    name="plan-attachments",
    make=_attached,
    marker=lambda a: a.name,
    detail_url=lambda a: reverse("campaigns:attachment", args=[a.pk]),
    write_perm=Perm.MANAGE_EMULATION,
    visible_in=SHARED_DOWN,  # whoever reads the plan downloads its attachments
)


def _obligation(world, relation, target):
    """The obligation of a leaf below the target to implement the target's plan."""
    leaf = _leaf(world, relation, target)
    plan = issued_plan(target, title=f"Giao thực hiện {GIVEN[relation]}")
    return plan.obligations.get(unit=leaf)


def _implement(obligation):
    return Write(
        reverse("campaigns:implement", args=[obligation.plan_id]),
        {"obligation": obligation.pk},
        lambda: Plan.objects.filter(parent_id=obligation.plan_id, issuer_id=obligation.unit_id).exists(),
    )


OBLIGATIONS = Resource(
    name="obligations",
    make=_obligation,
    marker=lambda o: o.unit.name,
    edit=_implement,
    write_perm=Perm.MANAGE_EMULATION,
)


# --- a registration's own actions (the unit's side writes; the level directly above decides) --


def _draft_registration(world, relation, target):
    leaf = _leaf(world, relation, target)
    registration = registrations.registration_open(plan=_open_plan(world), unit=leaf, by=None)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    return registration


def _submit(registration):
    return Write(
        reverse("registrations:submit", args=[registration.pk]),
        {},
        lambda: Registration.objects.get(pk=registration.pk).status == Registration.Status.SUBMITTED,
    )


def _pledges_add(registration):
    member = make_member(registration.unit, "Hà Thị " + "".join(chr(65 + int(d)) for d in str(registration.pk)))
    award = title("Lao động tiên tiến")
    return Write(
        reverse("registrations:pledges_add", args=[registration.pk]),
        {"members": [member.pk], "title": award.pk, "commitment": ""},
        lambda: MemberPledge.objects.filter(registration=registration, member=member).exists(),
    )


def _import_upload(registration):
    member = make_member(registration.unit, "Triệu Văn Nhập", birth_year=1988)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_HEADERS)
    sheet.append([1, member.full_name, 1988, "", "", "Lao động tiên tiến", ""])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("dang-ky.xlsx", content.getvalue())
    return Write(
        reverse("registrations:import", args=[registration.pk]),
        {"file": upload},
        lambda: ImportBatch.objects.filter(registration=registration).exists(),
    )


DRAFT_REGISTRATIONS = Resource(
    name="registration-drafts",
    make=_draft_registration,
    marker=lambda r: r.unit.name,
    guarded_reads=[lambda r: reverse("registrations:import", args=[r.pk])],
    edit=_submit,
    approve=_pledges_add,
    delete=_import_upload,
    write_perm=Perm.MANAGE_EMULATION,
)


def _pledge(world, relation, target):
    registration = _draft_registration(world, relation, target)
    member = make_member(registration.unit, f"Lục Văn {GIVEN[relation]}")
    registrations.pledges_add(
        registration=registration, by=None, member_ids=[member.pk], title=title("Lao động tiên tiến")
    )
    return registration.pledges.get()


PLEDGES = Resource(
    name="pledges",
    make=_pledge,
    marker=lambda p: p.member.full_name,
    delete=lambda p: Write(
        reverse("registrations:pledge_remove", args=[p.pk]),
        {},
        lambda: not MemberPledge.objects.filter(pk=p.pk).exists(),
    ),
    write_perm=Perm.MANAGE_EMULATION,
)


def _previewed(world, relation, target):
    """A registration with an Excel file previewed and waiting for "Ghi tất cả"."""
    registration = _draft_registration(world, relation, target)
    member = make_member(registration.unit, f"Nông Thị {GIVEN[relation]}")
    award = title("Lao động tiên tiến")
    ImportBatch.objects.create(
        registration=registration,
        file_name="dang-ky.xlsx",
        rows=[{"row": 4, "member": member.pk, "title": award.pk, "commitment": ""}],
    )
    return registration


def _import_commit(registration):
    batch = ImportBatch.objects.get(registration=registration)
    return Write(
        reverse("registrations:import_commit", args=[registration.pk, batch.token]),
        {},
        lambda: registration.pledges.exists(),
    )


IMPORTS = Resource(
    name="registration-imports",
    make=_previewed,
    marker=lambda r: r.unit.name,
    edit=_import_commit,
    write_perm=Perm.MANAGE_EMULATION,
)


def _submitted(world, relation, target):
    return registrations.registration_submit(registration=_draft_registration(world, relation, target), by=None)


def _return(registration):
    return Write(
        reverse("registrations:return", args=[registration.pk]),
        {"comment": "Bổ sung danh sách"},
        lambda: Registration.objects.get(pk=registration.pk).status == Registration.Status.RETURNED,
    )


DECISIONS = Resource(
    name="registration-return",
    make=_submitted,
    marker=lambda r: r.unit.name,
    approve=_return,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),  # the leaf's parent (the target) is the level directly above
)


def _expired_registration(world, relation, target):
    """A draft registration whose plan stopped taking registrations yesterday (window still open)."""
    today = timezone.localdate()
    plan = getattr(world, "_closed_registrations_plan", None)
    if plan is None:
        plan = issued_plan(
            world.R,
            issued_on=today - dt.timedelta(days=30),
            window_start=today - dt.timedelta(days=30),
            window_end=today + dt.timedelta(days=300),
            registration_deadline=today - dt.timedelta(days=1),
            title="Kế hoạch đã hết hạn đăng ký",
        )
        world.__dict__["_closed_registrations_plan"] = plan
    leaf = _leaf(world, relation, target)
    return registrations.registration_open(plan=plan, unit=leaf, by=None, today=today - dt.timedelta(days=10))


def _extend(registration):
    until = timezone.localdate() + dt.timedelta(days=7)
    return Write(
        reverse("registrations:extend", args=[registration.pk]),
        {"until": until.strftime("%d/%m/%Y"), "reason": "Đơn vị xin thêm thời gian"},
        lambda: Registration.objects.get(pk=registration.pk).deadline_extended_to == until,
    )


EXTENSIONS = Resource(
    name="registration-extend",
    make=_expired_registration,
    marker=lambda r: r.unit.name,
    approve=_extend,
    write_perm=Perm.MANAGE_EMULATION,
    approves_in=("own",),  # as deciding: the level directly above the registering unit
)


# --- a published article: sent back to draft, archived -----------------------------------


def _published(world, relation, target):
    from thidua.portal.tests.factories import make_article

    return make_article(target, f"Đã đăng {GIVEN[relation]} {relation}", public=True)


PUBLISHED_ARTICLES = Resource(
    name="articles-published",
    make=_published,
    marker=lambda a: a.title,
    edit=lambda a: Write(
        reverse("portal:manage_unpublish", args=[a.pk]),
        {},
        lambda: Article.objects.get(pk=a.pk).status == Article.Status.DRAFT,
    ),
    delete=lambda a: Write(
        reverse("portal:manage_archive", args=[a.pk]),
        {},
        lambda: Article.objects.get(pk=a.pk).status == Article.Status.ARCHIVED,
    ),
    write_perm=Perm.PUBLISH,
)


# --- notifications: each belongs to one account, whatever the tree ----------------------


def _notification(world, relation, target):
    officer = make_user(f"nhan-tin-{relation}-{target.pk}", (target, Role.OFFICER))
    notify([(officer, f"Thông báo cho {GIVEN[relation]} {timezone.now():%H%M%S%f}", "")])
    return Notification.objects.get(user=officer)


NOTIFICATIONS = Resource(
    name="notifications",
    make=_notification,
    marker=lambda n: n.message,
    list_urls=[lambda n: reverse("notifications:list")],
    visible_in=(),  # nobody reads another account's notifications, not even their superiors
)


WORKFLOWS = [
    PLAN_PARTS,
    CONTENTS,
    CRITERIA,
    ISSUED_PLANS,
    ATTACHMENTS,
    OBLIGATIONS,
    DRAFT_REGISTRATIONS,
    PLEDGES,
    IMPORTS,
    DECISIONS,
    EXTENSIONS,
    PUBLISHED_ARTICLES,
    NOTIFICATIONS,
]
