"""Every way of tampering with the access log is named by `jikimi audit verify --anchors FILE`:
the chain, the first bad row's position, and exit code 1 — on SQLite and on PostgreSQL.

The log is written by a jikimi whose access log is keyed and anchored to a file; the attacker
can write every table of the database but holds no master key and cannot write the anchor file.
It has a history: an older process's chains, expired twice (one cut, one gone whole), with the
two checkpoints those expiries left.
"""

from __future__ import annotations

import json
import secrets
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, update

from jikimi.audit.anchors import FileSink
from jikimi.audit.chain import CHECKPOINT_ACTION, GENESIS, row_hash, row_mac
from jikimi.audit.log import AccessLog, Entry
from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.policy.model import Policy
from jikimi.store.tables import access_log
from jikimi.store.uow import UnitOfWork

from .conftest import START, fast_passwords


@dataclass
class Log:
    """The log under attack: chain ``a`` (the main thread's) and ``b`` (another thread's); ``c``,
    an older chain whose rows 1..5 expired (6 and 7 remain), and ``checkpoints``, the chain of the
    two checkpoints (``c`` cut at 3, then at 5)."""

    engine: Engine
    a: str
    b: str
    anchors: Path
    key_id: str
    db_url: str
    c: str = ""
    checkpoints: str = ""


def chain_rows(conn: Connection, chain: str) -> list[dict[str, Any]]:
    query = select(access_log).where(access_log.c.chain == chain).order_by(access_log.c.chain_seq)
    return [dict(r) for r in conn.execute(query).mappings()]


def put(conn: Connection, row: dict[str, Any], **changes: Any) -> None:
    values = {k: v for k, v in row.items() if k != "seq"} | changes
    conn.execute(insert(access_log).values(**values))


def set_row(conn: Connection, seq: int, **values: Any) -> None:
    conn.execute(update(access_log).where(access_log.c.seq == seq).values(**values))


def rehash_from(conn: Connection, chain: str, position: int, digest: Callable[..., bytes]) -> None:
    """Recompute every digest of ``chain`` from ``position`` on, as an attacker would."""
    rows = chain_rows(conn, chain)
    prev = GENESIS if position == 1 else bytes(rows[position - 2]["hash"])
    for row in rows[position - 1 :]:
        new = digest(prev, chain, row["chain_seq"], row)
        set_row(conn, row["seq"], prev_hash=prev, hash=new)
        prev = new


def plain(prev: bytes, chain: str, seq: int, row: dict[str, Any]) -> bytes:
    return row_hash(prev, chain, seq, row)


ATTACKER_KEY = secrets.token_bytes(32)


def other_key(prev: bytes, chain: str, seq: int, row: dict[str, Any]) -> bytes:
    return row_mac(ATTACKER_KEY, prev, chain, seq, row)


def swap(conn: Connection, column: str, first: dict[str, Any], second: dict[str, Any], temp: Any) -> None:
    """Exchange ``column`` between two rows, through ``temp`` (the column may be unique)."""
    target = access_log.c[column]
    conn.execute(update(access_log).where(access_log.c.seq == first["seq"]).values({target: temp}))
    conn.execute(update(access_log).where(access_log.c.seq == second["seq"]).values({target: first[column]}))
    conn.execute(update(access_log).where(target == temp).values({target: second[column]}))


Where = tuple[str, int]
"""The chain and the position ``verify`` must name."""


def edit(column: str, value: Callable[[Any], Any]) -> Callable[[Connection, Log], Where]:
    def tamper(conn: Connection, log: Log) -> Where:
        row = chain_rows(conn, log.a)[2]
        set_row(conn, row["seq"], **{column: value(row[column])})
        return log.a, 3

    return tamper


def edit_and_rehash(digest: Callable[..., bytes]) -> Callable[[Connection, Log], Where]:
    def tamper(conn: Connection, log: Log) -> Where:
        row = chain_rows(conn, log.a)[2]
        set_row(conn, row["seq"], outcome="denied:role_not_allowed")
        rehash_from(conn, log.a, 3, digest)
        return log.a, 3

    return tamper


def delete_middle(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.seq == chain_rows(conn, log.a)[2]["seq"]))
    return log.a, 3


