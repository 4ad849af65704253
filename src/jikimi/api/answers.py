"""The error answers an operation documents: each status it can answer, in the one error envelope.

A route names what it can answer (``responses=answers(ACTION_DENIED, subject_missing)``): one
:class:`Answer` per stable code it can give, each with an example body carrying that code. Answers
with the same status become one response whose description lists every code, with one example
each. What every operation shares — 401 behind a token, 422 for a body or parameter that does not
fit, 413 for a body, the ``Idempotency-Key`` answers — ``jikimi.api.contract`` adds, so a route
only names what its own code paths raise (``jikimi.api.errors.STATUS_OF`` maps each error to its
status).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The standard library only: jikimi.api.errors imports the routers' modules (pii), which import this.
ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"


@dataclass(frozen=True)
class Answer:
    """One error answer: its status, stable code, messages, and the ``field`` or ``reason`` it names."""

    status: int
    code: str
    message_ko: str
    message_en: str
    reason: str | None = None
    field: str | None = None
    headers: tuple[str, ...] = ()
    """Response headers it comes with (``HEADERS``)."""

    @property
    def name(self) -> str:
        """The example's name: the code, and the reason when one code has several."""
        return f"{self.code}:{self.reason}" if self.reason else self.code

    def example(self) -> dict[str, Any]:
        """The body it answers with (``jikimi.api.errors.envelope``)."""
        body = {"code": self.code, "message_ko": self.message_ko, "message_en": self.message_en}
        return {"error": {**body, "field": self.field, "reason": self.reason}}

    def line(self) -> str:
        said = f"`{self.code}`" + (f" (`reason`: `{self.reason}`)" if self.reason else "")
        return f"{said}: {self.message_ko} ({self.message_en})"


HEADERS: dict[str, dict[str, Any]] = {
    "WWW-Authenticate": {
        "description": "언제나 `Bearer` (always `Bearer`)",
        "schema": {"type": "string", "example": "Bearer"},
    },
    "Retry-After": {
        "description": "다시 시도하기 전에 기다릴 초 (seconds to wait before trying again)",
        "schema": {"type": "integer", "minimum": 1},
    },
}
"""The headers an error answer may carry, as the document describes them."""

STATUS_TITLES = {
    401: "인증 실패 (not authenticated)",
    403: "거부됨, reason 참조 (denied; see reason)",
    404: "없음 (not found)",
    409: "충돌 (conflict)",
    410: "더는 유효하지 않음 (gone)",
    413: "본문이 너무 큼 (body too large)",
    422: "입력 오류, field 참조 (invalid input; see field)",
    423: "잠긴 계정 (account locked)",
    429: "요청이 너무 많음, Retry-After 참조 (too many attempts; see Retry-After)",
}


