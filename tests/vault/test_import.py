"""Bulk import of existing members: same rules as sign-up, encrypted at rest, every subject logged."""

from __future__ import annotations

import csv
from pathlib import Path

import bcrypt
import pytest
import typer
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from jikimi.bootstrap import Jikimi
from jikimi.cli.importing import import_command
from jikimi.crypto import KeyRing, open_value
from jikimi.errors import InvalidInput
from jikimi.handlers import Handler
from jikimi.store.tables import access_log, item_values
from jikimi.vault.importer import RowProblem

from .conftest import MEMBER

HEADER = ["name", "birthdate", "login_id", "password", "mobile", "email", "ci", "gender", "consent:marketing"]
LEGACY = bcrypt.hashpw(b"legacy-pass-1", bcrypt.gensalt(rounds=4)).decode()


def member(n: int, **changes: str) -> dict[str, str]:
    row = {
        "name": f"회원{n}",
        "birthdate": "1985-05-05",
        "login_id": f"member{n}",
        "password": LEGACY,
        "mobile": f"010-5555-{n:04d}",
        "email": f"member{n}@example.com",
        "ci": f"CI{n:086d}",
        "gender": "여",
        "consent:marketing": "true" if n % 2 else "false",
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored(jikimi: Jikimi, engine: Engine, subject_id: str, item_id: str) -> str:
    with engine.connect() as conn:
        blob = conn.execute(
            select(item_values.c.ciphertext).where(
                item_values.c.subject_id == subject_id, item_values.c.item_id == item_id
            )
        ).scalar_one()
        key = jikimi.core.keys.get(conn, subject_id)
    assert key is not None
    return open_value(key, subject_id, item_id, bytes(blob))


def test_imported_members_are_stored_encrypted_readable_through_the_gate_and_logged(
    jikimi: Jikimi, engine: Engine, tmp_path: Path, support_agent: Handler
) -> None:
    path = write_csv(tmp_path / "members.csv", [member(n) for n in range(1, 6)])
    report = jikimi.vault.import_csv(path, "signup")
    assert (report.imported, report.skipped) == (5, 0)

    with engine.connect() as conn:
        blobs = b"".join(bytes(r[0]) for r in conn.execute(select(item_values.c.ciphertext)))
        logged = conn.execute(
            select(access_log.c.subject_id, access_log.c["items"], access_log.c.reason).where(
                access_log.c.action == "collect.import"
            )
        ).all()
    for plain in ("member3@example.com", "회원3", "010-5555-0003", LEGACY):
        assert plain.encode() not in blobs
    assert len(logged) == 5 and len({r.subject_id for r in logged}) == 5
    assert all("password" in r.items and "member" not in r.items for r in logged)  # item ids, never values

    sid = jikimi.vault.find("email", "member3@example.com", actor=support_agent)
    assert sid is not None
    assert jikimi.vault.read(sid, ["name", "mobile", "email"], "membership", support_agent) == {
        "name": "회원3",
        "mobile": "010-5555-0003",
        "email": "member3@example.com",
    }
    answers = {
        c["target_id"]: c["granted"] for c in jikimi.vault.consents_of(sid) if c["target_kind"] == "purpose"
    }
    assert answers == {"marketing": True}


def test_duplicates_and_bad_rows_are_reported_by_line_and_field_and_skipped(
    jikimi: Jikimi, tmp_path: Path
) -> None:
    jikimi.vault.collect("signup", MEMBER, {"marketing": False})
    rows = [
        member(1),  # line 2: fine
        member(2, mobile="02-12"),  # line 3: not a phone number
        member(3, login_id="member1"),  # line 4: same login id as line 2
        member(4, name=""),  # line 5: required item missing
        member(5, email=MEMBER["email"]),  # line 6: already in the vault
        member(6, **{"consent:marketing": "maybe"}),  # line 7: not a yes/no answer
        member(7),  # line 8: fine
        member(8, ci=member(7)["ci"]),  # line 9: same CI as line 8 (another batch)
    ]
    path = write_csv(tmp_path / "members.csv", rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("only,three,columns\n")  # line 10: wrong number of columns
    seen: list[RowProblem] = []
    report = jikimi.vault.import_csv(path, "signup", batch_size=3, on_problem=seen.append)

    assert (report.imported, report.invalid, report.duplicates) == (2, 4, 3)
    assert [(p.line, p.field, p.kind) for p in report.problems] == [
        (3, "mobile", "invalid"),
        (4, "login_id", "duplicate"),
        (5, "name", "invalid"),
        (6, "email", "duplicate"),
        (7, "consent:marketing", "invalid"),
        (9, "ci", "duplicate"),
        (10, "columns", "invalid"),
    ]
    assert seen == report.problems
    assert "line 2" in report.problems[1].reason_en and "line 8" in report.problems[5].reason_en
    text = " ".join(str(p) for p in report.problems)
    for value in ("02-12", "member1", MEMBER["email"], "maybe", member(7)["ci"]):
        assert value not in text


def test_a_legacy_bcrypt_hash_is_kept_until_the_first_login_then_upgraded_to_argon2id(
    jikimi: Jikimi, engine: Engine, tmp_path: Path, support_agent: Handler
) -> None:
    jikimi.vault.import_csv(write_csv(tmp_path / "members.csv", [member(1)]), "signup")
    sid = jikimi.vault.find("login_id", "member1", actor=support_agent)
    assert sid is not None
    assert stored(jikimi, engine, sid, "password") == LEGACY  # stored as it came, not re-hashed

    assert not jikimi.vault.verify_password(sid, "password", "wrong-password")
    assert stored(jikimi, engine, sid, "password") == LEGACY
    assert jikimi.vault.verify_password(sid, "password", "legacy-pass-1")
    assert stored(jikimi, engine, sid, "password").startswith("$argon2id$")
    assert jikimi.vault.verify_password(sid, "password", "legacy-pass-1")


def test_plain_passwords_are_refused_unless_hashing_is_asked_for(
    jikimi: Jikimi, engine: Engine, tmp_path: Path, support_agent: Handler
) -> None:
    path = write_csv(
        tmp_path / "members.csv",
        [member(1, password="plain-password-1"), member(2, password="$2b$12$broken")],
    )
    report = jikimi.vault.import_csv(path, "signup")
    assert report.imported == 0
    assert [(p.line, p.field) for p in report.problems] == [(2, "password"), (3, "password")]
    assert "--hash-plain-passwords" in report.problems[0].reason_en

    report = jikimi.vault.import_csv(path, "signup", hash_plain_passwords=True)
    assert report.imported == 1 and [(p.line, p.field) for p in report.problems] == [(3, "password")]
    sid = jikimi.vault.find("login_id", "member1", actor=support_agent)
    assert sid is not None
    assert stored(jikimi, engine, sid, "password").startswith("$argon2id$")
    assert jikimi.vault.verify_password(sid, "password", "plain-password-1")


def test_the_header_may_only_name_items_and_consents_of_the_context(jikimi: Jikimi, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as undeclared:
        jikimi.vault.import_csv(
            write_csv(tmp_path / "a.csv", [member(1)], [*HEADER, "refund_account"]), "signup"
        )
    assert undeclared.value.field == "refund_account"
    with pytest.raises(InvalidInput) as missing:
        jikimi.vault.import_csv(
            write_csv(tmp_path / "b.csv", [member(1)], [h for h in HEADER if h != "ci"]), "signup"
        )
    assert missing.value.field == "ci"
    with pytest.raises(InvalidInput) as consent:
        jikimi.vault.import_csv(
            write_csv(tmp_path / "c.csv", [member(1)], [*HEADER, "consent:membership"]), "signup"
        )
    assert consent.value.field == "consent:membership"


def test_children_under_14_follow_the_sign_up_rule(jikimi: Jikimi, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "members.csv", [member(1, birthdate="2020-01-01"), member(2)])
    report = jikimi.vault.import_csv(path, "signup")
    assert report.imported == 1
    assert [(p.line, p.field) for p in report.problems] == [(2, "guardian_name")]


def test_validation_workers_give_the_same_result(jikimi: Jikimi, engine: Engine, tmp_path: Path) -> None:
    rows = [member(n) for n in range(1, 41)] + [member(41, email="member5@example.com")]
    report = jikimi.vault.import_csv(
        write_csv(tmp_path / "members.csv", rows), "signup", batch_size=7, workers=2
    )
    assert (report.imported, report.duplicates) == (40, 1)
    assert [(p.line, p.field) for p in report.problems] == [(42, "email")]
    with engine.connect() as conn:
        assert (
            len(conn.execute(select(access_log.c.seq).where(access_log.c.action == "collect.import")).all())
            == 40
        )


def test_the_import_command_shows_problems_and_a_summary(
    db_url: str, engine: Engine, ring: KeyRing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ..conftest import EXAMPLES  # noqa: TID252

    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)  # keep "import" a sub-command, as when mounted
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    path = write_csv(tmp_path / "members.csv", [member(1), member(2, email="no-at-sign.example"), member(3)])
    result = CliRunner().invoke(
        app,
        [
            "import",
            str(path),
            "--context",
            "signup",
            "--db",
            db_url,
            "--policy",
            str(EXAMPLES / "reference.yaml"),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "members.csv:line 3: email:" in result.output
    assert "imported 2, skipped 1 (1 invalid, 0 duplicates)" in result.output
    assert "no-at-sign" not in result.output
