"""Queries for advertising (정보통신망법 50): the facts of a send check, consents to receive
advertising per channel and at night, and the ones due for reconfirmation.

Consents to receive advertising live in ``consents`` like any other answer: ``target_kind``
``ad_channel`` with the channel as ``target_id`` (``sms``, ``email``…), or ``ad_night`` with
``night``. A consent's anchor is when it was last given or reconfirmed (``coalesce(confirmed_at,
at)``); the 2-year clock runs from it. A check of many subjects reads them with a few set-based
statements per chunk of ids, never one per subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    case,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    update,
)

from jikimi.clock import as_utc
from jikimi.states import NIGHT, ConsentKind, SubjectStatus
from jikimi.store.hints import among
from jikimi.store.tables import Timestamp, consents, outbox, processing_stops, subjects

CHUNK = 50_000
"""Subject ids per statement (bound as one parameter, ``hints.among``): two for 100,000. PostgreSQL
hashes the consents once per statement at this size, so fewer, larger chunks are faster there
(5,000 ids: 4.4 s for 100,000 subjects; 50,000: 2.4 s); SQLite looks each id up either way."""

AD_KINDS = (ConsentKind.AD_CHANNEL, ConsentKind.AD_NIGHT)


def kind_of(target: str) -> ConsentKind:
    """The consent kind of an advertising target: the night-time consent, or a channel's."""
    return ConsentKind.AD_NIGHT if target == NIGHT else ConsentKind.AD_CHANNEL


@dataclass(frozen=True, slots=True)
class SendFacts:
    """What a send check knows about one subject (never a value): its state, a processing stop on
    the marketing purpose, its consent to the purpose (``live``, ``withdrawn`` or ``missing``), and
    the anchors of its live consents to the channel and to night-time sends (``None``: none live)."""

    status: str
    is_child: bool
    stopped: bool = False
    purpose_consent: str = "missing"
    channel_at: datetime | None = None
    night_at: datetime | None = None


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def send_facts(
    conn: Connection, subject_ids: Sequence[str], *, purpose_id: str, channel: str
) -> dict[str, SendFacts]:
    """The facts of a send through ``channel`` for the marketing purpose ``purpose_id``, by subject
    id; unknown ids are left out. One statement per chunk of ids (bound as one parameter): the
    subjects, their consents to the purpose, the channel and the night, and stops on the purpose,
    joined and folded to one row per subject."""
    c, p = consents, processing_stops
    live = and_(c.c.granted.is_(True), c.c.withdrawn_at.is_(None))
    anchor = func.coalesce(c.c.confirmed_at, c.c.at)

    def latest(kind: ConsentKind) -> Any:
        return type_coerce(func.max(case((and_(c.c.target_kind == kind, live), anchor))), Timestamp)

    purpose = func.max(
        case(
            (and_(c.c.target_kind == ConsentKind.PURPOSE, live), 2),
            (and_(c.c.target_kind == ConsentKind.PURPOSE, c.c.withdrawn_at.is_not(None)), 1),
            else_=0,
        )
    )
    wanted = or_(
        and_(c.c.target_kind == ConsentKind.PURPOSE, c.c.target_id == purpose_id),
        and_(c.c.target_kind == ConsentKind.AD_CHANNEL, c.c.target_id == channel),
        and_(c.c.target_kind == ConsentKind.AD_NIGHT, c.c.target_id == NIGHT),
    )
    stops = and_(p.c.subject_id == subjects.c.id, p.c.purpose_id == purpose_id, p.c.lifted_at.is_(None))
    out: dict[str, SendFacts] = {}
    states = ("missing", "withdrawn", "live")
    if conn.dialect.name == "postgresql":
        # psycopg prepares a statement run five times, and PostgreSQL's generic plan for it cannot
        # see the ids: it joined every consent for each chunk (100 s instead of 1 s for 30,000
        # subjects). Each chunk is planned for its own ids, for this transaction only.
        conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    for chunk in _chunks(subject_ids):
        query = (
            select(
                subjects.c.id,
                subjects.c.status,
                subjects.c.is_child,
                func.max(case((p.c.id.is_not(None), 1), else_=0)).label("stopped"),
                purpose.label("purpose"),
                latest(ConsentKind.AD_CHANNEL).label("channel_at"),
                latest(ConsentKind.AD_NIGHT).label("night_at"),
            )
            .select_from(subjects)
            .outerjoin(c, and_(c.c.subject_id == subjects.c.id, wanted))
            .outerjoin(p, stops)
            .where(among(subjects.c.id, chunk))
            .group_by(subjects.c.id, subjects.c.status, subjects.c.is_child)
        )
        for sid, status, is_child, stopped, state, channel_at, night_at in conn.execute(query).all():
            out[sid] = SendFacts(
                status,
                bool(is_child),
                bool(stopped),
                states[state or 0],
                as_utc(channel_at) if channel_at is not None else None,
                as_utc(night_at) if night_at is not None else None,
            )
    return out


def _live(subject_id: str, targets: Iterable[str]) -> list[ColumnElement[bool]]:
    wanted = [
        and_(consents.c.target_kind == kind_of(t), consents.c.target_id == t) for t in dict.fromkeys(targets)
    ]
    return [
        consents.c.subject_id == subject_id,
        or_(*wanted),
        consents.c.granted.is_(True),
        consents.c.withdrawn_at.is_(None),
    ]


