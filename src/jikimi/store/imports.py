"""The bulk importer's writes (기존 회원 이전): a batch's keys, then its subjects, values, look-ups and
consents, each as one driver-level insert (``insert_many``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from jikimi.errors import Duplicate
from jikimi.store.bulk import driver_cursor, insert_many
from jikimi.store.tables import consents, data_keys, item_values, lookups, subjects

SUBJECT_COLUMNS = (
    "id",
    "kind",
    "status",
    "context",
    "is_child",
    "policy_version",
    "created_at",
    "last_activity_at",
    "status_changed_at",
)
VALUE_COLUMNS = ("subject_id", "item_id", "ciphertext", "context", "collected_at", "hold")
LOOKUP_COLUMNS = ("item_id", "digest", "subject_id")
CONSENT_COLUMNS = (
    "subject_id",
    "target_kind",
    "target_id",
    "granted",
    "policy_version",
    "channel",
    "actor",
    "at",
)
KEY_COLUMNS = ("subject_id", "wrapped", "master_key_id", "created_at")


def add_keys(conn: Connection, rows: Sequence[Sequence[object]]) -> None:
    """A batch's wrapped data keys (committed before the data sealed under them)."""
    defer_checkpoints(conn)
    insert_many(conn, data_keys, KEY_COLUMNS, rows)


def add_subjects(
    conn: Connection,
    subject_rows: Sequence[Sequence[object]],
    value_rows: Sequence[Sequence[object]],
    lookup_rows: Sequence[Sequence[object]],
    consent_rows: Sequence[Sequence[object]],
) -> None:
    """A batch's subjects with their sealed values, look-ups and consents. ``Duplicate`` when a
    concurrent writer took one of the look-ups meanwhile (the whole batch is then not written)."""
    try:
        insert_many(conn, subjects, SUBJECT_COLUMNS, subject_rows)
        insert_many(conn, item_values, VALUE_COLUMNS, value_rows)
        insert_many(conn, lookups, LOOKUP_COLUMNS, lookup_rows)
        insert_many(conn, consents, CONSENT_COLUMNS, consent_rows)
    except IntegrityError as exc:
        raise Duplicate("lookup") from exc


def defer_checkpoints(conn: Connection, pages: int = 100_000) -> None:
    """SQLite: let the write-ahead log grow to ``pages`` pages before it is checkpointed (default 1000).

    A bulk import dirties the same index pages batch after batch; checkpointing every batch copies
    (and fsyncs) each of them into the database file every time, checkpointing less often once per
    checkpoint. Commits still reach the log exactly as before, so durability does not change. The
    import's connection also gets a 1 GiB page cache: random subject ids and blind-index digests
    touch index pages all over the tables, and keeping them in memory saves re-reading them for
    every batch. Both settings live on the connection. Does nothing on other databases.
    """
    if conn.dialect.name == "sqlite":
        cursor = driver_cursor(conn)
        try:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
            cursor.execute("PRAGMA cache_size=-1048576")
        finally:
            cursor.close()
