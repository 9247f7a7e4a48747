"""One way to show a list: paged, filtered, sortable, exportable.

Every list page (plans, registrations, members, units, articles, the board,
assignments, notifications) builds a ``Listing`` from its filtered queryset
(or, for rows computed in Python, a list) and includes ``core/_pager.html``
and the ``{% sort_header %}`` tag. The same URL with ``?format=xlsx`` answers
with the whole filtered set in the chosen order, not only the page shown.

Paging costs two queries however many rows match (COUNT and the page);
the query-count tests in ``core/tests/test_listing_budgets.py`` hold every
list to that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict

from thidua.core.excel import Format, Header, Title, xlsx_response

PER_PAGE = 50
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class Sort:
    """A column people sort by: ``fields`` order a queryset, ``key`` orders rows built in Python."""

    key: str
    fields: tuple[str, ...] = ()
    python_key: Callable[[Any], Any] | None = None

    def order(self, descending: bool) -> list[str]:
        if not descending:
            return list(self.fields)
        return [field[1:] if field.startswith("-") else f"-{field}" for field in self.fields]


@dataclass(frozen=True)
class Column:
    """One column of the Excel export: header, how to read the cell from a row, and (when the
    values alone do not say it) how to show it, e.g. ``fmt=PERCENT`` for a rate given as a fraction."""

    header: str
    value: Callable[[Any], Any]
    fmt: Format | None = None


class Listing:
    """A page of ``rows`` with the query string that produced it."""

    def __init__(
        self,
        request: HttpRequest,
        rows: QuerySet[Any] | Sequence[Any],
        *,
        sorts: Iterable[Sort] = (),
        default_sort: str = "",
        per_page: int = PER_PAGE,
        tiebreak: str = "pk",
        lead: Sequence[str] = (),
    ) -> None:
        self.request = request
        self.sorts = {sort.key: sort for sort in sorts}
        asked = request.GET.get("sort", "") or default_sort
        descending = asked.startswith("-")
        key = asked.lstrip("-")
        if key not in self.sorts:
            key, descending = default_sort.lstrip("-"), default_sort.startswith("-")
        self.sort_key = key if key in self.sorts else ""
        self.descending = descending
        self.lead = tuple(lead)  # orderings that come before any column (a search's best match first)
        self.rows = self._ordered(rows, tiebreak)
        self.page: Page = Paginator(self.rows, per_page).get_page(request.GET.get("page"))

    def _ordered(self, rows: QuerySet[Any] | Sequence[Any], tiebreak: str) -> QuerySet[Any] | Sequence[Any]:
        sort = self.sorts.get(self.sort_key)
        if isinstance(rows, QuerySet):
            if sort is None:
                # The queryset's own order (or the tiebreak), after the lead.
                return rows.order_by(*self.lead, *(rows.query.order_by or (tiebreak,)))
            order = sort.order(self.descending)
            return rows.order_by(*self.lead, *order, f"-{tiebreak}" if self.descending else tiebreak)
        if sort is None or sort.python_key is None:
            return rows
        return sorted(rows, key=sort.python_key, reverse=self.descending)

    # What the pager shows.
    @property
    def total(self) -> int:
        return self.page.paginator.count

    @property
    def first(self) -> int:
        return self.page.start_index()

    @property
    def last(self) -> int:
        return self.page.end_index()

    def url(self, **changes: Any) -> str:
        """This list's query string with ``changes`` (None removes a key); the filters stay."""
        query: QueryDict = self.request.GET.copy()
        for key, value in changes.items():
            query.pop(key, None)
            if value not in (None, ""):
                query[key] = str(value)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    def page_links(self) -> list[dict[str, Any]]:
        """Numbered links around the current page, with an ellipsis where pages are skipped."""
        links = []
        for number in self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1):
            if isinstance(number, int):
                links.append({"number": number, "url": self.url(page=number), "current": number == self.page.number})
            else:
                links.append({"number": None})
        return links

    @property
    def previous_url(self) -> str | None:
        return self.url(page=self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.url(page=self.page.next_page_number()) if self.page.has_next() else None

    @property
    def export_url(self) -> str:
        return self.url(format="xlsx", page=None)

    def sort_url(self, key: str) -> str:
        """Sorting by a column starts at page 1; a second click reverses it."""
        descending = self.sort_key == key and not self.descending
        return self.url(sort=f"-{key}" if descending else key, page=None)

    def aria_sort(self, key: str) -> str:
        if self.sort_key != key:
            return "none"
        return "descending" if self.descending else "ascending"

    # Excel of the filtered set.
    @property
    def wants_export(self) -> bool:
        return self.request.GET.get("format") == "xlsx"

    def all_rows(self) -> Iterable[Any]:
        if isinstance(self.rows, QuerySet):
            return self.rows.iterator(chunk_size=EXPORT_CHUNK)
        return iter(self.rows)

    def export(self, filename: str, sheet_name: str, columns: Sequence[Column], *, title: Title) -> HttpResponse:
        """The filtered set as one sheet, under ``title``'s rows (see ``core.excel``)."""
        headers = [Header(column.header, column.fmt) for column in columns]
        data = ([column.value(row) for column in columns] for row in self.all_rows())
        return xlsx_response(filename, sheet_name, headers, data, title=title)