def add_answers(
    conn: Connection,
    subject_id: str,
    answers: Sequence[tuple[str, bool]],
    *,
    policy_version: str,
    channel: str,
    actor: str,
    now: datetime,
) -> None:
    """The subject's answers at collection, ``(target, granted)``: a yes to a consent already live
    counts as reconfirming it; a no withdraws a live one; every answer not already live is a row."""
    given = [t for t, granted in answers if granted]
    refused = [t for t, granted in answers if not granted]
    live: set[str] = set()
    if given:
        live = set(conn.execute(select(consents.c.target_id).where(*_live(subject_id, given))).scalars())
        if live:
            reconfirm(conn, subject_id, sorted(live), now)
    if refused:
        conn.execute(update(consents).where(*_live(subject_id, refused)).values(withdrawn_at=now))
    rows = [
        {
            "subject_id": subject_id,
            "target_kind": kind_of(target),
            "target_id": target,
            "granted": granted,
            "policy_version": policy_version,
            "channel": channel,
            "actor": actor,
            "at": now,
        }
        for target, granted in answers
        if not (granted and target in live)
    ]
    if rows:
        conn.execute(insert(consents), rows)


def reconfirm(conn: Connection, subject_id: str, targets: Sequence[str], now: datetime) -> list[str]:
    """Mark the live consents to ``targets`` (channels or ``night``) reconfirmed at ``now``; returns
    the targets that had one."""
    if not targets:
        return []
    done = conn.execute(
        update(consents)
        .where(*_live(subject_id, targets))
        .values(confirmed_at=now)
        .returning(consents.c.target_id)
    ).scalars()
    return sorted(set(done))


@dataclass(frozen=True)
class AdConsent:
    """One live advertising consent of a subject: its target (a channel or ``night``), when it was
    given, last reconfirmed, and through which channel it was answered."""

    id: int
    subject_id: str
    target: str
    at: datetime
    confirmed_at: datetime | None
    answered_via: str

    @property
    def anchor(self) -> datetime:
        """When the 2-year clock started: the last reconfirmation, else the consent."""
        return self.confirmed_at or self.at


def _consent(r: Row[Any]) -> AdConsent:
    return AdConsent(r.id, r.subject_id, r.target_id, as_utc(r.at), as_utc(r.confirmed_at), r.channel)


_COLUMNS: tuple[Any, ...] = (
    consents.c.id,
    consents.c.subject_id,
    consents.c.target_id,
    consents.c.at,
    consents.c.confirmed_at,
    consents.c.channel,
)


def live_consents(conn: Connection, subject_id: str) -> list[AdConsent]:
    """The subject's live advertising consents, oldest first."""
    query = select(*_COLUMNS).where(
        consents.c.subject_id == subject_id,
        consents.c.target_kind.in_(AD_KINDS),
        consents.c.granted.is_(True),
        consents.c.withdrawn_at.is_(None),
    )
    return [_consent(r) for r in conn.execute(query.order_by(consents.c.id))]


def due_for_reconfirmation(conn: Connection, before: datetime) -> list[AdConsent]:
    """Live advertising consents of active adult subjects whose anchor is before ``before``.

    Each kind is two range reads of ``ix_consents_kind_anchor`` — never reconfirmed and given
    before it, or reconfirmed before it — so when nothing is due this reads an index entry or two."""
    parts = []
    for kind in AD_KINDS:
        for anchored in (
            and_(consents.c.confirmed_at.is_(None), consents.c.at < before),
            consents.c.confirmed_at < before,
        ):
            parts.append(
                select(*_COLUMNS)
                .join(subjects, subjects.c.id == consents.c.subject_id)
                .where(
                    consents.c.target_kind == kind,
                    consents.c.withdrawn_at.is_(None),
                    anchored,
                    consents.c.granted.is_(True),
                    subjects.c.status == SubjectStatus.ACTIVE,
                    subjects.c.is_child.is_(False),
                )
            )
    union = parts[0].union_all(*parts[1:]).subquery()
    rows = conn.execute(select(union).order_by(union.c.subject_id, union.c.id))
    return [_consent(r) for r in rows]


def messages_by_key(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[str, datetime | None]]:
    """``{dedupe key: (status, delivered_at)}`` of the outbox messages queued under ``keys``."""
    out: dict[str, tuple[str, datetime | None]] = {}
    for chunk in _chunks(keys):
        query = select(outbox.c.dedupe_key, outbox.c.status, outbox.c.delivered_at).where(
            outbox.c.dedupe_key.in_(chunk)
        )
        for r in conn.execute(query):
            out[r.dedupe_key] = (str(r.status), as_utc(r.delivered_at))
    return out


def settle(conn: Connection, consent_ids: Sequence[int], at: datetime) -> int:
    """The consents ``consent_ids``, still live, reconfirmed at ``at`` — unless already later."""
    if not consent_ids:
        return 0
    statement = (
        update(consents)
        .where(
            consents.c.id.in_(list(consent_ids)),
            consents.c.granted.is_(True),
            consents.c.withdrawn_at.is_(None),
            or_(consents.c.confirmed_at.is_(None), consents.c.confirmed_at < at),
        )
        .values(confirmed_at=at)
    )
    return conn.execute(statement).rowcount or 0
