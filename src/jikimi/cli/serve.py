"""``jikimi serve`` (the HTTP API under uvicorn) and ``jikimi demo`` (a demo database to try it on).

Both are plain Typer command functions, mounted by ``jikimi.cli`` as ``app.command("serve")`` and
``app.command("demo")``; ``--policy`` is required for both (the policy is what is served).

``serve`` reads the master key named by ``--key-file``, ``JIKIMI_KEY_FILE`` or ``JIKIMI_MASTER_KEY``
and nothing else, and refuses a policy whose lint has enforcement-blocking errors unless
``--allow-blocking-lint`` (or ``JIKIMI_ALLOW_BLOCKING_LINT=1``) is given. ``demo`` is the one
command that makes a key of its own: ``var/master.key`` (0600) unless told another place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from jikimi.bootstrap import Jikimi
from jikimi.cli._common import DbOption, KeyFileOption, err, jikimi_for
from jikimi.crypto import KeyRing, MasterKey
from jikimi.demo import DEMO_HANDLERS, define_handlers, demo_people, refresh_tokens, seed_subjects, today_of
from jikimi.errors import UsageError
from jikimi.settings import DEFAULT_KEY_FILE, DEFAULT_SERVE_THREADS, SERVE_THREADS_ENV, Settings
from jikimi.signin import totp
from jikimi.store.engine import database_files, shown_url

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


AllowBlockingLint = Annotated[
    bool,
    typer.Option(
        "--allow-blocking-lint",
        help="집행을 막는 검사 오류가 있는 처리방침도 실행합니다 — 기록되고 /healthz에 표시됩니다 "
        "(run a policy whose lint has enforcement-blocking errors; logged and shown in /healthz; "
        "default: JIKIMI_ALLOW_BLOCKING_LINT, else refused)",
    ),
]


def serve_command(
    policy: PolicyOption,
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="포트 (port)", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="주소 (address to listen on)")] = "127.0.0.1",
    key_file: KeyFileOption = None,
    allow_blocking_lint: AllowBlockingLint = False,
    deliver: Annotated[
        bool,
        typer.Option(
            "--deliver",
            help="서버 안에서 통지와 서비스 이벤트 발송도 합니다 (also deliver the outbox's notices and "
            "the service events inside the server, as `jikimi deliver` does)",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="작업 프로세스 수 (worker processes; default: the CPU count; 1 for an in-memory database)",
            min=1,
            max=64,
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int,
        typer.Option(
            "--threads",
            help="작업 프로세스마다 동시에 DB 작업을 하는 요청 수 (requests per worker doing database work "
            "at once; the rest wait on the event loop)",
            min=1,
            max=256,
        ),
    ] = DEFAULT_SERVE_THREADS,
    shutdown_timeout: Annotated[
        int,
        typer.Option(
            "--shutdown-timeout",
            help="종료 신호 뒤 처리 중인 요청을 기다리는 초 (seconds to let open requests finish after "
            "SIGTERM or Ctrl+C)",
            min=0,
            max=3600,
        ),
    ] = 30,
) -> None:
    """HTTP API 서버와 콘솔·개인정보 센터를 실행합니다. Run the HTTP API, the console and the privacy center.

    The API's OpenAPI docs are at /docs; the console for the privacy officer and handlers at
    /console/ (password and TOTP: `jikimi handlers enrol-totp`); the privacy center for data subjects
    at /privacy/ (a link from POST /v1/privacy/sessions, or a one-time code).

    The policy is linted first: a policy whose lint has errors that block enforcement
    (docs/lint-rules.md) is refused unless --allow-blocking-lint is given.

    --workers N runs N processes on one port (default: one per CPU), each with its own
    connection pool; the schema is migrated, the policy linted and --deliver run once, in the
    parent. SIGTERM or Ctrl+C stops taking connections and lets open requests finish.
    """
    import uvicorn

    from jikimi.api.app import create_app

    settings = Settings.from_env(db_url=db, policy_path=policy, key_file=key_file)
    count = 1 if in_memory(settings.db_url) else workers or default_workers()
    with jikimi_for(db, policy, key_file=key_file, allow_blocking_lint=allow_blocking_lint) as jikimi:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        err.print(f"[bold]jikimi API[/] — 처리방침 {jikimi.policy.version_key} ({policy})")
        if jikimi.policy_check.override:
            rules = ", ".join(jikimi.policy_check.rules)
            err.print(
                f"[bold yellow]경고 (warning)[/]: 집행을 막는 검사 오류를 허용하고 실행합니다 "
                f"(running despite lint errors that block enforcement): {rules}"
            )
        err.print(f"API 문서 (docs):     http://{shown}:{port}/docs")
        err.print(f"OpenAPI:            http://{shown}:{port}/openapi.json")
        err.print(f"상태 (health):      http://{shown}:{port}/healthz")
        err.print(f"작업 프로세스 (workers): {count}")
        stop = threading.Event()
        if deliver:
            err.print("통지 발송 (delivery): 서버 안에서 실행 (running inside the server)")
            if jikimi.delivery.channels.events is not None:
                err.print(
                    "서비스 이벤트 (service events): JIKIMI_EVENTS_URL로 보냄 (posted to JIKIMI_EVENTS_URL)"
                )
            threading.Thread(target=jikimi.delivery.run, args=(stop,), name="deliver", daemon=True).start()
        # uvicorn's access log prints the request line; URLs carry only opaque ids, never personal values.
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": "info",
            "server_header": False,
            "timeout_graceful_shutdown": shutdown_timeout,
        }
        try:
            if count == 1:
                app = create_app(jikimi, max_body_bytes=settings.max_body_bytes, threads=threads)
                uvicorn.run(app, **options)
            else:
                env = worker_environment(settings, allow_blocking_lint=jikimi.policy_check.override)
                with (
                    _metrics_directory() as metrics,
                    _environment(
                        env | {SERVE_THREADS_ENV: str(threads), "PROMETHEUS_MULTIPROC_DIR": metrics}
                    ),
                ):  # what the workers inherit
                    uvicorn.run("jikimi.api.served:worker_app", factory=True, workers=count, **options)
        finally:
            stop.set()


@contextmanager
def _metrics_directory() -> Iterator[str]:
    """Where the workers keep their ``/metrics`` counts (prometheus-client's multiprocess mode): the
    operator's ``PROMETHEUS_MULTIPROC_DIR``, else a fresh private directory removed at the end."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        yield given
        return
    made = tempfile.mkdtemp(prefix="jikimi-metrics-")  # 0700
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` for the block, then as they were."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def in_memory(url: str) -> bool:
    """An in-memory SQLite database lives in one process: it cannot be shared by workers."""
    return url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") in ("sqlite:", "sqlite:/"))


def worker_environment(settings: Settings, *, allow_blocking_lint: bool) -> dict[str, str]:
    """What a worker process reads to open the same jikimi as the parent (``jikimi.api.served``):
    paths made absolute, the key by its file (a key given as ``JIKIMI_MASTER_KEY`` is inherited)."""
    env = {"JIKIMI_DB_URL": settings.db_url}
    if settings.policy_path is not None:
        env["JIKIMI_POLICY"] = str(settings.policy_path.resolve())
    if settings.master_key is None and settings.key_file is not None:
        env["JIKIMI_KEY_FILE"] = str(settings.key_file.resolve())
    if allow_blocking_lint:
        env["JIKIMI_ALLOW_BLOCKING_LINT"] = "1"
    return env


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
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="마스터 키 파일, 없으면 만듭니다 (0600) (master key file, created if missing; default: "
            "JIKIMI_KEY_FILE, else var/master.key)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """데모 DB를 만듭니다: 취급자·역할·가상 정보주체. Create a demo database: handlers, roles, fake subjects.

    The one command that makes a master key of its own when none is configured (var/master.key,
    mode 0600); serve the demo with `jikimi serve --key-file var/master.key` (`make run` does).
    Prints where the database, its key store, the master key and the token file are; a SQLite
    database is created 0600 like the others.
    """  # noqa: E501
    settings = Settings.from_env(db_url=db, policy_path=policy, key_file=key_file)
    if settings.master_key is None:
        path = settings.key_file or DEFAULT_KEY_FILE
        if not path.exists():
            KeyRing(MasterKey.generate()).write(path)
            err.print(f"마스터 키를 만들었습니다 (created the master key file, 0600): {path}")
        settings = Settings.from_env(db_url=db, policy_path=policy, key_file=path)
    with jikimi_for(db, policy, key_file=settings.key_file) as jikimi:
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
    serve = f"jikimi serve --policy {policy} --db {settings.db_url}"
    if settings.master_key is None and settings.key_file is not None:
        serve += f" --key-file {settings.key_file}"
    typer.echo(_instructions(tokens, state, serve, _files(settings)))


CONSOLE_LOGIN = "demo-admin"
"""The demo's privacy officer (개인정보 보호책임자): the administrator role, printed with its sign-in."""


def demo_code_command(
    login: Annotated[str, typer.Argument(help="데모 취급자 계정 (a demo handler's login)")] = CONSOLE_LOGIN,
    tokens: Annotated[
        Path, typer.Option("--tokens", help="데모 토큰 파일 (the demo's token file, from `jikimi demo`)")
    ] = Path("var/demo-tokens.json"),
) -> None:
    """데모 취급자의 지금 OTP 코드를 보여 줍니다 (인증 앱 없이 콘솔에 로그인할 때).

    Print a demo handler's current TOTP code, to sign in to the console without an authenticator
    app. Only for the demo: it reads the secret from the demo's token file (0600); real handlers
    enrol an app (`jikimi handlers enrol-totp`)."""
    try:
        state = json.loads(tokens.read_text(encoding="utf-8"))
        secret = state["handlers"][login]["totp"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{tokens}에 '{login}'의 OTP 비밀이 없습니다. 먼저 `jikimi demo`를 실행하십시오",
            f"no TOTP secret for '{login}' in {tokens}; run `jikimi demo` first",
        ) from exc
    typer.echo(totp.code_at(totp.from_base32(str(secret)), datetime.now(UTC)))


def _files(settings: Settings) -> list[tuple[str, str]]:
    """Where the demo keeps its secrets: the database (and its key store), the master key file, the
    epoch keys that wrap the data keys, and the tombstones of destroyed keys."""
    sqlite = database_files(settings.db_url)
    if sqlite is not None:
        main, keys = sqlite
        files = [("데이터베이스 (database, 0600)", str(main)), ("데이터 키 (data keys, 0600)", str(keys))]
    else:
        files = [("데이터베이스 (database)", shown_url(settings.db_url))]
    if settings.master_key is None and settings.key_file is not None:
        files.append(("마스터 키 (master key, 0600)", str(settings.key_file)))
    else:
        files.append(("마스터 키 (master key)", "JIKIMI_MASTER_KEY"))
    epochs, tombstones = settings.epochs(), settings.tombstones()
    if epochs is not None:
        files.append(("키 주기 (epoch keys, 0600)", str(epochs)))
    if tombstones is not None:
        files.append(("파기 기록 (tombstones, 0600)", str(tombstones)))
    return files


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


def _instructions(tokens: Path, state: dict[str, Any], serve: str, files: list[tuple[str, str]]) -> str:
    examples: dict[str, str] = state.get("examples") or {}
    member = examples.get("member", "<subject_id>")
    token = (
        f'$(python3 -c \'import json; print(json.load(open("{tokens}"))["handlers"]["demo-cs"]["token"])\')'
    )
    base = "http://127.0.0.1:8000"
    roles = ", ".join(f"{login} ({role})" for login, role in DEMO_HANDLERS.items())
    where = "".join(f"  {label}: {path}\n" for label, path in files)
    officer = state["handlers"].get(CONSOLE_LOGIN, {})
    return f"""
데모 준비 완료 (demo ready)
  취급자 (handlers): {roles}
  토큰 파일 (tokens, 0600): {tokens}
{where}  API 문서 (docs): {base}/docs

콘솔 (console): {base}/console/   개인정보 센터 (privacy center): {base}/privacy/
  계정 (login): {CONSOLE_LOGIN}   비밀번호 (password): {officer.get("password", "?")}
  OTP 비밀 (TOTP secret, for an authenticator app): {officer.get("totp", "?")}
  지금의 인증 코드 (the current code, without an app): jikimi demo-code {CONSOLE_LOGIN} --tokens {tokens}

서버를 띄운 뒤 (after `make run`, or: {serve}) 이렇게 호출해 보십시오. Try:

  export TOKEN={token}
  curl -s {base}/healthz
  # 회원 관리 목적으로 이름·이메일 열람 (read name and email for membership; every read is logged)
  curl -s -X POST {base}/v1/subjects/{member}/read -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{{"items": ["name", "email"], "purpose": "membership"}}'
  # 역할에 없는 목적은 403 role_not_allowed (a purpose outside the role is denied with a reason)
  curl -s -X POST {base}/v1/subjects/{member}/read -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{{"items": ["email"], "purpose": "marketing"}}'
"""
