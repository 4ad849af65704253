"""The vault's tables (SQLAlchemy Core). Personal values live only as ciphertext.

Data keys live in their own schema, ``jikimi_keys``: a separate SQLite file attached to the main
one, or a separate PostgreSQL schema, so that destroying a key makes every copy of the data it
protects unreadable, including backups of the main database taken before.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

KEYS_SCHEMA = "jikimi_keys"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = DateTime(timezone=True)

_Conditional = TypeVar("_Conditional", UniqueConstraint, Index)


def only_on(dialect: str, item: _Conditional) -> _Conditional:
    """A constraint or index of one database only (created there; compared there, by
    ``store.migrate.comparison_options``)."""
    item.info["dialect"] = dialect
    return item.ddl_if(dialect=dialect)


subjects = Table(
    "subjects",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # member | guest | guardian
    Column("status", String(24), nullable=False),  # active | pending_guardian | dormant | withdrawn
    Column("context", String(64), nullable=False),
    Column("is_child", Boolean, nullable=False, default=False),
    Column("guardian_id", String(32), ForeignKey("subjects.id", ondelete="SET NULL"), nullable=True),
    Column("policy_version", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("last_activity_at", Timestamp, nullable=False),
    Column("status_changed_at", Timestamp, nullable=False),
    Index("ix_subjects_status_last_activity_id", "status", "last_activity_at", "id"),
    Index("ix_subjects_guardian_id", "guardian_id"),  # ON DELETE SET NULL looks children up by it
)

item_values = Table(
    "item_values",
    metadata,
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("context", String(64), nullable=False),
    Column("collected_at", Timestamp, nullable=False),
    Column("hold", Boolean, nullable=False, default=False),  # correction hold (정정 중)
)

lookups = Table(
    "lookups",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("digest", LargeBinary(32), primary_key=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Index("ix_lookups_subject_id", "subject_id"),
)

consents = Table(
    "consents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("target_kind", String(16), nullable=False),  # purpose | third_party | guardian
    Column("target_id", String(64), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("withdrawn_at", Timestamp, nullable=True),
    Column("confirmed_at", Timestamp, nullable=True),  # last reconfirmation (광고 수신동의 재확인, 2 years)
    Index("ix_consents_subject_target", "subject_id", "target_kind", "target_id"),
    # advertising consents due for reconfirmation (notices.marketing): a range read per kind
    Index("ix_consents_kind_anchor", "target_kind", "withdrawn_at", "confirmed_at", "at"),
)

records = Table(
    "records",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(64), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("occurred_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=True),  # set for logs that expire while the member is active
    Index("ix_records_subject_type", "subject_id", "type", "occurred_at"),
    Index("ix_records_expires_at", "expires_at"),
)

roles = Table(
    "roles",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("purposes", Text, nullable=False),  # JSON list of purpose ids, or ["*"]
    Column("actions", Text, nullable=False),  # JSON list of actions
    Column("created_at", Timestamp, nullable=False),
)

handlers = Table(
    "handlers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("role", String(64), ForeignKey("roles.name"), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("token_digest", LargeBinary(32), nullable=True, unique=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_at", Timestamp, nullable=True),  # when the last lock began
    Column("disabled_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("locked_until", Timestamp, nullable=True),  # no new login before; tokens keep working
    Column("lock_level", Integer, nullable=False, default=0, server_default="0"),  # locks in a row
    Column("token_expires_at", Timestamp, nullable=True),
)

login_sources = Table(
    "login_sources",
    metadata,
    Column("source", String(64), primary_key=True),  # the client address of failed logins
    Column("failures", Integer, nullable=False),  # in the window that began at window_start
    Column("window_start", Timestamp, nullable=False),
    Column("blocked_until", Timestamp, nullable=True),
)

rights_log = Table(
    "handler_rights_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("handler_login", String(64), nullable=False),
    Column("change", String(16), nullable=False),  # grant | change | revoke | lock | unlock | token
    Column("detail", Text, nullable=False),
    Column("keep_until", Timestamp, nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("chain", String(40), nullable=False),
    Column("chain_seq", BigInteger, nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("source", String(64), nullable=False),
    Column("subject_id", String(32), nullable=True),  # no FK: the log outlives the subject
    Column("items", Text, nullable=False),  # JSON list of item/record ids, never values
    Column("purpose", String(64), nullable=True),
    Column("action", String(32), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("count", Integer, nullable=False, default=1),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    only_on("sqlite", UniqueConstraint("chain", "chain_seq", name="uq_access_log_chain_seq")),
    # PostgreSQL partitions the log by month (migration 0007, store/partitions.py), and a partitioned
    # table's keys hold the partition key: the primary key is (seq, at) there, this one (chain,
    # chain_seq, at); seq still comes from one sequence, and the verifier checks the positions
    only_on("postgresql", UniqueConstraint("chain", "chain_seq", "at", name="uq_access_log_chain_seq_at")),
    Index("ix_access_log_at", "at"),
    Index("ix_access_log_subject", "subject_id"),
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("subject_id", String(32), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("master_key_id", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    schema=KEYS_SCHEMA,
)

key_material = Table(
    "key_material",
    metadata,
    Column("name", String(32), primary_key=True),  # "blind_index"
    Column("wrapped", LargeBinary, nullable=False),
    Column("master_key_id", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    schema=KEYS_SCHEMA,
)

# --- the lifecycle (issue 4): separated store, outbox, destruction ledger -----------------------
#
# Data kept after its purpose ended (분리보관, PIPA 21③) leaves the active tables for these, so no
# everyday query can reach it. Values and records moved at withdrawal are re-sealed under a key
# of their own retention group (``<subject>~<rule hash>``): when the group's period ends its rows
# are deleted and its key destroyed, and the subject's everyday key is destroyed once the kept rows
# no longer need it.

# Rows separated under a rule whose period is still a placeholder ("oo년간") wait for the policy to
# state one; each sweep looks for them (lifecycle/sweep.py::_reprice). A partial index holds just
# those rows, so the look costs nothing however much dormant data (also without an expiry) is kept.
# Queries must spell the predicate out literally for either planner to use the index.
AWAITING_PERIOD = "expires_at IS NULL AND cause = 'withdrawal'"

# Rows moved at a withdrawal are still sealed under the everyday key until, right after the commit,
# they are re-sealed under their retention group's key (lifecycle/separation.py::rekey); the sweep
# finds any a crash left behind through a partial index holding just those rows (migration 0005).
AWAITING_REKEY = "cause = 'withdrawal' AND key_id = subject_id"

separated_values = Table(
    "separated_values",
    metadata,
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("cause", String(16), nullable=False),  # withdrawal | dormancy
    Column("rule_id", String(64), nullable=True),  # the retention rule keeping it (None: dormancy)
    Column("start_at", Timestamp, nullable=False),  # the event the period counts from
    Column("expires_at", Timestamp, nullable=True),  # None: dormant, or the rule's period is a placeholder
    Column("collected_at", Timestamp, nullable=False),
    Column("context", String(64), nullable=False),
    Column("separated_at", Timestamp, nullable=False),
    Index("ix_separated_values_expires_at", "expires_at"),
    Index("ix_separated_values_key_id", "key_id"),
    Index(
        "ix_separated_values_awaiting_period",
        "rule_id",
        sqlite_where=text(AWAITING_PERIOD),
        postgresql_where=text(AWAITING_PERIOD),
    ),
    Index(
        "ix_separated_values_awaiting_rekey",
        "subject_id",
        sqlite_where=text(AWAITING_REKEY),
        postgresql_where=text(AWAITING_REKEY),
    ),
)

separated_records = Table(
    "separated_records",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(64), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("cause", String(16), nullable=False),
    Column("rule_id", String(64), nullable=True),
    Column("occurred_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("start_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=True),
    Column("separated_at", Timestamp, nullable=False),
    Index("ix_separated_records_subject_id", "subject_id"),
    Index("ix_separated_records_expires_at", "expires_at"),
    Index("ix_separated_records_key_id", "key_id"),
    Index(
        "ix_separated_records_awaiting_period",
        "rule_id",
        sqlite_where=text(AWAITING_PERIOD),
        postgresql_where=text(AWAITING_PERIOD),
    ),
    Index(
        "ix_separated_records_awaiting_rekey",
        "subject_id",
        sqlite_where=text(AWAITING_REKEY),
        postgresql_where=text(AWAITING_REKEY),
    ),
)

separated_lookups = Table(
    "separated_lookups",
    metadata,
    Column("item_id", String(64), primary_key=True),
    Column("digest", LargeBinary(32), primary_key=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("rule_id", String(64), nullable=True),
    Column("expires_at", Timestamp, nullable=True),
    Index("ix_separated_lookups_subject_id", "subject_id"),
    Index("ix_separated_lookups_expires_at", "expires_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # dormancy_notice | correction_notice | …
    Column("subject_id", String(32), nullable=True),  # no FK: a notice may outlive the subject
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("payload", Text, nullable=False),  # JSON of ids, dates and codes — never personal values
    Column("due_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("delivered_at", Timestamp, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    # delivery (notices/delivery.py): one row is one message on one channel to one recipient
    Column(
        "channel", String(16), nullable=True
    ),  # email | sms | push | alimtalk | letter | …; None: the kind's
    Column(
        "recipient", String(16), nullable=False, server_default="subject"
    ),  # subject | third_party | service
    Column("status", String(16), nullable=False, server_default="pending"),  # pending | delivered | dead
    Column("claimed_until", Timestamp, nullable=True),  # a worker's lease; expired: claimable again
    Column("claimed_by", String(64), nullable=True),  # host:pid of the worker holding the lease
    Column(
        "last_error", String(64), nullable=True
    ),  # a code (smtp.550, webhook.503, no_contact), never a value
    Column("dead_at", Timestamp, nullable=True),
    Index("ix_outbox_pending", "delivered_at", "due_at"),
    Index("ix_outbox_subject_kind", "subject_id", "kind"),
    Index("ix_outbox_status_due_at", "status", "due_at"),
)

destruction_ledger = Table(
    "destruction_ledger",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("batch_id", String(32), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("process", String(120), nullable=False),  # host:pid of the sweeping process
    Column("actor", String(64), nullable=False),
    Column("class_kind", String(16), nullable=False),  # item | record | lookup | key | subject
    Column("class_id", String(64), nullable=False),
    Column("count", Integer, nullable=False),
    Column("trigger", String(32), nullable=False),  # withdrawal | retention_expired | log_expired | …
    Column("rule_id", String(64), nullable=True),
    Column("basis", Text, nullable=True),  # the law or the policy's reason
    Column("method", String(64), nullable=False),
    Index("ix_destruction_ledger_at", "at"),
)

# --- rights and sharing (issue 5) ----------------------------------------------------------------

rights_requests = Table(
    "rights_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("subject_id", String(32), nullable=True),  # no FK: the answer must outlive a deletion
    Column(
        "type", String(24), nullable=False
    ),  # access | correction | deletion | stop | consent_withdrawal | automated_decision
    Column("requester", String(16), nullable=False),  # self | guardian | agent
    Column("requester_detail", LargeBinary, nullable=True),  # sealed: guardian/agent name, power of attorney
    Column("channel", String(16), nullable=False),  # one of the policy's rights.channels (≤ 9 characters)
    Column("status", String(24), nullable=False),
    Column("scope", Text, nullable=False),  # JSON: items, purposes, decision id — ids only
    Column("received_at", Timestamp, nullable=False),
    Column("due_at", Timestamp, nullable=False),
    Column("verified_at", Timestamp, nullable=True),
    Column("verification", String(32), nullable=True),
    Column("answered_at", Timestamp, nullable=True),
    Column("refusal_ground", String(48), nullable=True),
    Column("note", Text, nullable=True),  # extension reason or refusal explanation — no personal data
    Column("open_key", String(120), nullable=True, unique=True),  # "<subject>|<type>" while open
    Column("handler", String(64), nullable=True),
    Index("ix_rights_requests_status_due", "status", "due_at"),
    Index("ix_rights_requests_subject_id", "subject_id"),
)

rights_events = Table(
    "rights_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("request_id", String(32), ForeignKey("rights_requests.id", ondelete="CASCADE"), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_rights_events_request_id", "request_id"),
)

verification_codes = Table(
    "verification_codes",
    metadata,
    Column("request_id", String(32), ForeignKey("rights_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("code_digest", LargeBinary(32), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)

processing_stops = Table(
    "processing_stops",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("subject_id", String(32), ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    Column("purpose_id", String(64), nullable=False),
    Column("request_id", String(32), nullable=True),
    Column("at", Timestamp, nullable=False),
    Column("lifted_at", Timestamp, nullable=True),
    Index("ix_processing_stops_subject_purpose", "subject_id", "purpose_id"),
)

provisions = Table(
    "provisions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("batch_id", String(32), nullable=False),
    Column("subject_id", String(32), nullable=False),  # no FK: the ledger outlives the subject
    Column("third_party_id", String(64), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of item ids, never values
    Column("basis", String(16), nullable=False),  # consent | law
    Column("reference", Text, nullable=True),  # e.g. a warrant number for a legal basis
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Index("ix_provisions_subject_id", "subject_id"),
    Index("ix_provisions_third_party_at", "third_party_id", "at"),
)

processor_registry = Table(
    "processor_registry",
    metadata,
    Column("processor_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("task", Text, nullable=False),
    Column("items", Text, nullable=False),  # JSON list of item ids the processor holds
    Column("until_kind", String(24), nullable=True),
    Column("until_at", Timestamp, nullable=True),
    Column("policy_version", String(64), nullable=False),
    Column("registered_at", Timestamp, nullable=False),
    Column("released_at", Timestamp, nullable=True),
)

exports = Table(
    "exports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # aggregate | extract
    Column("k", Integer, nullable=False),
    Column("params", Text, nullable=False),  # JSON: items, generalisation, reason
    Column("rows_out", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
)


# the tables of reaching people (postings, incidents, complaints) are in ``notice_tables``, on the same
# metadata; ``schema`` imports both
