"""The ASGI app: mounts the routers, ``/healthz``, a request-size guard and one error envelope.

``create_app(jikimi)`` mounts the routers for subjects, handlers and the access log, the PII router,
``/healthz`` and the OpenAPI document (``/openapi.json``, browsable at ``/docs``). Handlers
authenticate with ``Authorization: Bearer <token>``. Every error leaves as
``{"error": {"code", "message_ko", "message_en", "field", "reason"}}`` (``jikimi.api.errors``);
the HTTP status is chosen there from the error's type, never by the domain. One check
(``jikimi.api.inputs``) refuses a NUL, a lone surrogate or a NaN in any path, query or body field.
``create_app()`` without jikimi serves only ``/healthz`` and the PII router.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from jikimi.api import (
    accounts,
    audit,
    complaints,
    events,
    incidents,
    lifecycle,
    marketing,
    notices,
    privacy,
    rights,
    sharing,
    subjects,
)
from jikimi.api.contract import describe
from jikimi.api.deps import get_jikimi
from jikimi.api.errors import install_error_handlers
from jikimi.api.guard import GuardMiddleware
from jikimi.api.idempotency import IdempotencyMiddleware
from jikimi.api.inputs import clean_request
from jikimi.api.metrics import mount_metrics
from jikimi.api.operations import operation_id
from jikimi.api.pii import PiiApiConfig
from jikimi.api.pii import router as pii_router
from jikimi.api.schemas import Health, PolicyHealth
from jikimi.bootstrap import Jikimi
from jikimi.idempotency import Idempotency
from jikimi.web import mount

# PII texts: JSON escapes can make a character six bytes (\uXXXX); allow that plus room for the other fields.
_BYTES_PER_CHAR = 6
_BODY_SLACK = 64 * 1024

DESCRIPTION = """\
지킴이 API — 처리방침대로 수집하고, 목적과 동의가 허락할 때만 열람하며, 모든 접근을 기록합니다.

jikimi's HTTP API: collect exactly as the policy declares, read only when purpose and consent
allow, record every access. Authenticate with `Authorization: Bearer <handler token>`.
Errors always have the shape `{"error": {"code", "message_ko", "message_en", "field", "reason"}}`.
"""

_HEALTH = (
    "데이터베이스 연결, 적용 중인 처리방침 버전, 그리고 집행을 막는 검사 오류를 운영자가 허용해 실행 중인지"
    "(policy.blocking_lint, policy.override) 알려 줍니다. 인증이 필요 없고 개인정보는 없습니다. "
    "Reports whether the database answers, which policy version is enforced, and whether it runs "
    "despite lint errors that block enforcement (policy.blocking_lint, policy.override); "
    "no authentication, no personal data."
)


def create_app(
    jikimi: Jikimi | None = None,
    *,
    max_body_bytes: int = 1_000_000,
    pii: PiiApiConfig | None = None,
    owns_jikimi: bool = False,
    threads: int | None = None,
) -> FastAPI:
    """The jikimi HTTP app over ``jikimi``. ``pii`` configures the PII endpoints (size limit, key);
    ``owns_jikimi``: the app closes ``jikimi`` when the server shuts it down (a server's worker);
    ``threads``: how many requests of one process run their database work at once (the rest
    wait their turn on the event loop; default: anyio's 40). A few are faster than many: the
    work holds the GIL and, on SQLite, one writer at a time, so more threads only take turns."""
    config = pii or PiiApiConfig()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        try:
            yield
        finally:
            if owns_jikimi and jikimi is not None:
                jikimi.close()  # after the last request: uvicorn lets the open ones finish first

    app = FastAPI(
        title="jikimi (지킴이)",
        summary="지킴이 — personal-data engine",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        dependencies=[Depends(clean_request)],  # no NUL, lone surrogate or NaN in any field (422)
        generate_unique_id_function=operation_id,  # each route's name in the contract (api/operations.py)
        lifespan=lifespan,
    )
    app.state.jikimi = jikimi
    app.state.pii_config = config
    if jikimi is not None:  # added first, so it runs inside the guard: the body is limited before it is read
        app.add_middleware(IdempotencyMiddleware, keeper=Idempotency(jikimi.core))  # api/idempotency.py
    app.add_middleware(
        GuardMiddleware,
        max_body_bytes=max_body_bytes,
        path_limits={
            "/v1/pii/": config.max_chars * _BYTES_PER_CHAR + _BODY_SLACK,
            marketing.CHECK_PATH: max(max_body_bytes, marketing.CHECK_BODY_BYTES),  # 100,000 subject ids
        },
    )
    install_error_handlers(app)
    app.add_api_route(
        "/healthz",
        _healthz if jikimi is not None else _liveness,
        methods=["GET"],
        response_model=Health,
        response_model_exclude_none=True,
        tags=["health"],
        summary="상태 확인 (health check)",
        description=_HEALTH,
        responses={
            503: {"model": Health, "description": "데이터베이스 연결 안 됨 (the database does not answer)"}
        },
    )
    if jikimi is not None:
        app.include_router(subjects.router)
        app.include_router(accounts.router)
        app.include_router(audit.router)
        app.include_router(lifecycle.router)
        app.include_router(sharing.router)
        app.include_router(rights.router)
        app.include_router(incidents.router)
        app.include_router(marketing.router)
        app.include_router(complaints.router)
        app.include_router(notices.router)
        app.include_router(events.router)
        app.include_router(privacy.router)
        mount(app)  # the console (/console/) and the privacy center (/privacy/): jikimi.web
        mount_metrics(app, jikimi)  # GET /metrics and the request counts: api/metrics.py
    app.include_router(pii_router)
    describe(app)  # tags, shared error answers, Idempotency-Key (api/contract.py)
    return app


def _healthz(jikimi: Annotated[Jikimi, Depends(get_jikimi)]) -> Health | JSONResponse:
    check, version = jikimi.policy_check, jikimi.policy.version_key
    policy = PolicyHealth(version=version, blocking_lint=list(check.rules), override=check.override)
    try:
        revision = jikimi.schema_revision()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"; say nothing more
        down = Health(status="unavailable", db="unreachable", policy_version=version, policy=policy)
        return JSONResponse(status_code=503, content=down.model_dump(exclude_none=True))
    return Health(status="ok", db="ok", schema_revision=revision, policy_version=version, policy=policy)


def _liveness() -> Health:
    return Health(status="ok")
