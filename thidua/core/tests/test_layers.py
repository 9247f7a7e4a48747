"""Layers that hold, checked on the source itself (``ast``), not by convention.

* no module imports another app's ``views``;
* the apps' dependency graph has no cycle, and ``core`` imports no other app;
* no import of a project module inside a function (it would hide a two-way tie).

Imports under ``if TYPE_CHECKING:`` are annotations, never run, and are not counted. That
only ``thidua/accounts`` reads a scope's grant list is tested beside the scope mechanism.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # thidua/


def app_modules():
    """(app, path, tree) of every non-test, non-migration module of an app."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts:
            continue
        yield parts[0], path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def runtime_nodes(tree):
    """Every node except those under ``if TYPE_CHECKING:`` (annotations only, never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue
            stack.append(child)


def imported(node):
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        return [n for n in names if n.startswith("thidua.")]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("thidua.")]
    return []


def dependency_graph():
    graph = defaultdict(set)
    for app, _path, tree in app_modules():
        for node in runtime_nodes(tree):
            for name in imported(node):
                other = name.split(".")[1]
                if other != app and (PACKAGE / other).is_dir():
                    graph[app].add(other)
    return graph


def find_cycle(graph):
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*trail, node, nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, node])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_no_module_imports_another_apps_views():
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for app, path, tree in app_modules()
        for node in runtime_nodes(tree)
        for name in imported(node)
        if name.split(".")[2:3] == ["views"] and name.split(".")[1] != app
    ]
    assert not offenders, offenders


def test_the_apps_depend_on_each_other_without_a_cycle():
    graph = dependency_graph()
    assert set(graph) >= {"campaigns", "registrations", "portal"}, graph  # the walk found the apps
    assert find_cycle(graph) is None, f"import cycle between apps: {' → '.join(find_cycle(graph))}"
    assert not graph.get("core"), f"core imports other apps: {graph['core']}"


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_project_import_hides_inside_a_function():
    hidden = []
    for app, path, tree in app_modules():
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # An AppConfig.ready() importing its own app's receivers is Django's documented
                # way to connect signals; it ties nothing across apps.
                own_ready = path.name == "apps.py" and func.name == "ready"
                hidden += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno} {name}"
                    for node in ast.walk(func)
                    for name in imported(node)[:1]
                    if not (own_ready and (name == f"thidua.{app}" or name.startswith(f"thidua.{app}.")))
                ]
    assert not hidden, hidden


def test_views_never_fetch_a_scoped_row_around_the_scope_mechanism():
    """No ``Model.objects.get(...)`` or ``get_object_or_404(Model, ...)`` of a tree model in a view
    or API module: those go through ``@scoped(Model)`` or ``get_for_user`` (404 outside the scope)."""
    from django.apps import apps

    scoped = {m.__name__ for m in apps.get_models() if getattr(m, "scope_rule", None) is not None}
    offenders = []
    for _app, path, tree in app_modules():
        if path.name not in ("views.py", "manage.py", "api.py"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            direct_get = (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and isinstance(func.value, ast.Attribute)
                and func.value.attr == "objects"
                and getattr(func.value.value, "id", "") in scoped
            )
            shortcut = (
                getattr(func, "id", "") == "get_object_or_404"
                and node.args
                and getattr(node.args[0], "id", "") in scoped
            )
            if direct_get or shortcut:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert scoped >= {"Plan", "Registration", "Article", "Unit", "Member"}
    assert not offenders, offenders
