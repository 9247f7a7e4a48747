"""The eligibility engine: who among the candidates may receive an award kind, and why not.

``check(candidates, award_kind, period_end)`` answers a ``Verdict`` per candidate (a member or a
collective): eligible, refused with **every** reason, or tied at a quota's boundary and put to a
vote. Each reason is a Vietnamese sentence naming the rule, what was found and the rule's legal
source, and says so when the rule is an unconfirmed default.

The rule set is the one in force on the last day of the achievement period
(``RuleSet.objects.in_force_on``): an achievement ending 30/09/2026 is judged under the Law of
2022, one ending 31/12/2026 under the amended Law in force from 01/10/2026.

Bulk by construction: whatever the number of candidates the engine reads the rule set, the
catalogue, the award history, the yearly records, the registrations, the initiatives and the
collectives' member counts in a fixed number of queries (each ``… WHERE id IN (…)``), then
decides in memory. ``bench/recognition.py`` measures it against a per-candidate loop.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from thidua.members.models import Member
from thidua.recognition.models import (
    DISCIPLINE_ORDER,
    RATING_ORDER,
    AnnualRecord,
    Award,
    AwardingPower,
    AwardKind,
    Discipline,
    Rating,
    Rule,
    RuleSet,
    Subject,
)
from thidua.recognition.params import SCOPE_ORDER
from thidua.registrations.models import MemberPledge, Registration
from thidua.units.models import Unit

ELIGIBLE, REFUSED, VOTE = "eligible", "refused", "vote"


# --- initiatives: the one-way interface to thidua.initiatives ------------------------------------


@dataclass(frozen=True)
class InitiativeRef:
    """A recognised initiative (or accepted research) of a member, as the award rules see it."""

    id: int
    member_id: int
    scope: str  # "unit", "province" or "national": the widest scope its effect was recognised at
    on: dt.date | None  # first applied (or recognised)
    name: str = ""


InitiativeSource = Callable[[Collection[int], dt.date, dt.date], dict[int, list[InitiativeRef]]]


def initiatives_of(member_ids: Collection[int], start: dt.date, end: dt.date) -> dict[int, list[InitiativeRef]]:
    """Recognised initiatives of these members (as authors or co-authors) recognised between
    ``start`` and ``end`` (one query), with the widest scope their effect was recognised at.

    Reads ``thidua.initiatives`` when it is installed (recognition depends on it, never the other
    way); without it there are no initiatives, and rules that need one are not met.
    """
    if not member_ids or not apps.is_installed("thidua.initiatives"):
        return {}
    author_model = apps.get_model("initiatives", "InitiativeAuthor")
    recognised_on = Coalesce("initiative__recognised_on", "initiative__first_applied_on")
    rows = (
        author_model._default_manager.filter(member_id__in=list(member_ids), initiative__status="recognised")
        .annotate(on=recognised_on)
        .filter(on__range=(start, end))
        .values_list("member_id", "initiative_id", "initiative__effect_scope", "on", "initiative__title")
    )
    found: dict[int, list[InitiativeRef]] = defaultdict(list)
    for member_id, initiative_id, scope, on, title in rows:
        found[member_id].append(
            InitiativeRef(
                id=initiative_id,
                member_id=member_id,
                scope=scope if scope in SCOPE_ORDER else "unit",  # recognised at its unit, no wider effect yet
                on=on,
                name=title,
            )
        )
    return found


# --- verdicts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a candidate is refused (or put to a vote): the rule, what was found, the rule's source."""

    rule_kind: str
    text: str
    source: str
    unconfirmed: bool
    rule_id: int | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Verdict:
    """The answer for one candidate."""

    candidate: Any
    rule_set: RuleSet | None
    status: str = ELIGIBLE
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The initiatives this award may rely on (record them on the Award: "initiative used once").
    initiatives: list[InitiativeRef] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == ELIGIBLE

    @property
    def needs_vote(self) -> bool:
        return self.status == VOTE

    @property
    def messages(self) -> list[str]:
        return [r.text for r in self.reasons]

    def refuse(self, reason: Reason) -> None:
        self.status = REFUSED
        self.reasons.append(reason)


