"""The advertising send gate (정보통신망법 50) and the consents it rests on: ``Marketing``.

``check`` answers, for many subjects at once, whether advertising may go to each through a channel
at a time — allowed, or denied with a stable reason (``marketing_rules``: no consent, no consent
for the channel, night-time without the night consent, a consent 2 years old and not reconfirmed,
a child, withdrawn or dormant, processing stopped). It reads only consent metadata, with a few
set-based statements, and is one access-log row per call (``marketing.check``).

Consents to receive are per channel (``give``/``withdraw``/``reconfirm``, each logged like any
consent change; a withdrawal holds from the next check on), and separately for night-time sends.
``queue_reconfirmations`` (run by every sweep) queues the reconfirmation notice 30 days before a
consent's 2-year mark (시행령 62-3), and counts a delivered notice as the reconfirmation: a
subject told what they consented to, and how to withdraw, keeps the consent by saying nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from jikimi.clock import as_utc
from jikimi.core import Core
from jikimi.errors import Denied, InvalidInput, StateConflict
from jikimi.gate import Decision
from jikimi.handlers import SELF, SYSTEM, Handler
from jikimi.lifecycle.sweep import SWEEPER
from jikimi.notices import marketing_rules as rules
from jikimi.states import SubjectStatus
from jikimi.store import marketing as ad_rows
from jikimi.store import subjects as subject_rows
from jikimi.store.marketing import AdConsent
from jikimi.store.outbox import enqueue
from jikimi.store.uow import UnitOfWork
from jikimi.vault.consents import change_consent, consenting
from jikimi.vault.metadata import metadata_row

KIND = "marketing_reconfirmation"
"""The outbox kind of a reconfirmation notice (``templates/marketing_reconfirmation.txt``)."""
NOTICE_CHANNELS = ("email", "sms", "push", "letter")
"""How a reconfirmation notice goes, the first of these the subject consented to (else e-mail)."""
BATCH = 500
FIRST, LAST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC)
"""The moments a send may name: inside the calendar with room for the periods counted from them."""


@dataclass(frozen=True)
class SendCheck:
    """The answer of one check: each subject's ``Decision`` (in the order asked, each once)."""

    purpose: str
    channel: str
    send_at: datetime
    night: bool
    decisions: dict[str, Decision]

    @property
    def allowed(self) -> list[str]:
        """The subjects advertising may go to."""
        return [sid for sid, d in self.decisions.items() if d.allowed]

    @property
    def counts(self) -> dict[str, int]:
        """How many subjects got each reason."""
        return dict(Counter(d.reason for d in self.decisions.values()))


@dataclass(frozen=True)
class ChannelConsent:
    """A live consent to receive advertising (a channel, or ``night``): when it was given and last
    reconfirmed, where it was answered, when it lapses unless reconfirmed, and when its
    reconfirmation notice is due."""

    channel: str
    given_at: datetime
    confirmed_at: datetime | None
    answered_via: str
    expires_at: datetime
    notice_at: datetime


def _moment(value: datetime, field: str) -> datetime:
    """An aware instant in UTC, or ``InvalidInput`` (naive, or outside the calendar)."""
    if value.tzinfo is None:
        raise InvalidInput(
            field, "시간대(+09:00 등)를 포함해야 합니다", "must include a UTC offset (+09:00…)"
        )
    try:
        moment = as_utc(value)
        if not FIRST <= moment <= LAST:
            raise ValueError(field)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(field, "달력 밖의 시각입니다", "is outside the calendar") from exc
    return moment