def delete_middle_and_renumber(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    conn.execute(delete(access_log).where(access_log.c.seq == rows[2]["seq"]))
    for row in rows[3:]:
        set_row(conn, row["seq"], chain_seq=row["chain_seq"] - 1)
    rehash_from(conn, log.a, 3, plain)
    return log.a, 3


def delete_first(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.seq == chain_rows(conn, log.a)[0]["seq"]))
    return log.a, 1


def append_forged(conn: Connection, log: Log) -> Where:
    last = chain_rows(conn, log.a)[-1]
    n = last["chain_seq"] + 1
    forged = dict(last, chain_seq=n, prev_hash=last["hash"], actor="officer-park", purpose="marketing")
    put(conn, forged, hash=plain(last["hash"], log.a, n, forged))
    return log.a, n


def insert_forged_in_middle(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    for row in reversed(rows[2:]):
        set_row(conn, row["seq"], chain_seq=row["chain_seq"] + 1)
    put(conn, dict(rows[2], chain_seq=3, prev_hash=rows[1]["hash"], hash=secrets.token_bytes(32)))
    return log.a, 3


def forge_plain_chain(conn: Connection, log: Log) -> Where:
    template = chain_rows(conn, log.a)[0]
    chain, prev = "deadbeefdeadbeef-00000001", GENESIS
    for n in (1, 2):
        row = dict(template, chain=chain, chain_seq=n, prev_hash=prev)
        prev = plain(prev, chain, n, row)
        put(conn, row, hash=prev)
    return chain, 1


def forge_chain_under_unknown_key(conn: Connection, log: Log) -> Where:
    chain = "0123456789ab.deadbeefdeadbeef-00000001"
    put(conn, dict(chain_rows(conn, log.a)[0], chain=chain, prev_hash=GENESIS, hash=secrets.token_bytes(32)))
    return chain, 1


def forge_chain_under_own_key(conn: Connection, log: Log) -> Where:
    chain = f"{log.key_id}.deadbeefdeadbeef-00000001"
    row = dict(chain_rows(conn, log.a)[0], chain=chain, prev_hash=GENESIS)
    put(conn, row, hash=other_key(GENESIS, chain, 1, row))
    return chain, 1


def reorder_within_chain(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    swap(conn, "chain_seq", rows[2], rows[3], -1)
    return log.a, 3


def reorder_storage_seq(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    swap(conn, "seq", rows[2], rows[3], -1)
    return log.a, 4


def truncate_newest(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    conn.execute(delete(access_log).where(access_log.c.seq.in_([r["seq"] for r in rows[-2:]])))
    return log.a, rows[-2]["chain_seq"]


def delete_whole_chain(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.chain == log.b))
    return log.b, 1


def move_row_to_other_chain(conn: Connection, log: Log) -> Where:
    row = chain_rows(conn, log.a)[2]
    set_row(conn, row["seq"], chain=log.b, chain_seq=len(chain_rows(conn, log.b)) + 1)
    return log.a, 3


def duplicate_row(conn: Connection, log: Log) -> Where:
    rows = chain_rows(conn, log.a)
    n = len(rows) + 1
    put(conn, rows[2], chain_seq=n, prev_hash=rows[-1]["hash"])
    return log.a, n


def duplicate_row_into_other_chain(conn: Connection, log: Log) -> Where:
    row, others = chain_rows(conn, log.a)[2], chain_rows(conn, log.b)
    put(conn, row, chain=log.b, chain_seq=len(others) + 1, prev_hash=others[-1]["hash"])
    return log.b, len(others) + 1


def change_sequence_number(conn: Connection, log: Log) -> Where:
    last = chain_rows(conn, log.a)[-1]
    set_row(conn, last["seq"], chain_seq=last["chain_seq"] + 5)
    return log.a, last["chain_seq"]


def change_chain_id(conn: Connection, log: Log) -> Where:
    conn.execute(
        update(access_log)
        .where(access_log.c.chain == log.b)
        .values(chain=f"{log.key_id}.ffffffffffffffff-00000000")
    )
    return log.b, 1


def swap_rows_between_chains(conn: Connection, log: Log) -> Where:
    mine, theirs = chain_rows(conn, log.a)[2], chain_rows(conn, log.b)[1]
    set_row(conn, mine["seq"], chain="tmp", chain_seq=-1)
    set_row(conn, theirs["seq"], chain=log.a, chain_seq=mine["chain_seq"])
    set_row(conn, mine["seq"], chain=log.b, chain_seq=theirs["chain_seq"])
    return log.a, 3


def delete_newest_checkpoint(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.seq == chain_rows(conn, log.checkpoints)[-1]["seq"]))
    return log.checkpoints, 2


def delete_every_checkpoint(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.chain == log.checkpoints))
    return log.checkpoints, 1


def forge_checkpoint(conn: Connection, log: Log) -> Where:
    """A checkpoint that "expires" the young chain a's first rows, which are then deleted."""
    newest, young = chain_rows(conn, log.checkpoints)[-1], chain_rows(conn, log.a)
    items = json.dumps(sorted(json.loads(newest["items"]) + [f"{log.a}:2:{young[1]['hash'].hex()}"]))
    forged = dict(newest, chain_seq=3, prev_hash=newest["hash"], items=items)
    put(conn, forged, hash=other_key(newest["hash"], log.checkpoints, 3, forged))
    conn.execute(delete(access_log).where(access_log.c.seq.in_([young[0]["seq"], young[1]["seq"]])))
    return log.checkpoints, 3


def edit_checkpoint_items(digest: Callable[..., bytes] | None) -> Callable[[Connection, Log], Where]:
    """Move the newest checkpoint's cut of chain c past row 6 (and delete row 6)."""

    def tamper(conn: Connection, log: Log) -> Where:
        newest = chain_rows(conn, log.checkpoints)[-1]
        kept = chain_rows(conn, log.c)
        items = [i for i in json.loads(newest["items"]) if not i.startswith(log.c + ":")]
        items.append(f"{log.c}:6:{kept[0]['hash'].hex()}")
        set_row(conn, newest["seq"], items=json.dumps(sorted(items)))
        conn.execute(delete(access_log).where(access_log.c.seq == kept[0]["seq"]))
        if digest is not None:
            rehash_from(conn, log.checkpoints, 2, digest)
        return log.checkpoints, 2

    return tamper


def delete_first_row_after_a_checkpoint(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.seq == chain_rows(conn, log.c)[0]["seq"]))
    return log.c, 6