def _reason(rule: Rule | None, kind: str, detail: str, *, source: str = "", unconfirmed: bool = False) -> Reason:
    if rule is not None:
        statement, source, unconfirmed = rule.explanation, rule.source, rule.unconfirmed
        text = _("%(rule)s — %(detail)s. Căn cứ: %(source)s.") % {
            "rule": statement,
            "detail": detail,
            "source": source or _("chưa ghi"),
        }
    else:
        text = _("%(detail)s. Căn cứ: %(source)s.") % {"detail": detail, "source": source or _("chưa ghi")}
    if unconfirmed:
        text = f"{text} ({_('mặc định — cần xác nhận')})"
    return Reason(rule_kind=kind, text=text, source=source, unconfirmed=unconfirmed, rule_id=rule.pk if rule else None)


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


# --- the facts, read in bulk -------------------------------------------------------------------


@dataclass(frozen=True)
class HeldAward:
    kind_id: int
    year: int
    period_start: dt.date
    period_end: dt.date
    initiative_refs: tuple[int, ...]


@dataclass
class Facts:
    """Everything the rules read about the candidates, loaded in a fixed number of queries."""

    awards: dict[Any, list[HeldAward]]
    records: dict[Any, dict[int, dict[str, Any]]]
    registered: set[Any] | None  # None: no campaign given, the rule cannot be checked
    initiatives: dict[int, list[InitiativeRef]]
    member_share: dict[tuple[int, str], tuple[int, int]]  # (unit id, award code) -> (holders, members)


def _key(candidate: Any) -> tuple[str, int]:
    return ("m" if isinstance(candidate, Member) else "u", candidate.pk)


def _load_facts(
    members: list[Member],
    units: list[Unit],
    award_kind: AwardKind,
    first_year: int,
    window: tuple[dt.date, dt.date],
    *,
    campaign: Any,
    needs_registration: bool,
    share_codes: set[str],
    kinds_by_code: dict[str, AwardKind],
    initiative_source: InitiativeSource,
    year: int,
) -> Facts:
    member_ids = [m.pk for m in members]
    unit_ids = [u.pk for u in units]
    history = Q(year__gte=first_year)
    if award_kind.once_in_lifetime:
        history |= Q(kind=award_kind)
    award_fields = ("member_id", "unit_id", "kind_id", "year", "period_start", "period_end", "initiative_refs")
    awards: dict[Any, list[HeldAward]] = defaultdict(list)
    record_fields = (
        "member_id",
        "unit_id",
        "year",
        "rating",
        "months_worked",
        "days_off",
        "maternity_days",
        "discipline",
        "under_investigation",
    )
    records: dict[Any, dict[int, dict[str, Any]]] = defaultdict(dict)
    for ids, by_member in ((member_ids, True), (unit_ids, False)):
        if not ids:
            continue
        who = Q(member_id__in=ids) if by_member else Q(member__isnull=True, unit_id__in=ids)
        for row in Award.objects.standing().filter(who, history).values_list(*award_fields):
            member_id, unit_id, kind_id, y, start, end, refs = row
            key = ("m", member_id) if by_member else ("u", unit_id)
            awards[key].append(HeldAward(kind_id, y, start, end, tuple(int(r) for r in refs or ())))
        for values in AnnualRecord.objects.filter(who, year__gte=first_year).values(*record_fields):
            key = ("m", values["member_id"]) if by_member else ("u", values["unit_id"])
            records[key][values["year"]] = values

    # "Registered": for a title (danh hiệu), a registration or pledge of that title; for a form
    # (Bằng khen, Giấy khen), which is not registered for, any registration or pledge in the campaign.
    registered: set[Any] | None = None
    if needs_registration and campaign is not None:
        registered = set()
        live = (Registration.Status.SUBMITTED, Registration.Status.ACCEPTED)
        in_campaign = Q(plan_id=campaign.pk) | Q(plan__root_id=campaign.pk)
        if member_ids:
            pledges = MemberPledge.objects.filter(in_campaign, member_id__in=member_ids, registration__status__in=live)
            if award_kind.title_id and award_kind.category == AwardKind.Category.TITLE:
                pledges = pledges.filter(title_id=award_kind.title_id)
            registered |= {("m", m) for m in pledges.values_list("member_id", flat=True)}
        if unit_ids:
            regs = Registration.objects.filter(in_campaign, unit_id__in=unit_ids, status__in=live)
            if award_kind.title_id and award_kind.category == AwardKind.Category.TITLE:
                regs = regs.filter(titles=award_kind.title_id)
            registered |= {("u", u) for u in regs.values_list("unit_id", flat=True)}

    initiatives = initiative_source(member_ids, *window) if member_ids else {}

    member_share: dict[tuple[int, str], tuple[int, int]] = {}
    if units and share_codes:
        by_length: dict[int, dict[str, int]] = defaultdict(dict)
        for unit in units:
            by_length[len(unit.path)][unit.path] = unit.pk
        for length, paths in by_length.items():
            prefix = Substr("unit__path", 1, length)
            totals = dict(
                Member.objects.filter(status=Member.Status.ACTIVE)
                .annotate(prefix=prefix)
                .filter(prefix__in=list(paths))
                .values("prefix")
                .annotate(n=Count("id"))
                .values_list("prefix", "n")
            )
            codes = [c for c in share_codes if c in kinds_by_code]
            holders: dict[tuple[str, int], int] = {}
            if codes:
                for path, kind_id, n in (
                    Award.objects.standing()
                    .filter(member__isnull=False, year=year, kind__code__in=codes)
                    .annotate(prefix=prefix)
                    .filter(prefix__in=list(paths))
                    .values("prefix", "kind_id")
                    .annotate(n=Count("member_id", distinct=True))
                    .values_list("prefix", "kind_id", "n")
                ):
                    holders[(path, kind_id)] = n
            for path, unit_id in paths.items():
                for code in share_codes:
                    kind = kinds_by_code.get(code)
                    held = holders.get((path, kind.pk), 0) if kind else 0
                    member_share[(unit_id, code)] = (held, totals.get(path, 0))
    return Facts(awards, records, registered, initiatives, member_share)


