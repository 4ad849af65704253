"""Handlers (개인정보취급자) and roles: accounts, tokens (expiry, revocation), login, lockout. Admin
action required, except for ``/v1/login``. Every change of rights is recorded by the handler service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from jikimi.api import examples
from jikimi.api.answers import ACTION_DENIED, LOCKED, RATE_LIMITED, WRONG_PASSWORD, Answer, answers, missing
from jikimi.api.deps import AdminDep, JikimiDep, SourceDep
from jikimi.api.schemas import Done, HandlerIn, HandlerRow, LoginIn, RoleChangeIn, RoleIn, RoleOut, TokenOut

router = APIRouter(prefix="/v1", tags=["handlers"])

ROLE_MISSING = missing("역할 'support'이 없습니다", "no role 'support'")
HANDLER_MISSING = missing("취급자 'cs-kim'이 없습니다", "no active handler 'cs-kim'")
LOGIN_TAKEN = Answer(
    422,
    "vault.invalid",
    "login: 이미 있는 계정입니다",
    "login: a handler with this login exists",
    field="login",
)
INVALID_ACTIONS = Answer(
    422, "vault.invalid", "actions: 알 수 없는 작업입니다", "actions: unknown actions", field="actions"
)

Login = Annotated[str, Path(min_length=1, max_length=64, description="취급자 계정 (handler login)")]


@router.post(
    "/roles",
    responses=answers(ACTION_DENIED, INVALID_ACTIONS),
    status_code=status.HTTP_201_CREATED,
    response_model=RoleOut,
    summary="역할 정의 (define or change a role)",
)
def define_role(body: RoleIn, jikimi: JikimiDep, admin: AdminDep, source: SourceDep) -> RoleOut:
    """역할이 쓸 수 있는 목적과 작업을 정합니다 (최소 권한). 변경은 권한 기록에 3년간 남습니다.
    Defines the purposes and actions a role allows (least privilege); recorded in the rights log."""
    role = jikimi.handlers.define_role(
        body.name, purposes=body.purposes, actions=body.actions, actor=admin, source=source
    )
    return RoleOut(name=role.name, purposes=sorted(role.purposes), actions=sorted(role.actions))


@router.post(
    "/handlers",
    responses=answers(ACTION_DENIED, ROLE_MISSING, LOGIN_TAKEN),
    status_code=status.HTTP_201_CREATED,
    response_model=TokenOut,
    summary="취급자 계정 생성 (create a handler account)",
)
def create_handler(body: HandlerIn, jikimi: JikimiDep, admin: AdminDep, source: SourceDep) -> TokenOut:
    """취급자 계정을 만들고 첫 API 토큰을 한 번만 돌려줍니다. `admin` 작업 권한이 필요합니다.
    Creates a handler account and returns its first API token, once. Needs the `admin` action."""
    handler, token = jikimi.handlers.create(
        body.login, body.password, role=body.role, actor=admin, source=source
    )
    return TokenOut(login=handler.login, role=handler.role.name, token=token)


@router.get(
    "/handlers",
    responses={
        200: {"content": {"application/json": {"example": examples.HANDLERS}}},
        **answers(ACTION_DENIED),
    },
    response_model=list[HandlerRow],
    summary="취급자 목록 (list handler accounts)",
)
def list_handlers(jikimi: JikimiDep, _admin: AdminDep) -> list[HandlerRow]:
    """취급자 계정과 역할, 잠금·비활성 상태. `admin` 작업 권한이 필요합니다.
    Handler accounts with their role and state. Needs the `admin` action."""
    return [HandlerRow.model_validate(row) for row in jikimi.handlers.all()]


@router.post(
    "/handlers/{login}/role",
    responses=answers(ACTION_DENIED, HANDLER_MISSING, ROLE_MISSING),
    response_model=Done,
    summary="역할 변경 (change a handler's role)",
)
def change_role(
    login: Login, body: RoleChangeIn, jikimi: JikimiDep, admin: AdminDep, source: SourceDep
) -> Done:
    """취급자의 역할을 바꿉니다 (권한 변경 기록). Changes a handler's role; recorded in the rights log."""
    jikimi.handlers.change_role(login, body.role, actor=admin, source=source)
    return Done()


@router.post(
    "/handlers/{login}/disable",
    responses=answers(ACTION_DENIED, HANDLER_MISSING),
    response_model=Done,
    summary="계정 말소 (disable a handler)",
)
def disable_handler(login: Login, jikimi: JikimiDep, admin: AdminDep, source: SourceDep) -> Done:
    """퇴직·전보 시 계정을 말소하고 토큰을 폐기합니다. `admin` 작업 권한이 필요합니다.
    Disables the account and revokes its token. Needs the `admin` action."""
    jikimi.handlers.disable(login, actor=admin, source=source)
    return Done()


@router.post(
    "/handlers/{login}/unlock",
    responses=answers(ACTION_DENIED, HANDLER_MISSING),
    response_model=Done,
    summary="잠금 해제 (unlock a handler)",
)
def unlock_handler(login: Login, jikimi: JikimiDep, admin: AdminDep, source: SourceDep) -> Done:
    """로그인 실패로 잠긴 계정을 해제합니다. `admin` 작업 권한이 필요합니다.
    Unlocks an account locked after failed logins. Needs the `admin` action."""
    jikimi.handlers.unlock(login, actor=admin, source=source)
    return Done()


@router.post(
    "/handlers/{login}/revoke-tokens",
    responses=answers(ACTION_DENIED, HANDLER_MISSING),
    response_model=Done,
    summary="토큰 폐기 (revoke a handler's tokens)",
)
def revoke_tokens(login: Login, jikimi: JikimiDep, admin: AdminDep, source: SourceDep) -> Done:
    """취급자의
    API 토큰을 즉시 폐기합니다 (분실·유출). 계정은 남고 다음 로그인에 새 토큰이 나옵니다. `admin` 작업
    권한이 필요합니다. Revokes the handler's API tokens at once (a lost device, a leaked token); the account
    stays. Needs the `admin` action."""
    jikimi.handlers.revoke_tokens(login, actor=admin, source=source)
    return Done()


@router.post(
    "/login",
    responses=answers(WRONG_PASSWORD, LOCKED, RATE_LIMITED),
    response_model=TokenOut,
    summary="로그인 (log in for a fresh token)",
)
def login(body: LoginIn, jikimi: JikimiDep, source: SourceDep) -> TokenOut:
    """계정과 비밀번호로 로그인해 새 API 토큰(기본 12시간 유효)을 받습니다. 5회 연속 실패하면 새 로그인이 잠시
    잠기고(1분부터 두 배씩, 최대 1시간; 423), 한 주소에서 15분에 20회 실패하면 그 주소가 15분간 막힙니다.
    잠겨도 이미 발급된 토큰은 계속 쓸 수 있습니다. 모든 시도가 접속기록에 남습니다. 토큰 없이 부릅니다.
    Logs in for a fresh API token (valid 12 hours by default). After five wrong passwords in a row
    new logins are locked for a while (1 minute, doubling, at most an hour; 423); 20 failures from
    one address within 15 minutes refuse that address for 15 minutes. Tokens already issued keep
    working during a lock. Every attempt is logged. Takes no token."""
    handler, token = jikimi.handlers.login(body.login, body.password, source=source)
    return TokenOut(login=handler.login, role=handler.role.name, token=token)
