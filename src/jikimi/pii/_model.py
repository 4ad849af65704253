"""The value types of free-text detection: what kind of data was found, where, and why."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class PiiType(StrEnum):
    """A kind of personal data the detector knows. The value is the id used in policies and JSON."""

    RRN = "rrn"
    FRN = "frn"
    PASSPORT = "passport"
    DRIVER_LICENSE = "driver_license"
    BRN = "brn"
    PHONE = "phone"
    EMAIL = "email"
    CARD = "card"
    ACCOUNT = "account"
    HEALTH_INSURANCE = "health_insurance"
    CAR_PLATE = "car_plate"
    IP = "ip"
    NAME = "name"
    ADDRESS = "address"

    # Hash as the plain string (C speed; consistent with str equality), not Enum's Python __hash__.
    __hash__ = str.__hash__

    @property
    def label_ko(self) -> str:
        """The Korean name used in labels such as ``<주민등록번호>``."""
        return _LABELS_KO[self]

    @property
    def structured(self) -> bool:
        """True for types found by format and checksum, false for names and addresses."""
        return self not in (PiiType.NAME, PiiType.ADDRESS)


_LABELS_KO: dict[PiiType, str] = {
    PiiType.RRN: "주민등록번호",
    PiiType.FRN: "외국인등록번호",
    PiiType.PASSPORT: "여권번호",
    PiiType.DRIVER_LICENSE: "운전면허번호",
    PiiType.BRN: "사업자등록번호",
    PiiType.PHONE: "전화번호",
    PiiType.EMAIL: "이메일",
    PiiType.CARD: "카드번호",
    PiiType.ACCOUNT: "계좌번호",
    PiiType.HEALTH_INSURANCE: "건강보험증번호",
    PiiType.CAR_PLATE: "차량번호",
    PiiType.IP: "IP주소",
    PiiType.NAME: "성명",
    PiiType.ADDRESS: "주소",
}

STRUCTURED_TYPES: frozenset[PiiType] = frozenset(t for t in PiiType if t.structured)
ALL_TYPES: frozenset[PiiType] = frozenset(PiiType)


class Finding(NamedTuple):
    """One piece of personal data found in a text (an immutable value).

    ``start`` and ``end`` index the text exactly as the caller passed it (before any
    normalisation). A finding never holds the matched value, so printing or logging it
    leaks nothing; use :meth:`value` with the original text when the value is needed.
    ``why`` names the checks that passed, e.g. ``("format", "date", "checksum")``.
    """

    type: PiiType
    start: int
    end: int
    confidence: float
    why: tuple[str, ...]

    def value(self, text: str) -> str:
        """The matched value, cut from the text the finding was made on."""
        return text[self.start : self.end]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping without the value."""
        return {
            "type": self.type.value,
            "label": self.type.label_ko,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 3),
            "why": list(self.why),
        }


class Candidate(NamedTuple):
    """A finding in normalised-text coordinates, before overlaps are resolved."""

    type: PiiType
    start: int
    end: int
    confidence: float
    why: tuple[str, ...]
