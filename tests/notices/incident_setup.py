"""What the breach-response tests share: a vault (SQLite file and PostgreSQL) under a variant of the
reference policy that also declares a sensitive item and a unique identifier, members imported in
bulk, and handlers with and without the ``incident`` action."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.handlers import Handler
from jikimi.policy.model import Policy
from jikimi.store.tables import subjects

from ..policies import policy_with
from ..vault.conftest import fast_passwords

HEADER = ["name", "birthdate", "login_id", "password", "mobile", "email", "ci", "consent:marketing"]
LEGACY = bcrypt.hashpw(b"legacy-pass-1", bcrypt.gensalt(rounds=4)).decode()  # stored as it is: fast


def _declare_special_items(data: dict[str, Any]) -> None:
    data["contexts"].append(
        {
            "id": "app_signup",
            "label": "앱 회원가입 (휴대전화만)",
            "subjects": "member",
            "required": ["name", "birthdate", "login_id", "password", "mobile", "ci"],
            "purposes": ["membership"],
            "channels": ["app"],
        }
    )
    data["items"] += [
        {
            "id": "health_note",
            "label": "건강 상태",
            "label_en": "health",
            "class": "sensitive",
            "sensitive_kind": "health",
        },
        {
            "id": "passport_no",
            "label": "여권번호",
            "label_en": "passport number",
            "format": "passport",
            "class": "unique_id",
        },
    ]


def incident_policy() -> Policy:
    """The reference policy, also declaring 건강 상태 (sensitive) and 여권번호 (a unique identifier),
    and an app sign-up that asks for a mobile number and no e-mail."""
    return policy_with(_declare_special_items)


def jikimi_over(engine: Engine, clock: FixedClock, policy: Policy | None = None) -> Jikimi:
    return build_jikimi(
        policy=policy or incident_policy(),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
    )


@pytest.fixture
def jikimi(engine: Engine, clock: FixedClock) -> Jikimi:
    return jikimi_over(engine, clock)


@pytest.fixture
def officer(jikimi: Jikimi) -> Handler:
    """The privacy team: may handle incidents, and nothing else."""
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["incident"])
    handler, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    return handler


@pytest.fixture
def support_agent(jikimi: Jikimi) -> Handler:
    """A support agent: reads for membership, and may not handle incidents."""
    jikimi.handlers.define_role("cs", purposes=["membership"], actions=["read"])
    handler, _ = jikimi.handlers.create("cs-kim", "correct horse battery", role="cs")
    return handler


def member_row(n: int) -> dict[str, str]:
    return {
        "name": f"회원{n}",
        "birthdate": "1985-05-05",
        "login_id": f"member{n}",
        "password": LEGACY,
        "mobile": f"010-{5000 + n // 10000:04d}-{n % 10000:04d}",
        "email": f"member{n}@example.com",
        "ci": f"CI{n:086d}",
        "consent:marketing": "false",
    }


def import_members(jikimi: Jikimi, folder: Path, count: int, *, first: int = 0) -> list[str]:
    """``count`` members signed up (imported in bulk, under sign-up's rules); their subject ids."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"members-{first}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(member_row(n) for n in range(first, first + count))
    before = set(subject_ids(jikimi))
    report = jikimi.vault.import_csv(path, "signup")
    assert report.skipped == 0, report
    return sorted(set(subject_ids(jikimi)) - before)


def subject_ids(jikimi: Jikimi) -> list[str]:
    with jikimi.core.reading() as conn:
        return [r.id for r in conn.execute(select(subjects.c.id).order_by(subjects.c.id))]
