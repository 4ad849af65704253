"""At-rest encryption and crypto-shredding: no value is stored in plaintext, and a destroyed data key
makes the subject's values unreadable even in copies of the database taken before (파기)."""

from __future__ import annotations

import re
import secrets
import shutil
from datetime import date, timedelta
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import Engine, select, text, update

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.crypto import open_value, seal_value
from jikimi.errors import KeyRingError
from jikimi.handlers import Handler
from jikimi.store.engine import make_engine, sqlite_paths
from jikimi.store.tables import item_values
from jikimi.store.uow import UnitOfWork

from .conftest import MEMBER, fast_passwords

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
SYLLABLES = "민서지현우준하윤도연수아영호진경은재원성"


def known_member(i: int) -> dict[str, str]:
    """Distinct, realistic values for member ``i`` (searchable byte strings, unlike any ciphertext)."""
    return {
        "name": SURNAMES[i % 20] + SYLLABLES[(i // 20) % 20] + SYLLABLES[(i * 7) % 20],
        "birthdate": (date(1970, 1, 1) + timedelta(days=11 * i)).isoformat(),
        "login_id": f"probe{i:04d}user",
        "password": f"pw-secret-{i:04d}!",
        "mobile": f"010-{2000 + i:04d}-{(i * 7919) % 10000:04d}",
        "email": f"probe.{i:04d}@example.com",
        "ci": secrets.token_urlsafe(66),
    }


def needles(members: list[dict[str, str]]) -> list[bytes]:
    found: list[bytes] = []
    for member in members:
        found += [value.encode("utf-8") for value in member.values()]
        found.append(member["mobile"].replace("-", "").encode("ascii"))
    return found


SHAPES = [
    rb"(?:[\xea-\xed][\x80-\xbf]{2}){3}",  # a name: three Hangul syllables
    rb"\d{4}-\d{2}-\d{2}",  # a birth date
    rb"probe\d{4}user",  # a login id
    rb"pw-secret-\d{4}!",  # a password
    rb"010-\d{4}-\d{4}|010\d{8}",  # a mobile number, with and without dashes
    rb"probe\.\d{4}@example\.com",  # an e-mail address
    rb"[A-Za-z0-9_-]{88}",  # a CI
]
"""The shapes of the needles. Each needle matches one of them whole (``leaked`` checks), and each shape
is looked for at every offset, so every place a needle occurs is found: the search is exact."""
_AT_EVERY_OFFSET = [re.compile(rb"(?=(" + shape + rb"))") for shape in SHAPES]


def leaked(found_in: bytes, wanted: list[bytes]) -> list[bytes]:
    """The needles that occur anywhere in ``found_in``: one pass per shape over the bytes, instead of one
    scan of the whole database per needle (8,000 scans of megabytes)."""
    assert all(any(re.fullmatch(shape, n) for shape in SHAPES) for n in wanted), "a needle of no known shape"
    seen = {match.group(1) for shape in _AT_EVERY_OFFSET for match in shape.finditer(found_in)}
    return [n for n in wanted if n in seen]


def _checkpoint(engine: Engine) -> None:
    """Move the WAL into the database files (outside any transaction: the engine begins IMMEDIATE ones)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for schema in ("main", "jikimi_keys"):
            busy = cursor.execute(f"PRAGMA {schema}.wal_checkpoint(TRUNCATE)").fetchone()
            assert busy is not None and busy[0] == 0, f"checkpoint of {schema} was blocked"
        cursor.close()
    finally:
        raw.close()


def sqlite_bytes(engine: Engine) -> bytes:
    """Checkpoint the WAL of both files, then read every file of the database: main, keys, -wal, -shm."""
    _checkpoint(engine)
    main, keys = sqlite_paths(str(engine.url))
    files = [
        p for base in (main, keys) for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists()
    ]
    assert main in files and keys in files
    return b"".join(p.read_bytes() for p in files)


def postgres_text(engine: Engine) -> bytes:
    """Every column of every table of both schemas, as PostgreSQL renders rows as text."""
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN ('public', 'jikimi_keys') AND table_type = 'BASE TABLE'"
            )
        ).all()
        assert {"item_values", "data_keys", "access_log"} <= {t.table_name for t in tables}
        rows = [r[0] for s, t in tables for r in conn.execute(text(f'SELECT t::text FROM "{s}"."{t}" t'))]
    return "\n".join(rows).encode("utf-8")


@pytest.mark.slow
def test_known_values_of_1000_members_are_nowhere_in_the_stored_bytes(jikimi: Jikimi) -> None:
    bulk = build_jikimi(
        policy=jikimi.policy,
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
        passwords=fast_passwords(),
    )
    members = [known_member(i) for i in range(1000)]
    for i, member in enumerate(members):
        bulk.vault.collect("signup", member, {"marketing": i % 2 == 0})
    if jikimi.core.engine.dialect.name == "sqlite":
        stored = sqlite_bytes(jikimi.core.engine)
    else:
        stored = postgres_text(jikimi.core.engine)
        # bytea prints as \x<hex>: the bytes it stands for are searched as well
        stored += b"".join(bytes.fromhex(h.decode()) for h in re.findall(rb"\\x((?:[0-9a-f]{2})+)", stored))
    assert b"context=signup" in stored, "the search reads the real stored data"
    assert leaked(stored, needles(members)) == []


def _copy(engine: Engine, target: Path, *, main: bool = True, keys: bool = True) -> None:
    _checkpoint(engine)
    main_file, keys_file = sqlite_paths(str(engine.url))
    target.mkdir(parents=True, exist_ok=True)
    if main:
        shutil.copy(main_file, target / "jikimi.db")
    if keys:
        shutil.copy(keys_file, target / "jikimi.keys.db")


def _ciphertexts(engine: Engine, sid: str) -> dict[str, bytes]:
    with engine.connect() as conn:
        return {
            r.item_id: bytes(r.ciphertext)
            for r in conn.execute(
                select(item_values.c.item_id, item_values.c.ciphertext).where(item_values.c.subject_id == sid)
            )
        }


def _unopenable(blobs: dict[str, bytes], sid: str, keys: list[bytes]) -> None:
    assert keys, "there are other keys to try"
    for item_id, blob in blobs.items():
        for key in keys:
            with pytest.raises(KeyRingError):
                open_value(key, sid, item_id, blob)


OTHER = {
    **MEMBER,
    "login_id": "other",
    "mobile": "010-2222-3333",
    "email": "o@example.com",
    "ci": "CI" + "O" * 86,
}


def test_destroying_a_data_key_makes_every_copy_unreadable(
    jikimi: Jikimi, officer: Handler, tmp_path: Path
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    other = jikimi.vault.collect("signup", OTHER).subject_id
    before = _ciphertexts(jikimi.core.engine, sid)
    is_sqlite = jikimi.core.engine.dialect.name == "sqlite"
    if is_sqlite:
        _copy(jikimi.core.engine, tmp_path / "backup")  # a backup taken before the deletion, main and keys

    with UnitOfWork(jikimi.core.engine) as uow:
        assert jikimi.core.keys.destroy(uow, [sid]) == 1
        uow.commit()

    if is_sqlite:
        restore = tmp_path / "restore"
        shutil.copytree(tmp_path / "backup", restore, ignore=shutil.ignore_patterns("*.keys.db"))
        _copy(jikimi.core.engine, restore, main=False)  # today's key store beside yesterday's data
        engine = make_engine(f"sqlite:///{restore / 'jikimi.db'}")
        restored = build_jikimi(
            policy=jikimi.policy, engine=engine, keys=jikimi.core.keys.ring, clock=jikimi.core.clock
        )
        assert _ciphertexts(engine, sid) == before, "the old copy still holds the ciphertext"
        assert restored.vault.read(sid, ["name", "email"], "membership", officer) == {}
        assert restored.vault.read(other, ["name"], "membership", officer) == {"name": "홍길동"}
        with engine.connect() as conn:
            other_key = restored.core.keys.get(conn, other)
            assert restored.core.keys.get(conn, sid) is None
        engine.dispose()
        whole = make_engine(f"sqlite:///{tmp_path / 'backup' / 'jikimi.db'}")
        control = build_jikimi(
            policy=jikimi.policy, engine=whole, keys=jikimi.core.keys.ring, clock=jikimi.core.clock
        )
        assert control.vault.read(sid, ["name"], "membership", officer) == {"name": "홍길동"}, (
            "control: the key was the difference"
        )
        whole.dispose()
    else:
        assert jikimi.vault.read(sid, ["name", "email"], "membership", officer) == {}
        with jikimi.core.engine.connect() as conn:
            assert jikimi.core.keys.get(conn, sid) is None
            other_key = jikimi.core.keys.get(conn, other)
    assert other_key is not None
    _unopenable(before, sid, [other_key, secrets.token_bytes(32)])


def test_a_ciphertext_moved_to_another_subject_or_item_does_not_open(jikimi: Jikimi) -> None:
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    other = jikimi.vault.collect("signup", OTHER).subject_id
    with jikimi.core.engine.connect() as conn:
        key = jikimi.core.keys.get(conn, sid)
        other_key = jikimi.core.keys.get(conn, other)
    assert key is not None and other_key is not None
    blob = _ciphertexts(jikimi.core.engine, sid)["email"]
    assert open_value(key, sid, "email", blob) == "hong@example.com"
    with pytest.raises(KeyRingError):
        open_value(key, sid, "mobile", blob)
    with pytest.raises(KeyRingError):
        open_value(key, other, "email", blob)
    with pytest.raises(KeyRingError):
        open_value(other_key, other, "email", blob)


def test_a_legacy_bcrypt_password_verifies_once_and_becomes_argon2id(jikimi: Jikimi) -> None:
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    legacy = bcrypt.hashpw(b"legacy-pass-1", bcrypt.gensalt(rounds=4)).decode("ascii")
    with UnitOfWork(jikimi.core.engine) as uow:
        key = jikimi.core.keys.get(uow.conn, sid)
        assert key is not None
        uow.conn.execute(
            update(item_values)
            .where(item_values.c.subject_id == sid, item_values.c.item_id == "password")
            .values(ciphertext=seal_value(key, sid, "password", legacy))
        )
        uow.commit()
    assert jikimi.vault.verify_password(sid, "password", "wrong-pass-1") is False
    assert jikimi.vault.verify_password(sid, "password", "legacy-pass-1") is True
    stored = open_value(key, sid, "password", _ciphertexts(jikimi.core.engine, sid)["password"])
    assert stored.startswith("$argon2id$")
    assert jikimi.vault.verify_password(sid, "password", "legacy-pass-1") is True
    assert jikimi.vault.verify_password(sid, "password", MEMBER["password"]) is False


def test_the_password_given_at_signup_is_stored_as_argon2id(jikimi: Jikimi) -> None:
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    with jikimi.core.engine.connect() as conn:
        key = jikimi.core.keys.get(conn, sid)
    assert key is not None
    assert open_value(key, sid, "password", _ciphertexts(jikimi.core.engine, sid)["password"]).startswith(
        "$argon2id$"
    )
    assert jikimi.vault.verify_password(sid, "password", MEMBER["password"]) is True