def restore_an_expired_row(conn: Connection, log: Log) -> Where:
    first = chain_rows(conn, log.c)[0]
    put(conn, first, chain_seq=5, at=first["at"] - timedelta(days=800))
    return log.c, 5


def delete_the_rest_of_a_cut_chain(conn: Connection, log: Log) -> Where:
    conn.execute(delete(access_log).where(access_log.c.chain == log.c))
    return log.c, 6


def forge_anchor(conn: Connection, log: Log) -> Where:
    line = json.loads(log.anchors.read_text(encoding="utf-8").splitlines()[-1])
    line.update(chain=log.a, seq=1, sig=secrets.token_hex(32))
    with log.anchors.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    return log.a, 1


KINDS: dict[str, Callable[[Connection, Log], Where]] = {
    "edit_purpose": edit("purpose", lambda v: "marketing"),
    "edit_actor": edit("actor", lambda v: "someone-else"),
    "edit_subject": edit("subject_id", lambda v: "s" + "0" * 31),
    "edit_time": edit("at", lambda v: v + timedelta(seconds=1)),
    "edit_items": edit("items", lambda v: json.dumps(["rrn"])),
    "edit_source": edit("source", lambda v: "198.51.100.9"),
    "edit_outcome": edit("outcome", lambda v: "denied:consent_withdrawn"),
    "edit_reason": edit("reason", lambda v: "감사"),
    "edit_count": edit("count", lambda v: v + 1),
    "edit_mac": edit("hash", lambda v: secrets.token_bytes(32)),
    "edit_link": edit("prev_hash", lambda v: secrets.token_bytes(32)),
    "edit_and_rehash_plain": edit_and_rehash(plain),
    "edit_and_rehash_other_key": edit_and_rehash(other_key),
    "delete_middle": delete_middle,
    "delete_middle_and_renumber_rehash": delete_middle_and_renumber,
    "delete_first": delete_first,
    "append_forged_row": append_forged,
    "insert_forged_row_in_middle": insert_forged_in_middle,
    "forge_plain_chain": forge_plain_chain,
    "forge_chain_under_unknown_key": forge_chain_under_unknown_key,
    "forge_chain_under_attacker_key": forge_chain_under_own_key,
    "reorder_within_chain": reorder_within_chain,
    "reorder_storage_seq": reorder_storage_seq,
    "truncate_newest_rows": truncate_newest,
    "delete_whole_chain": delete_whole_chain,
    "move_row_to_other_chain": move_row_to_other_chain,
    "duplicate_row": duplicate_row,
    "duplicate_row_into_other_chain": duplicate_row_into_other_chain,
    "change_sequence_number": change_sequence_number,
    "change_chain_id": change_chain_id,
    "swap_rows_between_chains": swap_rows_between_chains,
    "forge_anchor_line": forge_anchor,
    # the expired history: checkpoints and the chains they cut
    "delete_newest_checkpoint": delete_newest_checkpoint,
    "delete_every_checkpoint": delete_every_checkpoint,
    "forge_checkpoint": forge_checkpoint,
    "edit_checkpoint_items": edit_checkpoint_items(None),
    "edit_checkpoint_items_and_rehash_other_key": edit_checkpoint_items(other_key),
    "delete_first_row_after_a_checkpoint": delete_first_row_after_a_checkpoint,
    "restore_an_expired_row": restore_an_expired_row,
    "delete_the_rest_of_a_cut_chain": delete_the_rest_of_a_cut_chain,
}


