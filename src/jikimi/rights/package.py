"""The access package (열람, PIPA 35 and 시행령 41–42): everything jikimi holds on one subject.

Item values, records, consents with their policy versions, the purposes and retention of each
item, every provision to a third party (제3자 제공), every processor (수탁자) that holds the data,
data kept separated (분리보관), and the subject's own access history — as JSON or as a readable
Korean HTML page. Records, provisions and the access history are streamed from the database and
decrypted row by row, so a subject with 100,000 records never sits in memory at once. Opening a
package is itself a read of personal data: it is logged before the first byte leaves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.crypto import open_value
from jikimi.errors import StateConflict
from jikimi.handlers import Handler
from jikimi.periods import KST, Duration
from jikimi.policy.model import Placeholder, Policy, RetentionRule
from jikimi.rights.model import REQUEST_TYPES
from jikimi.rights.requests import DeskBase
from jikimi.store import access_log as log_rows
from jikimi.store import consents as consent_rows
from jikimi.store import provisions as provision_rows
from jikimi.store import records as record_rows
from jikimi.store import rights as rows
from jikimi.store import separated
from jikimi.store import subjects as subject_rows
from jikimi.store import values as value_store
from jikimi.store.bulk import stream
from jikimi.store.uow import UnitOfWork

PAGE_ROWS = 1000
CHUNK_CHARS = 64 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def _kst(moment: datetime) -> str:
    return as_utc(moment).astimezone(KST).strftime("%Y-%m-%d %H:%M")


@dataclass
class Package:
    """What one access package holds. The three long sections are generators over the database."""

    meta: dict[str, Any]
    subject: dict[str, Any]
    items: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    processors: list[dict[str, Any]]
    separated: list[dict[str, Any]]
    record_count: int
    core: Core = field(repr=False)
    policy: Policy = field(repr=False)
    data_key: bytes | None = field(repr=False)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record of the subject, decrypted one by one (type, then time)."""
        for row in stream(self.core.engine, record_rows.all_of(self.meta["subject_id"]), PAGE_ROWS):
            yield {
                "id": row.id,
                "type": row.type,
                "label": self.policy.label_of(row.type),
                "occurred_at": as_utc(row.occurred_at),
                "data": json.loads(self._open_record(row.id, row.ciphertext)),
            }

    def records_json(self) -> Iterator[str]:
        """Records as JSON text, without re-encoding the sealed JSON bodies (the fast path)."""
        for row in stream(self.core.engine, record_rows.all_of(self.meta["subject_id"]), PAGE_ROWS):
            record_id, kind, at = row[0], row[1], row[2]
            stamp = at.isoformat() + "+00:00" if at.tzinfo is None else as_utc(at).isoformat()
            head = (
                f'{{"id":"{record_id}","type":"{kind}","occurred_at":"{stamp}"'
                if _SAFE_ID.match(record_id) and _SAFE_ID.match(kind)
                else _dumps({"id": record_id, "type": kind, "occurred_at": stamp})[:-1]
            )
            yield f'{head},"data":{self._open_record(record_id, row[3])}}}'

    def _open_record(self, record_id: str, blob: bytes) -> str:
        if self.data_key is None:
            return "null"
        return open_value(self.data_key, self.meta["subject_id"], f"record:{record_id}", bytes(blob))

    def provisions(self) -> Iterator[dict[str, Any]]:
        """Every provision of the subject's data to a third party (제3자 제공 내역)."""
        names = {tp.id: tp for tp in self.policy.third_parties.recipients}
        for row in stream(self.core.engine, provision_rows.of_subject(self.meta["subject_id"]), PAGE_ROWS):
            recipient = names.get(row.third_party_id)
            items = json.loads(row._mapping["items"])
            yield {
                "third_party_id": row.third_party_id,
                "name": recipient.name if recipient else row.third_party_id,
                "purpose": recipient.purpose if recipient else None,
                "items": items,
                "item_labels": [self.policy.label_of(i) for i in items],
                "basis": row.basis,
                "at": as_utc(row.at),
                "policy_version": row.policy_version,
            }

    def access_history(self) -> Iterator[dict[str, Any]]:
        """Every access-log row about the subject: when, by whom (kind), what, for which purpose."""
        for row in stream(self.core.engine, log_rows.about_subject(self.meta["subject_id"]), PAGE_ROWS):
            yield {
                "at": as_utc(row.at),
                "by": _actor_kind(row.actor),
                "action": row.action,
                "outcome": row.outcome,
                "purpose": row.purpose,
                "items": json.loads(row.ids),
            }


