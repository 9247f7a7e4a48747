"""The parameters of each rule kind, validated when an administrator saves a rule.

Prerequisites and streaks share one condition language (a prerequisite is a streak of one year):

* ``{"award": "ldtt", "years": 1, "offset": 0}`` — held that award (not revoked) in each of the
  ``years`` years ending ``offset`` years before the achievement year;
* ``{"rating": "excellent", "years": 2, "min_initiatives": 2}`` — rated at least that level in each
  of those years, with at least ``min_initiatives`` recognised initiatives over them;
* ``{"initiatives": 1, "scope": "province", "years": 1}`` — that many recognised initiatives (or
  accepted research) with effect at that scope or wider, first applied in those years;
* ``{"members_award": "ldtt", "min_percent": 70}`` or ``{"members_award": "cstd_cs", "min_count": 1}``
  — for a collective: the share (or number) of its members holding that award that year.

Rule params: ``{"all": [conditions], "any": [conditions]}`` — every ``all`` holds and, when
``any`` is given, at least one of them.

Quota: ``{"percent": 10, "base": "registered"}`` (of those registered in the campaign; only
applied when a campaign is given), ``{"percent": 15, "base": "candidates"}`` (of the batch an
awarding unit considers), ``{"max": 300, "count_existing": true}`` (at most 300, counting the
standing awards of the same year). Ties at the boundary are put to a vote.

Exclusion: ``{"check": "not_registered"}``, ``{"check": "discipline", "at_least": "reprimand"}``,
``{"check": "under_investigation"}``, ``{"check": "min_service_months", "months": 10}``,
``{"check": "max_days_off", "days": 40}`` (days off counted without maternity leave).

One achievement: ``{"match": "same_kind"}`` or ``{"match": "same_category"}`` (another award of the
same kind, or of the same category and cadence, for an overlapping achievement period).

Initiative once: ``{}`` — an initiative relied on by a title is not relied on again by a form,
and the other way round (Ministry of Home Affairs letter 5007/2023).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RATINGS = ("excellent", "good", "complete")
SCOPES = ("unit", "province", "national")
SCOPE_ORDER = {"unit": 1, "province": 2, "national": 3}
DISCIPLINES = ("reprimand", "warning", "demotion", "dismissal")
CHECKS = ("not_registered", "discipline", "under_investigation", "min_service_months", "max_days_off")
MAX_YEARS = 20


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            _("“%(name)s” phải là số nguyên từ %(low)s đến %(high)s.") % {"name": name, "low": low, "high": high}
        )
    return value


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValidationError(
            _("“%(name)s” phải là số từ %(low)s đến %(high)s.") % {"name": name, "low": low, "high": high}
        )
    return value


def _keys(params: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValidationError(_("Tham số không hợp lệ: %(keys)s.") % {"keys": ", ".join(unknown)})


def _condition(cond: Any) -> dict[str, Any]:
    if not isinstance(cond, dict):
        raise ValidationError(_("Mỗi điều kiện phải là một đối tượng JSON."))
    out = dict(cond)
    if "award" in cond:
        _keys(cond, {"award", "years", "offset"})
        if not isinstance(cond["award"], str) or not cond["award"]:
            raise ValidationError(_("“award” phải là mã một danh hiệu, hình thức."))
    elif "rating" in cond:
        _keys(cond, {"rating", "years", "offset", "min_initiatives", "scope"})
        if cond["rating"] not in RATINGS:
            raise ValidationError(_("“rating” phải là một trong: %(values)s.") % {"values": ", ".join(RATINGS)})
        out["min_initiatives"] = _int(cond.get("min_initiatives", 0), "min_initiatives", 0, 50)
    elif "initiatives" in cond:
        _keys(cond, {"initiatives", "scope", "years"})
        out["initiatives"] = _int(cond["initiatives"], "initiatives", 1, 50)
    elif "members_award" in cond:
        _keys(cond, {"members_award", "min_percent", "min_count"})
        if "min_percent" not in cond and "min_count" not in cond:
            raise ValidationError(_("Điều kiện về đoàn viên cần “min_percent” hoặc “min_count”."))
        if "min_percent" in cond:
            out["min_percent"] = _number(cond["min_percent"], "min_percent", 0, 100)
        if "min_count" in cond:
            out["min_count"] = _int(cond["min_count"], "min_count", 0, 1_000_000)
        return out
    else:
        raise ValidationError(_("Điều kiện phải có một trong: award, rating, initiatives, members_award."))
    out["years"] = _int(cond.get("years", 1), "years", 1, MAX_YEARS)
    if "offset" in out or "award" in cond or "rating" in cond:
        out["offset"] = _int(cond.get("offset", 0), "offset", 0, MAX_YEARS)
    if "scope" in cond or "initiatives" in cond or out.get("min_initiatives"):
        scope = cond.get("scope", "unit")
        if scope not in SCOPES:
            raise ValidationError(_("“scope” phải là một trong: %(values)s.") % {"values": ", ".join(SCOPES)})
        out["scope"] = scope
    return out


def _conditions(params: dict[str, Any]) -> dict[str, Any]:
    _keys(params, {"all", "any"})
    out: dict[str, Any] = {}
    for key in ("all", "any"):
        if key in params:
            if not isinstance(params[key], list):
                raise ValidationError(_("“%(key)s” phải là một danh sách điều kiện.") % {"key": key})
            out[key] = [_condition(c) for c in params[key]]
    if not out.get("all") and not out.get("any"):
        raise ValidationError(_("Cần ít nhất một điều kiện trong “all” hoặc “any”."))
    return out


def _quota(params: dict[str, Any]) -> dict[str, Any]:
    _keys(params, {"percent", "max", "base", "count_existing"})
    if "percent" not in params and "max" not in params:
        raise ValidationError(_("Chỉ tiêu cần “percent” hoặc “max”."))
    out: dict[str, Any] = {
        "base": params.get("base", "candidates"),
        "count_existing": bool(params.get("count_existing")),
    }
    if out["base"] not in ("registered", "candidates"):
        raise ValidationError(_("“base” phải là “registered” hoặc “candidates”."))
    if "percent" in params:
        out["percent"] = _number(params["percent"], "percent", 0, 100)
    if "max" in params:
        out["max"] = _int(params["max"], "max", 0, 10_000_000)
    return out


def _exclusion(params: dict[str, Any]) -> dict[str, Any]:
    check = params.get("check")
    if check not in CHECKS:
        raise ValidationError(_("“check” phải là một trong: %(values)s.") % {"values": ", ".join(CHECKS)})
    out: dict[str, Any] = {"check": check}
    if check == "discipline":
        _keys(params, {"check", "at_least"})
        if params.get("at_least", "reprimand") not in DISCIPLINES:
            raise ValidationError(_("“at_least” phải là một trong: %(values)s.") % {"values": ", ".join(DISCIPLINES)})
        out["at_least"] = params.get("at_least", "reprimand")
    elif check == "min_service_months":
        _keys(params, {"check", "months"})
        out["months"] = _int(params.get("months"), "months", 1, 12)
    elif check == "max_days_off":
        _keys(params, {"check", "days"})
        out["days"] = _int(params.get("days"), "days", 1, 366)
    else:
        _keys(params, {"check"})
    return out


def _one_achievement(params: dict[str, Any]) -> dict[str, Any]:
    _keys(params, {"match"})
    match = params.get("match", "same_kind")
    if match not in ("same_kind", "same_category"):
        raise ValidationError(_("“match” phải là “same_kind” hoặc “same_category”."))
    return {"match": match}


def _initiative_once(params: dict[str, Any]) -> dict[str, Any]:
    _keys(params, set())
    return {}


VALIDATORS = {
    "prerequisite": _conditions,
    "streak": _conditions,
    "quota": _quota,
    "exclusion": _exclusion,
    "one_achievement": _one_achievement,
    "initiative_once": _initiative_once,
}


def validate(kind: str, params: Any) -> dict[str, Any]:
    """The params of a rule of ``kind``, normalised; ``ValidationError`` in Vietnamese when wrong."""
    if kind not in VALIDATORS:
        raise ValidationError(_("Loại quy tắc không hợp lệ."))
    if not isinstance(params, dict):
        raise ValidationError(_("Tham số phải là một đối tượng JSON."))
    return VALIDATORS[kind](params)
