"""The trunk keeps its shape: no module of jikimi imports itself back, modules stay readable in one
sitting, and the faces live in their own packages. (The layers themselves are import-linter
contracts in pyproject.toml, run by ``make test``; these are what a contract cannot say.)"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "jikimi"
MAX_LINES = 500


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("jikimi")


def test_no_module_imports_itself_back_through_any_chain(graph: grimp.ImportGraph) -> None:
    # every import inside functions and under TYPE_CHECKING counts too: a circle is a circle
    circles = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert circles == []


def test_the_circle_check_sees_a_circle_when_there_is_one(graph: grimp.ImportGraph) -> None:
    # the check above must be able to fail: an import from the ground back up to a face is found
    graph.add_import(importer="jikimi.errors", imported="jikimi.cli")
    try:
        assert graph.chain_exists(importer="jikimi.cli", imported="jikimi.errors")
        assert graph.chain_exists(importer="jikimi.errors", imported="jikimi.cli")
    finally:
        graph.remove_import(importer="jikimi.errors", imported="jikimi.cli")


def test_no_module_outside_the_migrations_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_command_line_is_a_package_of_its_own() -> None:
    assert (PACKAGE / "cli" / "__init__.py").is_file()
    assert sorted(p.name for p in PACKAGE.glob("cli_*.py")) == []
    assert not (PACKAGE / "pii_cli.py").exists()
