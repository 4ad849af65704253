"""Write docs/cli.md from the CLI itself, so the reference cannot fall behind the commands.

Run ``python scripts/gen_cli_docs.py`` after changing a command; ``tests/test_cli_docs.py``
fails when docs/cli.md differs from what this script would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer import _click as click  # Typer vendors click; its help formatter is what we need here

from jikimi.cli import app

HEADER = """# jikimi 명령 (CLI reference)

이 문서는 `scripts/gen_cli_docs.py`가 CLI에서 직접 만듭니다. 손으로 고치지 마십시오.
(Generated from the CLI itself by `scripts/gen_cli_docs.py`; do not edit by hand.)

Exit codes: `0` success · `1` the check found errors (e.g. lint errors) · `2` the input could not be
used (a policy that does not load, a bad option). Errors print as `file:line: key: reason`.

Ids (subjects, requests) never start with `-`, so they can be typed as arguments. An id written by a
version before that rule may: put `--` before it (`jikimi rights receive --type access -- -Ab3…`).
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(getattr(command, "commands", None), dict):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def render() -> str:
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in _walk(root, ["jikimi"]):
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        level = "#" * min(len(path) + 1, 4)
        parts.append(f"\n{level} `{' '.join(path)}`\n\n```text\n{_plain_help(command, ctx)}\n```\n")
    return "".join(parts)


def _plain_help(command: click.Command, ctx: click.Context) -> str:
    formatter = click.HelpFormatter(width=100, max_width=100)
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)))
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    rows = [record for param in command.get_params(ctx) if (record := param.get_help_record(ctx))]
    if rows:
        with formatter.section("Options"):
            formatter.write_dl(rows)
    commands = getattr(command, "commands", None)
    if isinstance(commands, dict) and commands:
        with formatter.section("Commands"):
            formatter.write_dl([(name, commands[name].get_short_help_str(80)) for name in sorted(commands)])
    return formatter.getvalue().rstrip()


def main() -> None:
    target = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
    target.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
