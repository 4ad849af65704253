"""The advertising send gate's test ground: jikimi keeping the 메크로스 remediated policy (the seed
that asks "문자/이메일/앱푸쉬(알람) 광고 수신동의 여부"), with the clock at 2026-03-02 10:00 KST, and the
helpers the ``test_marketing*`` modules share (their fixtures: ``conftest.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.handlers import Handler
from jikimi.notices.delivery import Channels
from jikimi.periods import KST
from jikimi.store.tables import access_log

from ..conftest import EXAMPLES
from ..policies import cached_policy
from ..seeds.seeds import SEEDS
from ..vault.conftest import fast_passwords

POLICY = EXAMPLES / "remediated" / "mecross.yaml"
SIGNUP = SEEDS["mecross"].member["signup"]
OTHER = SEEDS["mecross"].other_member
CHILD = SEEDS["mecross"].child
assert CHILD is not None
AFTERNOON = datetime(2026, 3, 3, 15, 0, tzinfo=KST)
NIGHT = datetime(2026, 12, 3, 22, 0, tzinfo=KST)


def build(
    engine: Engine, clock: FixedClock, ring: KeyRing | None = None, channels: Channels | None = None
) -> Jikimi:
    return build_jikimi(
        policy=cached_policy(POLICY),
        engine=engine,
        keys=ring or KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
        channels=channels,
    )


def join(jikimi: Jikimi, answers: dict[str, bool], data: dict[str, str] | None = None) -> str:
    """A member signs up with these consent answers (``marketing`` and ``ad:<channel>``)."""
    return jikimi.vault.collect("signup", data or SIGNUP, answers).subject_id


def reason(jikimi: Jikimi, sid: str, channel: str, at: datetime, actor: Handler | str = "system") -> str:
    """The gate's reason for one send (``allowed`` when it may go)."""
    return jikimi.marketing.check([sid], channel=channel, send_at=at, actor=actor).decisions[sid].reason


def log_rows(engine: Engine, action: str) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(access_log).where(access_log.c.action == action).order_by(access_log.c.seq)
        )
        return [dict(r._mapping) for r in rows]


def months(n: int) -> timedelta:
    """About ``n`` months, for moving the clock (the rules count calendar years themselves)."""
    return timedelta(days=round(n * 30.44))