@pytest.fixture
def log(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Log:
    anchors = tmp_path / "anchors" / "access-log.anchors"
    jikimi = build_jikimi(
        policy=reference_policy,
        engine=engine,
        keys=ring,
        clock=clock,
        passwords=fast_passwords(),
        access_log=AccessLog(ring, sink=FileSink(anchors)),
    )
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    for name in ("JIKIMI_KEY_FILE", "JIKIMI_ANCHOR_FILE"):
        monkeypatch.delenv(name, raising=False)
    c, checkpoints = history(engine, ring, anchors)
    write(jikimi, reads=4)
    worker = threading.Thread(target=write, args=(jikimi, 3))
    worker.start()
    worker.join()
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(select(access_log.c.chain).distinct())]
        a, b = sorted(set(names) - {c, checkpoints}, key=lambda n: -len(chain_rows(conn, n)))
    return Log(engine, a, b, anchors, ring.current.id, db_url, c, checkpoints)


def history(engine: Engine, ring: KeyRing, anchors: Path) -> tuple[str, str]:
    """An older process's log, expired twice: chain c (rows 1-3 three years ago, 4-5 two years ago,
    6-7 last month) cut at 3 and then at 5, and a chain of its other thread gone whole at the first
    expiry. Returns c and the checkpoint chain."""
    old, year = AccessLog(ring, sink=FileSink(anchors)), timedelta(days=366)
    long_ago, two_years, last_month = START - 3 * year, START - 2 * year, START - timedelta(days=30)

    def rows(n: int, at: Any) -> None:
        for _ in range(n):
            with UnitOfWork(engine) as uow:
                old.append(
                    uow, [Entry(at=at, actor="cs-kim", action="read", outcome="allowed", items=["name"])]
                )
                uow.commit()

    def expire(before: Any, at: Any) -> None:
        with UnitOfWork(engine) as uow:
            assert old.expire(uow, before=before, at=at).rows
            uow.commit()

    rows(3, long_ago)
    thread = threading.Thread(target=rows, args=(2, long_ago))
    thread.start()
    thread.join()
    rows(2, two_years)
    expire(long_ago + timedelta(days=1), two_years + timedelta(days=1))
    rows(2, last_month)
    expire(two_years + timedelta(days=1), last_month + timedelta(hours=1))
    with engine.connect() as conn:
        (checkpoints,) = {
            r[0]
            for r in conn.execute(select(access_log.c.chain).where(access_log.c.action == CHECKPOINT_ACTION))
        }
        (c,) = {r[0] for r in conn.execute(select(access_log.c.chain).where(access_log.c.action == "read"))}
    return c, checkpoints


