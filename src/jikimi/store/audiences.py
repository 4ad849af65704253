"""Who a notice goes to, and through which channel — decided from which items a subject holds,
never from their values (``item_values`` rows exist or not; nothing is decrypted).

A channel is chosen by the first of ``by_channel`` (channel → the policy's item ids whose values
reach it: ``email`` → e-mail items, ``sms`` → mobile numbers, ``letter`` → addresses) whose items
the subject holds. The member audience of a policy change is one ``SELECT`` the outbox inserts
from (``outbox.enqueue_select``), so many thousands of members cost one statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, exists, func, literal, or_, select

from jikimi.policy.model import Policy
from jikimi.states import SubjectKind, SubjectStatus
from jikimi.store.tables import item_values, records, separated_records, separated_values, subjects

CONTACT_FORMATS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "sms": ("phone_kr",),
    "letter": ("address",),
}
"""The item formats whose values a channel reaches a person through (the delivery worker reads the
contact from the same formats, ``notices.delivery.CONTACT_FORMATS``)."""


def contact_items(policy: Policy, channels: Sequence[str]) -> dict[str, list[str]]:
    """Channel → the policy's item ids of its formats, for ``channels`` in that order (an item the
    service generates itself, a log, is no contact)."""
    return {
        channel: [
            i.id for i in policy.items if i.format in CONTACT_FORMATS.get(channel, ()) and not i.generated
        ]
        for channel in channels
    }


def _holds(items: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(item_values.c.subject_id == subjects.c.id, item_values.c.item_id.in_(list(items)))


def channel_of(by_channel: Mapping[str, Sequence[str]]) -> ColumnElement[Any] | None:
    """The channel of each subject as an SQL expression (``NULL`` when it holds none of the items);
    None when no channel has items."""
    whens = [(_holds(items), literal(channel)) for channel, items in by_channel.items() if items]
    if not whens:
        return None
    return case(*whens, else_=None)


def members(by_channel: Mapping[str, Sequence[str]]) -> Select[Any] | None:
    """``(subject_id, channel)`` of every member who has not withdrawn (active, dormant or waiting
    for a guardian) and holds a contact item of one of the channels; None when no channel has items."""
    channel = channel_of(by_channel)
    if channel is None:
        return None
    held = or_(*(_holds(items) for items in by_channel.values() if items))
    return select(subjects.c.id.label("subject_id"), channel.label("channel")).where(
        subjects.c.kind == SubjectKind.MEMBER.value, subjects.c.status != SubjectStatus.WITHDRAWN.value, held
    )


def member_counts(conn: Connection, by_channel: Mapping[str, Sequence[str]]) -> tuple[int, int]:
    """``(members not withdrawn, those of them holding a contact item of a channel)``."""
    live = and_(
        subjects.c.kind == SubjectKind.MEMBER.value, subjects.c.status != SubjectStatus.WITHDRAWN.value
    )
    total = int(conn.execute(select(func.count()).select_from(subjects).where(live)).scalar_one())
    reached = members(by_channel)
    if reached is None:
        return total, 0
    return total, int(conn.execute(select(func.count()).select_from(reached.subquery())).scalar_one())


def channels_held(conn: Connection, subject_id: str, by_channel: Mapping[str, Sequence[str]]) -> list[str]:
    """The channels (in the order of ``by_channel``) for which the subject holds a contact item."""
    wanted = sorted({item for items in by_channel.values() for item in items})
    if not wanted:
        return []
    held = set(
        conn.execute(
            select(item_values.c.item_id).where(
                item_values.c.subject_id == subject_id, item_values.c.item_id.in_(wanted)
            )
        ).scalars()
    )
    return [channel for channel, items in by_channel.items() if held & set(items)]


def count_with_data(conn: Connection, limit: int) -> int:
    """Subjects whose personal data the vault stores — an item value, a record, or separated data
    (dormant or kept after withdrawal) — counted no further than ``limit``."""
    stored = or_(
        exists().where(item_values.c.subject_id == subjects.c.id),
        exists().where(records.c.subject_id == subjects.c.id),
        exists().where(separated_values.c.subject_id == subjects.c.id),
        exists().where(separated_records.c.subject_id == subjects.c.id),
    )
    first = select(subjects.c.id).where(stored).limit(limit).subquery()
    return int(conn.execute(select(func.count()).select_from(first)).scalar_one())


def count_holding(conn: Connection, items: Sequence[str], limit: int) -> int:
    """Subjects holding a value of one of ``items`` (kept active or separated), at most ``limit``."""
    if not items:
        return 0
    wanted = list(items)
    holding = or_(
        exists().where(item_values.c.subject_id == subjects.c.id, item_values.c.item_id.in_(wanted)),
        exists().where(
            separated_values.c.subject_id == subjects.c.id, separated_values.c.item_id.in_(wanted)
        ),
    )
    first = select(subjects.c.id).where(holding).limit(limit).subquery()
    return int(conn.execute(select(func.count()).select_from(first)).scalar_one())
