"""Reading a list of people and collectives to propose from Excel: every problem reported by row
and column, nothing written (``dossiers.candidates_import`` writes a previewed list whole).

The file is read by the registrations import's safe reader (``registrations.imports.read_rows``:
size and magic bytes, zip-bomb and XML-bomb checks with defusedxml, the sheet's box bounded before
python-calamine reads it; formulas never evaluated), with its text helpers. Rows are matched in
memory against the proposer's branch:

* an individual by the member's code (mã đoàn viên, the number shown on the member's page), or by
  full name – diacritics, case and spacing ignored – narrowed by the unit and birth year when given;
* a collective by the unit's code or name, among the proposer and the units below it;
* the award by its catalogue code or its name.

Each matched row is then checked by the eligibility engine (one bulk check per award kind); a
refused row is an error naming the row and every reason. The example row of the template
("VÍ DỤ"), empty rows and a signature block under the table are skipped and said so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from thidua.core.excel import Header, Title, add_sheet, new_workbook
from thidua.core.text import fold
from thidua.members.models import Member
from thidua.recognition import dossiers
from thidua.recognition.eligibility import REFUSED, VOTE
from thidua.recognition.models import AwardKind, Nomination, Subject
from thidua.registrations.imports import (
    _SIGNATURE,
    EXAMPLE_MARK,
    HEADER_SCAN_ROWS,
    ParseResult,
    Refused,
    _fold,
    _text,
    read_rows,
)
from thidua.units.models import Unit

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2000  # a dossier's list; a longer one is several dossiers
TOKEN_MAX_AGE = 3600  # seconds between the preview and "Ghi tất cả"
_SALT = "thidua.recognition.nomination-import"

COLUMNS = {
    "number": ("stt", "tt", "so thu tu"),
    "member_code": ("ma doan vien", "ma hoi vien", "ma so doan vien", "ma dv"),
    "full_name": ("ho va ten", "ho ten", "ten ca nhan"),
    "birth_year": ("nam sinh",),
    "unit": ("don vi", "ten don vi", "don vi cong tac", "ma don vi", "tap the", "ten tap the"),
    "award": (
        "danh hieu hinh thuc khen thuong",
        "danh hieu hinh thuc",
        "ma danh hieu",
        "danh hieu",
        "ten danh hieu",
        "hinh thuc khen thuong",
        "khen thuong",
        "de nghi khen thuong",
    ),
    "achievement": ("thanh tich", "tom tat thanh tich", "thanh tich de nghi"),
}
LABELS = {
    "number": "STT",
    "member_code": "Mã đoàn viên",
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "unit": "Đơn vị",
    "award": "Danh hiệu, hình thức khen thưởng",
    "achievement": "Thành tích",
}
TEMPLATE_HEADERS = list(LABELS.values())
WHO = ("member_code", "full_name", "unit")
_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")


def _header_key(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


def _find_header(values: Sequence[Any]) -> dict[str, int] | None:
    mapping: dict[str, int] = {}
    for column, cell in enumerate(values):
        name = _header_key(_text(cell))
        for key, spellings in COLUMNS.items():
            if name in spellings and key not in mapping:
                mapping[key] = column
                break
    if "award" in mapping and any(key in mapping for key in WHO):
        return mapping
    return None


@dataclass
class _Pools:
    """The proposer's branch and the catalogue, indexed for matching (three queries)."""

    members: dict[int, Member]
    by_name: dict[str, list[Member]]
    units: list[Unit]
    unit_by_code: dict[str, Unit]
    units_by_name: dict[str, list[Unit]]
    kinds_by_code: dict[str, AwardKind]
    kinds_by_name: dict[str, AwardKind]

    @classmethod
    def load(cls, nomination: Nomination, user: Any) -> _Pools:
        proposer = nomination.proposer
        pool = Member.objects.all() if user is None else Member.objects.visible_to(user)
        members = {
            m.pk: m
            for m in pool.filter(unit__path__startswith=proposer.path, status=Member.Status.ACTIVE)
            .select_related("unit")
            .only("id", "full_name", "search_name", "birth_year", "unit__id", "unit__name", "unit__path")
        }
        by_name: dict[str, list[Member]] = defaultdict(list)
        for member in members.values():
            by_name[member.search_name].append(member)
        units = list(
            Unit.objects.filter(path__startswith=proposer.path, dissolved_on__isnull=True).only(
                "id", "name", "code", "path", "kind_id"
            )
        )
        units_by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            units_by_name[_fold(unit.name)].append(unit)
        kinds = list(AwardKind.objects.filter(active=True))
        return cls(
            members=members,
            by_name=by_name,
            units=units,
            unit_by_code={u.code.lower(): u for u in units},
            units_by_name=units_by_name,
            kinds_by_code={k.code.lower(): k for k in kinds},
            kinds_by_name={_fold(k.name): k for k in kinds},
        )


