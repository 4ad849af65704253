"""The vault's tables (SQLAlchemy Core). Personal values live only as ciphertext.

Data keys live in their own schema, ``jikimi_keys``: a separate SQLite file attached to the main
one, or a separate PostgreSQL schema, so that destroying a key makes every copy of the data it
protects unreadable, including backups of the main database taken before.
"""

from __future__ import annotations

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
    Index("ix_subjects_status_last_activity", "status", "last_activity_at"),
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
    Index("ix_consents_subject_target", "subject_id", "target_kind", "target_id"),
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
    Index("ix_records_subject_type", "subject_id", "type", "occurred_at"),
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
    Column("locked_at", Timestamp, nullable=True),
    Column("disabled_at", Timestamp, nullable=True),
    Column("created_at", Timestamp, nullable=False),
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
    UniqueConstraint("chain", "chain_seq", name="uq_access_log_chain_seq"),
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
