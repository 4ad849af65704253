"""``POST /v1/pii/scan`` and ``POST /v1/pii/mask``: personal data in posts and other free text.

The router only translates: it validates the JSON body, calls :mod:`jikimi.pii`, and
raises :class:`InvalidField` (a jikimi error plus the request field it concerns) for the
app's error handler to render as the one JSON error envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from jikimi.errors import JikimiError
from jikimi.pii import DEFAULT_MAX_CHARS, Finding, Operator, Scanner, mask
from jikimi.pii._facade import parse_operator, parse_types

T = TypeVar("T")


@dataclass(frozen=True)
class PiiApiConfig:
    """What the PII endpoints need: the size limit, and the key for ``hash``/``encrypt``."""

    max_chars: int = DEFAULT_MAX_CHARS
    key: bytes | None = None
    known_names: tuple[str, ...] = ()


class InvalidField(Exception):
    """A jikimi error caused by one field of the request body."""

    def __init__(self, error: JikimiError, field: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.field = field


def get_config(request: Request) -> PiiApiConfig:
    config = getattr(request.app.state, "pii_config", None)
    return config if isinstance(config, PiiApiConfig) else PiiApiConfig()


ConfigDep = Annotated[PiiApiConfig, Depends(get_config)]


class PiiRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="검사할 텍스트 (the text to check)")
    types: list[str] | None = Field(default=None, description="찾을 유형; 없으면 전부 (types; all if absent)")
    operator: str | None = Field(default=None, description="mask 의 가리는 방식 (masking operator)")


class FindingOut(BaseModel):
    type: str
    label: str
    start: int
    end: int
    confidence: float
    why: list[str]

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return cls(
            type=finding.type.value,
            label=finding.type.label_ko,
            start=finding.start,
            end=finding.end,
            confidence=finding.confidence,
            why=list(finding.why),
        )


class ScanResponse(BaseModel):
    count: int
    findings: list[FindingOut]


class MaskResponse(BaseModel):
    text: str
    operator: str
    findings: list[FindingOut]


router = APIRouter(prefix="/v1/pii", tags=["pii"])


def _field(name: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except JikimiError as exc:
        raise InvalidField(exc, name) from exc


def _scan(body: PiiRequest, config: PiiApiConfig) -> list[Finding]:
    types = _field("types", lambda: parse_types(body.types))
    scanner = Scanner(types, config.known_names, max_chars=config.max_chars)
    return _field("text", lambda: scanner.scan(body.text))


@router.post("/scan", response_model=ScanResponse)
def scan_text(body: PiiRequest, config: ConfigDep) -> ScanResponse:
    """텍스트의 개인정보 위치와 유형 (where personal data is, without the values)."""
    findings = _scan(body, config)
    return ScanResponse(count=len(findings), findings=[FindingOut.of(f) for f in findings])


@router.post("/mask", response_model=MaskResponse)
def mask_text(body: PiiRequest, config: ConfigDep) -> MaskResponse:
    """개인정보를 가린 텍스트 (the text with its personal data masked)."""
    operator = _field("operator", lambda: parse_operator(body.operator or Operator.MASK))
    findings = _scan(body, config)
    masked = _field("operator", lambda: mask(body.text, operator=operator, key=config.key, findings=findings))
    return MaskResponse(text=masked, operator=operator.value, findings=[FindingOut.of(f) for f in findings])