class _Matcher:
    def __init__(self, result: ParseResult, pools: _Pools, nomination: Nomination) -> None:
        self.result = result
        self.pools = pools
        self.nomination = nomination
        self.taken_members = set(nomination.candidates.filter(member__isnull=False).values_list("kind_id", "member_id"))
        self.taken_units = set(nomination.candidates.filter(member__isnull=True).values_list("kind_id", "unit_id"))
        self.seen: dict[tuple[int, str, int], int] = {}
        self.matched: list[tuple[int, AwardKind, Any, str]] = []  # (row, kind, member or unit, achievement)

    def error(self, row: int, key: str, message: str) -> None:
        self.result.error(row, LABELS[key], message)

    def add(self, number: int, texts: dict[str, str]) -> None:
        self.result.total += 1
        kind = self._kind(number, texts["award"])
        achievement = texts["achievement"]
        if len(achievement) > dossiers.ACHIEVEMENT_MAX:
            self.error(
                number,
                "achievement",
                _("Thành tích dài %(n)s ký tự, quá %(max)s ký tự cho phép; hãy rút gọn (không tự cắt bớt).")
                % {"n": len(achievement), "max": dossiers.ACHIEVEMENT_MAX},
            )
            return
        if kind is None:
            return
        recipient = self._member(number, texts) if kind.subject == Subject.INDIVIDUAL else self._unit(number, texts)
        if recipient is None:
            return
        is_member = isinstance(recipient, Member)
        key = (kind.pk, "m" if is_member else "u", recipient.pk)
        if key in self.seen:
            self.error(
                number,
                "full_name" if is_member else "unit",
                _("Trùng với dòng %(row)s phía trên.") % {"row": self.seen[key]},
            )
            return
        taken = self.taken_members if is_member else self.taken_units
        if (kind.pk, recipient.pk) in taken:
            self.error(
                number,
                "award",
                _("%(who)s đã có trong hồ sơ với “%(award)s”.")
                % {"who": dossiers.recipient_name(recipient), "award": kind.name},
            )
            return
        self.seen[key] = number
        self.matched.append((number, kind, recipient, achievement))

    def _kind(self, number: int, text: str) -> AwardKind | None:
        if not text:
            self.error(number, "award", _("Thiếu danh hiệu, hình thức khen thưởng."))
            return None
        kind = self.pools.kinds_by_code.get(text.lower()) or self.pools.kinds_by_name.get(_fold(text))
        if kind is None:
            self.error(
                number,
                "award",
                _(
                    "Không có danh hiệu, hình thức khen thưởng “%(value)s”; hãy ghi mã hoặc tên như trong trang “Danh mục” của tệp mẫu."
                )
                % {"value": text[:80]},
            )
        return kind

    def _units_named(self, text: str) -> list[Unit]:
        code = self.pools.unit_by_code.get(text.lower())
        return [code] if code else self.pools.units_by_name.get(_fold(text), [])

    def _unit(self, number: int, texts: dict[str, str]) -> Unit | None:
        text = texts["unit"] or texts["full_name"]
        proposer = self.nomination.proposer
        if not text:
            self.error(number, "unit", _("Danh hiệu này dành cho tập thể: hãy ghi tên hoặc mã đơn vị."))
            return None
        found = self._units_named(text)
        if len(found) > 1:
            self.error(
                number,
                "unit",
                _("Có %(n)s đơn vị tên “%(value)s” trong %(unit)s; hãy ghi mã đơn vị.")
                % {"n": len(found), "value": text[:80], "unit": proposer.name},
            )
            return None
        if not found:
            self.error(
                number,
                "unit",
                _("Không tìm thấy đơn vị “%(value)s” trong %(unit)s và các đơn vị trực thuộc.")
                % {"value": text[:80], "unit": proposer.name},
            )
            return None
        return found[0]

    def _member(self, number: int, texts: dict[str, str]) -> Member | None:
        code, name = texts["member_code"], texts["full_name"]
        proposer = self.nomination.proposer
        if code:
            digits = code.replace(" ", "")
            member = self.pools.members.get(int(digits)) if digits.isdigit() and len(digits) < 19 else None
            if member is None:
                self.error(
                    number,
                    "member_code",
                    _("Không có đoàn viên mã %(code)s trong %(unit)s.") % {"code": code[:20], "unit": proposer.name},
                )
                return None
            if name and _fold(name) != member.search_name:
                self.error(
                    number,
                    "member_code",
                    _("Mã %(code)s là của đoàn viên “%(other)s”, không phải “%(name)s”.")
                    % {"code": digits, "other": member.full_name, "name": name[:80]},
                )
                return None
            return member
        if not name:
            self.error(number, "full_name", _("Thiếu mã đoàn viên hoặc họ và tên."))
            return None
        found = list(self.pools.by_name.get(_fold(name), []))
        if texts["unit"]:
            units = self._units_named(texts["unit"])
            if not units:
                self.error(
                    number,
                    "unit",
                    _("Không tìm thấy đơn vị “%(value)s” trong %(unit)s.")
                    % {"value": texts["unit"][:80], "unit": proposer.name},
                )
                return None
            found = [m for m in found if any(m.unit.path.startswith(u.path) for u in units)]
        if texts["birth_year"]:
            year = texts["birth_year"]
            if not (year.isdigit() and len(year) == 4):
                self.error(number, "birth_year", _("Năm sinh “%(value)s” phải gồm 4 chữ số.") % {"value": year[:20]})
                return None
            found = [m for m in found if m.birth_year == int(year)]
        if len(found) > 1:
            self.error(
                number,
                "full_name",
                _("Có %(n)s đoàn viên “%(name)s”; hãy ghi mã đoàn viên, hoặc đơn vị và năm sinh.")
                % {"n": len(found), "name": name[:80]},
            )
            return None
        if not found:
            self.error(
                number,
                "full_name",
                _("Không tìm thấy đoàn viên “%(name)s” trong %(unit)s.") % {"name": name[:80], "unit": proposer.name},
            )
            return None
        return found[0]

    def check(self) -> None:
        """One eligibility check per award kind; a refused row is an error with every reason."""
        by_kind: dict[int, list[tuple[int, AwardKind, Any, str]]] = defaultdict(list)
        for line in self.matched:
            by_kind[line[1].pk].append(line)
        who_decides = dossiers.deciders(self.nomination.proposer, [group[0][1] for group in by_kind.values()])
        for kind_id, group in by_kind.items():
            kind = group[0][1]
            verdicts = dossiers.check_batch(
                self.nomination, kind, [recipient for _n, _k, recipient, _a in group], decider=who_decides[kind_id]
            )
            for number, _kind, recipient, achievement in group:
                verdict = verdicts[recipient]
                is_member = isinstance(recipient, Member)
                if verdict.status == REFUSED:
                    self.error(number, "award", " ".join(dossiers.refusal(recipient, kind, verdict)))
                    continue
                self.result.rows.append(
                    {
                        "row": number,
                        "kind": kind.pk,
                        "member": recipient.pk if is_member else None,
                        "unit": recipient.unit_id if is_member else recipient.pk,
                        "achievement": achievement,
                        "name": recipient.full_name if is_member else recipient.name,
                        "unit_name": recipient.unit.name if is_member else recipient.name,
                        "kind_name": kind.name,
                        "note": " ".join(verdict.messages) if verdict.status == VOTE else "",
                    }
                )
        self.result.rows.sort(key=lambda r: r["row"])


