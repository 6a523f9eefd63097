"""The layout's two rules, read from the source: Dagster's private API is imported in one module only, and
the Dagster definitions never import the command line (the UI and `dagster dev` load them without it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
PRIVATE_GATE = ROOT / "orchestration" / "lib" / "dagster_internals.py"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _product_sources() -> list[Path]:
    return sorted(path for folder in ("orchestration", "ingestion") for path in (ROOT / folder).rglob("*.py"))


def test_only_the_gate_imports_dagster_private_api() -> None:
    importers = [
        path.relative_to(ROOT).as_posix()
        for path in _product_sources()
        if any(name.startswith("dagster._") for name in _imported_modules(path))
    ]
    assert importers == [PRIVATE_GATE.relative_to(ROOT).as_posix()]


def test_the_definitions_do_not_import_the_command_line() -> None:
    definitions = [
        ROOT / "orchestration" / "definitions.py",
        *(ROOT / "orchestration" / "defs").rglob("*.py"),
    ]
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(_command_line_imports(path))
        for path in definitions
        if _command_line_imports(path)
    }
    assert offenders == {}


def _command_line_imports(path: Path) -> set[str]:
    return {name for name in _imported_modules(path) if name.startswith("orchestration.cli")}
