"""The layers of the project, read from the imports of every module (README, Architecture).

Each app may import only the apps below it; nothing imports ``devtools`` but the configuration;
there is no cycle between apps; and no function hides an import of a project module (the usual
way to dodge a cycle).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# From the ground up. An app may import the apps before it in this list, never those after.
LAYERS = [
    "core",  # ground: task enqueuing, health, tallies, widgets, pagination
    "agencies",  # reference data (themes, agencies, host structures), memberships, access rules
    "reports",  # generic generated documents: record, rendering in Celery, PDF, charts, downloads
    "volunteers",
    "exchanges",  # agreements and quotas
    "missions",  # missions and placements (under quotas, of volunteers)
    "voice",  # the volunteer's questionnaire, host assessment, certificate, insertion support
    "evaluations",
    "programmes",  # programmes, calls, applications, laureates (links missions to laureates)
    "dashboard",  # the home page, on top of every domain
    "api",  # the partner API: every domain's services and selectors, over HTTP
    "devtools",  # demo data, generator, benchmark: never imported by the product
    "config",  # settings, URLs, Celery app
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def imports_of(source: str, app: str) -> list[tuple[int, str, bool]]:
    """``(line, imported app, outside any function)`` for each import of a project app."""
    tree = ast.parse(source)
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    in_functions = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, functions)
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [app] if node.level else [node.module or ""]
        else:
            continue
        for module in modules:
            target = module.split(".")[0]
            if target in RANK:
                found.append((node.lineno, target, id(node) not in in_functions))
    return found


def modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def violations(app: str, path: Path, source: str) -> list[str]:
    where = path.relative_to(ROOT) if path.is_absolute() else path
    out = []
    for line, target, at_top in imports_of(source, app):
        if target != app and RANK[target] > RANK[app]:
            out.append(f"{where}:{line}: {app} imports {target}, a layer above it")
        if not at_top and "migrations" not in path.parts:
            out.append(f"{where}:{line}: an import of {target} inside a function")
    return out


def test_every_import_points_down():
    found = [v for app, path in modules() for v in violations(app, path, path.read_text())]
    assert not found, "\n".join(found)


def test_every_app_of_the_project_has_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(LAYERS), f"apps without a layer: {sorted(apps - set(LAYERS))}"


def test_there_is_no_cycle_between_apps():
    graph: dict[str, set[str]] = {app: set() for app in LAYERS}
    for app, path in modules():
        graph[app] |= {t for _, t, _ in imports_of(path.read_text(), app) if t != app}

    def reaches(start, goal, seen):
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    cycles = [app for app in LAYERS if reaches(app, app, {app})]
    assert not cycles, f"apps in a cycle: {cycles}"


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("core", "from dashboard.selectors import dashboard\n", "core imports dashboard"),
        ("volunteers", "from missions import models\n", "volunteers imports missions"),
        ("missions", "def f():\n    from exchanges.models import Quota\n", "inside a function"),
        ("exchanges", "def f():\n    from .quota_report import build\n", "inside a function"),
    ],
)
def test_the_check_sees_a_violating_import(app, source, expected):
    found = violations(app, Path(app) / "probe.py", source)
    assert any(expected in line for line in found), found


def test_the_check_accepts_imports_that_point_down():
    source = "from agencies import rules\nfrom core.tasks import enqueue\nfrom . import selectors\n"
    assert violations("missions", Path("missions/probe.py"), source) == []