def parse_candidates(content: bytes, *, nomination: Nomination, user: Any) -> ParseResult:
    """Rows of (award, member or collective, achievement) matched in the proposer's branch and
    checked against the rules; every error names its row and column."""
    result = ParseResult()
    try:
        _parse(content, result, nomination=nomination, user=user)
    except Refused as refusal:
        return ParseResult(errors=[(None, "", refusal.message)], error_count=1)
    return result


def _parse(content: bytes, result: ParseResult, *, nomination: Nomination, user: Any) -> None:
    rows = read_rows(content)
    mapping = None
    for number, values, _formulas in rows:
        mapping = _find_header(values)
        if mapping or number >= HEADER_SCAN_ROWS:
            break
    if not mapping:
        raise Refused(
            _("Không tìm thấy dòng tiêu đề có cột “%(award)s” và một trong các cột: %(who)s.")
            % {"award": LABELS["award"], "who": ", ".join(LABELS[k] for k in WHO)}
        )
    matcher = _Matcher(result, _Pools.load(nomination, user), nomination)
    keys = [(key, mapping.get(key)) for key in COLUMNS]
    empty = 0
    example: list[int] = []
    footer: list[int] = []
    for number, values, formulas in rows:
        width = len(values)
        texts = {key: _text(values[col]) if col is not None and col < width else "" for key, col in keys}
        on_formula = [key for key, col in keys if col is not None and col in formulas and not texts[key]]
        if not any(texts.values()) and not on_formula:
            empty += 1
            continue
        if texts["number"][:1].isalpha() and _fold(texts["number"]).startswith(_fold(EXAMPLE_MARK)):
            example.append(number)
            continue
        if not texts["award"] and (footer or any(_SIGNATURE.search(fold(_text(v))) for v in values if v)):
            footer.append(number)  # "Người lập biểu", "…, ngày … tháng … năm …" under the table
            continue
        if on_formula:
            for key in on_formula:
                matcher.error(
                    number,
                    key,
                    _("Ô chứa công thức nhưng không có giá trị đã tính; hãy dán giá trị (Dán đặc biệt → Giá trị)."),
                )
            result.total += 1
            continue
        if result.total >= MAX_ROWS:
            raise Refused(_("Tệp có quá %(n)s dòng; hãy chia thành nhiều hồ sơ.") % {"n": MAX_ROWS})
        matcher.add(number, texts)
    matcher.check()
    result.errors.sort(key=lambda error: error[0] or 0)
    if example:
        result.notes.append(_("Dòng ví dụ của tệp mẫu (dòng %(rows)s) được bỏ qua.") % {"rows": _span(example)})
    if footer:
        result.notes.append(_("Phần ký tên cuối bảng (dòng %(rows)s) được bỏ qua.") % {"rows": _span(footer)})
    if empty:
        result.notes.append(_("%(n)s dòng trống được bỏ qua.") % {"n": empty})
    if result.total == 0 and not result.errors:
        raise Refused(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))


