"""The council's minutes and the award decision as Decree-30 documents (``thidua.core.decree30``).

``minutes_document`` is the BIÊN BẢN of a council session: time and place, attendance, the agenda,
the tally of the secret ballot per candidate (only once the ballot is closed: a session still open
prints no counts and is marked as a draft), the conclusion, and the secretary (left) and the chair
(right) signing side by side, as the minutes form of Decree 30 (Appendix I) has them.

``decision_document`` is the QUYẾT ĐỊNH with its list ("DANH SÁCH … (Kèm theo Quyết định số …)"),
split "I. CÁ NHÂN" / "II. TẬP THỂ", with each recipient's award, gold-book number and prize.

The text of these documents is the Vietnamese legal text itself, so it does not go through
gettext (as ``thidua.campaigns.documents``): an English interface still prints a Vietnamese decision.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone

from thidua.core import decree30
from thidua.core.decree30 import Heading, Para, Run
from thidua.recognition.models import (
    AwardCouncilMember,
    AwardDecision,
    AwardKind,
    BallotItem,
    BaseSalary,
    CouncilSession,
    DecisionLine,
    Subject,
    meets,
)
from thidua.units.models import Unit

DOCX_MIME = decree30.DOCX_MIME
DECISION_STATES: dict[str, decree30.State] = {
    AwardDecision.Status.DRAFT: "draft",
    AwardDecision.Status.ISSUED: "final",
    AwardDecision.Status.REVOKED: "recalled",
}
RESULTS: dict[str, str] = {BallotItem.Result.PASSED: "Đạt", BallotItem.Result.FAILED: "Không đạt"}
# How a signing body reads inside a sentence ("của Ban Thường vụ Liên đoàn Lao động tỉnh Bắc Kạn").
_BODIES = {"BAN THƯỜNG VỤ": "Ban Thường vụ", "BAN CHẤP HÀNH": "Ban Chấp hành", "ĐOÀN CHỦ TỊCH": "Đoàn Chủ tịch"}
_SUFFIX = re.compile(r"\s*\((?:cá nhân|tập thể|hộ gia đình)\)\s*$", re.IGNORECASE)


# --- small helpers shared with the certificates ------------------------------------------------


def money(amount: int) -> str:
    """1490000 → "1.490.000" (Vietnamese grouping, whatever language the interface speaks)."""
    return f"{amount:,}".replace(",", ".")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _three(number: int, full: bool) -> list[str]:
    """Words of 0–999; ``full``: a group after a higher one ("không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else _DIGITS[units])
    else:
        words += [_DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 5: "lăm"}.get(units, _DIGITS[units]))
    return words


def money_in_words(amount: int) -> str:
    """14900000 → "Mười bốn triệu chín trăm nghìn đồng" (the "bằng chữ" of a sum)."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    scales = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        words += _three(groups[index], full=bool(words))
        if scales[index]:
            words.append(scales[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


def award_name(kind: AwardKind) -> str:
    """The catalogue name without the subject suffix: "Bằng khen của Liên đoàn Lao động tỉnh"."""
    return _SUFFIX.sub("", kind.name).strip()


def printed_award(kind: AwardKind) -> str:
    """What a certificate prints in red: "GIẤY KHEN", "BẰNG KHEN", or the title's name."""
    name = award_name(kind)
    for form in ("Giấy khen", "Bằng khen"):
        if name.lower().startswith(form.lower()):
            return form.upper()
    return name.upper()


def _body_in_sentence(text: str) -> str:
    upper = text.strip().upper()
    if upper in _BODIES:
        return _BODIES[upper]
    lowered = text.strip().lower()
    return lowered[:1].upper() + lowered[1:]


def _capacity_body(capacity: str) -> str:
    """ "TM. BAN THƯỜNG VỤ" → "BAN THƯỜNG VỤ"; "KT. CHỦ TỊCH" → "CHỦ TỊCH"."""
    return re.sub(r"^\s*(TM|KT|TL|TUQ|Q)\.\s*", "", capacity or "", flags=re.IGNORECASE).strip()


def decider(decision: AwardDecision) -> str:
    """Who decides, as the decision names itself above its grounds and a certificate prints it in red:
    "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH BẮC KẠN" (the body signed for, else the signer's position)."""
    body = _capacity_body(decision.signer_capacity) or decision.signer_position
    return f"{body} {decision.issuer.name}".upper()


def decider_in_sentence(decision: AwardDecision) -> str:
    """ "Ban Thường vụ Liên đoàn Lao động tỉnh Bắc Kạn", for "(Kèm theo Quyết định … của …)"."""
    body = _capacity_body(decision.signer_capacity) or decision.signer_position
    return f"{_body_in_sentence(body)} {decision.issuer.name}"