class Marketing:
    """The advertising send gate and consents to receive advertising (``jikimi.marketing``)."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- the gate -------------------------------------------------------------------------------

    def check(
        self,
        subject_ids: Sequence[str],
        *,
        channel: str,
        send_at: datetime,
        purpose: str | None = None,
        actor: Handler | str = SYSTEM,
        source: str = "local",
    ) -> SendCheck:
        """May advertising for ``purpose`` (default: the marketing purpose declaring ``channel``)
        go to each subject through ``channel`` at ``send_at``? Needs the ``marketing`` action; the
        call is one access-log row (``marketing.check``, with the count), a denied one too.
        ``InvalidInput`` for an unknown channel, purpose or time, or more than 100,000 subjects."""
        core = self.core
        target = rules.ad_purpose(core.policy, channel, purpose)
        ids = list(dict.fromkeys(subject_ids))
        if len(ids) > rules.MAX_SUBJECTS:
            raise InvalidInput(
                "subject_ids",
                f"한 번에 {rules.MAX_SUBJECTS:,}명까지 확인합니다",
                f"at most {rules.MAX_SUBJECTS:,} subjects per check",
            )
        now = core.now()
        send = rules.plan(target, channel, _moment(send_at, "send_at"), now)
        handler = core.actor(actor)
        what = f"channel={channel}; send_at={send.send_at.isoformat()}; night={str(send.night).lower()}"
        with core.unit_of_work() as uow:
            if not handler.role.may("marketing"):
                core.log(
                    uow,
                    now,
                    handler.login,
                    "marketing.check",
                    outcome="denied:action_not_allowed",
                    purpose=target.id,
                    source=source,
                    reason=what,
                    count=len(ids),
                )
                uow.commit()
                raise Denied(
                    "action_not_allowed",
                    "이 역할에는 광고 전송 확인이 허용되지 않습니다 ('marketing' 작업)",
                    "the handler's role may not check advertising sends (the 'marketing' action)",
                )
            facts = ad_rows.send_facts(uow.conn, ids, purpose_id=target.id, channel=channel)
            decisions = {sid: rules.decide_send(send, facts.get(sid)) for sid in ids}
            allowed = sum(d.allowed for d in decisions.values())
            core.log(
                uow,
                now,
                handler.login,
                "marketing.check",
                purpose=target.id,
                source=source,
                reason=f"{what}; allowed={allowed}; denied={len(ids) - allowed}",
                count=len(ids),
            )
            uow.commit()
        return SendCheck(target.id, channel, send.send_at, send.night, decisions)

    # -- consents to receive ----------------------------------------------------------------------

    def give(
        self,
        subject_id: str,
        channel: str,
        *,
        actor: Handler | str = SELF,
        via: str = "web",
        source: str = "local",
    ) -> None:
        """Record the subject's consent to receive advertising through ``channel`` (or at night,
        ``"night"``). Nothing new if one is live; ``StateConflict`` for a child or an inactive subject."""
        self._change(subject_id, channel, True, actor, via, source)

    def withdraw(
        self,
        subject_id: str,
        channel: str,
        *,
        actor: Handler | str = SELF,
        via: str = "web",
        source: str = "local",
    ) -> None:
        """Withdraw the consent to receive advertising through ``channel`` (or ``"night"``): every
        check from now on denies it (정보통신망법 50②)."""
        self._change(subject_id, channel, False, actor, via, source)

    def _change(
        self, subject_id: str, channel: str, granted: bool, actor: Handler | str, via: str, source: str
    ) -> None:
        core = self.core
        target = rules.ad_target(core.policy, channel)
        handler = consenting(core, actor)
        with core.unit_of_work() as uow:
            if granted and subject_rows.get(uow.conn, subject_id).is_child:
                raise StateConflict(
                    "만 14세 미만 아동에게는 광고성 정보를 보내지 않으므로 수신동의를 받지 않습니다",
                    "a child under 14 is never sent advertising, so no consent to receive it is taken",
                )
            change_consent(
                core,
                uow,
                subject_id=subject_id,
                kind=ad_rows.kind_of(target),
                target=target,
                granted=granted,
                handler=handler,
                channel=via,
                source=source,
                purpose=self._purpose_id(),
                reason=f"ad={target}",
            )
            uow.commit()

    def reconfirm(
        self,
        subject_id: str,
        channels: Sequence[str] = (),
        *,
        actor: Handler | str = SELF,
        via: str = "web",
        source: str = "local",
    ) -> list[str]:
        """The subject keeps their consents to receive (``channels``, or every live one): the 2-year
        clock starts again now. Returns what was reconfirmed; ``StateConflict`` when a named one is
        not live (or none is), or the subject is not active."""
        core = self.core
        handler = consenting(core, actor)
        named = [rules.ad_target(core.policy, c) for c in channels]
        now = core.now()
        with core.unit_of_work() as uow:
            if subject_rows.get(uow.conn, subject_id).status != SubjectStatus.ACTIVE:
                raise StateConflict("활성 상태가 아닌 대상자입니다", "the subject is not active")
            wanted = named or sorted({c.target for c in ad_rows.live_consents(uow.conn, subject_id)})
            done = ad_rows.reconfirm(uow.conn, subject_id, wanted, now)
            missing = sorted(set(wanted) - set(done))
            if missing or not done:
                names = ", ".join(missing) or "-"
                raise StateConflict(
                    f"재확인할 수신동의가 없습니다 ({names})", f"no live consent to reconfirm ({names})"
                )
            core.log(
                uow,
                now,
                handler.login,
                "consent.reconfirm",
                subject_id=subject_id,
                purpose=self._purpose_id(),
                source=source,
                reason=f"ad={','.join(done)}; via={via}",
            )
            uow.commit()
        return done

    def consents(
        self, subject_id: str, *, actor: Handler | str = SYSTEM, source: str = "local"
    ) -> list[ChannelConsent]:
        """The subject's live consents to receive advertising, with when each lapses unreconfirmed.
        A metadata read: needs the ``metadata`` action, logged as ``consents.read``."""
        with self.core.unit_of_work() as uow:
            metadata_row(
                self.core, uow, actor=actor, action="consents.read", subject_id=subject_id, source=source
            )
            rows = ad_rows.live_consents(uow.conn, subject_id)
            uow.commit()
        return [
            ChannelConsent(
                r.target,
                r.at,
                r.confirmed_at,
                r.answered_via,
                rules.expires_at(r.anchor),
                rules.notice_at(r.anchor),
            )
            for r in rows
        ]

    def _purpose_id(self) -> str | None:
        """The marketing purpose a consent change is logged under, when the policy has exactly one."""
        ads = [p.id for p in self.core.policy.purposes if p.marketing and p.ad_channels]
        return ads[0] if len(ads) == 1 else None

    # -- reconfirmation notices -------------------------------------------------------------------

    def queue_reconfirmations(self, now: datetime | None = None) -> int:
        """Queue the reconfirmation notices due at ``now`` (30 days before each consent's 2-year
        mark: one notice per subject and anchor, listing its channels) and settle those delivered
        (the consents reconfirmed at delivery). Idempotent; one indexed query when nothing is due.
        Returns how many notices were queued."""
        core = self.core
        moment = now or core.now()
        with core.reading() as conn:
            due = ad_rows.due_for_reconfirmation(conn, rules.reconfirmation_due_before(moment))
        groups: dict[str, list[AdConsent]] = {}
        for consent in due:
            key = f"{KIND}:{consent.subject_id}:{consent.anchor.isoformat()}"
            groups.setdefault(key, []).append(consent)
        keys = list(groups)
        queued = 0
        for start in range(0, len(keys), BATCH):
            with core.unit_of_work() as uow:
                queued += self._queue_batch(uow, {k: groups[k] for k in keys[start : start + BATCH]}, moment)
                uow.commit()
        return queued

    def _queue_batch(self, uow: UnitOfWork, groups: dict[str, list[AdConsent]], now: datetime) -> int:
        sent = ad_rows.messages_by_key(uow.conn, list(groups))
        queued = settled = 0
        for key, consents in groups.items():
            status, delivered_at = sent.get(key, (None, None))
            if status is None:
                queued += self._enqueue(uow, key, consents, now)
            elif status == "delivered" and delivered_at is not None:
                settled += ad_rows.settle(uow.conn, [c.id for c in consents], delivered_at)
        if queued or settled:
            self.core.log(
                uow,
                now,
                SWEEPER,
                "marketing.reconfirmation",
                purpose=self._purpose_id(),
                source="sweep",
                reason=f"queued={queued}; settled={settled}",
                count=queued + settled,
            )
        return queued

    def _enqueue(self, uow: UnitOfWork, key: str, consents: list[AdConsent], now: datetime) -> int:
        first = consents[0]
        targets = [c.target for c in consents]
        payload = {
            "subject_id": first.subject_id,
            "consents": [
                {
                    "channel": c.target,
                    "consented_at": c.at.isoformat(),
                    "reconfirmed_at": c.confirmed_at.isoformat() if c.confirmed_at else None,
                }
                for c in consents
            ],
            "anchor": first.anchor.isoformat(),
            "expires_at": rules.expires_at(first.anchor).isoformat(),
        }
        channel = next((c for c in NOTICE_CHANNELS if c in targets), "email")
        added = enqueue(
            uow.conn,
            kind=KIND,
            subject_id=first.subject_id,
            dedupe_key=key,
            payload=payload,
            due_at=now,
            now=now,
            channel=channel,
            recipient="subject",
        )
        return int(added)
