"""Breach response (PIPA 34, 시행령 39–40; the 2026 amendment): an incident from the moment the
controller becomes aware of it to its close.

    incident = jikimi.incidents.open(kind="leak", aware_at=…, items=["email", "mobile"],
                                     cause="outside_access", actor="cs-kim")
    jikimi.incidents.affected(incident.id, query="holding=email,mobile", actor=…)  # set-based
    jikimi.incidents.get(incident.id, actor=…)         # the 72-hour clock, the report decision
    jikimi.incidents.draft_report(incident.id, actor=…)  # Korean Markdown for PIPC or KISA
    jikimi.incidents.notify(incident.id, actor=…)      # one outbox row per subject; a posting for the rest
    jikimi.incidents.close(incident.id, actor=…)

Each step is one unit of work and one row in the access log (``incident.<step>``, the reason
starting ``incident=<id>;``), so the timeline is the log itself (``timeline``). Handlers need the
``incident`` action. The rules (what counts, the clock, the report decision, what subjects can do)
are in ``incident_rules``; the texts in ``incident_texts`` and ``templates/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from jikimi.clock import as_utc
from jikimi.core import Core, scrub
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.handlers import Handler
from jikimi.ids import new_id
from jikimi.notices import incident_rules as rules
from jikimi.notices.delivery import CONTACT_FORMATS
from jikimi.notices.incident_model import (
    Affected,
    Draft,
    Incident,
    Notified,
    Posting,
    Step,
    advice,
    codes,
    incident_view,
    notice_payload,
    steps_of,
)
from jikimi.notices.incident_rules import AffectedQuery
from jikimi.notices.incident_texts import posting_html, posting_title, report_markdown
from jikimi.store import incidents as rows
from jikimi.store import postings as posting_rows
from jikimi.store.incidents import Counts, IncidentRow
from jikimi.store.uow import UnitOfWork

ACTION = "incident"
"""The handler action breach response needs (``gate.ACTIONS``)."""
NOTICE_KIND = "breach_notice"
POSTING_KIND = "breach"
CHANNELS = ("email", "sms")
"""The channels a breach notice goes by, in order of preference: e-mail when the subject holds an
e-mail item, else a text message to a mobile number (the items' formats: ``delivery.CONTACT_FORMATS``)."""
SUMMARY_CHARS = 2000


class Incidents:
    """Breach incidents over a ``Core``: their affected subjects, clock, report and notices."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- steps ----------------------------------------------------------------------------------

    def open(
        self,
        *,
        kind: str,
        aware_at: datetime,
        items: Sequence[str],
        actor: Handler | str,
        occurred_at: datetime | None = None,
        cause: str | None = None,
        summary: str | None = None,
        measures: Sequence[str] = (),
        source: str = "local",
    ) -> Incident:
        """Open an incident the controller became aware of at ``aware_at`` (the 72 hours run from
        there). ``summary`` is free text: personal data in it is masked before it is stored."""
        handler = self._handler(actor)
        rules.check_code("kind", kind, rules.KINDS)
        rules.check_code("cause", cause, rules.CAUSES, optional=True)
        items = rules.check_items(self.core.policy, items)
        measures = rules.check_codes("measures", measures, rules.MEASURES)
        aware_at, occurred_at = as_utc(aware_at), as_utc(occurred_at)
        now = self.core.now()
        rules.check_times(aware_at, occurred_at, now)
        text = (summary or "").strip()
        if len(text) > SUMMARY_CHARS:
            raise InvalidInput(
                "summary", f"{SUMMARY_CHARS}자 이하로 적으십시오", f"at most {SUMMARY_CHARS} characters"
            )
        incident_id = new_id()
        with self.core.unit_of_work() as uow:
            rows.add(
                uow.conn,
                id=incident_id,
                kind=kind,
                cause=cause,
                status="open",
                aware_at=aware_at,
                occurred_at=occurred_at,
                opened_at=now,
                opened_by=handler.login,
                items=json.dumps(list(items)),
                summary=scrub(text) or None,
                measures=json.dumps(list(measures)),
            )
            self._log(
                uow,
                now,
                handler,
                "open",
                incident_id,
                f"kind={kind}; cause={cause}",
                items=items,
                source=source,
            )
            view = self._view(rows.state(uow.conn, incident_id), now)
            self._log_decision(uow, now, handler, view, source)
            self.core.emit(
                uow,
                now,
                "incident.opened",
                None,
                key=incident_id,
                incident_id=incident_id,
                kind=kind,
                items=list(items),
                aware_at=aware_at.isoformat(),
            )
            uow.commit()
        return view

    def affected(
        self,
        incident_id: str,
        *,
        actor: Handler | str,
        subject_ids: Iterable[str] | None = None,
        query: AffectedQuery | str | None = None,
        source: str = "local",
    ) -> Affected:
        """Add the affected subjects: a list of ids, or a query over the vault (``AffectedQuery``,
        or its text ``holding=email,mobile status=active …``), in one statement however many."""
        handler = self._handler(actor)
        if (subject_ids is None) == (query is None):
            raise InvalidInput(
                "subject_ids",
                "대상자 id 목록과 검색 가운데 하나만 주십시오",
                "give either subject ids or a query",
            )
        ids = rules.check_subject_ids(subject_ids) if subject_ids is not None else None
        if isinstance(query, str):
            query = rules.parse_query(self.core.policy, query)
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            self._open_row(uow, incident_id)
            if ids is not None:
                added = rows.add_ids(uow.conn, incident_id, ids, now)
                how = f"by=list; listed={len(ids)}"
            else:
                assert query is not None
                added = rows.add_matching(
                    uow.conn,
                    incident_id,
                    holding=query.holding,
                    status=query.status,
                    context=query.context,
                    created_from=query.created_from,
                    created_until=query.created_until,
                    now=now,
                )
                holding = ",".join(query.holding)
                how = f"by=query; holding={holding}; status={query.status}; context={query.context}"
            unknown = rows.not_in_vault(uow.conn, incident_id)
            how += f"; not_in_vault={unknown}"
            self._log(uow, now, handler, "affected", incident_id, how, count=added, source=source)
            view = self._view(rows.state(uow.conn, incident_id), now)
            self._log_decision(uow, now, handler, view, source)
            uow.commit()
        return Affected(view, added, unknown)

    def draft_report(
        self, incident_id: str, *, actor: Handler | str, to: str = rules.DEFAULT_BODY, source: str = "local"
    ) -> Draft:
        """The draft report to PIPC (default) or KISA, in Korean; drafting it is a step of the timeline."""
        handler = self._handler(actor)
        rules.check_code("to", to, rules.BODIES)
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            view = self._view(rows.state(uow.conn, incident_id), now)
            decision = "required" if view.decision.required else "not_required"
            self._log(
                uow, now, handler, "report.draft", incident_id, f"to={to}; report={decision}", source=source
            )
            steps = steps_of(rows.timeline(uow.conn, incident_id, view.opened_at))
            by_channel = rows.notices_by_channel(uow.conn, incident_id, NOTICE_KIND)
            uow.commit()
        markdown = report_markdown(
            self.core.policy,
            view,
            to=to,
            advice=self._advice(view.items),
            by_channel=by_channel,
            timeline=steps,
            now=now,
        )
        return Draft(view, to, markdown)

    def report(
        self, incident_id: str, *, actor: Handler | str, to: str = rules.DEFAULT_BODY, source: str = "local"
    ) -> Incident:
        """Record that the report was sent to PIPC or KISA (a later one is a supplementary report,
        령 40③: the first time stays)."""
        handler = self._handler(actor)
        rules.check_code("to", to, rules.BODIES)
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            row = self._open_row(uow, incident_id)
            first = row.reported_at is None
            if first:
                rows.change(uow.conn, incident_id, reported_at=now, reported_to=to)
            self._log(
                uow,
                now,
                handler,
                "report.sent",
                incident_id,
                f"to={to}; first={str(first).lower()}",
                source=source,
            )
            view = self._view(rows.state(uow.conn, incident_id), now)
            uow.commit()
        return view

    def notify(
        self, incident_id: str, *, actor: Handler | str, measures: Sequence[str] = (), source: str = "local"
    ) -> Notified:
        """Tell every affected subject not told yet, in one unit of work: an outbox row each for those
        holding a contact item (e-mail, else SMS; delivery reads the contact through the gate), and
        the website posting (30 days or more) for those without one. ``measures`` are added to the
        incident's first. Again later, only subjects added since are told."""
        handler = self._handler(actor)
        measures = rules.check_codes("measures", measures, rules.MEASURES)
        now = self.core.now()
        policy = self.core.policy
        contacts = {
            channel: [i.id for i in policy.items if i.format in CONTACT_FORMATS[channel]]
            for channel in CHANNELS
        }
        with self.core.unit_of_work() as uow:
            row = self._open_row(uow, incident_id)
            known = codes(row.measures)
            if any(m not in known for m in measures):
                rows.change(
                    uow.conn,
                    incident_id,
                    measures=json.dumps([*known, *(m for m in measures if m not in known)]),
                )
                row = rows.get(uow.conn, incident_id)
            if rows.counts(uow.conn, incident_id).subjects == 0:
                raise StateConflict(
                    "영향받은 정보주체가 없습니다: 먼저 `affected`로 정하십시오",
                    "no affected subjects yet: list them first (`affected`)",
                )
            payload = notice_payload(self.core.policy, row)
            missing = rows.decide_contacts(uow.conn, incident_id, contacts, rules.REACHABLE)
            by_channel = rows.queue_notices(
                uow.conn,
                incident_id,
                kind=NOTICE_KIND,
                payload=payload,
                contacts=contacts,
                reachable=rules.REACHABLE,
                now=now,
            )
            queued = sum(by_channel.values())
            posting_id = self._post(uow, row, payload, now) if missing else None
            rows.mark_notified(uow.conn, incident_id, now)
            first = {"notified_at": now} if row.notified_at is None else {}
            if posting_id is not None and row.posted_at is None:
                first["posted_at"] = now
            if first:
                rows.change(uow.conn, incident_id, **first)
            channels = "; ".join(f"{c}={n}" for c, n in sorted(by_channel.items())) or "none"
            self._log(
                uow,
                now,
                handler,
                "notify",
                incident_id,
                f"{channels}; queued={queued}",
                count=queued,
                source=source,
            )
            if posting_id is not None:
                self._log(
                    uow,
                    now,
                    handler,
                    "post",
                    incident_id,
                    f"posting={posting_id}",
                    count=missing,
                    source=source,
                )
            view = self._view(rows.state(uow.conn, incident_id), now)
            uow.commit()
        return Notified(view, queued, by_channel, missing, posting_id)

    def close(
        self, incident_id: str, *, actor: Handler | str, unfounded: bool = False, source: str = "local"
    ) -> Incident:
        """Close the incident once every affected subject is told and an owed report is sent; or,
        ``unfounded``, when the investigation found no breach (a possible leak that was none)."""
        handler = self._handler(actor)
        now = self.core.now()
        with self.core.unit_of_work() as uow:
            self._open_row(uow, incident_id)
            view = self._view(rows.state(uow.conn, incident_id), now)
            if not unfounded:
                if view.owed:
                    raise StateConflict(
                        f"아직 통지하지 않은 정보주체가 {view.owed:,}명 있습니다 (`notify`)",
                        f"{view.owed:,} affected subjects are not told yet (`notify`)",
                    )
                if view.decision.required and view.reported_at is None:
                    raise StateConflict(
                        "신고가 필요한 사고인데 아직 신고하지 않았습니다 (`report --sent`)",
                        "a report is owed and was not sent yet (`report --sent`)",
                    )
            rows.change(uow.conn, incident_id, status="closed", closed_at=now, closed_by=handler.login)
            resolution = "unfounded" if unfounded else "resolved"
            self._log(uow, now, handler, "close", incident_id, f"resolution={resolution}", source=source)
            view = self._view(rows.state(uow.conn, incident_id), now)
            uow.commit()
        return view

    # -- reading --------------------------------------------------------------------------------

    def get(self, incident_id: str, *, actor: Handler | str) -> Incident:
        """The incident now: its clock (hours left), the report decision and its counts."""
        self._handler(actor)
        with self.core.reading() as conn:
            return self._view(rows.state(conn, incident_id), self.core.now())

    def list_incidents(
        self, *, actor: Handler | str, open_only: bool = False, limit: int = 100
    ) -> list[Incident]:
        """Incidents, open ones first, the most recent awareness first."""
        self._handler(actor)
        now = self.core.now()
        with self.core.reading() as conn:
            found = rows.states(conn, open_only=open_only, limit=max(1, min(limit, 1000)))
        return [self._view(state, now) for state in found]

    def timeline(self, incident_id: str, *, actor: Handler | str) -> list[Step]:
        """Every step of the incident, from the access log."""
        self._handler(actor)
        with self.core.reading() as conn:
            row = rows.get(conn, incident_id)
            return steps_of(rows.timeline(conn, incident_id, as_utc(row.opened_at)))

    def postings(self, *, kind: str | None = None, limit: int = 100) -> list[Posting]:
        """The website notices up now (breach notices and any other kind), newest first."""
        with self.core.reading() as conn:
            found = posting_rows.current(conn, self.core.now(), kind=kind, limit=max(1, min(limit, 1000)))
        return [
            Posting(r.id, r.kind, r.ref, r.title, r.body, as_utc(r.posted_at), as_utc(r.until_at))
            for r in found
        ]

    # -- helpers --------------------------------------------------------------------------------

    def _handler(self, actor: Handler | str) -> Handler:
        handler = self.core.actor(actor)
        if not handler.role.may(ACTION):
            raise Denied(
                "action_not_allowed",
                "유출 사고를 처리할 권한이 없습니다",
                "the handler may not handle breach incidents",
            )
        return handler

    def _open_row(self, uow: UnitOfWork, incident_id: str) -> IncidentRow:
        row = rows.get(uow.conn, incident_id, lock=True)
        if row.status != "open":
            raise StateConflict("이미 종결된 사고입니다", "the incident is closed")
        return row

    def _view(self, state: tuple[IncidentRow, Counts], now: datetime) -> Incident:
        return incident_view(self.core.policy, *state, now)

    def _advice(self, items: Sequence[str]) -> tuple[str, ...]:
        return advice(self.core.policy, items)

    def _post(self, uow: UnitOfWork, row: IncidentRow, payload: dict[str, object], now: datetime) -> str:
        """The website notice for the subjects without a contact: up 30 days from now, at least."""
        until = now + rules.POSTING_PERIOD
        first = posting_rows.get(uow.conn, POSTING_KIND, row.id)
        posted = as_utc(first.posted_at) if first is not None else now
        return posting_rows.put(
            uow.conn,
            new_id=new_id(),
            kind=POSTING_KIND,
            ref=row.id,
            title=posting_title(self.core.policy, row.kind),
            body=posting_html(self.core.policy, payload, posted_at=posted, until_at=until),
            posted_at=now,
            until_at=until,
        )

    def _log(
        self,
        uow: UnitOfWork,
        now: datetime,
        handler: Handler,
        step: str,
        incident_id: str,
        detail: str,
        *,
        count: int = 1,
        items: Sequence[str] = (),
        source: str = "local",
    ) -> None:
        reason = f"incident={incident_id}; {detail}"
        self.core.log(
            uow,
            now,
            handler.login,
            f"incident.{step}",
            items=items,
            source=source,
            reason=reason,
            count=count,
        )

    def _log_decision(
        self, uow: UnitOfWork, now: datetime, handler: Handler, view: Incident, source: str
    ) -> None:
        decision = "required" if view.decision.required else "not_required"
        codes = ",".join(view.decision.codes)
        self._log(
            uow,
            now,
            handler,
            "decision",
            view.id,
            f"report={decision}; why={codes}",
            count=view.subjects,
            source=source,
        )
