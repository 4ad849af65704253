"""The access log (접속기록): chain verification and the monthly review. Audit action required."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jikimi.api import examples
from jikimi.api.answers import ACTION_DENIED, answers
from jikimi.api.deps import AuditorDep, JikimiDep, SourceDep
from jikimi.api.schemas import MONTH_PATTERN, BreakOut, VerifyOut

router = APIRouter(prefix="/v1/audit", tags=["audit"])


Month = Annotated[str, Query(pattern=MONTH_PATTERN, description="점검 월 (YYYY-MM, 0001-01 to 9999-12)")]


@router.get(
    "/verify",
    responses=answers(ACTION_DENIED),
    response_model=VerifyOut,
    summary="접속기록 위변조 검증 (verify the access-log chain)",
)
def verify_log(jikimi: JikimiDep, _auditor: AuditorDep) -> VerifyOut:
    """접속기록의 해시 체인을 모두 확인하고, 바뀌거나 빠진 첫 행을 체인마다 알려 줍니다. `audit` 작업 권한이
    필요합니다.
    Walks every hash chain of the access log and names the first altered or missing row of each. Needs the
    `audit` action."""
    result = jikimi.audit.verify()
    return VerifyOut(
        ok=result.ok,
        rows=result.rows,
        chains=result.chains,
        breaks=[
            BreakOut(chain=b.chain, chain_seq=b.chain_seq, seq=b.seq, problem=b.problem)
            for b in result.breaks
        ],
    )


@router.get(
    "/report",
    responses={
        200: {"content": {"application/json": {"example": examples.ACCESS_LOG_REVIEW}}},
        **answers(ACTION_DENIED),
    },
    summary="월간 접속기록 점검 (monthly access-log review)",
)
def monthly_report(month: Month, jikimi: JikimiDep, auditor: AuditorDep, source: SourceDep) -> dict[str, Any]:
    """한 달의 접속기록 점검 보고서: 취급자별 열람, 거부, 대량 다운로드와 사유, 업무시간 외 열람, 급증한 취급자. `audit` 작업 권한이 필요합니다.
    The monthly review: reads per handler, denials, bulk downloads with reasons, reads outside
    working hours, handlers whose volume jumps, the threshold alerts. Needs the `audit` action;
    the review is logged (`audit.report`)."""  # noqa: E501
    return jikimi.audit.monthly_report(month, actor=auditor, source=source)
