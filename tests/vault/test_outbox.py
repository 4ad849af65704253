"""The outbox queues a message once per dedupe key, on both databases."""

from __future__ import annotations

from sqlalchemy import Engine

from jikimi.store.outbox import enqueue, pending

from ..conftest import START


def test_a_message_with_the_same_dedupe_key_is_queued_only_once(engine: Engine) -> None:
    with engine.begin() as conn:

        def queue() -> bool:
            return enqueue(
                conn,
                kind="dormancy_notice",
                subject_id="s1",
                dedupe_key="k1",
                payload={"subject_id": "s1"},
                due_at=START,
                now=START,
            )

        first, again = queue(), queue()
    assert (first, again) == (True, False)
    with engine.connect() as conn:
        assert [m.dedupe_key for m in pending(conn, kind="dormancy_notice")] == ["k1"]
