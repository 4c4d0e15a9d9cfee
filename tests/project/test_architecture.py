"""The apps depend on each other in one direction only, as docs/architecture.md draws them.

Every import of every module of every project app counts, including an import inside a function:
a lazy import is still a dependency, it only hides the cycle from Python's import machinery.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# The allowed direction, lowest first: an app may import only the apps before it. Apps on the
# same line do not import each other.
LAYERS: list[list[str]] = [
    ["common"],
    ["accounts"],
    ["training"],
    ["notifications"],
    ["competencies"],
    ["supervision"],
    ["caseload", "circles"],
    ["dashboards"],
    ["calendars", "home"],
    ["operations"],
    ["audit"],
    ["demo"],
    ["config"],
]


def project_apps() -> list[str]:
    """Our own apps (those with a folder in the project), plus `common` and `config`."""
    local = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT.resolve()
    }
    return sorted(local | {"common", "config"})


def modules(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of each absolute import anywhere in the file, functions included."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def dependencies() -> dict[str, dict[str, list[str]]]:
    """For each app, the other apps it imports, each with where (`path:line`)."""
    names = project_apps()
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in names}
    for app in names:
        for path in modules(app):
            for line, module in imported_names(path):
                target = module.split(".")[0]
                if target in graph and target != app:
                    where = f"{path.relative_to(ROOT)}:{line}"
                    graph[app].setdefault(target, []).append(where)
    return graph


def shortest_way_back(graph: dict[str, dict[str, list[str]]], start: str) -> list[str] | None:
    """The shortest chain of imports from `start` back to itself, if there is one."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for app in frontier:
            for target in sorted(graph[app]):
                if target == start:
                    chain = [app]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [*reversed(chain), start]
                if target not in came_from:
                    came_from[target] = app
                    following.append(target)
        frontier = following
    return None


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """A shortest cycle through each app that is on one (each cycle named once)."""
    found: list[list[str]] = []
    for start in sorted(graph):
        cycle = shortest_way_back(graph, start)
        if cycle and not any(set(cycle) == set(other) for other in found):
            found.append(cycle)
    return found


def describe(cycle: list[str], graph: dict[str, dict[str, list[str]]]) -> str:
    steps = [
        f"  {source} -> {target}: {', '.join(graph[source][target][:3])}"
        for source, target in zip(cycle, cycle[1:], strict=False)
    ]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def dependency_table(graph: dict[str, dict[str, list[str]]]) -> str:
    """The Markdown table docs/architecture.md shows: each app, lowest first, and what it uses."""
    lines = ["| app | depends on |", "|---|---|"]
    for layer in LAYERS:
        for app in layer:
            used = ", ".join(sorted(graph.get(app, {}), key=layer_of)) or "(nothing)"
            lines.append(f"| {app} | {used} |")
    return "\n".join(lines)


def layer_of(app: str) -> int:
    for index, layer in enumerate(LAYERS):
        if app in layer:
            return index
    raise KeyError(app)


def test_no_app_imports_an_app_that_imports_it_back():
    graph = dependencies()
    found = cycles(graph)
    assert not found, "Import cycles between apps:\n" + "\n".join(
        describe(cycle, graph) for cycle in found
    )


def test_every_app_has_its_place_in_the_layers():
    placed = [app for layer in LAYERS for app in layer]
    assert sorted(placed) == project_apps()


def test_apps_import_only_the_apps_below_them():
    graph = dependencies()
    upward = [
        f"{source} -> {target}: {', '.join(where[:3])}"
        for source, targets in graph.items()
        for target, where in targets.items()
        if layer_of(target) >= layer_of(source)
    ]
    assert not upward, "Imports against the layers of docs/architecture.md:\n" + "\n".join(upward)


def test_the_architecture_document_shows_the_dependencies_as_they_are():
    table = dependency_table(dependencies())
    shown = re.search(
        r"<!-- dependencies -->\n(.*?)\n<!-- /dependencies -->", ARCHITECTURE.read_text(), re.S
    )
    assert shown, "docs/architecture.md has lost its table of dependencies"
    assert shown.group(1).strip() == table, (
        "docs/architecture.md's table of dependencies is out of date; it should read:\n" + table
    )


def test_the_cycle_finder_names_a_cycle():
    graph = {
        "accounts": {"training": ["accounts/adapter.py:36"]},
        "training": {"accounts": ["training/models.py:1"]},
        "common": {},
    }
    assert cycles(graph) == [["accounts", "training", "accounts"]]
    assert describe(cycles(graph)[0], graph).startswith("accounts -> training -> accounts\n")
