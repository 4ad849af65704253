"""The five remediated seeds (examples/policies/remediated/NAME.yaml) run end to end, on SQLite and
PostgreSQL, through the façade: each lints with no error and keeps its seed's blanks visible, its diff
from the as-written file lists what changed and the notice that needs, and the engine keeps every
promise — collection in every context, a read for every purpose, consents withdrawn, every retention
period to its last day, the rights desk on every channel, a provision to every recipient on its basis,
children, re-joining and dormancy.

The people and the promises of each seed are in ``seeds.py``; a failing test names its seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Engine

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import Denied, Duplicate, InvalidInput, NotFound
from jikimi.handlers import Handler
from jikimi.periods import KST
from jikimi.policy.lint import lint
from jikimi.policy.model import Policy

from ..conftest import EXAMPLES
from ..policies import cached_policy
from ..vault.conftest import fast_passwords
from .seeds import JOINED, LEFT, SEEDS, WARRANT, Seed, kst

REMEDIATED = EXAMPLES / "remediated"


def remediated(name: str) -> Policy:
    return cached_policy(REMEDIATED / f"{name}.yaml")


def seeds_where(test: Callable[[Policy], bool]) -> list[str]:
    """The seeds whose remediated policy passes ``test``."""
    return [name for name in SEEDS if test(remediated(name))]


def pairs(each: Callable[[Policy], Iterable[str]]) -> list[Any]:
    """``(seed, x)`` for every ``x`` of ``each(policy)``, as test parameters named ``seed-x``."""
    return [pytest.param(name, x, id=f"{name}-{x}") for name in SEEDS for x in each(remediated(name))]


# -- the façade over one remediated seed --------------------------------------------------------------


@pytest.fixture(params=list(SEEDS))
def seed(request: pytest.FixtureRequest) -> Seed:
    return SEEDS[request.param]


def open_seed(name: str, engine: Engine, clock: FixedClock) -> Jikimi:
    clock.set(JOINED)
    return build_jikimi(
        policy=remediated(name),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
    )


@pytest.fixture
def jikimi(seed: Seed, engine: Engine, clock: FixedClock) -> Jikimi:
    return open_seed(seed.name, engine, clock)


def officer_of(jikimi: Jikimi) -> Handler:
    """The privacy officer's team: every purpose, every action."""
    jikimi.handlers.define_role("privacy", purposes=["*"], actions=["*"])
    handler, _ = jikimi.handlers.create("privacy-officer", "correct horse battery", role="privacy")
    return handler


def consents(jikimi: Jikimi, context: str) -> dict[str, bool]:
    """Yes to every consent the context asks."""
    ctx = jikimi.vault.context(context)
    return {p.id: True for p in jikimi.vault.context_purposes(ctx) if p.basis == "consent"}


def join(jikimi: Jikimi, seed: Seed) -> str:
    """The member of ``seed`` signs up, uses every other context and gets a record of every type."""
    (first, signup), *rest = seed.member.items()
    sid = jikimi.vault.collect(first, signup, consents(jikimi, first)).subject_id
    for context, data in rest:
        jikimi.vault.collect(context, data, consents(jikimi, context), subject_id=sid)
    for record in jikimi.policy.records:
        jikimi.vault.add_record(sid, record.id, {"memo": f"{record.label} (예시)"})
    return sid


def stored(jikimi: Jikimi, sid: str) -> set[str]:
    """The items the vault holds for the subject (their ids, never their values)."""
    return set(cast(list[str], jikimi.vault.subject(sid)["items"]))


def held(seed: Seed) -> dict[str, str]:
    """Every value the member gave, the last one of each item."""
    values: dict[str, str] = {}
    for data in seed.member.values():
        values.update(data)
    return values


def slot_key(policy: Policy, slot: str) -> str:
    """How a sweep report counts a destroyed slot."""
    return f"item:{slot}" if slot in policy.items_by_id else f"record:{slot}"


def last_second(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=KST)


def next_midnight(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=KST)


def sweep_at(jikimi: Jikimi, clock: FixedClock, moment: datetime) -> dict[str, int]:
    """What a sweep at ``moment`` destroyed, by slot."""
    clock.set(moment)
    return dict(jikimi.lifecycle.sweep().destroyed)


