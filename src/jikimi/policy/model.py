"""The privacy policy (개인정보 처리방침) as typed, immutable data.

One ``Policy`` holds everything a Korean 처리방침 says about a service: who the controller and
officers are, which items are collected where, for which purposes on which legal basis, what is
kept after the purpose ends and why, who receives or processes the data, how cookies can be
refused, how the data is secured, how rights are exercised and complaints answered, and how
changes are announced. The same object drives the published document and, later, the vault.

Every field is documented in ``docs/policy-format.md`` (checked by a test). Cross-references
between sections are checked by ``jikimi.policy.load``, not here, so that errors can name the
file and line.

The classes live by topic in ``jikimi.policy._model_base``, ``_model_collection`` and
``_model_disclosure``; this module defines ``Policy`` and is where every one of them is imported from.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import Field

from jikimi.policy._model_base import Citation, DurationValue, Id, Placeholder, _Model
from jikimi.policy._model_collection import (
    UNIQUE_ID_FORMATS,
    AdChannel,
    Channel,
    ChildrenRule,
    Contact,
    ContactRole,
    Context,
    Controller,
    Destruction,
    Dormancy,
    Item,
    ItemClass,
    ItemFormat,
    LegalBasis,
    Purpose,
    Record,
    RetentionRule,
    RetentionStart,
    SensitiveKind,
    Statute,
)
from jikimi.policy._model_disclosure import (
    DOMESTIC,
    AutoCollection,
    AutomatedDecision,
    Complaints,
    HistoryEntry,
    MaskingRule,
    Notice,
    NoticeKind,
    NoticeWording,
    Overseas,
    Processor,
    ProcessorSection,
    Pseudonymization,
    Redress,
    Rights,
    Section,
    SecurityKind,
    SecurityMeasure,
    ThirdParty,
    ThirdPartySection,
)

__all__ = [
    "AdChannel",
    "AutoCollection",
    "AutomatedDecision",
    "Channel",
    "ChildrenRule",
    "Citation",
    "Complaints",
    "Contact",
    "ContactRole",
    "Context",
    "Controller",
    "DOMESTIC",
    "Destruction",
    "Dormancy",
    "DurationValue",
    "HistoryEntry",
    "Id",
    "Item",
    "ItemClass",
    "ItemFormat",
    "LegalBasis",
    "MaskingRule",
    "Notice",
    "NoticeKind",
    "NoticeWording",
    "Overseas",
    "Placeholder",
    "Policy",
    "Processor",
    "ProcessorSection",
    "Pseudonymization",
    "Purpose",
    "Record",
    "Redress",
    "RetentionRule",
    "RetentionStart",
    "Rights",
    "Section",
    "SecurityKind",
    "SecurityMeasure",
    "SensitiveKind",
    "Statute",
    "ThirdParty",
    "ThirdPartySection",
    "UNIQUE_ID_FORMATS",
]


DEFAULT_RIGHTS_CHANNELS: tuple[Channel, ...] = ("web", "email", "phone", "letter", "in_person")
"""The channels a rights request is received through when the policy's rights section declares none."""


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

    @property
    def rights_channels(self) -> tuple[Channel, ...]:
        """The channels a rights request is received through: those the rights section declares
        (its promise to subjects, 령 41), else ``DEFAULT_RIGHTS_CHANNELS`` — what the document states
        and what the rights desk accepts."""
        declared = self.rights.channels if self.rights is not None else ()
        return tuple(dict.fromkeys(declared)) or DEFAULT_RIGHTS_CHANNELS

    def excludes_children(self, purpose: Purpose) -> bool:
        """Whether the purpose is never applied to a child under the policy's age: its own
        ``children: false``, or a marketing purpose under the promise ``children.no_marketing``.
        The gate enforces exactly what the document says (``만 14세 미만 아동에게는 적용하지 않음``)."""
        if not purpose.children:
            return True
        return purpose.marketing and self.children is not None and self.children.no_marketing

    def notice_purpose(self, item_id: str) -> Purpose | None:
        """The purpose a notice's contact item is read under: ``notice.purpose`` when it uses the
        item, else the first purpose not resting on consent that does (a notice the law or the
        contract owes must not stop because a marketing consent was withdrawn); ``None`` if none."""
        declared = self.purposes_by_id.get(self.notice.purpose or "")
        if declared is not None and item_id in declared.items:
            return declared
        return next((p for p in self.purposes if p.basis != "consent" and item_id in p.items), None)

    def purposes_of(self, ctx: Context) -> tuple[Purpose, ...]:
        """The purposes a collection context collects for: as listed, else every purpose using its items."""
        if ctx.purposes:
            return tuple(self.purposes_by_id[p] for p in ctx.purposes)
        items = set(ctx.required) | set(ctx.optional)
        return tuple(p for p in self.purposes if items & set(p.items))

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
