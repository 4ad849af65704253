"""Typed dependencies: the jikimi façade, the calling handler (from its bearer token), the source address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jikimi.bootstrap import Jikimi
from jikimi.errors import AuthError, Denied
from jikimi.handlers import Handler

BEARER = """\
개인정보취급자의 API 토큰: `Authorization: Bearer <token>`. 토큰은 `POST /v1/login`(계정과 비밀번호)으로
받거나, 관리자가 계정을 만들 때(`POST /v1/handlers`) 한 번 보여 줍니다. 기본 12시간 유효하며
(`JIKIMI_TOKEN_HOURS`), 새로 로그인하면 새 토큰이 나옵니다. 관리자는
`POST /v1/handlers/{login}/revoke-tokens`로 즉시 폐기하고, 계정 말소(`/disable`)도 토큰을
폐기합니다 (서버의 다른 작업 프로세스에는 2초 안에 적용). 없거나 만료·폐기된 토큰은 401 `auth`입니다.

A handler's API token: `Authorization: Bearer <token>`. Get one from `POST /v1/login` (login and
password), or once when an administrator creates the account (`POST /v1/handlers`). It is valid for
12 hours by default (`JIKIMI_TOKEN_HOURS`); logging in again gives a fresh one. An administrator can
revoke a handler's tokens at once (`POST /v1/handlers/{login}/revoke-tokens`), and disabling the
account revokes them too (the server's other worker processes see it within 2 seconds). A missing,
expired or revoked token is 401 `auth`."""

bearer = HTTPBearer(auto_error=False, description=BEARER)


# The dependencies are ``async`` where they do no I/O, so FastAPI runs them on the event loop
# rather than sending each to a thread: a request then takes one thread hop, for its route.


def get_jikimi(request: Request) -> Jikimi:
    jikimi = getattr(request.app.state, "jikimi", None)
    if not isinstance(jikimi, Jikimi):  # pragma: no cover - routers are mounted only with jikimi
        raise RuntimeError("the app was created without jikimi")
    return jikimi


async def source_address(request: Request) -> str:
    """Where the request came from, for the access log (the client host; never a header it sets)."""
    return request.client.host if request.client else "unknown"


async def jikimi_dependency(request: Request) -> Jikimi:
    """``get_jikimi`` as a dependency (on the event loop)."""
    return get_jikimi(request)


JikimiDep = Annotated[Jikimi, Depends(jikimi_dependency)]
SourceDep = Annotated[str, Depends(source_address)]


async def current_handler(
    jikimi: JikimiDep,
    source: SourceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Handler:
    """The handler owning the bearer token: 401 without a valid one (a refused token is logged).
    A token looked up in the last two seconds is answered from memory; else in a thread."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthError("인증 토큰이 필요합니다 (Authorization: Bearer …)", "a bearer token is required")
    token = credentials.credentials
    cached = jikimi.handlers.cached(token)
    if cached is not None:
        return cached
    return await run_in_threadpool(jikimi.handlers.authenticate, token, source=source)


HandlerDep = Annotated[Handler, Depends(current_handler)]


def requires(action: str) -> Callable[[Handler], Awaitable[Handler]]:
    """A dependency admitting only handlers whose role allows ``action`` (403 action_not_allowed)."""

    async def check(handler: HandlerDep) -> Handler:
        if not handler.role.may(action):
            raise Denied(
                "action_not_allowed",
                f"이 역할에는 '{action}' 작업이 허용되지 않습니다",
                f"the handler's role may not do '{action}'",
            )
        return handler

    return check


AdminDep = Annotated[Handler, Depends(requires("admin"))]
AuditorDep = Annotated[Handler, Depends(requires("audit"))]
