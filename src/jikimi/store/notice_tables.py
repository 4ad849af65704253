"""The tables of reaching people (issue 16), on the vault's metadata: notices posted on the website,
breach incidents and the subjects they affect, complaints, and the protected links to access packages.
Personal values only as ciphertext; free text is masked before it is written (``notices``).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from jikimi.store.tables import Timestamp, metadata

postings = Table(
    "postings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(24), nullable=False),  # policy_change | breach
    Column("ref", String(64), nullable=False),  # the policy version or the incident id
    Column("title", Text, nullable=False),  # no personal data: rendered from ids, dates and the policy
    Column("body", Text, nullable=False),  # HTML
    Column("posted_at", Timestamp, nullable=False),
    Column("until_at", Timestamp, nullable=True),
    UniqueConstraint("kind", "ref"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(24), nullable=False),  # leak | possible_leak | alteration | loss
    Column("cause", String(24), nullable=True),  # outside_access | insider | mistake | ransomware | other
    Column("status", String(16), nullable=False),  # open | closed
    Column(
        "aware_at", Timestamp, nullable=False
    ),  # when the controller became aware: the 72 hours run from here
    Column("occurred_at", Timestamp, nullable=True),
    Column("opened_at", Timestamp, nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of item ids, never values
    Column("summary", Text, nullable=True),  # masked by jikimi.pii before it is written
    Column("reported_at", Timestamp, nullable=True),
    Column("reported_to", String(16), nullable=True),  # pipc | kisa
    Column("notified_at", Timestamp, nullable=True),
    Column("posted_at", Timestamp, nullable=True),
    Column("closed_at", Timestamp, nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("measures", Text, nullable=True),  # JSON list of measure codes (migration 0009), never free text
    Index("ix_incidents_status_aware_at", "status", "aware_at"),
)

incident_subjects = Table(
    "incident_subjects",
    metadata,
    Column("incident_id", String(32), ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", String(32), primary_key=True),  # no FK: the incident outlives the subject
    Column("added_at", Timestamp, nullable=False),
    Column("notified_at", Timestamp, nullable=True),
    Column("contact", String(16), nullable=True),  # known | missing (decided when notices are queued)
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("channel", String(16), nullable=False),  # email | fax | letter | phone | web | in_person
    Column("subject_id", String(32), nullable=True),  # no FK: the complaint outlives the subject
    Column("topic", String(48), nullable=True),  # a code, never free text
    Column("body", LargeBinary, nullable=True),  # sealed under the complaint's own key ("cp~<id>")
    Column("received_at", Timestamp, nullable=False),
    Column("due_at", Timestamp, nullable=False),
    Column("status", String(16), nullable=False),  # open | answered
    Column("answered_at", Timestamp, nullable=True),
    Column("answered_by", String(64), nullable=True),
    Column("answer", LargeBinary, nullable=True),  # sealed under the same key
    Column("received_by", String(64), nullable=False),
    Index("ix_complaints_status_due_at", "status", "due_at"),
)

package_links = Table(
    "package_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("request_id", String(32), ForeignKey("rights_requests.id", ondelete="CASCADE"), nullable=False),
    Column("token_digest", LargeBinary(32), nullable=False, unique=True),  # SHA-256; the token is never kept
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("opens", Integer, nullable=False, server_default="0"),  # times the package was opened through it
    Column("last_opened_at", Timestamp, nullable=True),
    Index("ix_package_links_request_id", "request_id"),
)
"""A protected link to an access package (migration 0011): the answer notice of an access request
carries its token; only the token's digest is stored, with an expiry and a count of opens."""