# -- the file: lint and diff ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SEEDS))
def test_the_remediated_policy_lints_with_no_errors(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["policy", "lint", str(REMEDIATED / f"{name}.yaml"), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    errors = [
        f"{f['key']}: [{f['rule']}] {f['message_en']}" for f in report["findings"] if f["severity"] == "error"
    ]
    assert errors == [] and code == 0


@pytest.mark.parametrize("name", list(SEEDS))
def test_the_blanks_the_seed_leaves_stay_visible_and_lint_warns_of_each(name: str) -> None:
    findings = [f for f in lint(remediated(name)) if f.rule in ("placeholder", "retention-placeholder")]
    assert sorted(f.key for f in findings) == sorted(SEEDS[name].placeholders)
    assert {f.severity for f in findings} <= {"warning"}


@pytest.mark.parametrize("name", list(SEEDS))
def test_the_diff_from_the_as_written_file_lists_the_changes_and_their_notice(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = str(EXAMPLES / f"{name}.yaml"), str(REMEDIATED / f"{name}.yaml")
    code = run(["policy", "diff", old, new, "--format", "json", "--notice-date", "2026-05-01"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    keys = {c["key"] for c in report["changes"]}
    assert set(SEEDS[name].diff_keys) <= keys
    assert report["material"] is True  # new items for purposes, new recipients: 중요 변경
    assert report["notice_days"] == SEEDS[name].notice_days
    assert (
        report["earliest_effective"]
        == (date(2026, 5, 1) + timedelta(days=SEEDS[name].notice_days)).isoformat()
    )

    assert run(["policy", "diff", old, new]) == 0
    text = capsys.readouterr().out
    assert f"고지 기간: {SEEDS[name].notice_days}일 (material change)" in text
    assert all(key in text for key in SEEDS[name].diff_keys)


@pytest.mark.parametrize("name", list(SEEDS))
def test_the_promises_below_cover_every_retention_rule(name: str) -> None:
    """Each rule keeping something the member gives (an item or a record) is walked to its end below."""
    seed, policy = SEEDS[name], remediated(name)
    promised = {k.slot for k in (*seed.kept_while_active, *seed.kept_after_leaving)} | seed.kept_with_no_end
    given = set(held(seed)) | set(policy.records_by_id)
    for rule in policy.retention:
        assert set(rule.what) & given <= promised, rule.id


# -- collection and reads -------------------------------------------------------------------------------


def test_every_context_collects_the_items_it_declares_and_no_other(jikimi: Jikimi, seed: Seed) -> None:
    sid = join(jikimi, seed)
    assert stored(jikimi, sid) == set(held(seed))
    for context, data in seed.guests.items():
        guest = jikimi.vault.collect(context, data, consents(jikimi, context))
        assert jikimi.vault.subject(guest.subject_id)["kind"] == "guest"
        assert set(guest.stored_items) == set(data)
    for ctx in jikimi.policy.contexts:
        if not (ctx.required or ctx.optional):  # a collection method the seed names without items
            with pytest.raises(InvalidInput):
                jikimi.vault.collect(ctx.id, {"name": "홍길동"}, subject_id=sid)


def test_every_purpose_reads_its_items_and_records(jikimi: Jikimi, seed: Seed) -> None:
    officer = officer_of(jikimi)
    people = [(join(jikimi, seed), held(seed))]  # the member, then each guest
    for context, data in seed.guests.items():
        people.append((jikimi.vault.collect(context, data, consents(jikimi, context)).subject_id, data))
    for purpose in jikimi.policy.purposes:
        sid, values = next(((s, v) for s, v in people if set(purpose.items) & set(v)), (None, {}))
        assert sid is not None, f"{purpose.id} uses no item anyone gave"
        items = [i for i in purpose.items if i in values]
        readable = {i: values[i] for i in items if jikimi.policy.items_by_id[i].format != "password"}
        assert jikimi.vault.read(sid, items, purpose.id, officer) == readable, purpose.id
        for record in purpose.records if sid == people[0][0] else ():
            (kept,) = jikimi.vault.read_records(sid, record, purpose.id, officer)
            assert kept.data == {"memo": f"{jikimi.policy.records_by_id[record].label} (예시)"}
        outside = [i for i in values if i not in purpose.items]
        if outside:
            with pytest.raises(Denied) as denied:
                jikimi.vault.read(sid, outside[:1], purpose.id, officer)
            assert denied.value.reason == "item_not_in_purpose"


CONSENT_PURPOSES = pairs(lambda p: [x.id for x in p.purposes if x.basis == "consent"])


@pytest.mark.parametrize(("name", "purpose"), CONSENT_PURPOSES)
def test_a_withdrawn_consent_stops_its_purpose_and_no_other(
    name: str, purpose: str, engine: Engine, clock: FixedClock
) -> None:
    jikimi = open_seed(name, engine, clock)
    officer = officer_of(jikimi)
    sid = join(jikimi, SEEDS[name])
    items = [i for i in jikimi.policy.purposes_by_id[purpose].items if i in held(SEEDS[name])]
    assert jikimi.vault.read(sid, items, purpose, officer)
    jikimi.vault.withdraw_consent(sid, purpose)  # as easy as giving it (PIPA 37④)
    with pytest.raises(Denied) as denied:
        jikimi.vault.read(sid, items, purpose, officer)
    assert denied.value.reason == "consent_withdrawn"
    for other in jikimi.policy.purposes:
        if other.id != purpose and other.basis != "consent":
            mine = [i for i in other.items if i in held(SEEDS[name])]
            assert jikimi.vault.read(sid, mine, other.id, officer)


SENSITIVE = pairs(lambda p: sorted({x.id for x in p.purposes if x.separate_consent}))


@pytest.mark.parametrize(("name", "purpose"), SENSITIVE)
def test_sensitive_data_is_collected_only_with_its_separate_consent(
    name: str, purpose: str, engine: Engine, clock: FixedClock
) -> None:
    jikimi = open_seed(name, engine, clock)
    policy = jikimi.policy
    assert any(policy.items_by_id[i].is_sensitive for i in policy.purposes_by_id[purpose].items)
    (signup, data), *_ = SEEDS[name].member.items()
    sid = jikimi.vault.collect(signup, data, consents(jikimi, signup)).subject_id
    (context,) = [c for c in policy.contexts if purpose in c.purposes]
    profile = SEEDS[name].member[context.id]
    with pytest.raises(InvalidInput) as refused:  # the separate consent declined (PIPA 23①1)
        jikimi.vault.collect(context.id, profile, {purpose: False}, subject_id=sid)
    assert policy.items_by_id[refused.value.field].is_sensitive
    assert not set(profile) & stored(jikimi, sid)
    jikimi.vault.collect(context.id, profile, {purpose: True}, subject_id=sid)
    assert set(profile) <= stored(jikimi, sid)


# -- retention ------------------------------------------------------------------------------------------


def test_every_retention_period_runs_to_the_close_of_its_last_day(
    jikimi: Jikimi, seed: Seed, clock: FixedClock
) -> None:
    policy = jikimi.policy
    officer = officer_of(jikimi)
    sid = join(jikimi, seed)

    # logs and other generated data go after their period even while the member stays
    for kept in seed.kept_while_active:
        assert not sweep_at(jikimi, clock, last_second(kept.last_day)).get(slot_key(policy, kept.slot))
        assert sweep_at(jikimi, clock, next_midnight(kept.last_day))[slot_key(policy, kept.slot)] == 1, (
            kept.why
        )

    # the member leaves: everything is destroyed at once except what the retention section keeps
    clock.set(LEFT)
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    gone_already = {k.slot for k in seed.kept_while_active}
    given = (set(held(seed)) | set(policy.records_by_id)) - gone_already
    kept_slots = {k.slot for k in seed.kept_after_leaving} | seed.kept_with_no_end
    assert set(ended.destroyed) == given - kept_slots
    assert ended.separated == {
        **{k.slot: next_midnight(k.last_day) for k in seed.kept_after_leaving},
        **dict.fromkeys(seed.kept_with_no_end),
    }

    # each period to the close of its last day (KST), destroyed at the next midnight
    for day in sorted({k.last_day for k in seed.kept_after_leaving}):
        due = {slot_key(policy, k.slot) for k in seed.kept_after_leaving if k.last_day == day}
        assert not set(sweep_at(jikimi, clock, last_second(day))) & due, day
        assert set(sweep_at(jikimi, clock, next_midnight(day))) >= due, day

    if seed.kept_with_no_end:  # a blank period is never guessed: the data stays, separated
        sweep_at(jikimi, clock, kst(2046, 9, 1))
        rule = next(r for r in policy.retention if seed.kept_with_no_end <= set(r.what))
        reason = rule.access_reasons[0] if rule.access_reasons else rule.reason or ""
        kept_values = jikimi.lifecycle.read_separated(
            sid, sorted(seed.kept_with_no_end), reason, actor=officer
        )
        assert set(kept_values.values) == seed.kept_with_no_end
    else:  # nothing left: the subject itself is gone
        with pytest.raises(NotFound):
            jikimi.vault.subject(sid)


REJOIN = pairs(
    lambda p: sorted(
        {slot for r in p.retention if r.start == "withdrawal" for slot in r.what if slot in p.items_by_id}
        & {i.id for i in p.items if i.lookup}
    )
)


@pytest.mark.parametrize(("name", "item"), REJOIN)
def test_a_kept_look_up_item_stops_re_joining_until_its_period_ends(
    name: str, item: str, engine: Engine, clock: FixedClock
) -> None:
    seed = SEEDS[name]
    jikimi = open_seed(name, engine, clock)
    sid = join(jikimi, seed)
    clock.set(LEFT)
    jikimi.lifecycle.withdraw(sid, "member_request")
    (signup, data), *_ = seed.member.items()
    again = {**seed.other_member, item: data[item]}
    (kept,) = [k for k in seed.kept_after_leaving if k.slot == item]

    sweep_at(jikimi, clock, last_second(kept.last_day))
    with pytest.raises(Duplicate):
        jikimi.vault.collect(signup, again, consents(jikimi, signup))
    sweep_at(jikimi, clock, next_midnight(kept.last_day))
    assert jikimi.vault.collect(signup, again, consents(jikimi, signup)).subject_id != sid


# -- rights ---------------------------------------------------------------------------------------------


def verified(
    jikimi: Jikimi,
    officer: Handler,
    sid: str,
    kind: str,
    channel: str,
    *,
    items: Iterable[str] = (),
    purposes: Iterable[str] = (),
) -> str:
    """A request received through ``channel`` and the requester's identity verified (본인 확인)."""
    received = jikimi.rights.receive(
        sid, kind, channel=channel, actor=officer, items=list(items), purposes=list(purposes)
    )
    assert not received.duplicate
    jikimi.rights.verify(
        received.request.id, method="handler", proof="등록된 연락처로 본인 확인", actor=officer
    )
    return received.request.id


def test_the_rights_desk_takes_every_channel_and_carries_out_each_request(jikimi: Jikimi, seed: Seed) -> None:
    policy = jikimi.policy
    assert policy.rights is not None
    officer = officer_of(jikimi)
    sid = join(jikimi, seed)
    values = held(seed)

    # 열람: through every channel the policy names; due 10 days after 03-31, the day itself not counted
    for channel in policy.rights.channels:
        request_id = verified(jikimi, officer, sid, "access", channel)
        package = jikimi.rights.package(request_id, actor=officer)
        shown = {i["id"]: i["value"] for i in package.items}
        assert {k: v for k, v in shown.items() if policy.items_by_id[k].format != "password"} == {
            k: v for k, v in values.items() if policy.items_by_id[k].format != "password"
        }
        answered = jikimi.rights.answer(request_id, note="열람 자료 제공", actor=officer)
        assert (answered.status, answered.channel, answered.due_day) == (
            "answered",
            channel,
            date(2026, 4, 10),
        )

    channel = policy.rights.channels[0]
    # 정정: held until corrected, then the new value
    item, corrected = seed.correction
    purpose = next(p for p in policy.purposes if item in p.items)
    request_id = verified(jikimi, officer, sid, "correction", channel, items=[item])
    with pytest.raises(Denied) as held_back:
        jikimi.vault.read(sid, [item], purpose.id, officer)
    assert held_back.value.reason == "correction_hold"
    assert jikimi.rights.apply_correction(request_id, {item: corrected}, actor=officer).status == "answered"
    assert jikimi.vault.read(sid, [item], purpose.id, officer) == {item: corrected}

    # 처리정지: the purpose named stops, the others go on
    stopped = [p for p in policy.purposes if set(p.items) & set(values)][-1]
    request_id = verified(jikimi, officer, sid, "stop", channel, purposes=[stopped.id])
    assert jikimi.rights.stop_processing(request_id, actor=officer).status == "answered"
    with pytest.raises(Denied) as stop:
        jikimi.vault.read(sid, [i for i in stopped.items if i in values][:1], stopped.id, officer)
    assert stop.value.reason == "processing_stopped"
    going_on = next(p for p in policy.purposes if p.basis == "contract" and set(p.items) & set(values))
    assert going_on.id != stopped.id
    assert jikimi.vault.read(sid, [i for i in going_on.items if i in values][:1], going_on.id, officer)

    # 동의 철회: for a purpose resting on consent, if the policy has one
    withdrawable = [p for p in policy.purposes if p.basis == "consent" and p.id != stopped.id]
    if withdrawable:
        request_id = verified(
            jikimi, officer, sid, "consent_withdrawal", channel, purposes=[withdrawable[0].id]
        )
        assert jikimi.rights.withdraw_consents(request_id, actor=officer).status == "answered"
        with pytest.raises(Denied) as withdrawn:
            jikimi.vault.read(
                sid, [i for i in withdrawable[0].items if i in values][:1], withdrawable[0].id, officer
            )
        assert withdrawn.value.reason == "consent_withdrawn"

    # 삭제 of everything: the membership ends; what the retention section keeps is refused on its ground
    request_id = verified(jikimi, officer, sid, "deletion", channel)
    deleted = jikimi.rights.delete(request_id, actor=officer)
    assert (deleted.status, deleted.refusal_ground) == ("partly_answered", "other_law_requires_data")
    assert jikimi.vault.subject(sid)["status"] == "withdrawn"
    assert jikimi.vault.subject(sid)["items"] == []


# -- provision to third parties ---------------------------------------------------------------------------


RECIPIENTS = pairs(lambda p: [r.id for r in p.third_parties.recipients])


def provider_of(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("partnerships", purposes=[], actions=["provide", "provide_by_law", "consent"])
    handler, _ = jikimi.handlers.create("partnerships-kim", "correct horse battery", role="partnerships")
    return handler


@pytest.mark.parametrize(("name", "recipient"), RECIPIENTS)
def test_each_recipient_is_provided_on_its_basis_and_no_other(
    name: str, recipient: str, engine: Engine, clock: FixedClock
) -> None:
    jikimi = open_seed(name, engine, clock)
    (party,) = [r for r in jikimi.policy.third_parties.recipients if r.id == recipient]
    provider = provider_of(jikimi)
    sid = join(jikimi, SEEDS[name])
    items = [i for i in party.items if i in held(SEEDS[name])]
    expected = {i: held(SEEDS[name])[i] for i in items}
    sharing = jikimi.sharing

    if party.basis == "law":
        with pytest.raises(Denied) as no_reference:
            sharing.provide([sid], recipient, items, basis="law", actor=provider)
        assert no_reference.value.reason == "reference_required"
        with pytest.raises(Denied) as not_on_consent:
            sharing.provide([sid], recipient, items, basis="consent", actor=provider)
        assert not_on_consent.value.reason == "basis_not_declared"
        given = sharing.provide([sid], recipient, items, basis="law", reference=WARRANT, actor=provider)
        assert given.values == {sid: expected}
        (row,) = sharing.ledger(subject_id=sid, third_party=recipient)
        assert (row.basis, row.reference, set(row.items)) == ("law", WARRANT, set(items))
    else:  # served on the subject's consent only
        with pytest.raises(Denied) as not_by_law:
            sharing.provide([sid], recipient, items, basis="law", reference=WARRANT, actor=provider)
        assert not_by_law.value.reason == "basis_not_declared"
        assert sharing.provide([sid], recipient, items, basis="consent", actor=provider).denied == {
            sid: "consent_missing"
        }
        sharing.give_consent(sid, recipient, actor=provider)
        given = sharing.provide([sid], recipient, items, basis="consent", actor=provider)
        assert given.values == {sid: expected}
        sharing.withdraw_consent(sid, recipient, actor=provider)
        assert sharing.provide([sid], recipient, items, basis="consent", actor=provider).denied == {
            sid: "consent_withdrawn"
        }
        (row,) = sharing.ledger(subject_id=sid, third_party=recipient)
        assert (row.basis, row.reference) == ("consent", None)

    # a correction of what was given is passed on to the recipient ("정정 처리결과를 제3자에게 통지")
    assert jikimi.policy.rights is not None and jikimi.policy.rights.notify_recipients_on_correction
    officer = officer_of(jikimi)
    item, corrected = SEEDS[name].correction
    assert item in items
    request_id = verified(jikimi, officer, sid, "correction", jikimi.policy.rights.channels[0], items=[item])
    jikimi.rights.apply_correction(request_id, {item: corrected}, actor=officer)
    notes = [e.note or "" for e in jikimi.rights.events(request_id, actor=officer)]
    assert f"correction notices queued for {recipient}" in notes


# -- children, dormancy -------------------------------------------------------------------------------------


GUARDIAN_CONSENT = seeds_where(lambda p: p.children is not None and p.children.policy == "guardian_consent")


@pytest.mark.parametrize("name", GUARDIAN_CONSENT)
def test_a_child_waits_for_the_guardian_and_is_never_marketed_to_or_shared_when_promised(
    name: str, engine: Engine, clock: FixedClock
) -> None:
    seed = SEEDS[name]
    assert seed.child is not None
    jikimi = open_seed(name, engine, clock)
    policy = jikimi.policy
    assert policy.children is not None
    officer, provider = officer_of(jikimi), provider_of(jikimi)
    (signup, adult), *_ = seed.member.items()
    guardian_items = set(policy.children.guardian_items)

    # an adult is asked no guardian's data
    assert not guardian_items & set(adult)
    jikimi.vault.collect(signup, adult, consents(jikimi, signup))

    # a child under 14: nothing but the guardian's name and contact until the guardian consents (령 17-2②)
    without = {k: v for k, v in seed.child.items() if k not in guardian_items}
    with pytest.raises(InvalidInput) as refused:
        jikimi.vault.collect(signup, without, {})
    assert refused.value.field in guardian_items
    child = jikimi.vault.collect(signup, seed.child, {})
    assert child.status == "pending_guardian" and set(child.stored_items) == guardian_items
    membership = next(p for p in policy.purposes if p.basis == "contract" and guardian_items & set(p.items))
    with pytest.raises(Denied) as waiting:
        jikimi.vault.read(child.subject_id, sorted(guardian_items), membership.id, officer)
    assert waiting.value.reason == "pending_guardian"

    jikimi.vault.record_guardian_consent(child.subject_id, method="법정대리인 휴대전화 본인확인")
    no_ads = dict.fromkeys(consents(jikimi, signup), False)
    jikimi.vault.collect(signup, seed.child, no_ads, subject_id=child.subject_id)
    mine = [i for i in membership.items if i in seed.child and policy.items_by_id[i].format != "password"]
    assert jikimi.vault.read(child.subject_id, mine, membership.id, officer) == {
        i: seed.child[i] for i in mine
    }

    if policy.children.no_marketing:
        for purpose in (p for p in policy.purposes if p.marketing):
            jikimi.vault.give_consent(child.subject_id, purpose.id)
            with pytest.raises(Denied) as no_ads_for_children:
                jikimi.vault.read(child.subject_id, list(purpose.items[:1]), purpose.id, officer)
            assert no_ads_for_children.value.reason == "child_not_allowed"
    if policy.children.no_third_party:
        for party in policy.third_parties.recipients:
            items = [i for i in party.items if i in seed.child]
            if party.basis != "law":
                jikimi.sharing.give_consent(child.subject_id, party.id, actor=provider)
            basis, reference = ("law", WARRANT) if party.basis == "law" else ("consent", None)
            given = jikimi.sharing.provide(
                [child.subject_id], party.id, items, basis=basis, reference=reference, actor=provider
            )
            assert given.denied == {child.subject_id: "child_protected"}


DORMANCY = seeds_where(lambda p: p.dormancy is not None)


@pytest.mark.parametrize("name", DORMANCY)
def test_an_idle_member_is_told_30_days_ahead_then_separated_and_comes_back_on_login(
    name: str, engine: Engine, clock: FixedClock
) -> None:
    seed = SEEDS[name]
    jikimi = open_seed(name, engine, clock)
    officer = officer_of(jikimi)
    (signup, data), *_ = seed.member.items()
    sid = jikimi.vault.collect(signup, data, consents(jikimi, signup)).subject_id
    membership = next(p for p in jikimi.policy.purposes if p.basis == "contract" and "email" in p.items)
    # idle from 2026-03-31: a year ends with 2027-03-31; the notice goes 30 days before the separation
    clock.set(kst(2027, 3, 1, 23, 59, 59))
    assert jikimi.lifecycle.sweep().notices == 0
    clock.set(kst(2027, 3, 2))
    assert jikimi.lifecycle.sweep().notices == 1
    clock.set(last_second(date(2027, 3, 31)))
    assert jikimi.lifecycle.sweep().separated_dormant == 0
    assert jikimi.vault.read(sid, ["email"], membership.id, officer) == {"email": data["email"]}
    clock.set(next_midnight(date(2027, 3, 31)))
    assert jikimi.lifecycle.sweep().separated_dormant == 1
    with pytest.raises(Denied) as dormant:
        jikimi.vault.read(sid, ["email"], membership.id, officer)
    assert dormant.value.reason == "dormant"
    assert jikimi.vault.verify_password(sid, "password", data["password"])  # logging in brings it back
    assert jikimi.vault.read(sid, ["email"], membership.id, officer) == {"email": data["email"]}
