"""What every command group shares: the ``--db``/``--policy``/``--key-file`` options (one definition
each), the consoles, the operator at the terminal, and opening jikimi for a command.

Commands are thin: they build ``Settings`` from the environment and their options, call one
service of the ``Jikimi`` façade (or of ``Admin`` for what needs no policy) and print the result.
Errors are messages with exit code 2 (see ``jikimi.cli.run``).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jikimi.bootstrap import Admin, Jikimi, database_errors, open_admin, open_jikimi
from jikimi.handlers import SYSTEM, Handler
from jikimi.settings import Settings


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[TextOrJson, typer.Option("--format", "-f", help="출력 형식 (output format)")]
"""``--format text|json``: text for people, JSON for programs."""

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="데이터베이스 URL (database URL; default: JIKIMI_DB_URL, else sqlite:///var/jikimi.db)",
        show_default=False,
    ),
]
PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="처리방침 파일 (policy file; default: JIKIMI_POLICY)", show_default=False),
]
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="마스터 키 파일 (master key file; default: JIKIMI_KEY_FILE; no file is read unless named)",
        show_default=False,
    ),
]
PolicyFile = Annotated[Path, typer.Argument(help="처리방침 YAML 파일 (policy YAML file)", show_default=False)]

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def tables() -> Console:
    """Where tables go: the terminal, at its width; a pipe or a file, wide enough that ids and times
    never wrap (rich would otherwise assume 80 columns)."""
    return out if out.is_terminal else Console(soft_wrap=True, width=200)


def split(text: str) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def operator() -> Handler:
    """The person at the terminal, as recorded in the rights log and the access log (``cli:<user>``)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        user = "unknown"
    return Handler(id="cli", login=f"cli:{user}"[:64], role=SYSTEM.role)


@contextmanager
def jikimi_for(
    db: str | None,
    policy: Path | None,
    *,
    migrate: bool = True,
    key_file: Path | None = None,
    allow_blocking_lint: bool = False,
) -> Iterator[Jikimi]:
    """jikimi over ``--db`` and ``--policy`` (and ``--key-file``, ``--allow-blocking-lint`` where a
    command has them) for one command, closed at the end. The environment fills in the rest."""
    settings = Settings.from_env(
        db_url=db, policy_path=policy, key_file=key_file, allow_blocking_lint=allow_blocking_lint or None
    )
    with database_errors():
        jikimi = open_jikimi(settings, migrate=migrate)
        try:
            yield jikimi
        finally:
            jikimi.close()


@contextmanager
def admin_for(db: str | None) -> Iterator[Admin]:
    """The policy-less operations (schema, handlers, access log) over ``--db``, closed at the end."""
    with database_errors():
        admin = open_admin(Settings.from_env(db_url=db))
        try:
            yield admin
        finally:
            admin.close()


def write(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` and say so on stderr."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"저장했습니다 (written): {output}", err=True)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600): it holds personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
