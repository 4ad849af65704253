"""The way into the privacy center for a service's backend: ``POST /v1/privacy/sessions``.

A thin face over ``Jikimi.passes`` (``jikimi.signin.privacy``). The service has signed its member
in (or checked the guardian of a child) and asks for a link with the ``privacy`` action; it sends
the member's browser to the link, which opens the privacy center once, within 10 minutes. The
link's token is a credential, never a personal value; ``/privacy/enter`` exchanges it for a session
cookie and moves on, so it does not stay in the address bar.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from jikimi.api.answers import ACTION_DENIED, SUBJECT_MISSING, Answer, answers
from jikimi.api.deps import HandlerDep, JikimiDep, SourceDep
from jikimi.api.examples import example
from jikimi.api.schemas import Instant, SubjectRef

router = APIRouter(prefix="/v1/privacy", tags=["privacy"])

NOT_A_CHILD = Answer(
    422,
    "vault.invalid",
    "acting_as: 법정대리인은 만 14세 미만 아동의 정보만 봅니다",
    "acting_as: a legal guardian acts only for a child under 14 (PIPA 22-2, 38②)",
    field="acting_as",
)


class PrivacySessionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", **example({"subject_id": "Hx7sK2mPq9LrT4vWz8bN3c", "acting_as": "self"})
    )  # noqa: E501

    subject_id: SubjectRef = Field(description="대상자 id (the member the service has signed in)")
    acting_as: Literal["self", "guardian"] = Field(
        "self",
        description="self: 본인; guardian: 만 14세 미만 아동의 법정대리인 (the child's legal guardian, "
        "whom the service has checked)",
    )


class PrivacySessionOut(BaseModel):
    model_config = example(
        {
            "url": "/privacy/enter?token=pl_Qm3xV8sLc2RtY7pN4kWz1aHx7sK2mPq9LrT4vWz8bN3c",
            "expires_at": "2026-12-03T01:10:00Z",
        }
    )

    url: str = Field(
        description="회원의 브라우저를 보낼 주소, 지킴이 주소 기준 (where to send the member's browser, "
        "relative to jikimi's address); 한 번만 열립니다 (opens once)"
    )
    expires_at: Instant = Field(description="이때까지 열어야 합니다 (open it before this), 10분 (10 minutes)")


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=PrivacySessionOut,
    summary="개인정보 보호 센터 링크 발급 (issue a link into the privacy center)",
    responses=answers(ACTION_DENIED, SUBJECT_MISSING, NOT_A_CHILD),
)
def issue_link(
    body: PrivacySessionIn, jikimi: JikimiDep, handler: HandlerDep, source: SourceDep
) -> PrivacySessionOut:
    """서비스가 로그인시킨 회원(또는 확인한 아동의 법정대리인)이 개인정보 보호 센터를 열 링크를 만듭니다.
    링크는 10분 안에 한 번만 열리며, 열면 세션 쿠키로 바뀌고 토큰은 주소창에 남지 않습니다. `privacy` 작업
    권한이 필요하고, 발급은 접속기록에 남습니다. A link for the member the service has signed in (or the
    guardian of a child it has checked) to open the privacy center: it opens once, within 10 minutes, and
    becomes a session cookie, so the token does not stay in the address bar. Needs the `privacy` action;
    each issue is an access-log row."""
    link = jikimi.passes.issue_link(body.subject_id, acting_as=body.acting_as, actor=handler, source=source)
    return PrivacySessionOut(url=link.url, expires_at=link.expires_at)
