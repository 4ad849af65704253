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

from jikimi.api.answers import TEXT_TOO_LARGE, Answer, answers
from jikimi.api.examples import example
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "연락처는 010-0000-0000, 메일은 hong@example.com 입니다",
                    "types": ["mobile", "email"],
                    "operator": "mask",
                }
            ]
        },
        extra="forbid",
    )

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
    model_config = example(
        {
            "count": 1,
            "findings": [
                {
                    "type": "email",
                    "label": "이메일",
                    "start": 30,
                    "end": 46,
                    "confidence": 0.99,
                    "why": ["email_pattern"],
                }
            ],
        }
    )

    count: int
    findings: list[FindingOut]


class MaskResponse(BaseModel):
    model_config = example(
        {
            "text": "메일은 h***@example.com 입니다",
            "operator": "mask",
            "findings": [
                {
                    "type": "email",
                    "label": "이메일",
                    "start": 4,
                    "end": 20,
                    "confidence": 0.99,
                    "why": ["email_pattern"],
                }
            ],
        }
    )

    text: str
    operator: str
    findings: list[FindingOut]


router = APIRouter(prefix="/v1/pii", tags=["pii"])

UNKNOWN_TYPE = Answer(422, "usage", "알 수 없는 유형입니다", "unknown type", field="types")
UNKNOWN_OPERATOR = Answer(422, "usage", "알 수 없는 가리는 방식입니다", "unknown operator", field="operator")


def _field(name: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except JikimiError as exc:
        raise InvalidField(exc, name) from exc


def _scan(body: PiiRequest, config: PiiApiConfig) -> list[Finding]:
    types = _field("types", lambda: parse_types(body.types))
    scanner = Scanner(types, config.known_names, max_chars=config.max_chars)
    return _field("text", lambda: scanner.scan(body.text))


@router.post(
    "/scan",
    responses=answers(TEXT_TOO_LARGE, UNKNOWN_TYPE),
    response_model=ScanResponse,
    summary="개인정보 찾기 (find personal data in a text)",
)
def scan_text(body: PiiRequest, config: ConfigDep) -> ScanResponse:
    """텍스트 속 개인정보의 위치와 유형을 알려 줍니다. 값은 돌려주지 않고, 토큰이 필요 없으며,
    아무것도 저장하지 않습니다. Where personal data is in the text and of which type, without the
    values; no token, nothing kept."""
    findings = _scan(body, config)
    return ScanResponse(count=len(findings), findings=[FindingOut.of(f) for f in findings])


@router.post(
    "/mask",
    responses=answers(TEXT_TOO_LARGE, UNKNOWN_TYPE, UNKNOWN_OPERATOR),
    response_model=MaskResponse,
    summary="개인정보 가리기 (mask personal data in a text)",
)
def mask_text(body: PiiRequest, config: ConfigDep) -> MaskResponse:
    """개인정보를 가린 텍스트를 돌려줍니다 (mask, redact, hash, encrypt…). 토큰이 필요 없고 아무것도 저장하지
    않습니다. The text with its personal data masked (`operator`: mask, redact, hash, encrypt…); no token,
    nothing kept."""
    operator = _field("operator", lambda: parse_operator(body.operator or Operator.MASK))
    findings = _scan(body, config)
    masked = _field("operator", lambda: mask(body.text, operator=operator, key=config.key, findings=findings))
    return MaskResponse(text=masked, operator=operator.value, findings=[FindingOut.of(f) for f in findings])
