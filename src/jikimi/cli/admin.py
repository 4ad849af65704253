"""``jikimi db``, ``keys``, ``handlers`` and ``audit``: what an operator runs without a policy — the
schema, master keys, handler accounts and roles, and the access log. ``audit verify`` exits 1 when
the access log is broken.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jikimi import bootstrap
from jikimi import keys as rotation
from jikimi.bootstrap import database_errors
from jikimi.cli._common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    PolicyOption,
    TextOrJson,
    admin_for,
    jikimi_for,
    operator,
    out,
    split,
)
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import UsageError
from jikimi.settings import DEFAULT_KEY_FILE, Settings

db_app = typer.Typer(
    help="데이터베이스 (database): 스키마 업그레이드, 복원 점검. Schema upgrades, the restore check.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="키 관리 (keys): 마스터 키 생성·교체와 키 주기. Master keys, rotation, key-encryption epochs.",
    no_args_is_help=True,
)
audit_app = typer.Typer(
    help="접속기록 (access log): 위변조 검증, 보관기간 만료, 월간 점검. Verify, expire, monthly review.",
    no_args_is_help=True,
)
handlers_app = typer.Typer(
    help="개인정보취급자 (handlers): 계정과 역할. Handler accounts and roles.", no_args_is_help=True
)


# -- db ---------------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """데이터베이스 스키마를 최신으로 올립니다. Upgrade the database schema to the newest revision.

    SQLite: creates the file (and NAME.keys.db beside it) if missing. PostgreSQL: creates the
    jikimi_keys schema and the tables.
    """
    with admin_for(db) as admin:
        revision = admin.upgrade()
    typer.echo(f"스키마 버전 (schema revision): {revision}")


@db_app.command("restore-check")
def db_restore_check(db: DbOption = None, key_file: KeyFileOption = None) -> None:
    """복원한 백업이 되살린 파기 대상을 다시 파기합니다. Re-destroy what a restored backup brought back.

    Reads the tombstone file (JIKIMI_TOMBSTONE_FILE, else destroyed.tombstones beside the key file):
    the ids of every key jikimi destroyed. Every one of them the database holds again (a backup
    restored from before the destruction) is destroyed again, with the values, records and look-ups
    it sealed and the subject's row. Says how many. Lines of the file that do not verify against
    the master key are not applied and make the command exit 1. `serve`, `sweep` and every command
    that opens a policy run the same check at start. See docs/operations.md.
    """
    settings = Settings.from_env(db_url=db, key_file=key_file)
    with database_errors():
        result = bootstrap.db_restore_check(settings)
    typer.echo(
        f"파기 기록 (tombstones): {result.tombstones}; 다시 파기한 키 (keys destroyed again): {result.keys}, "
        f"행 (rows): {result.rows}, 대상자 (subjects): {result.subjects}"
    )
    if result.truncated:
        typer.echo(
            "파기 기록 파일의 끝이 잘렸습니다: 앵커가 본 줄이 없습니다 "
            "(the tombstone file lost lines from its end that its anchor saw; see docs/operations.md)",
            err=True,
        )
    if result.bad_lines:
        lines = ", ".join(str(n) for n in result.bad_lines[:10])
        typer.echo(
            f"검증되지 않은 줄 (lines that do not verify, not applied): {len(result.bad_lines)} ({lines})",
            err=True,
        )
    if result.bad_lines or result.truncated:
        raise typer.Exit(1)


# -- keys -------------------------------------------------------------------------------------------


@keys_app.command("init")
def keys_init(
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="만들 키 파일 (key file to create; default: JIKIMI_KEY_FILE, else var/master.key)",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="기존 키 파일을 덮어씁니다 (overwrite an existing key file)")
    ] = False,
) -> None:
    """새 마스터 키 파일을 만듭니다 (권한 0600). Create a new master key file (mode 0600).

    Prints the key id, never the key. Refuses to overwrite an existing file unless --force is given:
    overwriting a key file that protects data makes that data unreadable.
    """
    path = Settings.from_env(key_file=key_file).key_file or DEFAULT_KEY_FILE
    if path.exists() and not force:
        raise UsageError(
            f"키 파일이 이미 있습니다: {path} (덮어쓰려면 --force)",
            f"the key file {path} exists; use --force to overwrite it (data it protects becomes unreadable)",
        )
    key = MasterKey.generate()
    rotation.write_ring(KeyRing(current=key), path)
    typer.echo(f"마스터 키를 만들었습니다 (created master key) id={key.id}: {path}")
    typer.echo(
        "이 파일을 안전하게 백업하십시오. (Back this file up somewhere safe; without it the data is lost.)"
    )
    typer.echo(
        f"jikimi는 지정한 키 파일만 읽습니다 (jikimi reads only a key file it is told of): "
        f"export JIKIMI_KEY_FILE={path}"
    )


@keys_app.command("rotate")
def keys_rotate(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    retire: Annotated[
        bool,
        typer.Option(
            "--retire",
            help="교체를 마무리하고 이전 키를 키 파일에서 지웁니다 (finish a rotation and drop the retired keys)",  # noqa: E501
        ),
    ] = False,
) -> None:
    """마스터 키를 교체합니다: 데이터 키를 새 키로 다시 감쌉니다. Rotate the master key.

    Step 1, `jikimi keys rotate`: adds a new current key to the key file (the old one stays in it as
    retired), then re-wraps every data key and the blind-index key under the new key. Values are not
    touched. Step 2, after every process using the key file has been restarted with the new file (and
    for every database that uses it), `jikimi keys rotate --retire` re-wraps any key still under a
    retired key and removes the retired keys from the file. JIKIMI_MASTER_KEY must be unset: rotation
    rewrites the key file.
    """
    settings = Settings.from_env(db_url=db, key_file=key_file)
    if retire:
        with database_errors(), out.status("이전 키로 감싼 키를 찾는 중 (re-wrapping stragglers)…"):
            done = rotation.retire(settings)
        if not done.retired:
            typer.echo(f"지울 이전 키가 없습니다 (no retired key to remove); current id={done.current}")
            return
        gone = ", ".join(done.retired)
        typer.echo(
            f"다시 감싼 키 {done.rewrapped}개 (re-wrapped {done.rewrapped}); "
            f"이전 키를 지웠습니다 (removed retired keys): {gone}"
        )
        return
    with database_errors(), out.status("데이터 키를 다시 감싸는 중 (re-wrapping data keys)…"):
        done = rotation.rotate(settings)
    old = ", ".join(done.retired)
    typer.echo(
        f"새 마스터 키 (new master key) id={done.current}; 다시 감싼 키 (re-wrapped keys): {done.rewrapped}"
    )
    typer.echo(
        f"이전 키 {old}는 키 파일에 남아 있습니다. 이 키 파일을 쓰는 모든 프로세스를 다시 시작한 뒤 "
        f"`jikimi keys rotate --retire`로 지우십시오. (The old key stays in the file as retired; restart every "  # noqa: E501
        f"process using it, then run `jikimi keys rotate --retire` to remove it.)"
    )


@keys_app.command("epoch")
def keys_epoch(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    retire: Annotated[
        bool,
        typer.Option(
            "--retire",
            help="이전 주기 키를 지우고 키 테이블을 압축합니다 (drop the older epoch keys, compact the key tables)",  # noqa: E501
        ),
    ] = False,
    grace: Annotated[
        float,
        typer.Option(
            "--grace",
            min=0.0,
            max=600.0,
            help="--retire: 마지막으로 다시 감싸기 전 기다리는 초 (seconds to wait before the last re-wrap)",
        ),
    ] = rotation.RETIRE_GRACE_SECONDS,
) -> None:
    """데이터 키를 감싸는 키 주기를 바꿉니다. Start a new key-encryption epoch, or retire the old ones.

    `jikimi keys epoch` adds a new epoch key to the epoch file (JIKIMI_EPOCH_FILE, else
    data-keys.epochs beside the key file) and re-wraps every data key under it.
    `jikimi keys epoch --retire` re-wraps any key still under an older epoch, removes the older epoch
    keys from the file and compacts the key tables: every earlier copy of a destroyed key — old
    pages, WAL segments, backups — is then wrapped under a key that exists nowhere. Run both every
    epoch (e.g. monthly) and keep backups no longer than one epoch: docs/operations.md.
    """
    settings = Settings.from_env(db_url=db, key_file=key_file)
    if retire:
        with database_errors(), out.status("이전 주기의 키를 다시 감싸는 중 (re-wrapping, then retiring)…"):
            done = rotation.retire_epochs(settings, grace=grace)
        gone = ", ".join(done.retired) or "-"
        typer.echo(
            f"현재 주기 (current epoch) id={done.current}; 다시 감싼 키 (re-wrapped keys): {done.rewrapped}; "
            f"지운 주기 (retired epochs): {gone}"
        )
        return
    with database_errors(), out.status("데이터 키를 새 주기로 감싸는 중 (re-wrapping data keys)…"):
        done = rotation.begin_epoch(settings, datetime.now(UTC))
    typer.echo(
        f"새 주기 (new epoch) id={done.current}; 다시 감싼 키 (re-wrapped keys): {done.rewrapped}. "
        f"`jikimi keys epoch --retire`로 이전 주기를 지우십시오 (then retire the older epochs)."
    )


# -- handlers ---------------------------------------------------------------------------------------


@handlers_app.command("create")
def handlers_create(
    login: Annotated[str, typer.Argument(help="취급자 계정 (handler login)", show_default=False)],
    role: Annotated[str, typer.Option("--role", help="역할 이름 (role name)", show_default=False)],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="비밀번호를 표준 입력 한 줄에서 읽습니다 (read the password from stdin)"
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """취급자 계정을 만들고 API 토큰을 한 번만 보여 줍니다. Create a handler account; prints its API token once.

    The password must be at least 10 characters. Without --password-stdin it is prompted for.
    """  # noqa: E501
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("비밀번호 (password)", hide_input=True, confirmation_prompt=True)
    with admin_for(db) as admin:
        handler, token = admin.handlers.create(login, password, role=role, actor=operator(), source="cli")
    typer.echo(f"취급자를 만들었습니다 (created handler) {handler.login} role={role}")
    typer.echo("API 토큰 (API token; shown once, store it now):")
    typer.echo(token)


@handlers_app.command("enrol-totp")
def handlers_enrol_totp(
    login: Annotated[str, typer.Argument(help="취급자 계정 (handler login)", show_default=False)],
    policy: PolicyOption = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
) -> None:
    """콘솔 2단계 인증(OTP)을 등록하고 비밀을 한 번만 보여 줍니다. Enrol a console second factor (TOTP).

    Prints the secret (base32) and its otpauth:// address once: enter it into an authenticator app.
    Enrolling again replaces the old secret and ends the handler's console sessions. The secret is
    stored sealed under a key derived from the master key, so this needs the key (--key-file).
    """
    from jikimi.signin import totp

    with jikimi_for(db, policy, key_file=key_file) as jikimi:
        secret = jikimi.sessions.enrol(login, actor=operator(), source="cli")
    typer.echo(f"2단계 인증을 등록했습니다 (enrolled a TOTP factor for) {login}")
    typer.echo("OTP 비밀 (TOTP secret; shown once, enter it into an authenticator app now):")
    typer.echo(secret)
    typer.echo(totp.provisioning_uri(totp.from_base32(secret), login))


@handlers_app.command("list")
def handlers_list(db: DbOption = None) -> None:
    """취급자 계정 목록 (역할, 잠김, 비활성). List handler accounts with role and lock state."""
    with admin_for(db) as admin:
        rows = admin.handlers.all()
    table = Table(title="개인정보취급자 (handlers)")
    for column in ("login", "role", "locked", "disabled", "created"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["login"]),
            str(row["role"]),
            "yes" if row["locked"] else "-",
            "yes" if row["disabled"] else "-",
            str(row["created_at"])[:19],
        )
    out.print(table)


@handlers_app.command("unlock")
def handlers_unlock(
    login: Annotated[str, typer.Argument(help="취급자 계정 (handler login)", show_default=False)],
    db: DbOption = None,
) -> None:
    """잠긴 취급자 계정을 풉니다 (권한 기록에 남음). Unlock a handler locked after failed logins.

    A lock after failed logins ends by itself (1 minute, doubling with each further failure, at
    most an hour) and stops new logins only; tokens already issued keep working.
    """
    with admin_for(db) as admin:
        admin.handlers.unlock(login, actor=operator(), source="cli")
    typer.echo(f"잠금을 풀었습니다 (unlocked): {login}")


@handlers_app.command("revoke-tokens")
def handlers_revoke_tokens(
    login: Annotated[str, typer.Argument(help="취급자 계정 (handler login)", show_default=False)],
    db: DbOption = None,
) -> None:
    """취급자의 API 토큰을 즉시 폐기합니다 (권한 기록에 남음). Revoke a handler's API tokens at once.

    For a lost device or a leaked token: the account stays, and its next login issues a fresh
    token. Tokens also expire on their own (JIKIMI_TOKEN_HOURS, default 12 hours).
    """
    with admin_for(db) as admin:
        admin.handlers.revoke_tokens(login, actor=operator(), source="cli")
    typer.echo(f"토큰을 폐기했습니다 (revoked tokens): {login}")


@handlers_app.command("role")
def handlers_role(
    name: Annotated[str, typer.Argument(help="역할 이름 (role name)", show_default=False)],
    purposes: Annotated[
        str,
        typer.Option(
            "--purposes",
            help="쉼표로 구분한 목적 id, 전부는 * (comma-separated purpose ids, or *)",
            show_default=False,
        ),
    ],
    actions: Annotated[
        str,
        typer.Option(
            "--actions",
            help="쉼표로 구분한 작업 (comma-separated: collect, read, record, consent, export, admin, audit)",
            show_default=False,
        ),
    ],
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """역할을 만들거나 바꿉니다 (최소 권한). Define or change a role: the purposes and actions it allows.

    Every grant and change is kept in the rights log for three years.
    """
    wanted = split(purposes)
    path = Settings.from_env(policy_path=policy).policy_path
    if path is not None:
        from jikimi.policy.load import load_policy

        known = load_policy(path).purposes_by_id
        unknown = [p for p in wanted if p != "*" and p not in known]
        if unknown:
            raise UsageError(f"처리방침에 없는 목적: {unknown}", f"purposes not in the policy: {unknown}")
    with admin_for(db) as admin:
        role = admin.handlers.define_role(
            name, purposes=wanted, actions=split(actions), actor=operator(), source="cli"
        )
    typer.echo(f"역할 (role) {role.name}: purposes={sorted(role.purposes)} actions={sorted(role.actions)}")


# -- audit ------------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    anchors: Annotated[
        Path | None,
        typer.Option(
            "--anchors",
            help="앵커 파일 (anchor file; default: JIKIMI_ANCHOR_FILE, else access-log.anchors beside the key file)",  # noqa: E501
            show_default=False,
        ),
    ] = None,
) -> None:
    """접속기록 체인을 검증합니다 (MAC, 연결, 앵커). Verify the access log's keyed chains and anchors.

    With the master key (JIKIMI_MASTER_KEY, JIKIMI_KEY_FILE or --key-file) every row's MAC is
    checked; against the anchor file, rows removed from the end of a chain and deleted chains are
    found. Each broken chain is named with its first bad row (chain, seq, chain position). Exit
    code 0: no break found (warnings, printed with "경고 (WARNING)", say what could not be checked:
    without the master key the MACs, without anchors a truncation or a deleted chain); 1: a row or
    chain was altered, forged, moved, reordered or removed.
    """
    settings = Settings.from_env(db_url=db, key_file=key_file)
    ring = settings.key_ring() if settings.has_keys() else None
    with admin_for(db) as admin:
        result = admin.audit.verify(keys=ring, anchor_file=anchors or settings.anchors())
    for problem in result.breaks:
        typer.echo(f"위변조 (BROKEN): {problem}")
    for warning in result.warnings:
        typer.echo(f"경고 (WARNING): {warning}")
    state = "정상 (intact)" if result.ok else "위변조 의심 (broken)"
    typer.echo(
        f"접속기록 {result.rows}행, 체인 {result.chains}개: {state} ({result.rows} rows in {result.chains} chains)"  # noqa: E501
    )
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("expire")
def audit_expire(policy: PolicyOption = None, db: DbOption = None) -> None:
    """보관기간이 지난 접속기록을 파기합니다 (검증점을 남김). Destroy access-log rows past their retention.

    The retention is the law's minimum for this service (안전성 확보조치 기준 제8조): 1 year, or 2
    years with 50,000 or more subjects or unique-identifier or sensitive data in the policy; or
    JIKIMI_ACCESS_LOG_YEARS when longer (a shorter setting is refused). A keyed checkpoint written
    in the same transaction lets what remains verify. Every `jikimi sweep` does this too. Exit code
    1 when a checkpoint or a due row does not verify (nothing of it is destroyed: run `jikimi audit
    verify`).
    """
    from jikimi.periods import KST

    with jikimi_for(db, policy) as jikimi:
        done = jikimi.lifecycle.expire_access_log()
    expiry, retention = done.expiry, done.retention
    cutoff = expiry.before.astimezone(KST).isoformat(timespec="minutes")
    typer.echo(
        f"보관기간 {retention.korean()}: {cutoff} 이전 접속기록 {expiry.rows:,}행을 파기했습니다 "
        f"(retention {retention.english()}: {expiry.rows:,} rows before {cutoff} destroyed)"
    )
    if expiry.checkpoint is not None:
        typer.echo(
            f"검증점 (checkpoint): 체인 {len(expiry.chains)}개, 위치 {expiry.checkpoint} "
            f"({len(expiry.chains)} chains cut; checkpoint position {expiry.checkpoint})"
        )
    for chain in expiry.kept:
        typer.echo(f"보류 (KEPT): chain {chain}: its last due row does not verify; run jikimi audit verify")
    if expiry.held:
        typer.echo(f"보류 (HELD): {expiry.held}")
    raise typer.Exit(1 if expiry.held or expiry.kept else 0)


@audit_app.command("report")
def audit_report(
    month: Annotated[
        str, typer.Option("--month", help="점검할 달 YYYY-MM (month, Korean time)", show_default=False)
    ],
    format: FormatOption = TextOrJson.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="저장할 파일 (default: stdout)")
    ] = None,
    db: DbOption = None,
) -> None:
    """접속기록 월간 점검 보고서를 만듭니다. The monthly access-log review, for the privacy officer to sign.

    Reads per handler, denials by reason, bulk reads and downloads with their reasons, reads outside
    working hours (09:00-18:00 KST on working days), handlers whose volume jumped, rights changes,
    and the chain heads to keep as an anchor.
    """
    from jikimi.audit.report import render_text
    from jikimi.periods import month_bounds

    month_bounds(month)  # a bad month is a usage error before any database work
    with admin_for(db) as admin:
        report = admin.audit.monthly_report(month, actor=operator())
    text = (
        json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if format is TextOrJson.json
        else render_text(report)
    )
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    typer.echo(f"저장했습니다 (written): {output}", err=True)
