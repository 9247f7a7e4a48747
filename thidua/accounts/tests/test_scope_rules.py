"""Scope by construction: every model of the tree declares how it reaches its unit, and a
child row is seen and changed exactly as its parent is (widening rules included)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps

from thidua.accounts.roles import Perm
from thidua.accounts.scope import ByPath, OwnedBy, ViaParent, allows, rule_of
from thidua.campaigns import services as campaigns
from thidua.campaigns.models import Criterion
from thidua.core.tests import matrix_council as council_rows
from thidua.core.tests import matrix_decisions as decision_rows
from thidua.core.tests import matrix_initiatives as initiative_rows
from thidua.core.tests import matrix_inspections as inspection_rows
from thidua.core.tests import matrix_monitoring as monitoring_rows
from thidua.core.tests import matrix_nominations as nomination_rows
from thidua.core.tests import matrix_workflows as rows
from thidua.core.tests.matrix_rows import _article
from thidua.monitoring import services as monitoring
from thidua.portal import services as portal
from thidua.recognition import council as recognition_council
from thidua.registrations import services as registrations
from thidua.testing import RELATIONS

# Models outside the tree, each with its reason.
UNSCOPED = {
    "accounts.User": "an account; what it may see comes from its assignments",
    "units.UnitKind": "a catalogue shared by every unit",
    "campaigns.Title": "a catalogue shared by every unit",
    "campaigns.DocumentCounter": "internal numbering, never shown or fetched by id",
    "portal.Category": "public sections of the portal",
    "portal.Tag": "public labels of the portal",
    "portal.DailySalt": "view counting internals, never shown",
    "portal.SiteDay": "public figures of the whole portal",
    "portal.ArticleDay": "public figures of public articles",
    "portal.Seen": "view counting internals, never shown",
    "portal.SiteVisitor": "view counting internals, never shown",
    "portal.FlushLog": "view counting internals, never shown",
    "units.UnitTally": "roll-up internals, read by coverage() only below a unit the caller may see",
    "units.DirtyUnit": "a queue of units to recount, never shown",
    "registrations.CoverageTally": "roll-up internals, read by coverage() only below a unit the caller may see",
    "ops.Heartbeat": "workers' heartbeats, read by /healthz (ages only) and the Django admin",
    "recognition.AwardKind": "the award catalogue shared by every unit",
    "recognition.BallotChoice": "a secret choice with no voter, never read by a page: counted and deleted at closing",
    "recognition.CertificateLayout": "where an award kind's certificate prints on a blank, shared like the catalogue",
    "recognition.AwardingPower": "the award catalogue shared by every unit",
    "recognition.BaseSalary": "a dated national parameter",
    "recognition.RuleSet": "award rules shared by every unit",
    "recognition.Rule": "award rules shared by every unit",
    "ops.Webhook": "registered and read by system administrators in the Django admin only",
    "ops.WebhookDelivery": "the webhooks' delivery log, read by system administrators in the Django admin only",
}


def project_models():
    for model in apps.get_models():
        if model.__module__.startswith("thidua.") and not model.__name__.startswith("Historical"):
            yield model


def test_every_model_declares_its_scope_or_why_not():
    undeclared = []
    for model in project_models():
        label = model._meta.label
        if label in UNSCOPED:
            assert getattr(model, "scope_rule", None) is None, f"{label} is listed as unscoped but has a rule"
            continue
        rule = getattr(model, "scope_rule", None)
        if not isinstance(rule, ByPath | ViaParent | OwnedBy):
            undeclared.append(label)
            continue
        assert hasattr(model._default_manager, "visible_to"), f"{label} has a rule but no visible_to()"
    assert not undeclared, f"models with neither a scope_rule nor a reason in UNSCOPED: {undeclared}"
    assert set(UNSCOPED) <= {m._meta.label for m in project_models()}, "UNSCOPED names a model that is gone"


def child_models():
    return [m for m in project_models() if isinstance(getattr(m, "scope_rule", None), ViaParent)]


@pytest.fixture
def populated(world):
    """At every relation of the district officer: each kind of child row, built through the services."""
    world.actor = "district"
    for relation in RELATIONS:
        target = world.targets["district"][relation]
        rows._attached(world, relation, target)  # an issued plan (shared down) with an attachment
        campaigns.obligations_urge(plan=rows._issued(world, relation, target), by=None)  # a reminder
        draft = rows._draft(world, relation, target)  # contents and criteria
        campaigns.round_save(plan=draft, name="Đợt", start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 1))
        registration = rows._pledge(world, relation, target).registration
        criterion = Criterion.objects.filter(content__plan=registration.plan).first()
        registrations.registration_update(
            registration=registration, by=None, titles=[], pledge="Thi đua", commitments={criterion.pk: Decimal(5)}
        )
        registrations.registration_submit(registration=registration, by=None)  # an event
        rows._previewed(world, relation, target)  # an import batch
        portal.article_publish(article=_article(world, relation, target), by=None)  # an event
        monitoring_rows._closed_period(world, relation, target)  # a period and its event
        monitoring_rows._cluster(world, relation, target)
        monitoring_rows._evidence(world, relation, target)
        report = monitoring_rows._report(world, relation, target)
        criterion = monitoring.criteria_of(report)[0]
        monitoring.report_save(report=report, by=None, values={criterion.pk: "2"}, narrative="Kết quả")  # a value
        monitoring.report_submit(report=report, by=None)
        monitoring.report_verify(report=report, by=None)  # events
        monitoring.score_adjust(report=report, by=None, score="90", reason="Phúc tra")  # an adjustment
        inspection_rows._closed_follow_up(world, relation, target)  # round and follow-up events, a finding
        initiative_rows._everything(world, relation, target)  # authors, councils, reviews, evidence, events
        nomination_rows._held(world, relation, target)  # a dossier sent up: candidate, files, an event
        session = council_rows._absent_session(world, relation, target)  # seats, attendance, items, an event
        absent = session.attendance.get(present=False).member_id
        items = dict.fromkeys(session.items.values_list("pk", flat=True), False)
        recognition_council.written_ballot_record(session=session, member=absent, choices=items, by=None)  # a receipt
        decision_rows._issued(world, relation, target)  # lines and an event
    return world


@pytest.mark.django_db
def test_child_rows_inherit_their_parents_visibility(populated):
    checked = 0
    for model in child_models():
        rule = rule_of(model)
        assert isinstance(rule, ViaParent)
        parent = rule.parent_model(model)
        everything = list(model._default_manager.select_related(rule.field))
        assert everything, f"the fixture built no {model._meta.label}: this test would prove nothing"
        for actor in ("province", "district", "grassroots", "council", "editor"):
            user = populated.users[actor]
            for perm in (Perm.VIEW, Perm.MANAGE_EMULATION, Perm.PUBLISH):
                seen = set(model._default_manager.visible_to(user, perm).values_list("pk", flat=True))
                parents = parent._default_manager.visible_to(user, perm)
                expected = set(
                    model._default_manager.filter(**{f"{rule.field}__in": parents}).values_list("pk", flat=True)
                )
                assert seen == expected, (model._meta.label, actor, perm)
                for row in everything:
                    assert allows(user, row, perm) == (row.pk in seen), (model._meta.label, actor, perm, row.pk)
                checked += 1
    assert checked >= 5 * 3 * 8


@pytest.mark.django_db
def test_attachments_of_an_issued_plan_download_wherever_the_plan_is_read(client, world):
    """The bug that started this: a lower level read the plan but got 404 for its attachment."""
    world.actor = "province"
    attachment = rows._attached(world, "own", world.P)
    url = f"/plans/attachments/{attachment.pk}/"
    for actor, expected in (("province", 200), ("district", 200), ("grassroots", 200)):
        client.force_login(world.users[actor])
        assert client.get(url).status_code == expected, actor
    client.force_login(world.users["province"])
    outsider_plan = rows._attached(world, "sibling", world.P2)
    assert client.get(f"/plans/attachments/{outsider_plan.pk}/").status_code == 404


def test_only_accounts_reads_grants():
    """Everything else asks the scope its questions (allows, prefixes, unit_ids_with…)."""
    from thidua.core.tests.test_layers import app_modules

    readers = [
        f"{path}:{node.lineno}"
        for app, path, tree in app_modules()
        if app != "accounts"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "grants"
    ]
    assert not readers, readers


def test_every_button_a_template_asks_for_is_a_can_method():
    """``{% if can.acept %}`` would hide a button silently (templates swallow the error)."""
    import re
    from pathlib import Path

    asked = {
        (path.name, name)
        for path in Path(__file__).resolve().parents[2].rglob("templates/**/*.html")
        for name in re.findall(r"\bcan\.(\w+)", path.read_text(encoding="utf-8"))
    }
    offered = {name[4:] for model in project_models() for name in dir(model) if name.startswith("can_")}
    assert asked, "no template uses can.<action>: this test would prove nothing"
    unknown = sorted((template, name) for template, name in asked if name not in offered)
    assert not unknown, unknown