# --- conditions --------------------------------------------------------------------------------


def _window(cond: dict[str, Any], year: int) -> range:
    last = year - cond.get("offset", 0)
    return range(last - cond.get("years", 1) + 1, last + 1)


def _first_year(rules: Sequence[Rule], year: int) -> int:
    first = year
    for rule in rules:
        for cond in rule.params.get("all", []) + rule.params.get("any", []):
            first = min(first, _window(cond, year).start)
    return first


class _Subject:
    """One candidate's facts, with the questions conditions ask."""

    def __init__(self, key: Any, facts: Facts, kinds_by_id: dict[int, AwardKind], inits: list[InitiativeRef]):
        self.key = key
        self.awards = facts.awards.get(key, [])
        self.records = facts.records.get(key, {})
        self.kinds_by_id = kinds_by_id
        self.initiatives = inits
        self.facts = facts

    def held(self, code: str) -> set[int]:
        return {
            a.year for a in self.awards if self.kinds_by_id.get(a.kind_id) and self.kinds_by_id[a.kind_id].code == code
        }

    def initiatives_in(self, years: range, scope: str, pool: list[InitiativeRef]) -> list[InitiativeRef]:
        need = SCOPE_ORDER.get(scope, 1)
        return [
            i
            for i in pool
            if SCOPE_ORDER.get(i.scope, 1) >= need and (i.on is None or years.start <= i.on.year < years.stop)
        ]


