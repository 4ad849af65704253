"""The OpenAPI document as a contract for generated clients (Java, Node, PHP…), completed in one place.

``describe(app)`` wraps ``app.openapi`` so that the document FastAPI builds from the routes (once,
or again when routes are added) is completed with what every operation shares and no route should
have to repeat:

* the tags, each described in Korean and English (``TAGS``);
* the answers every operation shares (``jikimi.api.answers``): 401 ``auth`` when it takes a token,
  413 ``request.too_large`` when it takes a body, 422 ``request.invalid`` always (one check refuses
  a NUL or a lone surrogate in any parameter, ``jikimi.api.inputs``) — all in the one error envelope,
  which also replaces FastAPI's own validation-error schema (``WWW-Authenticate`` and ``Retry-After``
  described where they come);
* the ``Idempotency-Key`` header, with its 409 and 422 answers and the ``Idempotent-Replayed`` header
  of a repeated answer, on every state-changing operation (``jikimi.api.operations.IDEMPOTENT``);
* the ``examples`` of jikimi's models as written (FastAPI drops every ``null`` from its document).

Because it works on the built document, an operation added later gets all of this too; only its
own answers (``responses=answers(…)``), its examples and its texts are its route's to give.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from jikimi.api.answers import (
    BODY_TOO_LARGE,
    ENVELOPE_REF,
    KEY_IN_PROGRESS,
    KEY_INVALID,
    KEY_REUSED,
    REQUEST_INVALID,
    TOKEN_INVALID,
    Answer,
    add_to,
    response_of,
)
from jikimi.api.errors import ErrorEnvelope
from jikimi.api.operations import IDEMPOTENT

TAGS: list[dict[str, str]] = [
    {
        "name": "subjects",
        "description": "정보주체: 처리방침대로 수집하고, 게이트를 거쳐 열람하고, 기록과 동의를 남깁니다. "
        "Data subjects: collect as the policy declares, read through the gate, records and consents.",
    },
    {
        "name": "lifecycle",
        "description": "탈퇴·목적 달성, 분리보관 자료 열람, 휴면 해제, 파기 기록. "
        "Withdrawal, reads of separated data, reactivation and the destruction ledger.",
    },
    {
        "name": "handlers",
        "description": "개인정보취급자와 역할: 계정, 로그인, 토큰 폐기, 잠금 해제 (관리자). "
        "Handlers and roles: accounts, login, token revocation, unlocking (administrators).",
    },
    {
        "name": "audit",
        "description": "접속기록: 해시 체인 검증과 월간 점검 보고서. "
        "The access log: hash-chain verification and the monthly review.",
    },
    {
        "name": "pii",
        "description": "자유 텍스트 속 개인정보 찾기와 가리기 (토큰 불필요). "
        "Personal data in free text: find and mask it (no token needed).",
    },
    {
        "name": "rights",
        "description": "정보주체의 권리 요구: 접수, 본인 확인, 기한, 거절, 처리, 열람 자료. "
        "Data-subject rights requests: receipt, verification, deadlines, refusal, fulfilment, "
        "access packages.",
    },
    {
        "name": "sharing",
        "description": "제3자 제공과 그 동의, 수탁자 등록부, 가명처리 통계. "
        "Provision to third parties and its consents, the processor registry, de-identified statistics.",
    },
    {
        "name": "marketing",
        "description": "광고 전송 확인과 광고 수신동의 (정보통신망법 50). "
        "The advertising send check and consents to receive advertising.",
    },
    {
        "name": "incidents",
        "description": "유출 등 사고 대응: 72시간, 신고, 통지, 홈페이지 게시. "
        "Breach response: the 72 hours, the report, the notices, the website postings.",
    },
    {
        "name": "complaints",
        "description": "민원 접수와 답변, 기한. Complaints: receipt, answers, deadlines.",
    },
    {
        "name": "notices",
        "description": "처리방침 변경 고지와 연 1회 이용·제공 내역 통지 (관리자). "
        "Policy-change announcements and the yearly usage notice (administrators).",
    },
    {
        "name": "events",
        "description": "서비스 이벤트: 지킴이가 한 일을 서비스가 따라 읽습니다. "
        "Service events: what jikimi did, for the service to follow.",
    },
    {
        "name": "privacy",
        "description": "개인정보 보호 센터: 서비스가 로그인시킨 회원(또는 아동의 법정대리인)에게 "
        "여는 한 번 쓰는 링크. "
        "The privacy center: a link, good once, that the service opens for its signed-in member "
        "(or a child's guardian).",
    },
    {
        "name": "health",
        "description": "상태 확인 (인증 불필요, 개인정보 없음). Health check (no token, no personal data).",
    },
]
"""Every operation carries exactly one of these (``tests/api/test_openapi.py``)."""
TAG_NAMES = frozenset(tag["name"] for tag in TAGS)

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "멱등 키 (선택): 1–255자의 출력 가능한 ASCII. 같은 키와 같은 본문으로 24시간 안에 "
    "다시 보내면 처음의 답을 그대로 받습니다. 다른 본문이면 422 `idempotency.key_reused`, 처음 요청이 "
    "아직 처리 중이면 기다렸다가 409 `idempotency.in_progress`입니다 (docs/integration.md).\n\n"
    "Optional; 1–255 printable ASCII characters. A repeat with the same key and body within 24 hours "
    "gets the first answer; a different body is 422 `idempotency.key_reused`; a repeat while the "
    "first is still running waits, then 409 `idempotency.in_progress` (docs/integration.md).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7E]{1,255}$"},
    "example": "order-2026-0001-collect",
}
REPLAYED: dict[str, Any] = {
    "description": "`true`: 같은 Idempotency-Key의 처음 답을 다시 보냄 "
    "(the first answer to this key, sent again)",
    "schema": {"type": "string", "enum": ["true"]},
}
_UNUSED_WHEN_REPLACED = ("HTTPValidationError", "ValidationError")
"""FastAPI's validation-error schemas: gone once every 422 is the envelope."""


