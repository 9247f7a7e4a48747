"""Reads of recognition: the catalogue with its rule sets, and awards in a user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from thidua.core.text import fold
from thidua.recognition.models import Award, AwardKind, Rule, RuleSet


def catalogue() -> QuerySet[AwardKind]:
    """Every award kind with its owner and registration title (shared by all units)."""
    return AwardKind.objects.select_related("owner", "title").prefetch_related("powers__unit_kind")


def rule_sets() -> QuerySet[RuleSet]:
    """Rule sets, oldest first, each with its rules and the kinds they apply to (three queries)."""
    rules = Rule.objects.select_related("award_kind").order_by("award_kind__rank", "position", "pk")
    return RuleSet.objects.prefetch_related(Prefetch("rules", queryset=rules))


def awards_for(user: Any, query: str = "") -> QuerySet[Award]:
    """Awards of the members and collectives in the user's scope, optionally searched."""
    qs = Award.objects.visible_to(user).select_related("kind", "member", "unit", "awarded_by")
    for word in fold(query).split():
        qs = qs.filter(Q(unit__search_text__contains=word) | Q(member__search_name__contains=word))
    return qs