def write(jikimi: Jikimi, reads: int) -> None:
    """One row for a sign-up, then ``reads`` reads, each its own commit (and anchor)."""
    sid = secrets.token_hex(16)
    rows = [("self", "collect", ["name", "email"])] + [("cs-kim", "read", ["name"])] * reads
    for actor, action, items in rows:
        with jikimi.core.unit_of_work() as uow:
            jikimi.core.log(uow, jikimi.core.now(), actor, action, subject_id=sid, items=items, reason="문의")
            uow.commit()


def verify(log: Log, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["audit", "verify", "--db", log.db_url, "--anchors", str(log.anchors)])
    return code, capsys.readouterr().out


def test_an_untampered_anchored_log_verifies_without_warnings(
    log: Log, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(log, capsys)
    assert code == 0, out
    assert "WARNING" not in out and "intact" in out
    assert stat.S_IMODE(log.anchors.stat().st_mode) == 0o600
    anchored = [json.loads(line) for line in log.anchors.read_text(encoding="utf-8").splitlines()]
    assert {a["chain"] for a in anchored} >= {log.a, log.b, log.c, log.checkpoints}
    assert set(anchored[0]) == {"chain", "seq", "mac", "at", "key", "sig"}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_tampering_is_named_by_audit_verify(
    kind: str, log: Log, capsys: pytest.CaptureFixture[str]
) -> None:
    with log.engine.begin() as conn:
        chain, position = KINDS[kind](conn, log)
    code, out = verify(log, capsys)
    assert code == 1, out
    named = [line for line in out.splitlines() if line.startswith("위변조 (BROKEN): ")]
    assert any(f"chain {chain}: " in line and f"(chain position {position})" in line for line in named), out


def test_there_are_at_least_23_kinds() -> None:
    assert len(KINDS) >= 23


def test_rows_before_the_upgrade_verify_up_to_the_seal_and_not_after(
    db_url: str,
    engine: Engine,
    reference_policy: Policy,
    ring: KeyRing,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = AccessLog()  # the plain (v1) log of a version before the keyed one
    entry = Entry(at=clock.now(), actor="cs-kim", action="read", outcome="allowed", items=["name"])
    for _ in range(3):
        with UnitOfWork(engine) as uow:
            old.append(uow, [entry])
            uow.commit()
    keyed = AccessLog(ring)
    jikimi = build_jikimi(policy=reference_policy, engine=engine, keys=ring, clock=clock, access_log=keyed)
    assert keyed.seal(engine, clock.now()) and not keyed.seal(engine, clock.now())  # once
    write(jikimi, reads=1)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    db = db_url
    assert run(["audit", "verify", "--db", db]) == 0, capsys.readouterr().out
    with engine.connect() as conn:
        seal = conn.execute(select(access_log).where(access_log.c.action == "audit.seal")).mappings().one()
        (plain_chain,) = [c for c in {r[0] for r in conn.execute(select(access_log.c.chain))} if "." not in c]
    assert seal["chain"] == f"{ring.current.id}.seal" and plain_chain in seal["items"]

    with engine.begin() as conn:  # edited and rehashed: differs from the sealed head
        row = chain_rows(conn, plain_chain)[1]
        set_row(conn, row["seq"], actor="officer-park")
        rehash_from(conn, plain_chain, 2, plain)
    capsys.readouterr()
    assert run(["audit", "verify", "--db", db]) == 1
    assert (
        f"chain {plain_chain}: a row (chain position 3): differs from the head sealed"
        in capsys.readouterr().out
    )

    with engine.begin() as conn:  # the sealed chain deleted
        conn.execute(delete(access_log).where(access_log.c.chain == plain_chain))
    newer = AccessLog()  # a plain chain written after the seal: nothing vouches for it
    with UnitOfWork(engine) as uow:
        newer.append(uow, [entry])
        uow.commit()
    assert run(["audit", "verify", "--db", db]) == 1
    out = capsys.readouterr().out
    assert f"chain {plain_chain}: a row (chain position 1): this plain chain of 3 rows" in out
    assert "a plain (unkeyed) chain that no seal vouches for" in out