def _actor_kind(actor: str) -> str:
    """Who acted, as the subject may know it: themselves, their guardian, the system, or a handler
    (no staff names)."""
    if actor in ("self", "guardian"):
        return actor
    if actor == "system" or actor.startswith("cli:"):
        return "system"
    return "handler"


def _period_text(rule: RetentionRule) -> str:
    period = rule.period if rule.period is not None else (rule.statute.period if rule.statute else None)
    if isinstance(period, Placeholder):
        return period.placeholder
    return period.korean() if isinstance(period, Duration) else "-"


def _retention(policy: Policy, ref: str) -> list[dict[str, Any]]:
    rules = [
        {
            "rule": r.id,
            "period": _period_text(r),
            "from": r.from_,
            "reason": r.reason,
            "law": r.statute.citation() if r.statute else r.law,
        }
        for r in policy.retention_of(ref)
    ]
    return rules or [
        {
            "rule": None,
            "period": "처리 목적 달성 시까지 (until the purposes end)",
            "from": None,
            "reason": None,
            "law": None,
        }
    ]


class Packaging(DeskBase):
    """The access package of a verified access request."""

    def package(self, request_id: str, *, actor: Handler | str, source: str = "local") -> Package:
        """Gather the package for a verified access request and log the read (one unit of work).
        The long sections (records, provisions, access history) stream as the package is written."""
        handler = self._handler(actor)
        core = self.core
        now = core.now()
        with core.unit_of_work() as uow:
            row = rows.get(uow.conn, request_id)
            if row.type != "access":
                raise StateConflict("열람 요구가 아닙니다", "the request is not an access request")
            if row.verified_at is None:
                raise StateConflict(
                    "본인 확인 전에는 열람 자료를 낼 수 없습니다",
                    "the access package needs a verified requester",
                )
            if row.status == "refused":
                raise StateConflict("거절된 요구입니다", "the request was refused")
            gathered = gather(
                core,
                uow,
                row.subject_id,
                set(json.loads(row.scope).get("items", ())),
                handler=handler,
                now=now,
                source=source,
                reason=f"request={request_id}; type=access",
            )
            uow.commit()
        return _assemble(core, request_id, now, *gathered)


def gather(
    core: Core,
    uow: UnitOfWork,
    sid: str,
    wanted: set[str],
    *,
    handler: Handler,
    now: datetime,
    source: str,
    reason: str,
) -> tuple[Any, ...]:
    """What a package of ``sid`` holds (only the items ``wanted``, or every one when empty), read
    inside ``uow`` with its ``rights.access_package`` row; ``_assemble`` makes the package of it."""
    subject = subject_rows.find(uow.conn, sid)
    value_rows: list[Any] = [
        r for r in value_store.rows_of(uow.conn, sid) if not wanted or r.item_id in wanted
    ]
    key = core.keys.get(uow.conn, sid) if sid else None
    record_count = record_rows.count(uow.conn, sid)
    consents = consent_rows.history(uow.conn, sid)
    kept_values, kept_records = separated.summary(uow.conn, sid)
    record_types = record_rows.types_of(uow.conn, sid)
    core.log(
        uow,
        now,
        handler.login,
        "rights.access_package",
        subject_id=sid,
        items=[r.item_id for r in value_rows] + record_types,
        source=source,
        reason=reason,
        count=max(1, record_count),
    )
    return (
        sid,
        subject,
        value_rows,
        key,
        record_count,
        consents,
        kept_values,
        kept_records,
        record_types,
    )


