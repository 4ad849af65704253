"""Fixtures of the notices tests. The advertising send gate's (``test_marketing*``): ``mecross``,
jikimi keeping the 메크로스 remediated policy on a real SQLite file and a real PostgreSQL;
``subscriber``, an adult who consented to marketing by text message and e-mail, not at night;
``ad_sender``, a handler who may check sends and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.handlers import Handler

from .marketing_setup import build, join


@pytest.fixture
def mecross(engine: Engine, clock: FixedClock) -> Jikimi:
    return build(engine, clock)


@pytest.fixture
def subscriber(mecross: Jikimi) -> str:
    return join(mecross, {"marketing": True, "ad:sms": True, "ad:email": True, "ad:push": False})


@pytest.fixture
def ad_sender(mecross: Jikimi) -> Handler:
    mecross.handlers.define_role("ad_sender", purposes=["marketing"], actions=["marketing"])
    handler, _ = mecross.handlers.create("ad-kang", "correct horse battery", role="ad_sender")
    return handler
