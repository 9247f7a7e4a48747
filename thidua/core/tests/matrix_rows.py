"""Scope-matrix rows of the tree's entities: units, members, assignments, plans, registrations, articles.

Workflow rows (every action on one object that has its own URL) are in ``matrix_workflows``.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

from django.urls import reverse

from thidua.accounts.models import Role, RoleAssignment, User
from thidua.accounts.roles import Perm
from thidua.campaigns.models import Plan
from thidua.members.models import Member
from thidua.scope_matrix import Resource, Write
from thidua.testing import LEAF_KIND, PASSWORD, kind, make_member, make_unit
from thidua.units.models import Unit

GIVEN = {"own": "Ánh", "child": "Bích", "grandchild": "Cúc", "sibling": "Diệp", "parent": "Gấm", "other": "Huệ"}


# --- units: the object is a fresh leaf under the target ---------------------


_LEAVES = itertools.count(1)


def _leaf(world, relation, target):
    return make_unit(target, f"Tổ lá {GIVEN[relation]}", LEAF_KIND, code=f"LEAF-{relation}-{next(_LEAVES)}")


def _unit_edit(unit):
    new_name = unit.name + " đã sửa"
    return Write(
        reverse("units:edit", args=[unit.pk]),
        {"kind": unit.kind_id, "name": new_name, "short_name": "", "code": unit.code, "active_from": ""},
        lambda: Unit.objects.filter(pk=unit.pk, name=new_name).exists(),
    )


def _unit_delete(unit):
    return Write(reverse("units:delete", args=[unit.pk]), {}, lambda: not Unit.objects.filter(pk=unit.pk).exists())


def _unit_create(world, relation, target):
    code = f"NEW-{relation}"
    return Write(
        reverse("units:create", args=[target.pk]),
        {"kind": kind(LEAF_KIND).pk, "name": f"Tổ mới {GIVEN[relation]}", "code": code},
        lambda: Unit.objects.filter(code=code).exists(),
    )


UNITS = Resource(
    name="units",
    make=_leaf,
    marker=lambda u: u.name,
    page_marker=lambda u: f'href="{reverse("units:detail", args=[u.pk])}"',
    list_urls=[lambda u: reverse("units:tree") + "?q=" + quote(u.name)],
    export_urls=[lambda u: reverse("units:export")],
    api_list_urls=[lambda u: "/api/units?q=" + quote(u.name)],
    detail_url=lambda u: reverse("units:detail", args=[u.pk]),
    more_detail_urls=[
        lambda u: reverse("units:history", args=[u.pk]),
        lambda u: reverse("units:children", args=[u.pk]),
        lambda u: reverse("members:list") + f"?unit={u.pk}",
        lambda u: reverse("units:export") + f"?unit={u.pk}",
    ],
    api_detail_url=lambda u: f"/api/units/{u.pk}",
    edit=_unit_edit,
    delete=_unit_delete,
    create=_unit_create,
    write_perm=Perm.MANAGE_UNITS,
)


# --- members -------------------------------------------------------------


def _member(world, relation, target):
    return make_member(
        target, f"Lò Thị {GIVEN[relation]}", gender=Member.Gender.FEMALE, birth_year=1990, phone="0912345678"
    )


def _member_edit(member):
    return Write(
        reverse("members:edit", args=[member.pk]),
        {
            "unit": member.unit_id,
            "full_name": member.full_name,
            "gender": "F",
            "birth_year": "1991",
            "status": "active",
        },
        lambda: Member.objects.filter(pk=member.pk, birth_year=1991).exists(),
    )


def _member_delete(member):
    return Write(
        reverse("members:delete", args=[member.pk]), {}, lambda: not Member.objects.filter(pk=member.pk).exists()
    )


def _member_create(world, relation, target):
    name = f"Vi Thị {GIVEN[relation]}"
    return Write(
        reverse("members:create"),
        {"unit": target.pk, "full_name": name, "gender": "F", "birth_year": "1992", "status": "active"},
        lambda: Member.objects.filter(full_name=name).exists(),
    )


MEMBERS = Resource(
    name="members",
    make=_member,
    marker=lambda m: m.full_name,
    page_marker=lambda m: f'href="{reverse("members:detail", args=[m.pk])}"',
    list_urls=[
        lambda m: reverse("members:list") + "?q=" + quote(m.full_name),
        lambda m: reverse("members:list") + "?q=lo+thi",
    ],
    export_urls=[lambda m: reverse("members:export") + "?q=lo+thi"],
    api_list_urls=[lambda m: "/api/members?q=lo%20thi"],
    detail_url=lambda m: reverse("members:detail", args=[m.pk]),
    api_detail_url=lambda m: f"/api/members/{m.pk}",
    edit=_member_edit,
    delete=_member_delete,
    create=_member_create,
    write_perm=Perm.MANAGE_MEMBERS,
)


# --- role assignments ------------------------------------------------------


def _assignment(world, relation, target):
    user = User.objects.create_user(username=f"viewer-{relation}", password=PASSWORD)
    return RoleAssignment.objects.create(user=user, unit=target, role=Role.VIEWER)


def _assignment_revoke(assignment):
    return Write(
        reverse("accounts:assignment_revoke", args=[assignment.pk]),
        {},
        lambda: not RoleAssignment.objects.filter(pk=assignment.pk).exists(),
    )


def _assignment_create(world, relation, target):
    username = f"new-{relation}"
    return Write(
        reverse("accounts:assignment_create"),
        {
            "username": username,
            "full_name": "Người mới",
            "password": "Mat-khau-moi-2025!",
            "unit": target.pk,
            "role": Role.VIEWER,
        },
        lambda: RoleAssignment.objects.filter(user__username=username).exists(),
    )


ASSIGNMENTS = Resource(
    name="assignments",
    make=_assignment,
    marker=lambda a: a.user.username,
    list_urls=[lambda a: reverse("accounts:assignments")],
    export_urls=[lambda a: reverse("accounts:assignments_export")],
    api_list_urls=[lambda a: "/api/assignments?limit=500"],
    delete=_assignment_revoke,
    create=_assignment_create,
    write_perm=Perm.MANAGE_ACCOUNTS,
)


# --- structural changes: move, merge, dissolve a leaf under the target -------


def _unit_move(unit):
    world = _world_of(unit)
    dest = world.destination()
    return Write(
        reverse("units:move", args=[unit.pk]),
        {"target": dest.pk, "reason": "Thử"},
        lambda: Unit.objects.get(pk=unit.pk).parent_id == dest.pk,
    )


def _unit_merge(unit):
    world = _world_of(unit)
    dest = world.destination()
    return Write(
        reverse("units:merge", args=[unit.pk]),
        {"target": dest.pk},
        lambda: Unit.objects.get(pk=unit.pk).merged_into_id == dest.pk,
    )


def _unit_dissolve(unit):
    return Write(
        reverse("units:dissolve", args=[unit.pk]),
        {"reason": "Thử"},
        lambda: Unit.objects.get(pk=unit.pk).dissolved_on is not None,
    )


_WORLDS = {}


def _leaf_with_world(world, relation, target):
    leaf = _leaf(world, relation, target)
    _WORLDS[leaf.pk] = world
    return leaf


def _world_of(unit):
    return _WORLDS[unit.pk]


def _structural(name, change, **more):
    return Resource(
        name=name,
        make=_leaf_with_world,
        marker=lambda u: u.name,
        edit=change,
        write_perm=Perm.MANAGE_UNITS,
        **more,
    )


# The move/merge target picker answers only those who may restructure the unit.
UNIT_MOVE = _structural("unit-move", _unit_move, guarded_reads=[lambda u: reverse("units:pick", args=[u.pk]) + "?q=t"])
UNIT_MERGE = _structural("unit-merge", _unit_merge)
UNIT_DISSOLVE = _structural("unit-dissolve", _unit_dissolve)

# --- plans (drafts: visible to the issuer's side only; issued plans are also read
# below, which thidua/campaigns/tests/test_plans.py covers) ------------------


def _plan(world, relation, target):
    from thidua.campaigns.tests.factories import make_plan

    return make_plan(target, title=f"Kế hoạch {GIVEN[relation]} {relation}")


def _plan_edit(plan):
    new_title = plan.title + " đã sửa"
    return Write(
        reverse("campaigns:edit", args=[plan.pk]),
        {
            "doc_type": "KH",
            "number": plan.number,
            "issued_on": "01/03/2025",
            "place": "Bắc Kạn",
            "title": new_title,
            "window_start": "01/01/2025",
            "window_end": "31/12/2025",
        },
        lambda: Plan.objects.filter(pk=plan.pk, title=new_title).exists(),
    )


def _plan_issue(plan):
    children = list(Unit.objects.filter(parent=plan.issuer).values_list("pk", flat=True))
    return Write(
        reverse("campaigns:issue", args=[plan.pk]),
        {"due_on": "20/03/2025", "units": children},
        lambda: Plan.objects.get(pk=plan.pk).status == Plan.Status.ISSUED,
    )


def _plan_create(world, relation, target):
    title = f"Kế hoạch mới {GIVEN[relation]}"
    return Write(
        reverse("campaigns:create"),
        {
            "issuer": target.pk,
            "doc_type": "KH",
            "issued_on": "01/03/2025",
            "place": "Bắc Kạn",
            "title": title,
            "window_start": "01/01/2025",
            "window_end": "31/12/2025",
        },
        lambda: Plan.objects.filter(title=title).exists(),
    )


PLANS = Resource(
    name="plans",
    make=_plan,
    marker=lambda p: p.title,
    page_marker=lambda p: f'href="{reverse("campaigns:detail", args=[p.pk])}"',
    list_urls=[lambda p: reverse("campaigns:list") + "?q=" + quote(p.title)],
    detail_url=lambda p: reverse("campaigns:detail", args=[p.pk]),
    more_detail_urls=[
        lambda p: reverse("campaigns:docx", args=[p.pk]),
        lambda p: reverse("campaigns:board", args=[p.pk]),
        lambda p: reverse("campaigns:board", args=[p.pk]) + "?format=xlsx",
        lambda p: reverse("registrations:coverage", args=[p.pk]),
        lambda p: reverse("registrations:coverage", args=[p.pk]) + "?format=xlsx",
    ],
    edit=_plan_edit,
    create=_plan_create,
    approve=_plan_issue,
    write_perm=Perm.MANAGE_EMULATION,
)

# --- registrations: of a fresh leaf under the target, so "the level above" is the target -----


def _open_plan(world):
    """An issued plan of the whole test tree whose registration window is open today."""
    import datetime as dt

    from django.utils import timezone

    from thidua.campaigns.tests.factories import issued_plan

    plan = getattr(world, "_open_plan", None)
    if plan is None:
        today = timezone.localdate()
        plan = issued_plan(
            world.R,
            issued_on=today - dt.timedelta(days=30),
            window_start=today - dt.timedelta(days=30),
            window_end=today + dt.timedelta(days=300),
            title="Kế hoạch đang mở",
        )
        world.__dict__["_open_plan"] = plan
    return plan


def _registration(world, relation, target):
    from thidua.registrations import services as registrations
    from thidua.testing import title

    leaf = _leaf(world, relation, target)
    registration = registrations.registration_open(plan=_open_plan(world), unit=leaf, by=None)
    registration.titles.set([title("Công đoàn cơ sở vững mạnh")])
    return registrations.registration_submit(registration=registration, by=None)


def _registration_accept(registration):
    from thidua.registrations.models import Registration

    return Write(
        reverse("registrations:accept", args=[registration.pk]),
        {},
        lambda: Registration.objects.get(pk=registration.pk).status == Registration.Status.ACCEPTED,
    )


def _registration_open_write(world, relation, target):
    from thidua.registrations.models import Registration

    plan = _open_plan(world)
    return Write(
        reverse("registrations:open", args=[plan.pk]),
        {"unit": target.pk},
        lambda: Registration.objects.filter(plan=plan, unit=target).exists(),
    )


REGISTRATIONS = Resource(
    name="registrations",
    make=_registration,
    marker=lambda r: r.unit.name,
    page_marker=lambda r: f'href="{reverse("registrations:detail", args=[r.pk])}"',
    list_urls=[lambda r: reverse("registrations:list")],
    detail_url=lambda r: reverse("registrations:detail", args=[r.pk]),
    more_detail_urls=[lambda r: reverse("registrations:export", args=[r.pk])],
    approve=_registration_accept,
    create=_registration_open_write,
    write_perm=Perm.MANAGE_EMULATION,
    # The leaf registers; only the level directly above it (the target itself) decides.
    approves_in=("own",),
)

# --- portal articles: drafts of the target unit (public pages are covered in thidua/portal/tests) ----


def _article(world, relation, target):
    from thidua.portal.tests.factories import make_article

    return make_article(target, f"Bài viết {GIVEN[relation]} {relation}")


def _article_edit(article):
    from thidua.portal.models import Article

    new_title = article.title + " đã sửa"
    return Write(
        reverse("portal:manage_edit", args=[article.pk]),
        {"unit": article.unit_id, "category": article.category_id, "title": new_title, "body": "<p>Mới</p>"},
        lambda: Article.objects.filter(pk=article.pk, title=new_title).exists(),
    )


def _article_delete(article):
    from thidua.portal.models import Article

    return Write(
        reverse("portal:manage_delete", args=[article.pk]),
        {},
        lambda: not Article.objects.filter(pk=article.pk).exists(),
    )


def _article_publish(article):
    from thidua.portal.models import Article

    return Write(
        reverse("portal:manage_publish", args=[article.pk]),
        {"publish_at": ""},
        lambda: Article.objects.get(pk=article.pk).is_public,
    )


def _article_create(world, relation, target):
    from thidua.portal.models import Article
    from thidua.portal.tests.factories import category

    title = f"Bài mới {GIVEN[relation]}"
    return Write(
        reverse("portal:manage_create"),
        {"unit": target.pk, "category": category().pk, "title": title, "body": "<p>Nội dung</p>"},
        lambda: Article.objects.filter(title=title).exists(),
    )


ARTICLES = Resource(
    name="articles",
    make=_article,
    marker=lambda a: a.title,
    page_marker=lambda a: f'href="{reverse("portal:manage_detail", args=[a.pk])}"',
    list_urls=[lambda a: reverse("portal:manage_list") + "?q=" + quote(a.title)],
    detail_url=lambda a: reverse("portal:manage_detail", args=[a.pk]),
    more_detail_urls=[lambda a: reverse("portal:manage_detail", args=[a.pk]) + "?preview=1"],
    edit=_article_edit,
    delete=_article_delete,
    create=_article_create,
    approve=_article_publish,
    write_perm=Perm.PUBLISH,
)
