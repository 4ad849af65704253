"""``jikimi serve`` (the HTTP API under uvicorn) and ``jikimi demo`` (a demo database to try it on).

Both are plain Typer command functions, mounted by ``jikimi.cli`` as ``app.command("serve")`` and
``app.command("demo")``; ``--policy`` is required for both (the policy is what is served).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from jikimi.bootstrap import Jikimi
from jikimi.cli._common import DbOption, err, jikimi_for
from jikimi.crypto import KeyRing, MasterKey
from jikimi.demo import DEMO_HANDLERS, define_handlers, demo_people, refresh_tokens, seed_subjects, today_of
from jikimi.errors import UsageError
from jikimi.settings import Settings

PolicyOption = Annotated[
    Path,
    typer.Option(
        "--policy",
        help="처리방침 YAML 파일 (the policy file to enforce)",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]


def serve_command(
    policy: PolicyOption,
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="포트 (port)", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="주소 (address to listen on)")] = "127.0.0.1",
) -> None:
    """HTTP API 서버를 실행합니다 (문서: /docs). Run the HTTP API server (OpenAPI docs at /docs)."""
    import uvicorn

    from jikimi.api.app import create_app

    settings = Settings.from_env(db_url=db, policy_path=policy)
    with jikimi_for(db, policy) as jikimi:
        app = create_app(jikimi, max_body_bytes=settings.max_body_bytes)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        err.print(f"[bold]jikimi API[/] — 처리방침 {jikimi.policy.version_key} ({policy})")
        err.print(f"API 문서 (docs):     http://{shown}:{port}/docs")
        err.print(f"OpenAPI:            http://{shown}:{port}/openapi.json")
        err.print(f"상태 (health):      http://{shown}:{port}/healthz")
        # uvicorn's access log prints the request line; URLs carry only opaque ids, never personal values.
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def demo_command(
    policy: PolicyOption,
    db: DbOption = None,
    subjects: Annotated[
        int,
        typer.Option(
            "--subjects", help="만들 가상 정보주체 수 (number of fake subjects)", min=1, max=100_000
        ),
    ] = 300,
    tokens: Annotated[
        Path, typer.Option("--tokens", help="데모 토큰 파일 (where the demo tokens are written, 0600)")
    ] = Path("var/demo-tokens.json"),
) -> None:
    """데모 DB를 만듭니다: 취급자·역할·가상 정보주체. Create a demo database: handlers, roles, fake subjects."""  # noqa: E501
    settings = Settings.from_env(db_url=db, policy_path=policy)
    if settings.master_key is None and not settings.key_file.exists():
        KeyRing(MasterKey.generate()).write(settings.key_file)
        err.print(f"마스터 키를 만들었습니다 (created the master key file): {settings.key_file}")
    with jikimi_for(db, policy) as jikimi:
        _demo(jikimi, settings, policy, subjects, tokens)


def _demo(jikimi: Jikimi, settings: Settings, policy: Path, subjects: int, tokens: Path) -> None:
    state = _read_state(tokens, settings.db_url)
    existing = {str(row["login"]) for row in jikimi.handlers.all()}
    if "demo-admin" in existing:
        if state is None:
            raise UsageError(
                f"이 데이터베이스에는 이미 데모 취급자가 있지만 토큰 파일({tokens})이 없습니다. 데이터베이스를 지우고 다시 실행하십시오",  # noqa: E501
                f"the database already has demo handlers but the token file {tokens} is missing; "
                "delete the database and run again",
            )
        state["handlers"] = refresh_tokens(jikimi, state["handlers"])
    else:
        state = {
            "db": settings.db_url,
            "policy": str(policy),
            "handlers": define_handlers(jikimi),
            "complete": False,
        }
    _write_state(tokens, state)
    if state.get("complete"):
        err.print(
            f"데모 데이터가 이미 있습니다 — 그대로 씁니다 (reusing the existing demo data in {settings.db_url})"  # noqa: E501
        )
    else:
        with Progress(
            TextColumn("[bold]가상 정보주체 수집 (collecting fake subjects)"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as progress:
            task = progress.add_task("collect", total=subjects)
            seeded = seed_subjects(
                jikimi, demo_people(subjects, today=today_of(jikimi)), lambda: progress.advance(task)
            )
        state |= {
            "complete": True,
            "created": seeded.created,
            "skipped": seeded.skipped,
            "records": seeded.records,
            "examples": seeded.examples,
        }
        _write_state(tokens, state)
        err.print(
            f"수집 완료 (collected): {seeded.created}, 기록 (records) {seeded.records}, "
            f"이미 있음 (already there) {seeded.skipped}"
        )
    typer.echo(_instructions(tokens, state))


def _read_state(path: Path, db_url: str) -> dict[str, Any] | None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(state, dict)
        or state.get("db") != db_url
        or not isinstance(state.get("handlers"), dict)
    ):
        return None
    return state


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, ensure_ascii=False, indent=2)
    os.chmod(path, 0o600)


def _instructions(tokens: Path, state: dict[str, Any]) -> str:
    examples: dict[str, str] = state.get("examples") or {}
    member = examples.get("member", "<subject_id>")
    token = (
        f'$(python3 -c \'import json; print(json.load(open("{tokens}"))["handlers"]["demo-cs"]["token"])\')'
    )
    base = "http://127.0.0.1:8000"
    roles = ", ".join(f"{login} ({role})" for login, role in DEMO_HANDLERS.items())
    return f"""
데모 준비 완료 (demo ready)
  취급자 (handlers): {roles}
  토큰 파일 (tokens, 0600): {tokens}
  API 문서 (docs): {base}/docs

서버를 띄운 뒤 (after `jikimi serve` / `make run`) 이렇게 호출해 보십시오. Try:

  export TOKEN={token}
  curl -s {base}/healthz
  # 회원 관리 목적으로 이름·이메일 열람 (read name and email for membership; every read is logged)
  curl -s -X POST {base}/v1/subjects/{member}/read -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{{"items": ["name", "email"], "purpose": "membership"}}'
  # 역할에 없는 목적은 403 role_not_allowed (a purpose outside the role is denied with a reason)
  curl -s -X POST {base}/v1/subjects/{member}/read -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{{"items": ["email"], "purpose": "marketing"}}'
"""