def _condition(
    cond: dict[str, Any], who: _Subject, year: int, kinds: dict[str, AwardKind], pool: list[InitiativeRef]
) -> str:
    """'' when the condition holds, else what is missing (Vietnamese)."""
    years = _window(cond, year)
    if "award" in cond:
        kind = kinds.get(cond["award"])
        name = kind.name if kind else cond["award"]
        missing = [y for y in years if y not in who.held(cond["award"])]
        if missing:
            return _("chưa có “%(award)s” năm %(years)s") % {"award": name, "years": _years(missing)}
        return ""
    if "rating" in cond:
        need = RATING_ORDER[Rating(cond["rating"])]
        label = Rating(cond["rating"]).label
        problems = []
        for y in years:
            rating = (who.records.get(y) or {}).get("rating") or ""
            if not rating:
                problems.append(_("năm %(year)s chưa có kết quả đánh giá") % {"year": y})
            elif RATING_ORDER[Rating(rating)] < need:
                problems.append(
                    _("năm %(year)s đạt “%(found)s”, cần “%(need)s” trở lên")
                    % {"year": y, "found": Rating(rating).label, "need": label}
                )
        wanted = cond.get("min_initiatives", 0)
        if wanted:
            found = len(who.initiatives_in(years, cond.get("scope", "unit"), pool))
            if found < wanted:
                problems.append(
                    _("có %(found)s sáng kiến được công nhận trong %(years)s năm, cần %(need)s")
                    % {"found": found, "years": len(years), "need": wanted}
                )
        return "; ".join(str(p) for p in problems)
    if "initiatives" in cond:
        found = len(who.initiatives_in(years, cond.get("scope", "unit"), pool))
        if found < cond["initiatives"]:
            return _(
                "có %(found)s sáng kiến (đề tài) được công nhận hiệu quả phạm vi %(scope)s trở lên, cần %(need)s"
            ) % {
                "found": found,
                "scope": SCOPE_LABELS().get(cond.get("scope", "unit"), cond.get("scope", "unit")),
                "need": cond["initiatives"],
            }
        return ""
    # members_award: a collective's members holding an award this year.
    code = cond["members_award"]
    held, total = who.facts.member_share.get((who.key[1], code), (0, 0))
    kind = kinds.get(code)
    name = kind.name if kind else code
    if "min_count" in cond and held < cond["min_count"]:
        return _("có %(held)s đoàn viên đạt “%(award)s”, cần ít nhất %(need)s") % {
            "held": held,
            "award": name,
            "need": cond["min_count"],
        }
    if "min_percent" in cond:
        percent = 100 * held / total if total else 0
        if percent < cond["min_percent"]:
            return _("%(held)s/%(total)s đoàn viên đạt “%(award)s” (%(percent)s%%), cần từ %(need)s%%") % {
                "held": held,
                "total": total,
                "award": name,
                "percent": round(percent, 1),
                "need": cond["min_percent"],
            }
    return ""


def SCOPE_LABELS() -> dict[str, str]:
    return {"unit": _("cơ sở"), "province": _("cấp tỉnh, ngành"), "national": _("toàn quốc")}


def _conditions(
    params: dict[str, Any], who: _Subject, year: int, kinds: dict[str, AwardKind], pool: list[InitiativeRef]
) -> str:
    """'' when ``all`` hold and one of ``any`` does, else every failure joined."""
    failures = [f for f in (_condition(c, who, year, kinds, pool) for c in params.get("all", [])) if f]
    if params.get("any"):
        alternatives = [_condition(c, who, year, kinds, pool) for c in params["any"]]
        if all(alternatives):
            failures.append(
                _("chưa đạt điều kiện nào trong các trường hợp: %(list)s") % {"list": " / ".join(alternatives)}
            )
    return "; ".join(failures)


# --- the engine --------------------------------------------------------------------------------


def _needs_exclusion(rules: Sequence[Rule], check: str) -> bool:
    return any(r.kind == Rule.Kind.EXCLUSION and r.params.get("check") == check for r in rules)


