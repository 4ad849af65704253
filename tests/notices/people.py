"""What the notice tests share: jikimi over a real database with a given policy, the seeds' members,
and a look at the outbox and the postings as the delivery worker and the website would see them."""

from __future__ import annotations

import copy
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.notices.delivery import Channels
from jikimi.policy.model import Policy
from jikimi.store import outbox as outbox_rows
from jikimi.store.notice_tables import postings
from jikimi.store.outbox import Message
from jikimi.store.tables import outbox

from ..conftest import EXAMPLES  # noqa: TID252
from ..policies import cached_policy, policy_from
from ..vault.conftest import fast_passwords  # noqa: TID252

MECROSS = EXAMPLES / "remediated" / "mecross.yaml"
REFERENCE = EXAMPLES / "reference.yaml"


def jikimi_on(
    engine: Engine,
    clock: FixedClock,
    policy: Policy,
    keys: KeyRing | None = None,
    channels: Channels | None = None,
) -> Jikimi:
    """jikimi over ``engine`` enforcing ``policy`` (``keys``: another jikimi's, to share its database;
    ``channels``: where the delivery worker sends)."""
    return build_jikimi(
        policy=policy,
        engine=engine,
        keys=keys or KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        channels=channels,
    )


@cache
def _data(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return loaded


def data_of(path: Path) -> dict[str, Any]:
    """A policy file as plain data (a fresh copy to edit)."""
    return copy.deepcopy(_data(path))


def version_of(path: Path, version: str, **changes: Any) -> Policy:
    """The policy of ``path`` as a new version: ``version``, its effective date (``effective=None``
    drops it), and top-level ``changes``."""
    data = data_of(path)
    data["version"] = version
    data.pop("announced", None)
    data.update(changes)
    if data.get("effective") is None:
        data.pop("effective", None)
    return policy_from(data)


def yaml_text(data: dict[str, Any]) -> str:
    """Plain data as a policy file's YAML."""
    stream = io.StringIO()
    writer = YAML(typ="safe")
    writer.default_flow_style = False
    writer.allow_unicode = True
    writer.dump(data, stream)
    return stream.getvalue()


def policy_of(path: Path) -> Policy:
    return cached_policy(path)


def consents(jikimi: Jikimi, context: str) -> dict[str, bool]:
    """Yes to every consent the context asks."""
    ctx = jikimi.vault.context(context)
    return {p.id: True for p in jikimi.vault.context_purposes(ctx) if p.basis == "consent"}


def queued(jikimi: Jikimi, kind: str) -> list[Message]:
    with jikimi.core.engine.connect() as conn:
        return outbox_rows.pending(conn, kind=kind)


def raw_payloads(jikimi: Jikimi) -> list[str]:
    """Every outbox payload as stored (to look for personal values in)."""
    with jikimi.core.engine.connect() as conn:
        return list(conn.execute(select(outbox.c.payload)).scalars())


def posted(jikimi: Jikimi, kind: str) -> list[dict[str, Any]]:
    with jikimi.core.engine.connect() as conn:
        rows = conn.execute(select(postings).where(postings.c.kind == kind)).all()
    return [dict(r._mapping) for r in rows]


def as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