def _span(numbers: list[int]) -> str:
    return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


# --- the preview, carried to "Ghi tất cả" ---------------------------------------------------------

_KEPT = ("row", "kind", "member", "unit", "achievement")


def preview_token(nomination: Nomination, user: Any, rows: Sequence[dict[str, Any]]) -> str:
    """The previewed rows, signed for this dossier and this person (no table needed for a preview)."""
    payload = {"n": nomination.pk, "u": getattr(user, "pk", None), "rows": [{k: r[k] for k in _KEPT} for r in rows]}
    return signing.dumps(payload, salt=_SALT, compress=True)


def preview_rows(token: str, nomination: Nomination, user: Any) -> list[dict[str, Any]] | None:
    """The rows of a preview token, or None when it is not this dossier's and this person's, or too old."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if payload.get("n") != nomination.pk or payload.get("u") != getattr(user, "pk", None):
        return None
    return list(payload.get("rows") or [])


# --- the template --------------------------------------------------------------------------------


def template_workbook(*, nomination: Nomination | None = None) -> Any:
    """The downloadable template: the table (an example row marked "VÍ DỤ" that the import skips)
    and the catalogue of award kinds with their codes, on a second sheet."""
    workbook = new_workbook()
    about = [
        _(
            "Điền từ dòng dưới dòng VÍ DỤ. Cá nhân: ghi mã đoàn viên, hoặc họ và tên (thêm đơn vị, năm sinh khi trùng tên). "
            "Tập thể: ghi tên hoặc mã đơn vị. Danh hiệu: ghi mã hoặc tên như trang “Danh mục”."
        )
    ]
    if nomination is not None:
        about.insert(
            0, _("Hồ sơ: %(title)s – %(unit)s") % {"title": nomination.title, "unit": nomination.proposer.name}
        )
    example = [
        EXAMPLE_MARK,
        "",
        "Nguyễn Thị Hoa",
        1985,
        "Công đoàn cơ sở Trường Một",
        "Lao động tiên tiến",
        _("Hoàn thành xuất sắc nhiệm vụ"),
    ]
    add_sheet(
        workbook,
        _("Danh sách"),
        [Header(h) for h in TEMPLATE_HEADERS],
        [example],
        title=Title(_("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"), about),
    )
    kinds = AwardKind.objects.filter(active=True).order_by("system", "category", "subject", "rank", "name")
    add_sheet(
        workbook,
        _("Danh mục"),
        [_("Mã"), _("Tên danh hiệu, hình thức khen thưởng"), _("Đối tượng"), _("Loại")],
        ([k.code, k.name, k.get_subject_display(), k.get_category_display()] for k in kinds),
        title=Title(_("Danh mục danh hiệu, hình thức khen thưởng"), []),
    )
    return workbook
