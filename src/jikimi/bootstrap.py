"""Wiring: the one place that builds jikimi — a ``Core`` from ``Settings`` and a policy file, and
every service over it, held by the ``Jikimi`` façade.

    jikimi = open_jikimi(Settings.from_env(), policy_path="policy.yaml")
    member = jikimi.vault.collect("signup", {...}, {"marketing": False})
    jikimi.vault.read(member.subject_id, ["email"], purpose="membership", actor="cs-kim")
    jikimi.lifecycle.withdraw(member.subject_id, "member_request")
    jikimi.lifecycle.sweep()

The CLI, the HTTP API and library users hold this one object; each operation has one way to be called.

``open_jikimi`` refuses a policy whose lint has errors that block enforcement (``PolicyBlocked``;
the rules marked ``blocks``, docs/lint-rules.md) unless ``Settings.allow_blocking_lint`` is set,
and then says so: a warning on the ``jikimi`` logger, a ``policy.override`` row in the access log,
and ``Jikimi.policy_check`` (``/healthz``). ``build_jikimi`` (tests, benchmarks, embedding) has no
such gate; ``policy_check`` still tells. ``open_admin`` loads no policy, so it has nothing to check.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jikimi.audit.anchors import Anchor, AnchorSink, read_anchors
from jikimi.audit.chain import ANCHOR_LABEL, anchor_key
from jikimi.audit.justifications import Justifications
from jikimi.audit.log import AccessLog
from jikimi.audit.report import Audit
from jikimi.audit.retention import log_retention
from jikimi.audit.sinks import sink_for
from jikimi.clock import Clock, SystemClock, as_utc
from jikimi.core import Core
from jikimi.crypto import KeyRing, Passwords
from jikimi.epochs import EpochFile
from jikimi.errors import PolicyBlocked, UsageError
from jikimi.handlers import SYSTEM, HandlerService
from jikimi.lifecycle import Lifecycle
from jikimi.lifecycle.restore import RestoreCheck, report_restore, restore_check
from jikimi.notices.changes import PolicyChanges
from jikimi.notices.complaints import Complaints
from jikimi.notices.delivery import Channels, Delivery, configured
from jikimi.notices.incidents import Incidents
from jikimi.notices.marketing import Marketing
from jikimi.notices.policy_versions import PolicyVersions
from jikimi.notices.service_events import ServiceEvents
from jikimi.notices.usage import UsageNotices
from jikimi.policy.lint import RULES, lint
from jikimi.policy.load import load_policy
from jikimi.policy.model import Policy
from jikimi.rights import RightsDesk
from jikimi.settings import TOKEN_LIFETIME, Settings
from jikimi.sharing import Sharing
from jikimi.signin import Sessions
from jikimi.signin.privacy import PrivacyPasses
from jikimi.store import holdings
from jikimi.store import keys as key_rows
from jikimi.store import subjects as subject_rows
from jikimi.store.engine import make_engine
from jikimi.store.gauges import Gauges, read_gauges
from jikimi.store.holdings import SeparatedHolding
from jikimi.store.keys import IndexKeyState, KeyState
from jikimi.store.migrate import current_revision, upgrade
from jikimi.store.uow import UnitOfWork
from jikimi.tombstones import TOMBSTONE_CHAIN, TombstoneFile, Tombstones
from jikimi.vault import Vault

logger = logging.getLogger("jikimi")


@dataclass(frozen=True)
class PolicyCheck:
    """The policy's lint findings that block enforcement (``(rule id, key)``), and so whether jikimi
    runs despite them: it does only when an operator allowed it (``allow_blocking_lint``), or when
    it was built with ``build_jikimi``, which has no gate."""

    blocking: tuple[tuple[str, str], ...]

    @property
    def rules(self) -> tuple[str, ...]:
        """The blocking rule ids, sorted, each once."""
        return tuple(sorted({rule for rule, _ in self.blocking}))

    @property
    def override(self) -> bool:
        """jikimi runs although the policy has blocking findings."""
        return bool(self.blocking)


def check_policy(policy: Policy) -> PolicyCheck:
    """The findings of the rules marked ``blocks`` (pure; lint order: file order within errors)."""
    blocking = {r.id for r in RULES if r.blocks}
    return PolicyCheck(tuple((f.rule, f.key) for f in lint(policy) if f.rule in blocking))


@dataclass(frozen=True)
class Jikimi:
    """jikimi for one policy and one database: the services, each with its operations.

    ``vault`` collection, gated reads, records, consents for purposes, imports; ``lifecycle``
    withdrawal, deletion, separated data, dormancy, sweeps, the destruction ledger; ``rights`` the
    data-subject requests; ``sharing`` third parties, their consents, processors, statistics;
    ``handlers`` accounts and roles; ``audit`` the access log's verification and monthly review;
    ``justifications`` the review's 소명 requests (asked, answered by the handler, closed);
    ``incidents`` breach response (PIPA 34: the 72-hour clock, the report, the notices);
    ``marketing`` the advertising send gate and consents to receive (정보통신망법 50);
    ``complaints`` complaints on the clock (the policy's answer time, business hours, holidays);
    ``policy_changes`` a new policy version told to members ahead of time and posted;
    ``policy_versions`` the versions of the policy jikimi knows, its drafts, publishing the next;
    ``usage_notices`` the yearly usage-and-provision notice (PIPA 20-2) and whether it is owed;
    ``events`` the service events (sequenced, delivered with the notices, pulled, replayed);
    ``sessions`` the console's sign-in (password, then TOTP) and the privacy center's sessions;
    ``passes`` the ways into the privacy center (the service's link, a one-time code).
    """

    core: Core
    vault: Vault
    lifecycle: Lifecycle
    rights: RightsDesk
    sharing: Sharing
    audit: Audit
    justifications: Justifications
    delivery: Delivery
    incidents: Incidents
    marketing: Marketing
    complaints: Complaints
    policy_changes: PolicyChanges
    policy_versions: PolicyVersions
    usage_notices: UsageNotices
    events: ServiceEvents
    sessions: Sessions
    passes: PrivacyPasses

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

    @cached_property
    def policy_check(self) -> PolicyCheck:
        """The policy's enforcement-blocking lint findings (empty for a policy jikimi may run)."""
        return check_policy(self.core.policy)

    def separated(self, subject_id: str) -> SeparatedHolding:
        """What the separated store (분리보관) holds for a subject: item ids, record types and counts,
        look-ups, each with its cause, retention rule and expiry — metadata, never a value (``NotFound``
        for an unknown subject). The values are read only through ``lifecycle.read_separated``, for
        a reason their retention rule allows, and logged."""
        with self.core.reading() as conn:
            subject_rows.get(conn, subject_id)
            return holdings.holding(conn, subject_id)

    def key_state(self, subject_id: str) -> KeyState:
        """Which of a subject's keys exist — its everyday data key, its retention groups' keys —
        and which master key wraps them; never the keys. A subject removed after its last kept row
        (or never collected) has none: ``destroyed``."""
        with self.core.reading() as conn:
            return key_rows.key_state(conn, subject_id)

    def index_key_state(self) -> IndexKeyState:
        """Whether the blind-index key (look-ups by value) exists, and which master key wraps it."""
        with self.core.reading() as conn:
            return key_rows.index_key_state(conn)

    def gauges(self) -> Gauges:
        """The counts ``/metrics`` reports from the database (``store.gauges``): the outbox and the
        service events by status and how late, open rights requests' deadlines, destruction totals."""
        with self.core.reading() as conn:
            return read_gauges(conn, self.core.now())

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
    ring = settings.key_ring() if settings.has_keys() else None  # without one: plain (v1) rows
    log = AccessLog(ring, sink=anchor_sink(settings) if ring else None)
    handlers = HandlerService(engine, clock, log, token_lifetime=settings.token_lifetime)
    return Admin(handlers, Audit(engine, clock, ring, settings.anchors(), access_log=log), engine)


def anchor_sink(settings: Settings) -> AnchorSink | None:
    """Where the access log's signed chain heads go (``Settings.anchors``); none, with a warning."""
    sink = sink_for(settings.anchor_sink, file=settings.anchors())  # JIKIMI_ANCHOR_SINK, else the file
    if sink is None:
        logging.getLogger("jikimi.audit").warning(
            "접속기록 앵커 파일이 없습니다: 최근 행의 삭제를 검출할 수 없습니다 (JIKIMI_ANCHOR_FILE) "
            "(no access-log anchor file: truncation of the newest rows cannot be detected; "
            "set JIKIMI_ANCHOR_FILE)"
        )
    return sink


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


def assemble(
    core: Core, channels: Channels | None = None, delivery_tries: int = 8, *, policy_file: Path | None = None
) -> Jikimi:
    """Every service over ``core``, wired to its collaborators (``channels``: where notices go;
    ``policy_file``: the file the policy was loaded from, whose ``versions/`` folder holds drafts)."""
    marketing = Marketing(core)
    lifecycle = Lifecycle(core, reconfirmations=marketing.queue_reconfirmations)
    vault = Vault(core, lifecycle)
    channels = channels or Channels()
    events = ServiceEvents(core, channels.events, tries=delivery_tries)
    changes = PolicyChanges(core)
    return Jikimi(
        core=core,
        vault=vault,
        lifecycle=lifecycle,
        rights=RightsDesk(core, lifecycle=lifecycle, consents=vault),
        sharing=Sharing(core),
        audit=Audit(core.engine, core.clock, core.keys.master, core.access_log.anchor_file, core.access_log),
        justifications=Justifications(core),
        delivery=Delivery(core, vault, channels, tries=delivery_tries, events=events),
        incidents=Incidents(core),
        marketing=marketing,
        complaints=Complaints(core),
        policy_changes=changes,
        policy_versions=PolicyVersions(core, changes, policy_file=policy_file),
        usage_notices=UsageNotices(core),
        events=events,
        sessions=Sessions(core),
        passes=PrivacyPasses(core, vault),
    )


def build_jikimi(
    *,
    policy: Policy,
    engine: Engine,
    keys: KeyRing,
    clock: Clock | None = None,
    passwords: Passwords | None = None,
    access_log: AccessLog | None = None,
    token_lifetime: timedelta = TOKEN_LIFETIME,
    epochs: EpochFile | None = None,
    tombstones: TombstoneFile | None = None,
    channels: Channels | None = None,
    delivery_tries: int = 8,
    policy_file: Path | None = None,
) -> Jikimi:
    """jikimi over a policy already loaded and an engine already made (tests, benchmarks, embedding);
    the schema must be migrated (``store.migrate.upgrade``). There is no lint gate here: the caller
    answers for the policy (``Jikimi.policy_check`` still shows blocking findings). ``epochs``: the
    epoch file wrapping data keys (it must exist: ``EpochFile.ensure``); ``tombstones``: where
    destroyed key ids go; ``channels``: where notices are delivered (none: they wait); ``policy_file``:
    the file ``policy`` was loaded from (its ``versions/`` folder holds the drafts of the next)."""
    access_log = access_log or AccessLog(keys)  # keyed: each row carries a MAC (audit.chain)
    return assemble(
        Core(
            policy=policy,
            engine=engine,
            keys=keys,
            clock=clock,
            passwords=passwords,
            access_log=access_log,
            token_lifetime=token_lifetime,
            epochs=epochs,
            tombstones=tombstones,
        ),
        channels,
        delivery_tries,
        policy_file=policy_file,
    )


def epoch_file(settings: Settings, ring: KeyRing, now: datetime) -> EpochFile | None:
    """The epoch file (``Settings.epochs``), created with a first epoch if missing; none, with a warning."""
    path = settings.epochs()
    if path is None:
        logging.getLogger("jikimi.keys").warning(
            "키 주기 파일이 없습니다: 데이터 키를 마스터 키로 감쌉니다. 파기한 키의 옛 사본(백업, WAL)을 "
            "마스터 키로 풀 수 있습니다 (JIKIMI_EPOCH_FILE) (no epoch file: data keys are wrapped by the "
            "master key, and old copies of destroyed keys in backups or the WAL stay readable to whoever "
            "holds it; set JIKIMI_EPOCH_FILE)"
        )
        return None
    epochs = EpochFile(path, ring)
    epochs.ensure(now)
    return epochs


def tombstone_file(settings: Settings, ring: KeyRing) -> TombstoneFile | None:
    """The tombstone file (``Settings.tombstones``); none, with a warning."""
    path = settings.tombstones()
    if path is None:
        logging.getLogger("jikimi.keys").warning(
            "파기 기록 파일이 없습니다: 복원한 백업이 파기된 대상자를 되살릴 수 있습니다 "
            "(JIKIMI_TOMBSTONE_FILE) (no tombstone file: a restored backup could bring destroyed "
            "subjects back; set JIKIMI_TOMBSTONE_FILE)"
        )
        return None
    sink = anchor_sink(settings)
    if sink is None:
        return TombstoneFile(path, ring)

    def anchored(lines: int, mac: str, master_id: str) -> None:
        """The tombstone file's head, signed like the access log's chain heads, to the same sinks."""
        head = Anchor(
            chain=TOMBSTONE_CHAIN,
            seq=lines,
            mac=mac,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            key=master_id,
        )
        try:
            sink.write([head.signed(anchor_key(ring.get(master_id)))])
        except Exception:  # noqa: BLE001 - after the commit: a lost anchor is logged, never raised
            logger.exception("파기 기록 앵커를 쓰지 못했습니다 (could not write the tombstones' anchor)")

    return TombstoneFile(path, ring, head=anchored)


def _tombstone_truncated(path: Path | None, ring: KeyRing, tombstones: Tombstones) -> bool:
    """Whether the tombstone file lost lines its newest valid anchor saw (in the anchor file ``path``)."""
    if path is None or not path.exists():
        return False
    signing = ring.derived(ANCHOR_LABEL)
    newest: Anchor | None = None
    for _, anchor in read_anchors(path):
        if anchor is None or anchor.chain != TOMBSTONE_CHAIN or anchor.key not in signing:
            continue
        if anchor.valid(signing[anchor.key]) and (newest is None or anchor.seq >= newest.seq):
            newest = anchor
    return newest is not None and tombstones.truncated(newest.seq, newest.mac)


def open_jikimi(
    settings: Settings,
    *,
    policy_path: Path | str | None = None,
    clock: Clock | None = None,
    passwords: Passwords | None = None,
    migrate: bool = True,
    first: bool = True,
) -> Jikimi:
    """Open the database named in ``settings`` (upgrading its schema unless ``migrate=False``),
    load the policy and the master key ring, and build every service.

    ``first=False`` is for a server's second and later workers (``jikimi serve --workers``): the
    parent process has already migrated, sealed and prepared the access log, checked the restore
    and logged a lint override, so these are done once, not once per worker.

    A policy with enforcement-blocking lint findings raises ``PolicyBlocked`` (before any key or
    database is touched) unless ``settings.allow_blocking_lint``; with it, the override is logged
    (``jikimi`` logger, and a ``policy.override`` row in the access log). No master key
    configured raises ``MasterKeyMissing``."""
    path = policy_path or settings.policy_path
    if path is None:
        raise UsageError(
            "처리방침 파일을 지정하십시오 (--policy 또는 JIKIMI_POLICY)",
            "name the policy file (--policy or JIKIMI_POLICY)",
        )
    policy = load_policy(path)
    check = check_policy(policy)
    if check.blocking and not settings.allow_blocking_lint:
        raise PolicyBlocked(check.blocking, file=str(path))
    ring = settings.key_ring()
    engine = make_engine(settings.db_url)
    if migrate:
        upgrade(engine)
    log_retention(policy, subjects=0, configured=settings.access_log_years)  # never below the law's
    log = AccessLog(ring, sink=anchor_sink(settings), keep_years=settings.access_log_years)
    jikimi = build_jikimi(
        policy=policy,
        engine=engine,
        keys=ring,
        clock=clock,
        passwords=passwords,
        access_log=log,
        token_lifetime=settings.token_lifetime,
        epochs=epoch_file(settings, ring, as_utc((clock or SystemClock()).now())),
        tombstones=tombstone_file(settings, ring),
        channels=configured(settings),
        delivery_tries=settings.delivery_tries,
        policy_file=Path(path),
    )
    if not first:
        return jikimi
    log.seal(engine, jikimi.core.now())  # the plain rows of a version before the keyed log (docs/audit.md)
    log.prepare(engine, jikimi.core.now())  # PostgreSQL: this month's and next month's partitions
    check_restore(jikimi.core)  # a restored backup brings back no destroyed subject
    if check.blocking:
        _overridden(jikimi.core, check)
    return jikimi


def check_restore(core: Core) -> RestoreCheck | None:
    """The restore check (``lifecycle.restore``) over ``core``'s tombstone file; ``None`` without one."""
    tombstones = core.keys.tombstones
    if tombstones is None:
        return None
    read = tombstones.read()
    result = restore_check(core.unit_of_work, read, core.access_log, core.now())
    truncated = _tombstone_truncated(core.access_log.anchor_file, core.keys.master, read)
    result = dataclasses.replace(result, truncated=truncated)
    report_restore(result, tombstones.path)
    return result


def db_restore_check(settings: Settings) -> RestoreCheck:
    """``jikimi db restore-check``: the restore check on the database in ``settings``, no policy needed."""
    path = settings.tombstones()
    if path is None:
        raise UsageError(
            "파기 기록 파일을 지정하십시오 (JIKIMI_TOMBSTONE_FILE, 또는 키 파일 옆 destroyed.tombstones)",
            "name the tombstone file (JIKIMI_TOMBSTONE_FILE, or destroyed.tombstones beside the key file)",
        )
    ring = settings.key_ring()
    engine = make_engine(settings.db_url)
    try:
        log = AccessLog(ring, sink=anchor_sink(settings))
        clock = SystemClock()
        read = TombstoneFile(path, ring).read()
        result = restore_check(lambda: UnitOfWork(engine), read, log, as_utc(clock.now()))
    finally:
        engine.dispose()
    result = dataclasses.replace(result, truncated=_tombstone_truncated(settings.anchors(), ring, read))
    report_restore(result, path)
    return result


def _overridden(core: Core, check: PolicyCheck) -> None:
    """Say that jikimi runs a policy with blocking findings: on the logger and in the access log
    (rule ids and the policy version only; a policy holds no personal data)."""
    rules = ", ".join(check.rules)
    logger.warning(
        "처리방침 %s에 집행을 막는 검사 오류가 있지만 allow_blocking_lint로 시작합니다: %s "
        "(policy %s has lint errors that block enforcement; running anyway because allow_blocking_lint "
        "is set: %s)",
        core.policy.version_key,
        rules,
        core.policy.version_key,
        rules,
    )
    with core.unit_of_work() as uow:
        core.log(
            uow,
            core.now(),
            SYSTEM.login,
            "policy.override",
            reason=f"blocking_lint={','.join(check.rules)}; policy={core.policy.version_key}",
        )
        uow.commit()