def _assemble(
    core: Core,
    request_id: str | None,
    now: datetime,
    sid: str,
    subject: Any,
    value_rows: list[Any],
    key: bytes | None,
    record_count: int,
    consents: list[Any],
    kept_values: list[Any],
    kept_records: list[Any],
    record_types: list[str],
) -> Package:
    policy = core.policy
    separated_list = [
        {
            "item": r.item_id,
            "label": policy.label_of(r.item_id),
            "cause": r.cause,
            "rule": r.rule_id,
            "expires_at": as_utc(r.expires_at),
        }
        for r in kept_values
    ]
    separated_list += [
        {
            "item": r.type,
            "label": policy.label_of(r.type),
            "cause": r.cause,
            "rule": r.rule_id,
            "expires_at": as_utc(r.expires),
            "count": int(r.n),
        }
        for r in kept_records
    ]
    items = []
    for r in value_rows:
        item = policy.items_by_id.get(r.item_id)
        hashed = item is not None and item.format == "password"
        value = None if hashed or key is None else open_value(key, sid, r.item_id, bytes(r.ciphertext))
        items.append(
            {
                "id": r.item_id,
                "label": policy.label_of(r.item_id),
                "value": "(일방향 암호화되어 저장되어 있어 보여 드릴 수 없습니다 / stored as a one-way hash)"
                if hashed
                else value,
                "collected_at": as_utc(r.collected_at),
                "context": r.context,
                "on_hold": bool(r.hold),
                "purposes": [
                    {"id": p.id, "label": p.label, "basis": p.basis} for p in policy.purposes_using(r.item_id)
                ],
                "retention": _retention(policy, r.item_id),
            }
        )
    consent_list = [
        {
            "target_kind": c.target_kind,
            "target_id": c.target_id,
            "label": _target_label(policy, c.target_kind, c.target_id),
            "granted": c.granted,
            "policy_version": c.policy_version,
            "channel": c.channel,
            "at": as_utc(c.at),
            "withdrawn_at": as_utc(c.withdrawn_at) if c.withdrawn_at else None,
        }
        for c in consents
    ]
    held = {r.item_id for r in value_rows}
    for record_type in record_types:
        declared = policy.records_by_id.get(record_type)
        held |= set(declared.items) if declared else set()
    processor_list = [
        {
            "id": p.id,
            "name": p.name,
            "task": p.task,
            "country": p.country,
            "items": sorted(held & set(p.items)),
            "until": p.until_text or p.until,
        }
        for p in policy.processors.processors
        if held & set(p.items)
    ]
    meta = {
        "request_id": request_id,
        "subject_id": sid,
        "generated_at": now,
        "controller": policy.controller.name,
        "policy_version": policy.version_key,
        "request_type": REQUEST_TYPES["access"][0],
    }
    subject_info = (
        {}
        if subject is None
        else {
            "kind": subject.kind,
            "status": subject.status,
            "is_child": bool(subject.is_child),
            "created_at": as_utc(subject.created_at),
            "policy_version": subject.policy_version,
        }
    )
    return Package(
        meta,
        subject_info,
        items,
        consent_list,
        processor_list,
        separated_list,
        record_count,
        core,
        policy,
        key,
    )


def _target_label(policy: Policy, kind: str, target: str) -> str:
    if kind == "purpose" and target in policy.purposes_by_id:
        return policy.purposes_by_id[target].label
    if kind == "third_party":
        return next((tp.name for tp in policy.third_parties.recipients if tp.id == target), target)
    if kind == "guardian":
        return "법정대리인 동의"
    return target


def _chunks(parts: Iterable[str]) -> Iterator[str]:
    """Join small strings into chunks of about ``CHUNK_CHARS`` for the response body."""
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _array(rows: Iterable[str]) -> Iterator[str]:
    first = True
    for row in rows:
        yield row if first else "," + row
        first = False


def package_json(package: Package) -> Iterator[str]:
    """The package as one JSON document, produced piece by piece."""

    def parts() -> Iterator[str]:
        yield '{"package":' + _dumps(package.meta)
        yield ',"subject":' + _dumps(package.subject)
        yield ',"items":' + _dumps(package.items)
        yield ',"consents":' + _dumps(package.consents)
        yield ',"processors":' + _dumps(package.processors)
        yield ',"separated":' + _dumps(package.separated)
        yield ',"record_count":' + str(package.record_count) + ',"records":['
        yield from _array(package.records_json())
        yield '],"provisions":['
        yield from _array(_dumps(p) for p in package.provisions())
        yield '],"access_history":['
        yield from _array(_dumps(a) for a in package.access_history())
        yield "]}"

    return _chunks(parts())


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("jikimi.rights", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kst"] = _kst
    return env


BASES = {
    "consent": "동의",
    "law": "법령",
    "contract": "계약",
    "public_duty": "공공기관 업무",
    "vital_interest": "급박한 이익",
    "legitimate_interest": "정당한 이익",
    "public_safety": "공중위생 등",
}
ACTOR_KINDS = {"self": "본인", "system": "시스템", "handler": "개인정보취급자"}


def package_html(package: Package) -> Iterator[str]:
    """The package as a readable Korean HTML page, rendered as the rows stream in."""
    template = _env().get_template("access_package.html")
    return _chunks(
        template.generate(
            p=package,
            records=package.records(),
            provisions=package.provisions(),
            history=package.access_history(),
            bases=BASES,
            actor_kinds=ACTOR_KINDS,
            policy=package.policy,
        )
    )
