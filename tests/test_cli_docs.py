"""The CLI reference is generated from the CLI; every command has help text and is documented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

from jikimi.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_cli_md_is_what_the_cli_says() -> None:
    expected = _generator().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python scripts/gen_cli_docs.py`"


def test_every_command_has_korean_and_english_help() -> None:
    module = _generator()
    for path, command in module._walk(typer.main.get_command(app), ["jikimi"]):
        text = command.help or ""
        assert text.strip(), f"{' '.join(path)} has no help text"
        assert any("\uac00" <= ch <= "\ud7a3" for ch in text), f"{' '.join(path)} help has no Korean"
        assert any("a" <= ch.lower() <= "z" for ch in text), f"{' '.join(path)} help has no English"


def test_readme_quick_start_is_exactly_make_run_and_make_test() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
