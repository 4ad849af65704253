"""The policy classes for what goes beyond the controller's own processing, and how subjects are served.

Third parties, processors and overseas transfers, automatic collection, security measures, rights,
complaints and redress, change notice, automated decisions, pseudonymization, masking, free sections
and history.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from jikimi.policy._model_base import Citation, DurationValue, Id, Placeholder, _Model
from jikimi.policy._model_collection import Channel

# --- to whom ----------------------------------------------------------------------------------


class Overseas(_Model):
    """The five disclosures for an overseas transfer (PIPA 28-8, 시행령 31①)."""

    items: tuple[Id, ...] = ()
    country: str | None = None
    when_and_how: str | None = None
    recipient_contact: str | None = None
    purpose_and_retention: str | None = None
    how_to_refuse: str | None = None
    refusal_consequence: str | None = None


DOMESTIC = frozenset({"KR", "대한민국", "한국", "Korea", "Republic of Korea"})


class ThirdParty(_Model):
    """A recipient of personal data (제3자 제공, PIPA 17)."""

    id: Id
    name: str
    purpose: str
    items: tuple[Id, ...] = ()
    retention: DurationValue | Placeholder | None = None
    retention_text: str | None = None
    basis: Literal["consent", "law"] | None = None
    citation: Citation | None = None
    country: str | None = None
    overseas: Overseas | None = None
    contact: str | None = None
    note: str | None = None

    @property
    def is_overseas(self) -> bool:
        return self.country is not None and self.country not in DOMESTIC

    @property
    def served_on(self) -> Literal["consent", "law"]:
        """The basis the recipient is served on: as declared, else the subject's consent (PIPA 17①1)
        — what the document states and what ``jikimi.sharing`` checks every provision against."""
        return self.basis or "consent"


class ThirdPartySection(_Model):
    """제3자 제공: recipients, and the cases the policy names where data goes out without consent."""

    announced: bool = False
    recipients: tuple[ThirdParty, ...] = ()
    exceptions: tuple[str, ...] = ()
    note: str | None = None


class Processor(_Model):
    """A processor (수탁자, PIPA 26) and the task entrusted to it."""

    id: Id
    name: str
    task: str
    items: tuple[Id, ...] = ()
    until: Literal["contract_end", "withdrawal", "purpose_end"] | None = None
    until_text: str | None = None
    max_period: DurationValue | None = None
    country: str | None = None
    overseas: Overseas | None = None
    sub_processors: tuple[str, ...] = ()
    marketing: bool = False
    note: str | None = None

    @property
    def is_overseas(self) -> bool:
        return self.country is not None and self.country not in DOMESTIC


class ProcessorSection(_Model):
    """처리 위탁: the processors, always listed (PIPA 26②)."""

    announced: bool = False
    processors: tuple[Processor, ...] = ()
    note: str | None = None


class AutoCollection(_Model):
    """Cookies, device ids and other automatic collection, and how to refuse (PIPA 30①)."""

    id: Id
    kind: Literal["cookie", "device_id", "log", "web_beacon", "sdk"]
    label: str
    items: tuple[Id, ...] = ()
    purpose: str
    how_to_refuse: str | None = None
    refusal_consequence: str | None = None
    note: str | None = None


SecurityKind = Literal[
    "encryption_at_rest",
    "encryption_in_transit",
    "password_hashing",
    "access_control",
    "access_log",
    "least_privilege",
    "antivirus",
    "firewall",
    "backup",
    "training",
    "audit",
    "dedicated_org",
    "physical",
    "other",
]


class SecurityMeasure(_Model):
    """A safeguard (안전성 확보조치). ``covers`` lists item ids or item classes; empty means all."""

    kind: SecurityKind
    description: str
    covers: tuple[str, ...] = ()


# --- rights, complaints, changes --------------------------------------------------------------


class Rights(_Model):
    """How subjects and guardians exercise their rights (PIPA 35–38)."""

    channels: tuple[Channel, ...] = ()
    procedure: tuple[str, ...] = ()
    deadline_days: int | None = Field(None, ge=1, le=60)
    guardian: bool = False
    agent: bool = False
    correction_hold: bool = False
    notify_recipients_on_correction: bool = False
    withdrawal: str | None = None
    requestable: tuple[str, ...] = ()
    note: str | None = None


class Redress(_Model):
    """An agency a subject may turn to (권익침해 구제방법)."""

    name: str
    url: str | None = None
    phone: str | None = None


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
"""A time of day in Korean time, ``HH:MM`` (``09:00``, ``18:00``)."""


class WorkingHours(_Model):
    """When complaints are worked on (근무시간), Korean time, on business days: ``start`` to ``end``.
    A policy that states none gets the engine's default, 09:00–18:00 (``notices.complaint_rules``)."""

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError(
                f"working hours must start before they end, got {self.start}-{self.end} "
                "(근무시간은 시작이 끝보다 빨라야 합니다)"
            )
        return self


class Complaints(_Model):
    """Complaint handling (의견수렴 및 불만처리)."""

    response_hours: int | None = Field(None, ge=1)
    business_days: bool = False
    working_hours: WorkingHours | None = None
    redress: tuple[Redress, ...] = ()
    note: str | None = None


NoticeKind = Literal[
    "dormancy_notice",
    "correction_notice",
    "rights_answer",
    "policy_change",
    "marketing_reconfirmation",
    "usage_notice",
    "breach_notice",
    "complaint_answer",
    "privacy_code",
]
"""The notices jikimi delivers (``jikimi.notices``): each has a Korean template the policy may reword."""


class NoticeWording(_Model):
    """The policy's own wording of one notice: a title and a body (Jinja2, sandboxed; the same
    names as the built-in template, ``docs/notices.md``). Either may be left to the built-in one."""

    title: str | None = None
    body: str | None = None


class Notice(_Model):
    """How changes to the policy are announced (고지의 의무), and how notices reach people."""

    lead_days: int = Field(7, ge=0)
    material_lead_days: int = Field(30, ge=0)
    channels: tuple[str, ...] = ()
    purpose: Id | None = None
    wording: dict[NoticeKind, NoticeWording] = Field(default_factory=dict)
    note: str | None = None


class AutomatedDecision(_Model):
    """An automated decision (PIPA 37-2): purpose, data, criteria, how to refuse or ask."""

    id: Id
    label: str
    purpose: str
    items: tuple[Id, ...] = ()
    criteria: str | None = None
    how_to_object: str | None = None


class Pseudonymization(_Model):
    """가명정보 처리 (PIPA 28-2~28-7)."""

    purposes: tuple[str, ...] = ()
    items: tuple[Id, ...] = ()
    retention: DurationValue | None = None
    recipients: tuple[str, ...] = ()
    note: str | None = None


class MaskingRule(_Model):
    """Which personal-data types are masked in free text of one context, and how."""

    types: tuple[str, ...] | Literal["all"] = "all"
    operator: Literal["mask", "redact", "label", "hash", "encrypt"] = "mask"


class Section(_Model):
    """A clause the model does not structure (링크사이트, 게시물…), kept verbatim."""

    title: str
    body: str


class HistoryEntry(_Model):
    """A previous version of the policy, kept readable with its dates."""

    version: str
    effective: date
    url: str | None = None
    note: str | None = None