def check(
    candidates: Iterable[Any],
    award_kind: AwardKind,
    period_end: dt.date,
    *,
    period_start: dt.date | None = None,
    campaign: Any = None,
    ranking: dict[Any, float] | None = None,
    awarding_unit: Unit | None = None,
    decided_on: dt.date | None = None,
    initiative_source: InitiativeSource | None = None,
) -> dict[Any, Verdict]:
    """A verdict for each candidate (``Member`` or ``Unit``) for ``award_kind`` over the achievement
    period ending ``period_end`` (starting on 1 January of that year unless ``period_start``).

    ``candidates`` are in ranking order (best first) for quotas, unless ``ranking`` gives each a
    score (higher is better; equal scores at a quota's boundary are put to a vote). ``campaign``
    (the plan that launched it) enables "not registered" and the per-campaign quotas;
    ``awarding_unit`` checks that its kind may award ``award_kind`` on ``decided_on`` (today).
    """
    people = list(dict.fromkeys(candidates))
    start = period_start or dt.date(period_end.year, 1, 1)
    year = period_end.year
    rule_set = RuleSet.objects.in_force_on(period_end).first()
    verdicts = {c: Verdict(candidate=c, rule_set=rule_set) for c in people}
    if not people:
        return verdicts
    if rule_set is None:
        reason = _reason(
            None,
            "rule_set",
            _("Không có bộ quy tắc khen thưởng nào áp dụng cho thành tích kết thúc ngày %(date)s")
            % {"date": _d(period_end)},
        )
        for verdict in verdicts.values():
            verdict.refuse(reason)
        return verdicts
    rules = [r for r in rule_set.rules.filter(active=True).order_by("position", "pk") if r.applies_to(award_kind)]
    all_kinds = list(AwardKind.objects.all())
    kinds = {k.code: k for k in all_kinds}
    kinds_by_id = {k.pk: k for k in all_kinds}

    members = [c for c in people if isinstance(c, Member)]
    units = [c for c in people if isinstance(c, Unit)]
    share_codes = {
        c["members_award"]
        for r in rules
        if r.kind in (Rule.Kind.PREREQUISITE, Rule.Kind.STREAK)
        for c in r.params.get("all", []) + r.params.get("any", [])
        if "members_award" in c
    }
    first_year = min(_first_year(rules, year), start.year)
    quotas = [r for r in rules if r.kind == Rule.Kind.QUOTA]
    needs_registration = _needs_exclusion(rules, "not_registered") or any(
        q.params.get("base") == "registered" for q in quotas
    )
    facts = _load_facts(
        members,
        units,
        award_kind,
        first_year,
        (dt.date(first_year, 1, 1), period_end),
        campaign=campaign,
        needs_registration=needs_registration,
        share_codes=share_codes,
        kinds_by_code=kinds,
        initiative_source=initiative_source or initiatives_of,
        year=year,
    )
    initiative_once = next((r for r in rules if r.kind == Rule.Kind.INITIATIVE_ONCE), None)
    subject_word: dict[str, str] = {
        Subject.INDIVIDUAL: _("cá nhân"),
        Subject.COLLECTIVE: _("tập thể"),
        Subject.HOUSEHOLD: _("hộ gia đình"),
    }

    for candidate in people:
        verdict = verdicts[candidate]
        key = _key(candidate)
        is_member = key[0] == "m"
        if (award_kind.subject == Subject.INDIVIDUAL) != is_member:
            verdict.refuse(
                _reason(
                    None,
                    "subject",
                    _("“%(award)s” dành cho %(subject)s")
                    % {"award": award_kind.name, "subject": subject_word[award_kind.subject]},
                    source=award_kind.source,
                )
            )
            continue
        all_inits = facts.initiatives.get(candidate.pk, []) if is_member else []
        used_elsewhere: set[int] = set()
        if initiative_once is not None:
            for held in facts.awards.get(key, []):
                other = kinds_by_id.get(held.kind_id)
                if other is not None and other.category != award_kind.category:
                    used_elsewhere.update(held.initiative_refs)
        pool = [i for i in all_inits if i.id not in used_elsewhere]
        verdict.initiatives = pool
        who = _Subject(key, facts, kinds_by_id, pool)

        if award_kind.once_in_lifetime:
            earlier = sorted(a.year for a in who.awards if a.kind_id == award_kind.pk)
            if earlier:
                verdict.refuse(
                    _reason(
                        None,
                        "once_in_lifetime",
                        _("đã nhận “%(award)s” năm %(year)s; giải thưởng chỉ tặng một lần")
                        % {"award": award_kind.name, "year": earlier[0]},
                        source=award_kind.source,
                        unconfirmed=award_kind.unconfirmed,
                    )
                )

        record = who.records.get(year) or {}
        for rule in rules:
            if rule.kind == Rule.Kind.EXCLUSION:
                detail = _exclusion(rule, candidate, record, key, facts, campaign, period_end, verdict)
                if detail:
                    verdict.refuse(_reason(rule, rule.kind, detail))
            elif rule.kind == Rule.Kind.ONE_ACHIEVEMENT:
                for held in who.awards:
                    other = kinds_by_id.get(held.kind_id)
                    if other is None or held.period_end < start or held.period_start > period_end:
                        continue
                    same = other.pk == award_kind.pk
                    if rule.params.get("match") == "same_category":
                        same = same or (other.category == award_kind.category and other.cadence == award_kind.cadence)
                    if same:
                        verdict.refuse(
                            _reason(
                                rule,
                                rule.kind,
                                _("đã được tặng “%(award)s” cho thành tích %(start)s – %(end)s")
                                % {"award": other.name, "start": _d(held.period_start), "end": _d(held.period_end)},
                            )
                        )
                        break
            elif rule.kind in (Rule.Kind.PREREQUISITE, Rule.Kind.STREAK):
                failure = _conditions(rule.params, who, year, kinds, pool)
                if not failure:
                    continue
                if (
                    initiative_once is not None
                    and used_elsewhere
                    and not _conditions(rule.params, who, year, kinds, all_inits)
                ):
                    used = sorted(i.name or f"#{i.id}" for i in all_inits if i.id in used_elsewhere)
                    verdict.refuse(
                        _reason(
                            initiative_once,
                            initiative_once.kind,
                            _("sáng kiến %(names)s đã dùng cho %(category)s khác")
                            % {"names": ", ".join(used), "category": _other_category(award_kind)},
                        )
                    )
                verdict.refuse(_reason(rule, rule.kind, failure))

    _apply_quotas(verdicts, people, award_kind, quotas, facts, campaign, ranking, year, members, units)
    if awarding_unit is not None:
        _check_power(verdicts, award_kind, awarding_unit, decided_on or timezone.localdate())
    return verdicts


