"""Master key rotation (`jikimi keys rotate`): data keys and the index key are re-wrapped, values untouched."""  # noqa: E501

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from jikimi.audit.anchors import FileSink
from jikimi.audit.log import AccessLog
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.cli import run
from jikimi.crypto import KeyRing
from jikimi.errors import KeyRingError
from jikimi.handlers import Handler
from jikimi.store.tables import data_keys, item_values, key_material

from .conftest import MEMBER

LATE = {
    **MEMBER,
    "login_id": "late",
    "mobile": "010-2222-3333",
    "email": "late@example.com",
    "ci": "CI" + "L" * 86,
}


def _wrapping_ids(jikimi: Jikimi) -> set[str]:
    with jikimi.core.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(select(data_keys.c.master_key_id))}
        return ids | {r[0] for r in conn.execute(select(key_material.c.master_key_id))}


def _values(jikimi: Jikimi) -> dict[tuple[str, str], bytes]:
    with jikimi.core.engine.connect() as conn:
        return {(r.subject_id, r.item_id): bytes(r.ciphertext) for r in conn.execute(select(item_values))}


def test_rotation_rewraps_keys_without_touching_values_then_retires_the_old_key(
    jikimi: Jikimi,
    officer: Handler,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    key_file = tmp_path / "master.key"
    old_ring = jikimi.core.keys.ring
    old_ring.write(key_file)
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    values_before = _values(jikimi)
    assert _wrapping_ids(jikimi) == {old_ring.current.id}

    assert run(["keys", "rotate", "--db", db_url, "--key-file", str(key_file)]) == 0
    out = capsys.readouterr().out
    rotated = KeyRing.from_file(key_file)
    assert rotated.retired == (old_ring.current,) and rotated.current.id in out
    assert "re-wrapped keys): 1" in out and "--retire" in out
    assert old_ring.current.encoded() not in out and rotated.current.encoded() not in out
    assert _wrapping_ids(jikimi) == {rotated.current.id}
    assert _values(jikimi) == values_before, "values are not re-encrypted"

    new_only = build_jikimi(
        policy=jikimi.policy,
        engine=jikimi.core.engine,
        keys=KeyRing(rotated.current),
        clock=jikimi.core.clock,
    )
    assert new_only.vault.read(sid, ["name", "email"], "membership", officer) == {
        "name": "홍길동",
        "email": "hong@example.com",
    }
    assert new_only.vault.find("mobile", "01012345678", actor=officer) == sid

    # a process not yet restarted still wraps new keys under the old master key …
    late = jikimi.vault.collect("signup", LATE).subject_id
    assert _wrapping_ids(jikimi) == {rotated.current.id, old_ring.current.id}
    # … which `--retire` re-wraps before it drops the old key from the file
    assert run(["keys", "rotate", "--retire", "--db", db_url, "--key-file", str(key_file)]) == 0
    assert "re-wrapped 1" in capsys.readouterr().out
    retired = KeyRing.from_file(key_file)
    assert retired.current == rotated.current and retired.retired == ()
    assert {v.id for v in retired.verifiers} == {old_ring.current.id}  # checks what it signed, opens nothing
    assert _wrapping_ids(jikimi) == {rotated.current.id}
    assert new_only.vault.read(late, ["login_id"], "membership", officer) == {"login_id": "late"}

    old_only = build_jikimi(
        policy=jikimi.policy,
        engine=jikimi.core.engine,
        keys=KeyRing(old_ring.current),
        clock=jikimi.core.clock,
    )
    with pytest.raises(KeyRingError):
        old_only.vault.read(sid, ["name"], "membership", officer)


def test_the_access_log_written_under_a_retired_master_key_still_verifies_after_it_leaves_the_key_file(
    jikimi: Jikimi,
    officer: Handler,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    key_file = tmp_path / "master.key"
    old = jikimi.core.keys.master
    old.write(key_file)
    logged = build_jikimi(
        policy=jikimi.policy,
        engine=jikimi.core.engine,
        keys=old,
        clock=jikimi.core.clock,
        access_log=AccessLog(old, sink=FileSink(tmp_path / "access-log.anchors")),
    )
    sid = logged.vault.collect("signup", MEMBER).subject_id
    logged.vault.read(sid, ["name"], "membership", officer)  # access-log rows under the old key
    settings = ["--db", db_url, "--key-file", str(key_file)]
    assert run(["keys", "rotate", *settings]) == 0
    assert run(["keys", "rotate", "--retire", *settings]) == 0
    capsys.readouterr()
    assert run(["audit", "verify", *settings]) == 0, capsys.readouterr()
    text = key_file.read_text(encoding="ascii")
    assert old.current.encoded() not in text and f"verify:{old.current.id}:" in text
    ring = KeyRing.from_file(key_file)
    assert old.current.id in ring.ids() and old.current.id not in {
        k.id for k in (ring.current, *ring.retired)
    }
    with pytest.raises(KeyRingError):
        ring.get(old.current.id)  # a verifier unwraps nothing


def test_retire_without_retired_keys_changes_nothing(
    jikimi: Jikimi,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("JIKIMI_MASTER_KEY", raising=False)
    key_file = tmp_path / "master.key"
    jikimi.core.keys.ring.write(key_file)
    assert run(["keys", "rotate", "--retire", "--db", db_url, "--key-file", str(key_file)]) == 0
    assert "no retired key" in capsys.readouterr().out
    assert KeyRing.from_file(key_file) == jikimi.core.keys.ring
