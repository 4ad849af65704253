"""Typed dependencies: the jikimi façade, the calling handler (from its bearer token), the source address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jikimi.bootstrap import Jikimi
from jikimi.errors import AuthError, Denied
from jikimi.handlers import Handler

bearer = HTTPBearer(auto_error=False, description="개인정보취급자 API 토큰 (handler API token)")


def get_jikimi(request: Request) -> Jikimi:
    jikimi = getattr(request.app.state, "jikimi", None)
    if not isinstance(jikimi, Jikimi):  # pragma: no cover - routers are mounted only with jikimi
        raise RuntimeError("the app was created without jikimi")
    return jikimi


def source_address(request: Request) -> str:
    """Where the request came from, for the access log (the client host; never a header it sets)."""
    return request.client.host if request.client else "unknown"


JikimiDep = Annotated[Jikimi, Depends(get_jikimi)]
SourceDep = Annotated[str, Depends(source_address)]


def current_handler(
    jikimi: JikimiDep,
    source: SourceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Handler:
    """The handler owning the bearer token: 401 without a valid one (a refused token is logged)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthError("인증 토큰이 필요합니다 (Authorization: Bearer …)", "a bearer token is required")
    return jikimi.handlers.authenticate(credentials.credentials, source=source)


HandlerDep = Annotated[Handler, Depends(current_handler)]


def requires(action: str) -> Callable[[Handler], Handler]:
    """A dependency admitting only handlers whose role allows ``action`` (403 action_not_allowed)."""

    def check(handler: HandlerDep) -> Handler:
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