def answers(*documented: Answer) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses`` for ``documented``: one response a status, each in the error envelope."""
    responses: dict[int | str, dict[str, Any]] = {}
    for answer in documented:
        add_to(responses.setdefault(answer.status, response_of(answer.status)), answer)
    return responses


def response_of(status: int) -> dict[str, Any]:
    """An error response of ``status`` in the envelope, with no answer yet."""
    return {
        "description": STATUS_TITLES[status],
        "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}},
    }


def add_to(response: dict[str, Any], answer: Answer) -> None:
    """Add ``answer`` to a response of its status: a line of its description and a named example."""
    if answer.line() in response["description"]:
        return
    response["description"] += f"\n- {answer.line()}"
    media = response.setdefault("content", {}).setdefault("application/json", {})
    media.setdefault("examples", {})[answer.name] = {"summary": answer.line(), "value": answer.example()}
    for header in answer.headers:
        response.setdefault("headers", {})[header] = HEADERS[header]


# -- the answers shared by the routers --------------------------------------------------------------

TOKEN_INVALID = Answer(
    401,
    "auth",
    "유효하지 않거나 만료·폐기된 토큰입니다. 다시 로그인하십시오",
    "missing, invalid, expired or revoked token; log in again",
    headers=("WWW-Authenticate",),
)
ACTION_DENIED = Answer(
    403,
    "vault.denied",
    "이 역할에는 허용되지 않은 작업입니다",
    "the handler's role may not do this",
    reason="action_not_allowed",
)
GATE_DENIED = Answer(
    403,
    "vault.denied",
    "게이트가 거부했습니다: 동의가 철회되었습니다 (reason 참조: jikimi.gate.REASONS)",
    "the gate refused: consent for the purpose was withdrawn (see reason; jikimi.gate.REASONS)",
    reason="consent_withdrawn",
)
STATE_CONFLICT = Answer(
    409, "vault.state", "대상의 상태가 이 작업을 허용하지 않습니다", "the current state forbids this"
)
DUPLICATE = Answer(
    409, "vault.duplicate", "email: 이미 가입된 정보입니다", "email: already registered", field="email"
)
INVALID = Answer(
    422,
    "vault.invalid",
    "items: 처리방침에 없는 항목입니다",
    "items: not an item the policy declares",
    field="items",
)
UNLAWFUL = Answer(
    422,
    "vault.unlawful",
    "rrn: 수집할 법적 근거가 없습니다 (PIPA 24-2, rrn-without-basis)",
    "rrn: no lawful ground to collect it (PIPA 24-2, rrn-without-basis)",
    reason="rrn-without-basis",
    field="rrn",
)
REQUEST_INVALID = Answer(
    422,
    "request.invalid",
    "context: 형식이 맞지 않습니다 (string_type)",
    "context: Input should be a valid string",
    reason="string_type",
    field="context",
)
BODY_TOO_LARGE = Answer(
    413,
    "request.too_large",
    "요청 본문이 너무 큽니다 (최대 1000000바이트)",
    "the request body is larger than 1000000 bytes",
    field="body",
)
TEXT_TOO_LARGE = Answer(
    413, "pii.too_large", "텍스트가 너무 깁니다", "the text is longer than the limit", field="text"
)
WRONG_PASSWORD = Answer(
    401,
    "auth",
    "계정 또는 비밀번호가 맞지 않습니다",
    "wrong login or password",
    headers=("WWW-Authenticate",),
)
LOCKED = Answer(
    423,
    "auth.locked",
    "로그인 실패가 반복되어 잠시 잠겼습니다",
    "new logins are locked after failed attempts",
)
RATE_LIMITED = Answer(
    429,
    "auth.rate_limited",
    "이 주소의 로그인 실패가 너무 많습니다",
    "too many failed logins from this address",
    headers=("Retry-After",),
)
KEY_IN_PROGRESS = Answer(
    409,
    "idempotency.in_progress",
    "같은 Idempotency-Key의 요청이 아직 처리 중입니다",
    "a request with the same Idempotency-Key is still running; retry after Retry-After seconds",
    headers=("Retry-After",),
)
KEY_INVALID = Answer(
    422,
    "idempotency.invalid_key",
    "Idempotency-Key는 1–255자의 출력 가능한 ASCII 한 값이어야 합니다",
    "the Idempotency-Key must be one value of 1-255 printable ASCII characters",
    field="Idempotency-Key",
)
KEY_REUSED = Answer(
    422,
    "idempotency.key_reused",
    "같은 Idempotency-Key가 다른 요청(본문, 작업, 대상자)에 쓰였습니다",
    "the Idempotency-Key was used for another call (body, operation or subject)",
    field="Idempotency-Key",
)


def missing(message_ko: str, message_en: str) -> Answer:
    """404 for an unknown thing: ``missing("대상자가 없습니다", "no such subject")``."""
    return Answer(404, "vault.not_found", message_ko, message_en)


SUBJECT_MISSING = missing("대상자가 없습니다", "no such subject")
LINK_EXPIRED = Answer(
    410, "vault.expired", "기한이 지났거나 다 쓴 열람 링크입니다", "the link expired or was used up"
)

# -- rights requests ---------------------------------------------------------------------------------

REQUEST_MISSING = missing("권리 요구가 없습니다", "no such rights request")
LINK_MISSING = missing("없는 열람 링크입니다", "no such link to an access package")
INVALID_CODE = Answer(422, "vault.invalid", "proof: 코드가 맞지 않습니다", "proof: wrong code", field="proof")
INVALID_UNTIL = Answer(
    422, "vault.invalid", "until: 연장할 수 없는 기한입니다", "until: not a lawful extension", field="until"
)
INVALID_CHANNEL = Answer(
    422,
    "vault.invalid",
    "channel: 처리방침에 없는 요구 방법입니다",
    "channel: not a channel the policy's rights section declares",
    field="channel",
)
INVALID_GROUND = Answer(
    422,
    "vault.invalid",
    "ground: 알 수 없는 거절 사유입니다",
    "ground: unknown refusal ground",
    field="ground",
)
