"""Wiring: the one place that builds jikimi — a ``Core`` from ``Settings`` and a policy file, and
every service over it, held by the ``Jikimi`` façade.

    jikimi = open_jikimi(Settings.from_env(), policy_path="policy.yaml")
    member = jikimi.vault.collect("signup", {...}, {"marketing": False})
    jikimi.vault.read(member.subject_id, ["email"], purpose="membership", actor="cs-kim")
    jikimi.lifecycle.withdraw(member.subject_id, "member_request")
    jikimi.lifecycle.sweep()

The CLI, the HTTP API and library users hold this one object; each operation has one way to be called.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jikimi.audit.log import AccessLog
from jikimi.audit.report import Audit
from jikimi.clock import Clock, SystemClock
from jikimi.core import Core
from jikimi.crypto import KeyRing, Passwords
from jikimi.errors import UsageError
from jikimi.handlers import HandlerService
from jikimi.lifecycle import Lifecycle
from jikimi.policy.load import load_policy
from jikimi.policy.model import Policy
from jikimi.rights import RightsDesk
from jikimi.settings import Settings
from jikimi.sharing import Sharing
from jikimi.store.engine import make_engine
from jikimi.store.migrate import current_revision, upgrade
from jikimi.vault import Vault


@dataclass(frozen=True)
class Jikimi:
    """jikimi for one policy and one database: the services, each with its operations.

    ``vault`` collection, gated reads, records, consents for purposes, imports; ``lifecycle``
    withdrawal, deletion, separated data, dormancy, sweeps, the destruction ledger; ``rights`` the
    data-subject requests; ``sharing`` third parties, their consents, processors, statistics;
    ``handlers`` accounts and roles; ``audit`` the access log's verification and monthly review.
    """

    core: Core
    vault: Vault
    lifecycle: Lifecycle
    rights: RightsDesk
    sharing: Sharing
    audit: Audit

    @property
    def policy(self) -> Policy:
        """The policy in force."""
        return self.core.policy

    @property
    def dialect(self) -> str:
        """The database kind: ``"sqlite"`` or ``"postgresql"``."""
        return self.core.engine.dialect.name

    @property
    def handlers(self) -> HandlerService:
        """Handler accounts, roles, logins and the rights log."""
        return self.core.handlers

    def schema_revision(self) -> str | None:
        """The database's schema revision (raises if the database does not answer)."""
        return current_revision(self.core.engine)

    def close(self) -> None:
        """Release the database connections (the object is not usable afterwards)."""
        self.core.engine.dispose()


@dataclass(frozen=True)
class Admin:
    """What an operator runs without a policy: the schema, handler accounts, the access log."""

    handlers: HandlerService
    audit: Audit
    _engine: Engine

    def upgrade(self) -> str | None:
        """Bring the schema to the newest revision; returns it."""
        upgrade(self._engine)
        return current_revision(self._engine)

    def close(self) -> None:
        self._engine.dispose()


def open_admin(settings: Settings, *, clock: Clock | None = None) -> Admin:
    """Handlers and the access log of the database named in ``settings`` (no policy, no keys needed)."""
    engine = make_engine(settings.db_url)
    clock = clock or SystemClock()
    log = AccessLog()
    return Admin(HandlerService(engine, clock, log), Audit(engine, clock), engine)


@contextmanager
def database_errors() -> Iterator[None]:
    """Database failures as a ``UsageError`` with what to check (the faces print it; never a traceback)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise UsageError(
            f"데이터베이스 오류입니다 ({type(exc).__name__}). 연결 정보를 확인하고 `jikimi db upgrade`를 실행하십시오",  # noqa: E501
            f"database error ({type(exc).__name__}): check the URL and run `jikimi db upgrade`",
        ) from exc


def assemble(core: Core) -> Jikimi:
    """Every service over ``core``, wired to its collaborators."""
    lifecycle = Lifecycle(core)
    vault = Vault(core, lifecycle)
    return Jikimi(
        core=core,
        vault=vault,
        lifecycle=lifecycle,
        rights=RightsDesk(core, lifecycle=lifecycle, consents=vault),
        sharing=Sharing(core),
        audit=Audit(core.engine, core.clock),
    )


def build_jikimi(
    *,
    policy: Policy,
    engine: Engine,
    keys: KeyRing,
    clock: Clock | None = None,
    passwords: Passwords | None = None,
    access_log: AccessLog | None = None,
) -> Jikimi:
    """jikimi over a policy already loaded and an engine already made (tests, benchmarks, embedding);
    the schema must be migrated (``store.migrate.upgrade``)."""
    return assemble(
        Core(policy=policy, engine=engine, keys=keys, clock=clock, passwords=passwords, access_log=access_log)
    )


def open_jikimi(
    settings: Settings,
    *,
    policy_path: Path | str | None = None,
    clock: Clock | None = None,
    passwords: Passwords | None = None,
    migrate: bool = True,
) -> Jikimi:
    """Open the database named in ``settings`` (upgrading its schema unless ``migrate=False``),
    load the policy and the master key ring, and build every service."""
    path = policy_path or settings.policy_path
    if path is None:
        raise UsageError(
            "처리방침 파일을 지정하십시오 (--policy 또는 JIKIMI_POLICY)",
            "name the policy file (--policy or JIKIMI_POLICY)",
        )
    policy = load_policy(path)
    ring = settings.key_ring()
    engine = make_engine(settings.db_url)
    if migrate:
        upgrade(engine)
    return build_jikimi(policy=policy, engine=engine, keys=ring, clock=clock, passwords=passwords)