def _other_category(award_kind: AwardKind) -> str:
    return _("hình thức khen thưởng") if award_kind.category == AwardKind.Category.TITLE else _("danh hiệu thi đua")


def _exclusion(
    rule: Rule,
    candidate: Any,
    record: dict[str, Any],
    key: Any,
    facts: Facts,
    campaign: Any,
    period_end: dt.date,
    verdict: Verdict,
) -> str:
    check_ = rule.params["check"]
    year = period_end.year
    if check_ == "not_registered":
        if facts.registered is None:
            return ""
        if key not in facts.registered:
            return _("chưa đăng ký thi đua trong phong trào “%(campaign)s”") % {"campaign": campaign.title[:120]}
    elif check_ == "discipline":
        level = record.get("discipline") or ""
        if level and DISCIPLINE_ORDER[Discipline(level)] >= DISCIPLINE_ORDER[Discipline(rule.params["at_least"])]:
            return _("bị kỷ luật mức “%(level)s” năm %(year)s") % {"level": Discipline(level).label, "year": year}
    elif check_ == "under_investigation":
        if record.get("under_investigation"):
            return _("đang bị xem xét kỷ luật hoặc điều tra (năm %(year)s)") % {"year": year}
    elif check_ == "min_service_months":
        months = record.get("months_worked")
        if months is None and isinstance(candidate, Member) and candidate.joined_on:
            joined = candidate.joined_on
            months = 12 if joined.year < year else max(0, period_end.month - joined.month + (joined.day == 1))
        if months is None:
            return ""
        if months < rule.params["months"]:
            return _("thời gian công tác năm %(year)s là %(months)s tháng, dưới %(min)s tháng") % {
                "year": year,
                "months": months,
                "min": rule.params["months"],
            }
    elif check_ == "max_days_off":
        days = record.get("days_off") or 0
        if days >= rule.params["days"]:
            return _("nghỉ %(days)s ngày làm việc năm %(year)s (không kể nghỉ thai sản), từ %(max)s ngày trở lên") % {
                "days": days,
                "year": year,
                "max": rule.params["days"],
            }
    return ""


def _quota_limit(rule_params: dict[str, Any], base: int, existing: int) -> int:
    limits = []
    if "percent" in rule_params:
        # "không quá 10 %": the whole number of seats at or under the percentage.
        limits.append(math.floor(rule_params["percent"] * base / 100 + 1e-9))
    if "max" in rule_params:
        limits.append(rule_params["max"])
    return max(0, min(limits) - existing)


