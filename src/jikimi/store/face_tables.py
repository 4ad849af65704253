"""The tables of the two faces people open in a browser (issue 18): the console's second factor and
sessions, the privacy center's passes (a service link, a one-time code), the officer's 소명
(justification) requests after an access-log review, and the sign-off of a month's destruction ledger.

No personal value in the clear: a TOTP secret is sealed under a key derived from the master key; a
session, a link and a code are kept only as keyed digests; a justification's question and answer are
scrubbed of personal data before they are stored (``jikimi.pii``).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from jikimi.store.tables import Timestamp, metadata

handler_factors = Table(
    "handler_factors",
    metadata,
    Column("handler_id", String(32), ForeignKey("handlers.id"), primary_key=True),
    Column("kind", String(16), nullable=False, server_default="totp"),
    Column("secret", LargeBinary, nullable=False),  # sealed under the derived "console.totp" key
    Column("enrolled_at", Timestamp, nullable=False),
    Column("last_step", Integer, nullable=True),  # the last TOTP time step used: a code is used once
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),  # keyed digest of the cookie's value
    Column("face", String(16), nullable=False),  # console | privacy
    Column("stage", String(16), nullable=False),  # console: password (awaiting TOTP) | full
    Column("handler_id", String(32), nullable=True),  # console: the signed-in handler
    Column("subject_id", String(32), nullable=True),  # privacy: whose data the session shows
    Column("acting_as", String(16), nullable=True),  # privacy: self | guardian
    Column("created_at", Timestamp, nullable=False),
    Column("seen_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),  # absolute end, however active
    Column("ended_at", Timestamp, nullable=True),  # signed out, timed out or replaced
    Column("ended_why", String(16), nullable=True),  # signout | idle | replaced | expired | tries
    Column("tries", Integer, nullable=False, server_default="0"),  # wrong TOTP codes at the password stage
    Index("ix_web_sessions_expires_at", "expires_at"),
    Index("ix_web_sessions_handler_id", "handler_id"),
)

privacy_passes = Table(
    "privacy_passes",
    metadata,
    Column("digest", String(64), primary_key=True),  # keyed digest of the link token or the pass id
    Column("kind", String(16), nullable=False),  # link | code
    Column("subject_id", String(32), nullable=False),  # the person the pass opens the center for
    Column("acting_as", String(16), nullable=False),  # self | guardian
    Column("code_digest", String(64), nullable=True),  # code: keyed digest of the one-time code
    Column("channel", String(16), nullable=True),  # code: email | sms
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("issued_by", String(32), nullable=True),  # link: the handler (the service's backend)
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("used_at", Timestamp, nullable=True),
    Index("ix_privacy_passes_expires_at", "expires_at"),
)

justifications = Table(
    "justifications",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("month", String(7), nullable=False),  # YYYY-MM, the reviewed month (KST)
    Column("handler_id", String(32), ForeignKey("handlers.id"), nullable=False),  # who is asked
    Column("alert", String(32), nullable=False),  # volume_jump | off_hours | mass_download | denials | other
    Column("alert_day", String(10), nullable=True),  # YYYY-MM-DD (KST) the alert is about
    Column("question", Text, nullable=False),  # scrubbed
    Column("asked_by", String(32), ForeignKey("handlers.id"), nullable=False),
    Column("asked_at", Timestamp, nullable=False),
    Column("due_at", Timestamp, nullable=False),
    Column("answer", Text, nullable=True),  # scrubbed
    Column("answered_at", Timestamp, nullable=True),
    Column("closed_by", String(32), ForeignKey("handlers.id"), nullable=True),
    Column("closed_at", Timestamp, nullable=True),
    Column("outcome", String(16), nullable=True),  # accepted | action
    Column("closing_note", Text, nullable=True),  # scrubbed
    Index("ix_justifications_month", "month"),
    Index("ix_justifications_handler_id", "handler_id"),
)

ledger_signoffs = Table(
    "ledger_signoffs",
    metadata,
    Column("month", String(7), primary_key=True),  # YYYY-MM (KST)
    Column("entries", Integer, nullable=False),  # ledger entries of the month when signed
    Column("digest", String(64), nullable=False),  # SHA-256 of the ledger text signed
    Column("signed_by", String(32), ForeignKey("handlers.id"), nullable=False),
    Column("signed_at", Timestamp, nullable=False),
    Column("note", Text, nullable=True),  # scrubbed
)
