"""Imports point one way: api/cli -> core -> cache, read from the source with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skillmeat"

# Layer -> the layers (module prefixes) it must never import, inside functions included.
FORBIDDEN = {
    "skillmeat.cache": ("skillmeat.core", "skillmeat.api", "skillmeat.cli"),
    "skillmeat.core": ("skillmeat.api", "skillmeat.cli"),
    "skillmeat.api": ("skillmeat.cli",),
    # The CLI shares the API's response schemas, nothing else of it.
    "skillmeat.cli": ("skillmeat.api.app", "skillmeat.api.deps", "skillmeat.api.errors",
                      "skillmeat.api.middleware", "skillmeat.api.routers"),
    "skillmeat.config": ("skillmeat.cache", "skillmeat.core", "skillmeat.api", "skillmeat.cli"),
}
# `skillmeat serve` starts the API server: the one place the CLI builds the app.
ALLOWED = {("skillmeat.cli.main", "skillmeat.api.app")}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(module: str, source: str) -> list[tuple[int, str]]:
    """(line, module) of every import in `source`, relative ones resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports pkg.mod when mod is a module.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(module: str, source: str) -> list[str]:
    out = []
    for layer, banned in FORBIDDEN.items():
        if not _within(module, layer):
            continue
        for line, target in imported(module, source):
            for prefix in banned:
                if _within(target, prefix) and not any(
                        module == m and _within(target, t) for m, t in ALLOWED):
                    out.append(f"{module}:{line} imports {target} ({layer} -> {prefix})")
    return out


def test_no_import_points_back_up_the_layers() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += violations(module_name(path), path.read_text(encoding="utf-8"))
    assert found == []


@pytest.mark.parametrize("module, source", [
    ("skillmeat.cache.repositories", "from skillmeat.core.marketplace.status import X"),
    ("skillmeat.cache.db", "def f():\n    import skillmeat.core.errors\n"),
    ("skillmeat.core.marketplace.scanning", "from skillmeat.api import deps"),
    ("skillmeat.core.marketplace.readers.git", "from ...listing import EntryFilter\n"
                                               "from ....api.schemas import x"),
    ("skillmeat.cli.scanning", "from skillmeat.api.routers.marketplace_sources import f"),
    ("skillmeat.cli.context", "from skillmeat.api.app import cursor_secret"),
])
def test_the_check_catches_an_import_back_up(module: str, source: str) -> None:
    assert violations(module, source)


def test_the_check_lets_the_arrows_that_point_down_pass() -> None:
    assert violations("skillmeat.api.routers.web", "from skillmeat.core import errors") == []
    assert violations("skillmeat.cli.sources", "from skillmeat.api.schemas import x") == []
    assert violations("skillmeat.cli.main", "from skillmeat.api.app import create_app") == []
    assert violations("skillmeat.core.cursor", "from skillmeat.config import Settings") == []


# The services hand sessions around and catch database errors; statements are the cache's.
CORE_MAY_USE = ("sqlalchemy.orm.Session", "sqlalchemy.exc.")


def test_services_build_no_sql_of_their_own() -> None:
    found = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        module = module_name(path)
        for line, target in imported(module, path.read_text(encoding="utf-8")):
            if _within(target.split(".")[0], "sqlalchemy") and not target.startswith(CORE_MAY_USE):
                found.append(f"{module}:{line} imports {target}")
    assert found == []