def _apply_quotas(
    verdicts: dict[Any, Verdict],
    people: list[Any],
    award_kind: AwardKind,
    quotas: list[Rule],
    facts: Facts,
    campaign: Any,
    ranking: dict[Any, float] | None,
    year: int,
    members: list[Member],
    units: list[Unit],
) -> None:
    specs: list[tuple[Rule | None, dict[str, Any]]] = [(q, q.params) for q in quotas]
    if award_kind.quota_per_round is not None:
        specs.append((None, {"max": award_kind.quota_per_round, "count_existing": True, "base": "candidates"}))
    if not specs:
        return
    score = ranking or {c: -i for i, c in enumerate(people)}
    for rule, params in specs:
        eligible = sorted((c for c in people if verdicts[c].ok), key=lambda c: -score.get(c, float("-inf")))
        if params.get("base") == "registered":
            if campaign is None:
                for c in eligible:
                    verdicts[c].notes.append(
                        _("Chưa áp dụng chỉ tiêu theo phong trào vì chưa chọn phong trào: %(rule)s")
                        % {"rule": rule.explanation if rule else ""}
                    )
                continue
            base = _registered_count(campaign, award_kind)
        else:
            base = len(people)  # the batch the awarding unit considers
        existing = 0
        if params.get("count_existing"):
            existing = Award.objects.standing().filter(kind=award_kind, year=year).count()
        limit = _quota_limit(params, base, existing)
        if len(eligible) <= limit:
            continue
        source = rule.source if rule else award_kind.source
        unconfirmed = rule.unconfirmed if rule else award_kind.unconfirmed
        lowest = float("-inf")
        boundary = score.get(eligible[limit - 1], lowest) if limit > 0 else lowest
        tie_at_boundary = limit > 0 and score.get(eligible[limit], lowest) == boundary
        tied = [c for c in eligible if tie_at_boundary and score.get(c, lowest) == boundary]
        above = sum(1 for c in eligible if score.get(c, lowest) > boundary) if tie_at_boundary else limit
        for position, c in enumerate(eligible, start=1):
            if tie_at_boundary and c in tied:
                verdicts[c].status = VOTE
                verdicts[c].reasons.append(
                    _reason(
                        rule,
                        "vote",
                        _(
                            "đồng hạng tại ranh giới chỉ tiêu: %(tied)s ứng viên cho %(seats)s suất còn lại, cần bỏ phiếu"
                        )
                        % {"tied": len(tied), "seats": limit - above},
                        source=source,
                        unconfirmed=unconfirmed,
                    )
                )
            elif position > limit:
                detail = _(
                    "vượt chỉ tiêu: tối đa %(limit)s suất (trên %(base)s, đã tặng %(existing)s), xếp thứ %(rank)s"
                ) % {
                    "limit": limit,
                    "base": base,
                    "existing": existing,
                    "rank": position,
                }
                verdicts[c].refuse(_reason(rule, Rule.Kind.QUOTA, detail, source=source, unconfirmed=unconfirmed))


def _registered_count(campaign: Any, award_kind: AwardKind) -> int:
    """Participants of the campaign: members with a pledge, or units with a registration, sent or accepted."""
    live = (Registration.Status.SUBMITTED, Registration.Status.ACCEPTED)
    in_campaign = Q(plan_id=campaign.pk) | Q(plan__root_id=campaign.pk)
    if award_kind.subject == Subject.INDIVIDUAL:
        return (
            MemberPledge.objects.filter(in_campaign, registration__status__in=live)
            .values("member_id")
            .distinct()
            .count()
        )
    return Registration.objects.filter(in_campaign, status__in=live).values("unit_id").distinct().count()


def _check_power(verdicts: dict[Any, Verdict], award_kind: AwardKind, unit: Unit, day: dt.date) -> None:
    powers = AwardingPower.objects.filter(award_kind=award_kind, unit_kind_id=unit.kind_id)
    if any(p.in_force(day) for p in powers):
        return
    reason = _reason(
        None,
        "power",
        _("%(unit)s không có thẩm quyền tặng “%(award)s” vào ngày %(date)s")
        % {"unit": unit.name, "award": award_kind.name, "date": _d(day)},
        source=award_kind.source,
        unconfirmed=True,
    )
    for verdict in verdicts.values():
        verdict.refuse(reason)
