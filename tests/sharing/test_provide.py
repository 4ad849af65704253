"""제3자 제공: nothing leaves without consent to the recipient or a legal basis with its reference,
never for children, never items under correction, and every provision is recorded."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, insert, select, update

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.sharing import Sharing, SubjectQuery
from jikimi.sharing import provide as sharing_service
from jikimi.store.tables import access_log, item_values, processing_stops, provisions, subjects

from .conftest import member_data

WARRANT = "서울중앙지법 2026-영장-0042"


def ledger_rows(jikimi: Jikimi) -> list[dict[str, object]]:
    with jikimi.core.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(provisions).order_by(provisions.c.id))]


def provide_log(jikimi: Jikimi) -> list[dict[str, object]]:
    with jikimi.core.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                select(access_log).where(access_log.c.action == "provide").order_by(access_log.c.seq)
            )
        ]


def test_a_member_who_consented_is_provided_and_the_provision_is_recorded_without_values(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str, officer: Handler
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider)
    result = sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=provider)
    expected = jikimi.vault.read(member, ["name", "mobile"], "membership", officer)
    assert result.values == {member: expected}
    assert result.counts == {"allowed": 1}
    [row] = ledger_rows(jikimi)
    assert (row["batch_id"], row["subject_id"], row["third_party_id"], row["basis"], row["reference"]) == (
        result.batch_id,
        member,
        "nurim_points",
        "consent",
        None,
    )
    assert json.loads(str(row["items"])) == ["mobile", "name"]
    [entry] = provide_log(jikimi)
    assert (entry["subject_id"], entry["outcome"], entry["actor"]) == (member, "allowed", "pt-choi")
    recorded = json.dumps([ledger_rows(jikimi), provide_log(jikimi)], default=str, ensure_ascii=False)
    assert all(value not in recorded for value in expected.values())


def test_without_consent_to_the_recipient_nothing_is_provided(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    result = sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=provider)
    assert result.values == {}
    assert result.denied == {member: "consent_missing"}
    assert ledger_rows(jikimi) == []
    assert [e["outcome"] for e in provide_log(jikimi)] == ["denied:consent_missing"]


def test_a_withdrawn_consent_stops_later_provisions(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str, clock: FixedClock
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider)
    assert sharing.provide([member], "nurim_points", ["name"], basis="consent", actor=provider).allowed == 1
    sharing.withdraw_consent(member, "nurim_points", actor=provider)
    result = sharing.provide([member], "nurim_points", ["name"], basis="consent", actor=provider)
    assert result.denied == {member: "consent_withdrawn"}
    assert len(ledger_rows(jikimi)) == 1


def test_a_legal_basis_with_its_reference_provides_without_consent(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    result = sharing.provide(
        [member], "police", ["name", "login_id"], basis="law", reference=WARRANT, actor=provider
    )
    assert set(result.values[member]) == {"name", "login_id"}
    [row] = ledger_rows(jikimi)
    assert (row["basis"], row["reference"], row["third_party_id"]) == ("law", WARRANT, "police")


def test_a_legal_basis_without_reference_refuses_the_whole_call_and_logs_it(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    with pytest.raises(Denied) as refused:
        sharing.provide([member], "police", ["name"], basis="law", actor=provider)
    assert refused.value.reason == "reference_required"
    assert ledger_rows(jikimi) == []
    [entry] = provide_log(jikimi)
    assert entry["outcome"] == "denied:reference_required"


@pytest.mark.parametrize(
    "third_party, items, reason",
    [
        ("data_broker", ["name"], "unknown_third_party"),
        ("nurim_points", ["name", "email"], "item_not_for_recipient"),
    ],
)
def test_recipients_and_items_outside_the_policy_are_refused(
    jikimi: Jikimi,
    sharing: Sharing,
    provider: Handler,
    member: str,
    third_party: str,
    items: list[str],
    reason: str,
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider)
    with pytest.raises(Denied) as refused:
        sharing.provide([member], third_party, items, basis="consent", actor=provider)
    assert refused.value.reason == reason
    assert ledger_rows(jikimi) == []


def test_a_handler_whose_role_may_not_provide_is_refused(
    jikimi: Jikimi, sharing: Sharing, support_agent: Handler, member: str
) -> None:
    with pytest.raises(Denied) as refused:
        sharing.provide([member], "police", ["name"], basis="law", reference=WARRANT, actor=support_agent)
    assert refused.value.reason == "action_not_allowed"


def test_a_meaningless_basis_is_invalid_input(sharing: Sharing, provider: Handler, member: str) -> None:
    with pytest.raises(InvalidInput):
        sharing.provide([member], "nurim_points", ["name"], basis="legitimate_interest", actor=provider)


def child(jikimi: Jikimi) -> str:
    """A child under 14 whose guardian consented and whose sign-up was completed."""
    data = member_data(9, birthdate="2016-05-05", guardian_name="홍부모", guardian_mobile="010-9999-0000")
    sid = jikimi.vault.collect("signup", data, {}).subject_id
    jikimi.vault.record_guardian_consent(sid, method="mobile")
    jikimi.vault.collect(
        "signup", member_data(9, birthdate="2016-05-05"), {"marketing": False}, subject_id=sid
    )
    return sid


def test_children_under_14_are_never_provided_even_with_consent_or_a_warrant(
    jikimi: Jikimi, sharing: Sharing, provider: Handler
) -> None:
    kid = child(jikimi)
    sharing.give_consent(kid, "nurim_points", actor=provider)
    by_consent = sharing.provide([kid], "nurim_points", ["name"], basis="consent", actor=provider)
    by_law = sharing.provide([kid], "police", ["name"], basis="law", reference=WARRANT, actor=provider)
    assert by_consent.denied == {kid: "child_protected"} and by_law.denied == {kid: "child_protected"}
    assert ledger_rows(jikimi) == []


def test_a_child_waiting_for_the_guardian_is_not_active(
    jikimi: Jikimi, sharing: Sharing, provider: Handler
) -> None:
    data = member_data(8, birthdate="2016-05-05", guardian_name="홍부모", guardian_mobile="010-9999-0001")
    sid = jikimi.vault.collect("signup", data, {}).subject_id
    result = sharing.provide([sid], "police", ["name"], basis="law", reference=WARRANT, actor=provider)
    assert result.denied == {sid: "subject_not_active"}


def test_items_under_correction_are_not_provided_until_corrected(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider)
    with jikimi.core.engine.begin() as conn:  # what opening a correction does (정정 요구: item on hold)
        conn.execute(
            update(item_values)
            .where(item_values.c.subject_id == member, item_values.c.item_id == "mobile")
            .values(hold=True)
        )
    held = sharing.provide([member], "nurim_points", ["name", "mobile"], basis="consent", actor=provider)
    assert held.denied == {member: "correction_hold"}
    by_law = sharing.provide([member], "police", ["mobile"], basis="law", reference=WARRANT, actor=provider)
    assert by_law.denied == {member: "correction_hold"}
    other = sharing.provide([member], "nurim_points", ["name"], basis="consent", actor=provider)
    assert set(other.values[member]) == {"name"}
    with jikimi.core.engine.begin() as conn:  # the correction is applied: the hold is lifted
        conn.execute(update(item_values).where(item_values.c.subject_id == member).values(hold=False))
    assert sharing.provide([member], "nurim_points", ["mobile"], basis="consent", actor=provider).allowed == 1


def test_a_stop_of_provision_blocks_consent_based_provision_until_lifted(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str, clock: FixedClock
) -> None:
    sharing.give_consent(member, "nurim_points", actor=provider)
    with (
        jikimi.core.engine.begin() as conn
    ):  # what a stop-processing request (처리정지) records for a recipient
        conn.execute(
            insert(processing_stops).values(
                subject_id=member, purpose_id="third_party:nurim_points", at=clock.now()
            )
        )
    assert sharing.provide([member], "nurim_points", ["name"], basis="consent", actor=provider).denied == {
        member: "processing_stopped"
    }
    assert (
        sharing.provide([member], "police", ["name"], basis="law", reference=WARRANT, actor=provider).allowed
        == 1
    )
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(processing_stops).values(lifted_at=clock.now()))
    assert sharing.provide([member], "nurim_points", ["name"], basis="consent", actor=provider).allowed == 1


def test_dormant_and_unknown_subjects_are_counted_not_provided(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    other = jikimi.vault.collect("signup", member_data(2), {"marketing": False}).subject_id
    with jikimi.core.engine.begin() as conn:
        conn.execute(update(subjects).where(subjects.c.id == other).values(status="dormant"))
    result = sharing.provide(
        [member, other, "no-such-subject"], "police", ["name"], basis="law", reference=WARRANT, actor=provider
    )
    assert result.counts == {"allowed": 1, "subject_not_active": 1, "subject_not_found": 1}
    assert [e["outcome"] for e in provide_log(jikimi)] == [
        "allowed",
        "denied:subject_not_active",
        "denied:subject_not_found",
    ]


def test_a_query_selects_the_subjects_who_consented_to_the_recipient(
    jikimi: Jikimi, sharing: Sharing, provider: Handler
) -> None:
    ids = [
        jikimi.vault.collect("signup", member_data(n), {"marketing": False}).subject_id for n in range(10, 14)
    ]
    for sid in ids[:3]:
        sharing.give_consent(sid, "nurim_points", actor=provider)
    sharing.withdraw_consent(ids[0], "nurim_points", actor=provider)
    result = sharing.provide(
        SubjectQuery(consented=True), "nurim_points", ["name", "mobile"], basis="consent", actor=provider
    )
    assert set(result.values) == {ids[1], ids[2]}
    assert result.denied == {}


def test_a_call_is_written_chunk_by_chunk_with_one_batch_id(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [
        jikimi.vault.collect("signup", member_data(n), {"marketing": False}).subject_id for n in range(20, 25)
    ]
    monkeypatch.setattr(sharing_service, "CHUNK", 2)
    result = sharing.provide(
        ids, "police", ["name", "mobile"], basis="law", reference=WARRANT, actor=provider
    )
    assert result.allowed == 5
    rows = ledger_rows(jikimi)
    assert {r["subject_id"] for r in rows} == set(ids) and {r["batch_id"] for r in rows} == {result.batch_id}
    assert len(provide_log(jikimi)) == 5


def test_the_ledger_answers_by_subject_recipient_and_batch(
    jikimi: Jikimi, sharing: Sharing, provider: Handler, member: str
) -> None:
    other = jikimi.vault.collect("signup", member_data(2), {"marketing": False}).subject_id
    first = sharing.provide(
        [member, other], "police", ["name"], basis="law", reference=WARRANT, actor=provider
    )
    sharing.give_consent(member, "nurim_points", actor=provider)
    sharing.provide([member], "nurim_points", ["mobile"], basis="consent", actor=provider)
    assert [r.third_party_id for r in sharing.ledger(subject_id=member)] == ["police", "nurim_points"]
    assert {r.subject_id for r in sharing.ledger(batch_id=first.batch_id)} == {member, other}
    assert [r.items for r in sharing.ledger(third_party="nurim_points")] == [("mobile",)]
    page = sharing.ledger(limit=2)
    assert len(page) == 2 and len(sharing.ledger(after_id=page[-1].id)) == 1
    with jikimi.core.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(provisions)).scalar_one() == 3


def test_the_facade_provides_through_the_same_rules(jikimi: Jikimi, officer: Handler) -> None:
    """``jikimi.sharing.provide`` is the one entry point (there is no second one on the vault)."""
    sid = jikimi.vault.collect("signup", member_data(0), {"marketing": True}).subject_id
    with pytest.raises(Denied):
        jikimi.sharing.provide([sid], "no_such_recipient", ["name"], basis="consent", actor=officer)
