"""The plan's weighted formula: one total out of 100 per report, stated where it applies.

Each criterion contributes its weight (1 when none is set) times how far it was attained:

* yes/no: 1 when done, else 0;
* a number against a target: value ÷ target, at most 1 (without a target: 1 when above 0);
* a score: points ÷ the maximum, at most 1.

Total = 100 × Σ (weight × attainment) ÷ Σ weight, rounded to two decimals. A criterion left
empty attains 0. Rankings order by total (highest first), then reports verified without
delay (not late), then the earlier submission, then the unit's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.campaigns.models import Criterion

ONE = Decimal(1)
HUNDRED = Decimal(100)
LARGEST = Decimal("999999999999.99")  # what ReportValue.number holds (14 digits, 2 decimals)

FORMULA = gettext_lazy(
    "Điểm = 100 × Σ (trọng số × mức đạt) ÷ Σ trọng số. Mức đạt: tiêu chí có/không = 1 hoặc 0; "
    "tiêu chí số lượng = kết quả ÷ chỉ tiêu (tối đa 1); tiêu chí chấm điểm = điểm ÷ điểm tối đa. "
    "Tiêu chí để trống tính 0; trọng số không ghi tính 1."
)
TIE_BREAK = gettext_lazy(
    "Bằng điểm thì xếp trên: đơn vị có nhiều báo cáo đúng hạn hơn, rồi đơn vị gửi sớm hơn, rồi theo tên đơn vị."
)

YES = {"1", "true", "on", "yes", "có", "co", "x", "đạt", "dat"}
NO = {"0", "false", "off", "no", "không", "khong", "", "chưa", "chua"}


def weight_of(criterion: Criterion) -> Decimal:
    return criterion.weight if criterion.weight is not None and criterion.weight > 0 else ONE


def attainment(criterion: Criterion, done: bool | None, number: Decimal | None) -> Decimal:
    if criterion.kind == Criterion.Kind.YES_NO:
        return ONE if done else Decimal(0)
    if number is None:
        return Decimal(0)
    if criterion.kind == Criterion.Kind.SCORE:
        if not criterion.max_score:
            return Decimal(0)
        return min(number / criterion.max_score, ONE)
    if criterion.target:
        return min(number / criterion.target, ONE)
    return ONE if number > 0 else Decimal(0)


def total(criteria: Iterable[Criterion], values: Mapping[int, tuple[bool | None, Decimal | None]]) -> Decimal | None:
    """The report's total out of 100 (None when the plan has no criteria)."""
    weights = Decimal(0)
    points = Decimal(0)
    for criterion in criteria:
        weight = weight_of(criterion)
        done, number = values.get(criterion.pk, (None, None))
        weights += weight
        points += weight * attainment(criterion, done, number)
    if not weights:
        return None
    return (HUNDRED * points / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_value(criterion: Criterion, raw: Any) -> tuple[bool | None, Decimal | None]:
    """(done, number) from what a form or the API sent; ``ValidationError`` naming the criterion."""
    if criterion.kind == Criterion.Kind.YES_NO:
        if isinstance(raw, bool) or raw is None:
            return raw, None
        text = str(raw).strip().lower()
        if text in YES:
            return True, None
        if text in NO:
            return (False if text else None), None
        raise ValidationError(_("“%(name)s”: chọn có hoặc không.") % {"name": criterion.name})
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        raise ValidationError(_("“%(name)s”: cần một số.") % {"name": criterion.name})
    text = str(raw).strip().replace(" ", "")
    if isinstance(raw, str) and "," in text:  # Vietnamese decimal comma: 1.234,5
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("“%(name)s”: cần một số.") % {"name": criterion.name}) from exc
    if not number.is_finite():
        raise ValidationError(_("“%(name)s”: cần một số.") % {"name": criterion.name})
    if number < 0:
        raise ValidationError(_("“%(name)s”: không được âm.") % {"name": criterion.name})
    if number > LARGEST:
        raise ValidationError(_("“%(name)s”: số quá lớn.") % {"name": criterion.name})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError(_("“%(name)s”: tối đa hai chữ số thập phân.") % {"name": criterion.name})
    if criterion.kind == Criterion.Kind.SCORE and criterion.max_score is not None and number > criterion.max_score:
        raise ValidationError(
            _("“%(name)s”: điểm tối đa là %(max)s.") % {"name": criterion.name, "max": criterion.max_score}
        )
    return None, number
