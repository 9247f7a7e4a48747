"""The Bắc Kạn demo's initiatives and models, loaded on the demo's own tree, accounts and Plan 07."""

from __future__ import annotations

import pytest

from thidua.demo.accounts import create_demo_accounts
from thidua.demo.campaign import load_plan_07
from thidua.demo.generator import build
from thidua.demo.initiatives import load_initiatives
from thidua.initiatives import selectors
from thidua.initiatives.models import EffectiveModel, Initiative, InitiativeAuthor

pytestmark = pytest.mark.django_db


def test_initiatives_with_authors_and_benefits_and_two_models_adopted_elsewhere(client):
    build("bac-kan", members=3000)
    create_demo_accounts()
    plan = load_plan_07()
    counts = load_initiatives(plan)
    assert counts == {"initiatives": 6, "recognised": 4, "refused": 1, "models": 2, "adoptions": counts["adoptions"]}
    assert counts["adoptions"] >= 5
    for initiative in Initiative.objects.all():
        shares = InitiativeAuthor.objects.filter(initiative=initiative).values_list("share_percent", flat=True)
        assert sum(shares) == 100
        assert initiative.unit.path.startswith(plan.issuer.path)
    assert Initiative.objects.filter(effect_scope="province").count() == 1
    for model in EffectiveModel.objects.all():
        assert model.adoptions.exclude(unit__path__startswith=model.unit.path).count() == model.adoptions.count() >= 2
        assert client.get(f"/tin/mo-hinh/{model.pk}/").status_code == 200
    authors = list(InitiativeAuthor.objects.values_list("member_id", flat=True))
    found = selectors.recognised_initiatives(authors, plan.window_start, plan.window_end)
    assert (
        sum(len(refs) for refs in found.values())
        == InitiativeAuthor.objects.filter(initiative__status="recognised").count()
    )
