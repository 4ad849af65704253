"""The policy classes for the controller's own processing: who, what, where, why and for how long.

Controller and contacts, items, collection contexts, children, purposes and records, retention rules and
the statutes behind them, dormancy and destruction.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from jikimi.periods import Duration
from jikimi.policy._model_base import Citation, DurationValue, Id, Placeholder, _Model

# --- who --------------------------------------------------------------------------------------


class Controller(_Model):
    """The personal information controller (개인정보처리자) and its service."""

    name: str
    service: str | None = None
    website: str | None = None
    address: str | None = None
    representative: str | None = None
    phone: str | None = None


ContactRole = Literal["officer", "manager", "department", "help_desk", "domestic_representative"]


class Contact(_Model):
    """A person or desk to contact: 개인정보 보호책임자 (officer), 담당자 (manager), 담당부서
    (department), 고객센터 (help_desk) or 국내대리인 (domestic_representative)."""

    role: ContactRole
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phone: str | None = None
    fax: str | None = None
    address: str | None = None
    hours: str | None = None
    note: str | None = None


# --- what -------------------------------------------------------------------------------------

ItemFormat = Literal[
    "text",
    "date",
    "phone_kr",
    "email",
    "rrn",
    "frn",
    "passport",
    "driver_license",
    "business_no",
    "card",
    "account",
    "ip",
    "url",
    "number",
    "password",
    "login_id",
    "ci",
    "address",
    "image",
    "device_id",
    "boolean",
    "code",
    "cookie",
    "log",
]
ItemClass = Literal[
    "general",
    "contact",
    "identity",
    "credential",
    "unique_id",
    "sensitive",
    "financial",
    "auto_generated",
    "guardian",
]
SensitiveKind = Literal[
    "health",
    "belief",
    "union",
    "politics",
    "sex_life",
    "genetic",
    "criminal",
    "biometric",
    "race",
]

UNIQUE_ID_FORMATS: frozenset[str] = frozenset({"rrn", "frn", "passport", "driver_license"})


class Item(_Model):
    """One personal data item the service may hold (개인정보 항목)."""

    id: Id
    label: str
    label_en: str | None = None
    format: ItemFormat = "text"
    class_: ItemClass = Field("general", alias="class")
    sensitive_kind: SensitiveKind | None = None
    legal_basis: Citation | None = None
    lookup: bool = False
    generated: bool = False
    note: str | None = None

    @property
    def is_unique_id(self) -> bool:
        """고유식별정보 (PIPA 24): 주민등록번호, 여권번호, 운전면허번호, 외국인등록번호."""
        return self.class_ == "unique_id" or self.format in UNIQUE_ID_FORMATS

    @property
    def is_sensitive(self) -> bool:
        """민감정보 (PIPA 23)."""
        return self.class_ == "sensitive" or self.sensitive_kind is not None


Channel = Literal[
    "web",
    "app",
    "paper",
    "phone",
    "fax",
    "email",
    "board",
    "event",
    "delivery",
    "partner",
    "auto",
    "in_person",
    "letter",
    "counsel",
]


class Context(_Model):
    """Where and when items are collected (회원가입, 주문, 상담…).

    ``subjects`` also says which look-up items (``Item.lookup``) are promised unique: a ``member``
    context (a sign-up) claims them for its account, and another account holding one is a duplicate;
    a ``guest``, ``guardian`` or ``any`` context (a guest order, a guardian's details, an inquiry)
    claims none and never conflicts. A returning guest is a new guest record each time, not linked
    to the earlier one, and only account identifiers are found by value (``vault.find``).
    """

    id: Id
    label: str
    subjects: Literal["member", "guest", "guardian", "any"] = "member"
    required: tuple[Id, ...] = ()
    optional: tuple[Id, ...] = ()
    purposes: tuple[Id, ...] = ()
    channels: tuple[Channel, ...] = ()
    children: Literal["guardian_consent", "refused"] | None = None
    refusal_consequence: str | None = None
    note: str | None = None


class ChildrenRule(_Model):
    """How the service treats children under ``age`` (만 14세 미만, PIPA 22-2)."""

    policy: Literal["guardian_consent", "not_collected"]
    age: int = Field(14, ge=1, le=19)
    guardian_items: tuple[Id, ...] = ()
    verification: str | None = None
    confirm_within: DurationValue | None = None
    no_marketing: bool = False
    no_third_party: bool = False
    note: str | None = None


AdChannel = Literal["sms", "email", "push", "phone", "fax", "letter"]
"""A medium advertising is sent through (전송매체, 정보통신망법 50): text message, e-mail, app push,
telephone, fax, letter; the receiver consents to each separately."""

LegalBasis = Literal[
    "consent",
    "law",
    "public_duty",
    "contract",
    "vital_interest",
    "legitimate_interest",
    "public_safety",
]


class Purpose(_Model):
    """A purpose of processing (처리 목적) and the legal basis it rests on (PIPA 15①)."""

    id: Id
    label: str
    label_en: str | None = None
    details: tuple[str, ...] = ()
    basis: LegalBasis | None = None
    citation: Citation | None = None
    consent: Literal["required", "optional"] | None = None
    separate_consent: bool = False
    marketing: bool = False
    ad_channels: tuple[AdChannel, ...] = ()
    items: tuple[Id, ...] = ()
    records: tuple[Id, ...] = ()
    children: bool = True
    note: str | None = None


class Record(_Model):
    """A kind of record the service keeps about a subject (결제 기록, 접속 로그…)."""

    id: Id
    label: str
    label_en: str | None = None
    description: str | None = None
    generated: bool = False
    items: tuple[Id, ...] = ()


# --- how long ---------------------------------------------------------------------------------

RetentionStart = Literal[
    "withdrawal",
    "record_date",
    "collection",
    "last_activity",
    "contract_end",
    "purpose_end",
    "consent_withdrawal",
]


class Statute(_Model):
    """A statutory retention period, from ``jikimi/policy/statutes.yaml``."""

    id: str
    label: str
    label_en: str
    period: DurationValue
    law: str
    article: str
    law_en: str
    checked: date
    source: str
    aliases: tuple[str, ...] = ()
    starts: RetentionStart = "record_date"
    applies_to: str | None = None
    obsolete: str | None = None
    obsolete_en: str | None = None

    def citation(self) -> str:
        return f"{self.law} {self.article}"


class RetentionRule(_Model):
    """What survives the end of its purpose, how long, from when, and why (보유 및 이용기간)."""

    id: Id
    what: tuple[Id, ...]
    label: str | None = None
    period: DurationValue | Placeholder | None = None
    basis: str | None = None
    law: str | None = None
    from_: RetentionStart | None = Field(None, alias="from")
    reason: str | None = None
    access_reasons: tuple[str, ...] = ()
    statute: Statute | None = None
    note: str | None = None

    @property
    def kind(self) -> Literal["statute", "internal"]:
        return "statute" if (self.basis or self.law) else "internal"

    @property
    def start(self) -> RetentionStart:
        """The event the period counts from: as written; else the statute's (the record's date);
        else the end of the purpose (회원탈퇴 등 목적 달성 시), which is what a policy means when it
        says data is destroyed once its purpose is achieved "except" what it keeps."""
        if self.from_ is not None:
            return self.from_
        if self.statute is not None:
            return self.statute.starts
        return "purpose_end"

    @property
    def duration(self) -> Duration | None:
        """The period in force: as written, else the statute's; ``None`` when a placeholder."""
        if isinstance(self.period, Duration):
            return self.period
        if self.period is None and self.statute is not None:
            return self.statute.period
        return None


class Dormancy(_Model):
    """Idle accounts (휴면 / 장기 미이용): the service's own policy since 2023-09-15."""

    after: DurationValue | Placeholder
    notice_before: DurationValue | None = None
    notice_channels: tuple[Channel, ...] = ()
    action: Literal["separate", "destroy"] = "separate"
    reactivation: tuple[Literal["login", "request"], ...] = ()
    law: str | None = None
    basis: str | None = None
    note: str | None = None


class Destruction(_Model):
    """파기 절차 및 방법."""

    procedure: str | None = None
    separate_store: bool = False
    methods: tuple[Literal["electronic_irrecoverable", "paper_shred", "paper_incinerate"], ...] = ()
    note: str | None = None