def describe(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document as this module says, each time FastAPI builds it anew
    (once, unless routes are added later)."""
    build = app.openapi
    completed: list[int] = []

    def openapi() -> dict[str, Any]:
        document = build()
        if completed != [id(document)]:  # FastAPI keeps the document it builds: completed in place
            complete(document)
            completed[:] = [id(document)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the tags, the shared answers and the ``Idempotency-Key`` header to ``document``."""
    document["tags"] = TAGS
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _, envelope_schemas = models_json_schema(
        [(ErrorEnvelope, "serialization")], ref_template="#/components/schemas/{model}"
    )
    for name, schema in envelope_schemas.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _complete_operation(operation)
    restore_examples(schemas)
    if f'/{_UNUSED_WHEN_REPLACED[0]}"' not in json.dumps(document["paths"]):
        for name in _UNUSED_WHEN_REPLACED:
            schemas.pop(name, None)
    return document


def restore_examples(schemas: dict[str, Any]) -> None:
    """Put each jikimi model's ``examples`` back as written: FastAPI drops every ``null`` from the
    document it builds, and a field that is required but may be null would go missing from them."""
    for model, examples in models_with_examples(BaseModel):
        qualified = f"{model.__module__}.{model.__name__}".replace(".", "__")  # FastAPI's name for twins
        for name in (model.__name__, qualified):
            schema = schemas.get(name)
            if schema and set(schema.get("properties", {})) == set(model.model_fields):
                schema["examples"] = examples


def models_with_examples(base: type[BaseModel]) -> Iterator[tuple[type[BaseModel], Any]]:
    for model in base.__subclasses__():
        extra = model.model_config.get("json_schema_extra")
        if model.__module__.startswith("jikimi.") and isinstance(extra, dict) and "examples" in extra:
            yield model, extra["examples"]
        yield from models_with_examples(model)


def _complete_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    invalid = responses.get("422", {}).get("content", {}).get("application/json", {})
    if invalid and invalid.get("schema", {}).get("$ref") != ENVELOPE_REF:
        del responses["422"]  # FastAPI's own validation error: ours is the envelope
    shared: list[Answer] = [REQUEST_INVALID]
    if operation.get("security"):
        shared.append(TOKEN_INVALID)
    if "requestBody" in operation:
        shared.append(BODY_TOO_LARGE)
    if operation.get("operationId") in IDEMPOTENT:
        operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {})["Idempotent-Replayed"] = REPLAYED
        shared += [KEY_IN_PROGRESS, KEY_REUSED, KEY_INVALID]
    for answer in shared:
        _answer(responses, answer)
    for status, response in responses.items():
        if status.startswith("4"):
            for example in (
                response.get("content", {}).get("application/json", {}).get("examples", {}).values()
            ):
                for key in ("field", "reason"):  # FastAPI dropped the nulls of the routes' own examples
                    example["value"]["error"].setdefault(key, None)
    operation["responses"] = dict(sorted(responses.items()))


def _answer(responses: dict[str, Any], answer: Answer) -> None:
    add_to(responses.setdefault(str(answer.status), response_of(answer.status)), answer)
