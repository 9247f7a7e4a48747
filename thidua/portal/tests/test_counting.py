"""The counting package itself: one clock, one counter chosen once, one-way module dependencies."""

from __future__ import annotations

import ast
import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from thidua.portal import counting
from thidua.portal.counting import api, clock
from thidua.portal.counting.buffer import RedisCounter
from thidua.portal.counting.database import DatabaseCounter
from thidua.portal.models import SiteDay
from thidua.portal.tests.factories import make_article
from thidua.portal.views import Slots, fill_slots
from thidua.testing import make_unit, run_concurrently

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
PACKAGE = Path(counting.__file__).parent
# Each module may import only the modules listed for it (the package's own modules).
LAYERS = {
    "clock": set(),
    "rules": set(),
    "counter": set(),
    "visitors": set(),
    "database": {"clock", "rules", "visitors", "counter"},
    "buffer": {"clock", "rules", "visitors", "counter", "database"},
    "api": {"clock", "rules", "visitors", "counter", "database", "buffer"},
    "__init__": {"api", "counter"},
}


@pytest.fixture
def article(db):
    root = make_unit(None, "Tổng Liên đoàn", "confederation", "R")
    unit = make_unit(root, "Liên đoàn Lao động tỉnh Bắc Kạn", "provincial-federation", "BK")
    return make_article(unit, "Đại hội", public=True)


# --- the clock --------------------------------------------------------------------------------


def test_the_clocks_zone_is_settings_time_zone(settings):
    evening = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 26th in Hà Nội
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert clock.local_day(evening) == dt.date(2026, 11, 26)
    settings.TIME_ZONE = "UTC"
    assert clock.zone() == ZoneInfo("UTC") and clock.local_day(evening) == dt.date(2026, 11, 25)
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    assert clock.local_day(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)) == dt.date(2026, 11, 26)


@pytest.mark.django_db
def test_views_are_counted_on_the_day_of_settings_time_zone(article, settings, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC))
    settings.TIME_ZONE = "UTC"
    Client().get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    Client().get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.3")
    assert list(SiteDay.objects.order_by("day").values_list("day", "views")) == [
        (dt.date(2026, 11, 25), 1),
        (dt.date(2026, 11, 26), 1),
    ]


# --- the counter, chosen once -------------------------------------------------------------------


@pytest.fixture
def choices(monkeypatch):
    """The counters chosen from now on (the real choice, recorded)."""
    chosen = []
    real = api._choose_counter

    def choose():
        time.sleep(0.05)  # long enough for racing threads to overlap
        chosen.append(real())
        return chosen[-1]

    monkeypatch.setattr(api, "_choose_counter", choose)
    counting.reset()
    return chosen


@pytest.mark.django_db
def test_the_counter_is_chosen_once_on_first_use(client, article, choices, settings):
    assert choices == []  # nothing is chosen before it is needed
    for i in range(3):
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=f"{BROWSER} #{i}")
    client.get("/tin/so-lieu/", {"a": article.pk})
    counting.flush()
    assert counting.site_figures().total == 3
    assert len(choices) == 1 and isinstance(choices[0], DatabaseCounter)
    assert counting.counter() is choices[0] and counting.redis_buffer() is None
    # Only a test changes the setting while running: the choice is made again, on next use.
    settings.THIDUA_VIEW_BUFFER_URL = "redis://127.0.0.1:1/0"
    assert len(choices) == 1
    assert isinstance(counting.counter(), RedisCounter) and len(choices) == 2
    counting.reset()  # what a restart does
    assert counting.counter() is choices[2] is not choices[1]


def test_threads_starting_together_choose_one_counter(choices):
    chosen = run_concurrently(*(counting.counter for _ in range(8)))
    assert len(choices) == 1 and all(counter is choices[0] for counter in chosen)


# --- the package's shape ------------------------------------------------------------------------


def _local(dotted: str) -> str | None:
    """``thidua.portal.counting.x[.y]`` -> ``x``; None for anything outside the package."""
    prefix = "thidua.portal.counting."
    return dotted.removeprefix(prefix).split(".")[0] if dotted.startswith(prefix) else None


def _imports(path: Path) -> tuple[set[str], list[int]]:
    """The package's modules that ``path`` imports, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text())
    local, nested = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, (path.name, node.lineno, "relative import")
            if node.module == "thidua.portal.counting":
                names = {alias.name for alias in node.names}
            else:
                names = {_local(node.module)}
        elif isinstance(node, ast.Import):
            names = {_local(alias.name) for alias in node.names}
        else:
            continue
        local |= {name for name in names if name}
        if node not in tree.body:
            nested.append(node.lineno)
    return local, nested


def test_the_package_depends_one_way_and_hides_no_import_in_functions():
    assert {path.stem for path in PACKAGE.glob("*.py")} == set(LAYERS)
    for name, allowed in LAYERS.items():
        imported, nested = _imports(PACKAGE / f"{name}.py")
        assert imported <= allowed, (name, imported - allowed)
        assert nested == [], (name, "imports inside functions", nested)


def test_no_module_of_the_package_reads_settings_when_imported():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        at_import = [node for node in tree.body if not isinstance(node, ast.FunctionDef | ast.ClassDef)]
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        at_import += [item for cls in classes for item in cls.body if not isinstance(item, ast.FunctionDef)]
        read = [
            node.lineno
            for statement in at_import
            for node in ast.walk(statement)
            if isinstance(node, ast.Name) and node.id == "settings"
        ]
        assert read == [], (path.name, read)


def test_figure_slots_are_keyed_by_the_current_secret_key(settings):
    settings.SECRET_KEY = "one secret key, long enough to be a key"
    first = Slots("site").total
    settings.SECRET_KEY = "another secret key, long enough as well"
    second = Slots("site").total
    assert first != second
    figures = counting.Figures(total=7)
    assert fill_slots(second, site=figures, article=figures, counted=False) == "7"
    assert fill_slots(first, site=figures, article=figures, counted=False) == first  # an old key is just text
