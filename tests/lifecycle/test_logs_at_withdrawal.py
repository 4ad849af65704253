"""A log whose period ran out while the member was active is due for destruction: a withdrawal that
comes before the next sweep must destroy it, not keep it again from the withdrawal (found by the
property test in test_retention_property.py)."""

from __future__ import annotations

from datetime import timedelta

from jikimi.clock import FixedClock

from ..vault.conftest import policy_from
from .conftest import VaultFor, example_data, kst, separated_slots, with_policy
from .test_seed_mecross import SIGNUP


def test_a_log_expired_before_withdrawal_is_destroyed_not_kept_again(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    data = example_data("mecross")
    for record in data["records"]:
        if record["id"] == "fraud_record":
            record["generated"] = True  # a fraud-detection log: 1 year, also while the member is active
    jikimi = with_policy(vault_for("mecross"), policy_from(data))
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "fraud_record", {"what": "자동 탐지"}, occurred_at=kst(2026, 3, 2, 10, 0))
    clock.set(
        kst(2027, 3, 3) + timedelta(minutes=5)
    )  # the log's year ended at 2027-03-03 00:00; no sweep since
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert "fraud_record" in ended.destroyed
    assert "fraud_record" not in ended.separated
    assert "fraud_record" not in separated_slots(jikimi, sid)


def test_a_log_still_running_at_withdrawal_is_kept_by_its_rule(
    vault_for: VaultFor, clock: FixedClock
) -> None:
    data = example_data("mecross")
    for record in data["records"]:
        if record["id"] == "fraud_record":
            record["generated"] = True
    jikimi = with_policy(vault_for("mecross"), policy_from(data))
    sid = jikimi.vault.collect("signup", SIGNUP).subject_id
    jikimi.vault.add_record(sid, "fraud_record", {"what": "자동 탐지"}, occurred_at=kst(2026, 3, 2, 10, 0))
    clock.set(kst(2027, 3, 2, 23, 59, 59))
    ended = jikimi.lifecycle.withdraw(sid, "member_request")
    assert ended.separated["fraud_record"] == kst(2028, 3, 3)  # the rule counts 1 year from the withdrawal
