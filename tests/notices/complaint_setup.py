"""What the complaint tests share: jikimi over the remediated mecross policy (the seed that promises
an answer within 24 hours, next business day after hours) and over the reference policy, on a real
SQLite file and a real PostgreSQL, a desk handler with the ``complaints`` action, and a scan of
every stored byte for a text that must not be there in plaintext.

A test module takes the fixtures by binding them (``desk = setup.desk``), so that its parameters of
the same names shadow no import."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, LargeBinary, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing
from jikimi.handlers import Handler
from jikimi.periods import KST
from jikimi.store.engine import sqlite_paths
from jikimi.store.tables import metadata

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..policies import cached_policy
from ..vault.conftest import fast_passwords, jikimi, officer, reference_policy, ring

__all__ = ["jikimi", "officer", "reference_policy", "ring"]  # the vault's fixtures, taken from here

MECROSS = EXAMPLES / "remediated" / "mecross.yaml"
BODY = "홍길동입니다. 010-1234-5678로 모르는 광고 문자가 옵니다. 제 개인정보가 어디서 샜나요?"
ANSWER = (
    "홍길동 고객님, 확인 결과 2026-09-30 제휴사 제공 내역은 없습니다. hong@example.com 으로도 안내드렸습니다."
)
SECRETS = ("010-1234-5678", "홍길동", "hong@example.com", "제휴사 제공 내역", "광고 문자")


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)  # type: ignore[misc]


@pytest.fixture
def mecross_jikimi(engine: Engine, ring: KeyRing, clock: FixedClock) -> Jikimi:
    """jikimi enforcing the remediated mecross policy (complaints: 24 hours, business days)."""
    return build_jikimi(
        policy=cached_policy(MECROSS), engine=engine, keys=ring, clock=clock, passwords=fast_passwords()
    )


@pytest.fixture
def desk(jikimi: Jikimi) -> Handler:
    """A customer-centre handler: may handle complaints, and nothing else."""
    jikimi.handlers.define_role("cs_desk", purposes=[], actions=["complaints"])
    handler, _ = jikimi.handlers.create("cs-lim", "correct horse battery", role="cs_desk")
    return handler


@pytest.fixture
def member(jikimi: Jikimi) -> str:
    return jikimi.vault.collect("signup", MEMBER, {"marketing": False}).subject_id


def stored_texts(engine: Engine) -> list[str]:
    """Every value of every row of every table jikimi has (the key schema included), as text; binary
    values decoded as UTF-8 where they can be."""
    texts: list[str] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if isinstance(column.type, LargeBinary) and value is not None:
                        texts.append(bytes(value).decode("utf-8", errors="ignore"))
                    else:
                        texts.append(json.dumps(value, ensure_ascii=False, default=str))
    return texts


def stored_bytes(db_url: str) -> bytes:
    """Every byte of a SQLite database's files (main, keys, their write-ahead logs); none for PostgreSQL."""
    if not db_url.startswith("sqlite"):
        return b""
    found = b""
    for path in sqlite_paths(db_url):
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
            if part.exists():
                found += part.read_bytes()
    return found
