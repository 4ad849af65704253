"""The privacy policy (개인정보 처리방침) as typed, immutable data.

One ``Policy`` holds everything a Korean 처리방침 says about a service: who the controller and
officers are, which items are collected where, for which purposes on which legal basis, what is
kept after the purpose ends and why, who receives or processes the data, how cookies can be
refused, how the data is secured, how rights are exercised and complaints answered, and how
changes are announced. The same object drives the published document and, later, the vault.

Every field is documented in ``docs/policy-format.md`` (checked by a test). Cross-references
between sections are checked by ``jikimi.policy.load``, not here, so that errors can name the
file and line.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from jikimi.periods import Duration


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 duration such as P5Y, got {type(value).__name__}")
    return Duration.parse(value)


DurationValue = Annotated[
    Duration,
    PlainValidator(_to_duration),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$"}),
]
"""An ISO 8601 duration (``P5Y``, ``P3M``, ``P30D``)."""

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A machine id: lower-case ASCII letters, digits and ``_``, starting with a letter."""


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        populate_by_name=True,
    )


class Placeholder(_Model):
    """A value the source policy left unfilled (``oo년간``, ``00``). Kept visible; lint flags it."""

    placeholder: str


class Citation(_Model):
    """A legal provision, as the policy cites it."""

    law: str
    article: str | None = None
    note: str | None = None

    def text(self) -> str:
        return f"{self.law} {self.article}" if self.article else self.law


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
    """Where and when items are collected (회원가입, 주문, 상담…)."""

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


class Complaints(_Model):
    """Complaint handling (의견수렴 및 불만처리)."""

    response_hours: int | None = Field(None, ge=1)
    business_days: bool = False
    redress: tuple[Redress, ...] = ()
    note: str | None = None


class Notice(_Model):
    """How changes to the policy are announced (고지의 의무)."""

    lead_days: int = Field(7, ge=0)
    material_lead_days: int = Field(30, ge=0)
    channels: tuple[str, ...] = ()
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


# --- the whole policy -------------------------------------------------------------------------


class Policy(_Model):
    """A whole 개인정보 처리방침. Immutable; load it with ``jikimi.load_policy``."""

    format: Literal[1] = 1
    title: str = "개인정보 처리방침"
    version: str | None = None
    effective: date | Placeholder | None = None
    announced: date | None = None
    source: str | None = None
    preamble: str | None = None
    controller: Controller
    officers: tuple[Contact, ...] = ()
    items: tuple[Item, ...] = ()
    contexts: tuple[Context, ...] = ()
    purposes: tuple[Purpose, ...] = ()
    records: tuple[Record, ...] = ()
    retention: tuple[RetentionRule, ...] = ()
    dormancy: Dormancy | None = None
    destruction: Destruction | None = None
    children: ChildrenRule | None = None
    third_parties: ThirdPartySection = ThirdPartySection()
    processors: ProcessorSection = ProcessorSection()
    auto_collection: tuple[AutoCollection, ...] = ()
    security: tuple[SecurityMeasure, ...] = ()
    rights: Rights | None = None
    complaints: Complaints | None = None
    notice: Notice = Notice()
    automated_decisions: tuple[AutomatedDecision, ...] = ()
    pseudonymization: Pseudonymization | None = None
    masking: dict[str, MaskingRule] = Field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    history: tuple[HistoryEntry, ...] = ()

    # -- look-ups (cached; the model is frozen) --

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def records_by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}

    @cached_property
    def purposes_by_id(self) -> dict[str, Purpose]:
        return {p.id: p for p in self.purposes}

    @cached_property
    def contexts_by_id(self) -> dict[str, Context]:
        return {c.id: c for c in self.contexts}

    @cached_property
    def retention_by_id(self) -> dict[str, RetentionRule]:
        return {r.id: r for r in self.retention}

    def label_of(self, ref: str) -> str:
        """The Korean label of an item or record id (the id itself when unknown)."""
        if ref in self.items_by_id:
            return self.items_by_id[ref].label
        if ref in self.records_by_id:
            return self.records_by_id[ref].label
        return ref

    def purposes_using(self, item_id: str) -> tuple[Purpose, ...]:
        return tuple(p for p in self.purposes if item_id in p.items or item_id in p.records)

    def retention_of(self, ref: str) -> tuple[RetentionRule, ...]:
        return tuple(r for r in self.retention if ref in r.what)

    @property
    def version_key(self) -> str:
        """The key that consents and notices record: ``version``, else the effective date."""
        if self.version:
            return self.version
        if isinstance(self.effective, date):
            return self.effective.isoformat()
        return "unversioned"

    @property
    def notice_declared(self) -> bool:
        """Whether the file states its change-notice periods (otherwise the defaults apply)."""
        return "notice" in self.model_fields_set

    @property
    def officer(self) -> Contact | None:
        """The privacy officer (개인정보 보호책임자), if named."""
        return next((c for c in self.officers if c.role == "officer"), None)