def _day(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def _lower_first(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:1].lower() + text[1:]


def _parent_name(unit: Unit) -> str:
    parent = Unit.objects.filter(pk=unit.parent_id).only("name").first() if unit.parent_id else None
    return parent.name if parent else ""


def _short(unit: Unit) -> str:
    return unit.short_name or unit.code


def decision_reference(decision: AwardDecision) -> str:
    """ "Quyết định số 05/QĐ-LĐLĐ ngày 20/12/2026" (blanks on a draft, for the clerk to fill)."""
    if decision.number is None:
        return f"Quyết định số       /{decision.symbol} ngày      /      /{decision.year}"
    return f"Quyết định số {decision.number:02d}/{decision.symbol} ngày {_day(decision.issued_on)}"


def _recall_note(decision: AwardDecision) -> str:
    event = decision.events.filter(to_status=AwardDecision.Status.REVOKED).order_by("-at").first()
    when = f" ngày {timezone.localdate(event.at):%d/%m/%Y}" if event else ""
    reason = f": {decision.revoke_reason}" if decision.revoke_reason else ""
    return f"Quyết định đã bị thu hồi{when}{reason}; không còn hiệu lực."


# --- minutes ------------------------------------------------------------------------------------


def _signers_of(session: CouncilSession) -> tuple[str, str]:
    """The chair's and the secretary's names (the first active member of each role)."""
    chair = secretary = ""
    roles = (AwardCouncilMember.Role.CHAIR, AwardCouncilMember.Role.SECRETARY)
    for role, name in (
        AwardCouncilMember.objects.filter(council_id=session.council_id, role__in=roles, active=True)
        .order_by("id")
        .values_list("role", "full_name")
    ):
        if role == AwardCouncilMember.Role.CHAIR and not chair:
            chair = name
        elif role == AwardCouncilMember.Role.SECRETARY and not secretary:
            secretary = name
    return chair, secretary


def _minutes_summary(session: CouncilSession) -> str:
    title = " ".join(session.title.split())
    if title.lower().startswith("họp"):
        return title
    return f"Họp Hội đồng Thi đua – Khen thưởng {_lower_first(title)}"


def _time_of(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M}"


def minutes_body(session: CouncilSession) -> list[decree30.Block]:
    closed = session.status == CouncilSession.Status.CLOSED
    council = session.council
    chair, secretary = _signers_of(session)
    items = list(
        session.items.select_related("candidate__kind", "candidate__member", "candidate__unit").order_by(
            "position", "pk"
        )
    )
    absent_names = list(
        session.attendance.filter(present=False).order_by("member_id").values_list("member__full_name", flat=True)
    )
    receipts = session.receipts.count()
    written = session.receipts.filter(written=True).count()
    size = session.council_size or council.members.filter(active=True).count()
    present = session.present_count
    absent = max(size - present, 0)

    body: list[decree30.Block] = [Heading("I.", "Thời gian, địa điểm, thành phần")]
    started = _time_of(session.opened_at)
    when = f"{started}, ngày {_day(session.held_on)}" if started else f"ngày {_day(session.held_on)}"
    body.append(Para.of(f"Thời gian: {when}.", label="1."))
    body.append(Para.of(f"Địa điểm: {session.place or '…'}.", label="2."))
    body.append(
        Para.of(
            f"Thành phần: {council.name}. Tổng số thành viên Hội đồng: {size}; có mặt: {present}; "
            f"vắng mặt: {absent}; số phiếu bằng văn bản của thành viên vắng mặt: {written}.",
            label="3.",
        )
    )
    if absent_names:
        body.append(Para.of(f"Thành viên vắng mặt: {', '.join(absent_names)}.", label="-"))
    if session.quorum and size:
        try:
            valid = meets(present, size, session.quorum)
        except ValueError:
            valid = None
        if valid is not None:
            verdict = "đủ" if valid else "không đủ"
            body.append(
                Para.of(
                    f"Số thành viên có mặt {verdict} tỷ lệ tối thiểu {session.quorum} tổng số thành viên Hội đồng "
                    f"để tiến hành phiên họp.",
                    label="-",
                )
            )
    body.append(Para.of(f"Chủ trì (chủ tọa): {chair or '…'}, Chủ tịch Hội đồng.", label="4."))
    body.append(Para.of(f"Thư ký: {secretary or '…'}.", label="5."))

    body.append(Heading("II.", "Nội dung"))
    groups: OrderedDict[str, list[int]] = OrderedDict()
    for item in items:
        counts = groups.setdefault(award_name(item.candidate.kind), [0, 0])
        counts[0 if item.candidate.member_id else 1] += 1
    body.append(
        Para.of(
            f"Hội đồng xem xét hồ sơ đề nghị khen thưởng và biểu quyết bằng phiếu kín đối với {len(items)} "
            f"trường hợp; tỷ lệ đồng ý được tính trên tổng số thành viên Hội đồng ({size} thành viên):"
        )
    )
    for name, (people, collectives) in groups.items():
        body.append(Para.of(f"{name}: {_counts(collectives, people)}.", label="-"))

    body.append(Heading("III.", "Kết quả bỏ phiếu"))
    if closed:
        body.append(
            Para.of(
                f"Số thành viên đã bỏ phiếu: {receipts} (trong đó {written} phiếu bằng văn bản). "
                "Kết quả kiểm phiếu như sau:"
            )
        )
    else:
        body.append(
            Para.of(
                "Phiên bỏ phiếu chưa kết thúc; kết quả chỉ được kiểm và ghi vào biên bản sau khi đóng phiếu.",
                italic=True,
            )
        )
    rows = []
    for number, item in enumerate(items, start=1):
        candidate = item.candidate
        who = candidate.recipient_name
        if candidate.member_id:
            who = f"{who} ({candidate.unit.name})"
        counted = closed and item.approve is not None
        rows.append(
            (
                str(number),
                who,
                award_name(candidate.kind),
                item.threshold,
                str(item.approve) if counted else "",
                str(item.reject) if counted else "",
                RESULTS.get(item.result, "") if closed else "",
            )
        )
    body.append(
        decree30.Table(
            headers=(
                "TT",
                "Họ và tên, tập thể",
                "Danh hiệu, hình thức",
                "Tỷ lệ cần đạt",
                "Đồng ý",
                "Không đồng ý",
                "Kết quả",
            ),
            rows=tuple(rows),
            widths=(10, 50, 38, 17, 15, 17, 18),
            numeric=(4, 5),
        )
    )

    body.append(Heading("IV.", "Kết luận"))
    if closed:
        passed = [item for item in items if item.result == BallotItem.Result.PASSED]
        failed = len(items) - len(passed)
        body.append(
            Para.of(
                f"Hội đồng thống nhất đề nghị khen thưởng {len(passed)} trường hợp đạt tỷ lệ phiếu đồng ý theo quy "
                f"định (kết quả “Đạt” tại mục III); {failed} trường hợp không đạt tỷ lệ, không đề nghị khen thưởng."
            )
        )
        ended = _time_of(session.closed_at)
        if ended:
            local_day = timezone.localtime(session.closed_at).date() if session.closed_at else session.held_on
            body.append(Para.of(f"Phiên họp kết thúc vào {ended}, ngày {_day(local_day)}."))
        body.append(Para.of("Biên bản đã được thông qua trước Hội đồng./."))
    else:
        body.append(Para.of("Kết luận được ghi sau khi kiểm phiếu.", italic=True))
    return body


def _counts(collectives: int, people: int) -> str:
    parts = []
    if collectives:
        parts.append(f"{collectives} tập thể")
    if people:
        parts.append(f"{people} cá nhân")
    return " và ".join(parts) or "0 trường hợp"


def minutes_document(session: CouncilSession) -> decree30.Document:
    """The BIÊN BẢN of a council session (a draft until the ballot is closed)."""
    council = session.council
    unit = council.unit
    chair, secretary = _signers_of(session)
    closed = session.status == CouncilSession.Status.CLOSED
    return decree30.Document(
        parent_body=unit.name,
        issuer_body=council.name,
        symbol=f"BB-{_short(unit)}",
        sequence=None,  # minutes are numbered by the clerk in the unit's register
        place=unit.document_place() or session.place,
        day=session.held_on,
        kind="BIÊN BẢN",
        summary=_minutes_summary(session),
        body=minutes_body(session),
        # Decree 30's minutes: the secretary signs on the left, the chair on the right.
        signers=[
            decree30.Signer("", "THƯ KÝ", secretary),
            decree30.Signer("CHỦ TỌA", "CHỦ TỊCH HỘI ĐỒNG", chair),
        ],
        state="final" if closed else "draft",
        state_note="" if closed else "Phiên bỏ phiếu chưa kết thúc: biên bản chưa có kết quả kiểm phiếu.",
        author=unit.name,
        keywords=session.title[:200],
    )


def render_minutes(session: CouncilSession) -> bytes:
    return decree30.render(minutes_document(session))


# --- decision ------------------------------------------------------------------------------------


@dataclass
class _Group:
    """Lines of one award (its individual and collective kinds together) for Điều 1."""

    name: str
    title: bool
    people: int = 0
    collectives: int = 0


def _lines(decision: AwardDecision) -> list[DecisionLine]:
    return list(decision.lines.select_related("kind", "member", "unit").order_by("order", "pk"))


def _award_phrase(kind: AwardKind) -> str:
    name = award_name(kind)
    return f"danh hiệu “{name}”" if kind.category == AwardKind.Category.TITLE else name


def _article_one(decision: AwardDecision, lines: Sequence[DecisionLine]) -> Para:
    groups: OrderedDict[str, _Group] = OrderedDict()
    for line in lines:
        phrase = _award_phrase(line.kind)
        group = groups.setdefault(phrase, _Group(phrase, line.kind.category == AwardKind.Category.TITLE))
        if line.is_individual:
            group.people += 1
        else:
            group.collectives += 1
    gifts = "; tặng ".join(f"{g.name} cho {_counts(g.collectives, g.people)}" for g in groups.values())
    achievement = " ".join(decision.achievement.split()).rstrip(".")
    if not achievement.lower().startswith("đã"):
        achievement = f"đã có thành tích {_lower_first(achievement)}"
    text = f"Tặng {gifts} (có danh sách kèm theo) {_lower_first(achievement)}."
    return Para(runs=(Run("Điều 1. ", bold=True), Run(text)))


def _base_salary(decision: AwardDecision) -> int | None:
    if decision.base_salary:
        return decision.base_salary
    return (
        BaseSalary.objects.filter(valid_from__lte=decision.issued_on)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )


def _article_two(decision: AwardDecision, lines: Sequence[DecisionLine]) -> Para:
    total = sum(line.prize for line in lines)
    if total == 0:
        if decision.status == AwardDecision.Status.DRAFT:
            text = (
                "Tiền thưởng kèm theo được tính trên mức lương cơ sở áp dụng tại ngày ban hành Quyết định "
                "(làm tròn lên hàng chục nghìn đồng) và ghi tại danh sách kèm theo."
            )
        else:
            text = "Các hình thức khen thưởng tại Điều 1 không kèm theo tiền thưởng."
        return Para(runs=(Run("Điều 2. ", bold=True), Run(text)))
    by_kind: OrderedDict[int, list[DecisionLine]] = OrderedDict()
    for line in lines:
        by_kind.setdefault(line.kind_id, []).append(line)
    parts = []
    for kind_lines in by_kind.values():
        kind = kind_lines[0].kind
        who = "cá nhân" if kind.subject == Subject.INDIVIDUAL else "tập thể"
        if kind.subject == Subject.HOUSEHOLD:
            who = "hộ gia đình"
        prizes = {line.prize for line in kind_lines}
        phrase = _award_phrase(kind)
        if len(prizes) == 1:
            parts.append(f"mỗi {who} được tặng {phrase} được thưởng {money(prizes.pop())} đồng")
        else:
            parts.append(f"mức thưởng của từng {who} được tặng {phrase} ghi tại danh sách kèm theo")
    base = _base_salary(decision)
    basis = f", tính trên mức lương cơ sở {money(base)} đồng/tháng" if base else ""
    text = (
        f"Tiền thưởng kèm theo: {'; '.join(parts)}. Tổng số tiền thưởng: {money(total)} đồng "
        f"({money_in_words(total)}){basis}, trích từ quỹ thi đua, khen thưởng của {decision.issuer.name}."
    )
    return Para(runs=(Run("Điều 2. ", bold=True), Run(text)))


def _article_three(decision: AwardDecision) -> Para:
    text = (
        "Quyết định có hiệu lực kể từ ngày ký. Văn phòng, các ban, đơn vị liên quan và các tập thể, cá nhân "
        "có tên tại Điều 1 căn cứ Quyết định thi hành./."
    )
    return Para(runs=(Run("Điều 3. ", bold=True), Run(text)))


def _legal_basis(decision: AwardDecision) -> list[str]:
    lines = [line for line in decision.legal_basis.splitlines() if line.strip()]
    if lines:
        return lines
    session = decision.session if decision.session_id is not None else None
    if session is not None:
        return [f"Căn cứ Biên bản họp Hội đồng Thi đua – Khen thưởng ngày {_day(session.held_on)}"]
    return []


def _annex_rows(lines: Iterable[DecisionLine], individual: bool) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    total = 0
    for number, line in enumerate(lines, start=1):
        if individual:
            where = ", ".join(part for part in (line.position, line.unit_name) if part.strip())
        else:
            where = line.unit_name if line.unit_name.strip() != line.recipient_name.strip() else ""
        total += line.prize
        rows.append(
            (
                str(number),
                line.recipient_name,
                where,
                _award_phrase(line.kind)[:1].upper() + _award_phrase(line.kind)[1:],
                str(line.gold_book) if line.gold_book is not None else "",
                money(line.prize) if line.prize else "",
            )
        )
    rows.append(("", "Cộng", "", "", "", money(total) if total else ""))
    return tuple(rows)


def decision_annex(decision: AwardDecision, lines: Sequence[DecisionLine]) -> decree30.Appendix:
    people = [line for line in lines if line.is_individual]
    collectives = [line for line in lines if not line.is_individual]
    who = "tập thể, cá nhân" if people and collectives else ("cá nhân" if people else "tập thể")
    awards = list(OrderedDict.fromkeys(_award_phrase(line.kind) for line in lines))
    title = f"Danh sách {who} được tặng {', '.join(awards)}" if awards else f"Danh sách {who} được khen thưởng"
    blocks: list[decree30.Block] = []
    sections = [(people, "Cá nhân", "Họ và tên", "Chức vụ, đơn vị"), (collectives, "Tập thể", "Tên tập thể", "Đơn vị")]
    part = 0
    for section_lines, heading, name_header, where_header in sections:
        if not section_lines:
            continue
        part += 1
        blocks.append(Heading(f"{decree30.roman(part)}.", heading))
        blocks.append(
            decree30.Table(
                headers=("TT", name_header, where_header, "Danh hiệu, hình thức", "Số sổ vàng", "Tiền thưởng (đồng)"),
                rows=_annex_rows(section_lines, individual=heading == "Cá nhân"),
                widths=(10, 38, 45, 32, 17, 23),
                numeric=(4, 5),
            )
        )
    reference = f"Kèm theo {decision_reference(decision)} của {decider_in_sentence(decision)}"
    return decree30.Appendix(number="", title=title, reference=reference, blocks=tuple(blocks))


def decision_document(decision: AwardDecision) -> decree30.Document:
    """The QUYẾT ĐỊNH with its list of recipients (draft, issued or revoked)."""
    issuer = decision.issuer
    state = DECISION_STATES.get(decision.status, "final")
    if decision.number is None:
        state = "draft" if state == "final" else state
    lines = _lines(decision)
    summary = " ".join(decision.title.split())
    if not summary.lower().startswith("về việc"):
        summary = f"Về việc {_lower_first(summary)}"
    recipients = [line for line in decision.recipients.splitlines() if line.strip()] or ["Như Điều 3", "Lưu: VT"]
    return decree30.Document(
        parent_body=_parent_name(issuer),
        issuer_body=issuer.name,
        symbol=decision.symbol,
        sequence=None if state == "draft" else decision.number,
        place=decision.place,
        day=None if state == "draft" else decision.issued_on,
        kind="QUYẾT ĐỊNH",
        summary=summary,
        authority=decider(decision),
        legal_basis=_legal_basis(decision),
        enacting="QUYẾT ĐỊNH:",
        body=[_article_one(decision, lines), _article_two(decision, lines), _article_three(decision)],
        signers=[decree30.Signer(decision.signer_capacity, decision.signer_position, decision.signer_name)],
        recipients=recipients,
        appendices=[decision_annex(decision, lines)],
        state=state,
        state_note=_recall_note(decision) if state == "recalled" else "",
        author=issuer.name,
        keywords=decision.document_number,
    )


def render_decision(decision: AwardDecision) -> bytes:
    return decree30.render(decision_document(decision))


# --- downloads -----------------------------------------------------------------------------------


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_MIME)
    safe = re.sub(r"[^0-9A-Za-z_-]+", "-", filename).strip("-") or "tai-lieu"
    response["Content-Disposition"] = f'attachment; filename="{safe}.docx"'
    return response


def minutes_docx_response(session: CouncilSession) -> HttpResponse:
    suffix = "" if session.status == CouncilSession.Status.CLOSED else "-du-thao"
    return _attachment(render_minutes(session), f"bien-ban-hop-hoi-dong-{session.held_on:%Y%m%d}-{session.pk}{suffix}")


def decision_docx_response(decision: AwardDecision) -> HttpResponse:
    if decision.number is None:
        name = f"quyet-dinh-khen-thuong-du-thao-{decision.pk}"
    else:
        name = f"quyet-dinh-khen-thuong-{decision.number:02d}-QD-{decision.year}"
        if decision.status == AwardDecision.Status.REVOKED:
            name += "-da-thu-hoi"
    return _attachment(render_decision(decision), name)
