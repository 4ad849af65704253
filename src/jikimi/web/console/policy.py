"""The policy pages: the version in force and every version jikimi knows, the lint findings, the
comparison of two versions with the notice it needs, and publishing the next version with its
scheduled notice (``notices.policy_versions``; the next version is a draft file in the ``versions/``
folder beside the policy file in force, docs/console.md).

Every signed-in handler may read them (the policy is public); publishing needs ``admin``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from jikimi.errors import InvalidInput, JikimiError
from jikimi.notices.changes import Announcement
from jikimi.notices.policy_versions import IN_FORCE
from jikimi.periods import kst_day
from jikimi.policy.lint import Finding
from jikimi.web.console.deps import ConsoleForm, JikimiDep, Officer, SourceDep, need
from jikimi.web.errors import redirect
from jikimi.web.pages import page

router = APIRouter()

Name = Annotated[str, Query(min_length=1, max_length=255)]
KINDS = {"added": ("추가", "added"), "removed": ("삭제", "removed"), "changed": ("변경", "changed")}
SEVERITIES = {"error": ("오류", "error"), "warning": ("경고", "warning"), "info": ("참고", "note")}


def summary(findings: list[Finding]) -> dict[str, int]:
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in SEVERITIES}


@router.get("/policy", response_class=HTMLResponse, include_in_schema=False)
def policy_page(request: Request, user: Officer, jikimi: JikimiDep) -> Response:
    versions = jikimi.policy_versions
    findings = versions.lint_in_force()
    drafts = versions.drafts()
    return page(
        request,
        "console/policy.html",
        {
            "policy": jikimi.policy,
            "known": versions.known(),
            "findings": findings,
            "counts": summary(findings),
            "blocking": jikimi.policy_check.rules,
            "drafts": drafts,
            "choices": [IN_FORCE, *(d.name for d in drafts if d.policy is not None)],
            "in_force": IN_FORCE,
            "folder": str(versions.folder) if versions.folder is not None and user.may("admin") else None,
            "has_folder": versions.folder is not None,
            "severities": SEVERITIES,
        },
    )


@router.get("/policy/diff", response_class=HTMLResponse, include_in_schema=False)
def diff_page(request: Request, user: Officer, jikimi: JikimiDep, old: Name, new: Name) -> Response:
    versions = jikimi.policy_versions
    diff = versions.compare(old, new)
    today = kst_day(jikimi.core.now())
    draft = versions.draft(new) if old == IN_FORCE and new != IN_FORCE else None
    preview: Announcement | None = None
    refused: JikimiError | None = None
    if draft is not None and diff.changes:
        try:
            preview = versions.preview(new)
        except InvalidInput as exc:  # too soon, same version, blocked: said on the page, not an error
            refused = exc
    return page(
        request,
        "console/policy_diff.html",
        {
            "old": old,
            "new": new,
            "old_policy": versions.policy_named(old),
            "new_policy": versions.policy_named(new),
            "diff": diff,
            "today": today,
            "earliest": diff.earliest_effective(today),
            "draft": draft,
            "preview": preview,
            "refused": refused,
            "may_publish": user.may("admin"),
            "kinds": KINDS,
            "in_force": IN_FORCE,
        },
    )


@router.post("/policy/publish", include_in_schema=False)
def publish(user: Officer, form: ConsoleForm, jikimi: JikimiDep, source: SourceDep) -> Response:
    need(user, "admin")
    name = form.text("draft", required=True, max_length=255)
    effective = _day(form.text("effective", max_length=10))
    done = jikimi.policy_versions.publish(name, effective=effective, actor=user.handler, source=source)
    return redirect(
        "/console/policy",
        notice=(
            f"{done.new_version} 처리방침 변경을 고지했습니다: 시행일 {done.effective.isoformat()}, "
            f"안내 {done.queued}건 발송 대기, 게시 {done.posting_id}",
            f"announced {done.new_version}: effective {done.effective.isoformat()}, {done.queued} messages "
            f"queued, posting {done.posting_id}",
        ),
    )


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("effective", "YYYY-MM-DD 형식이어야 합니다", "expected YYYY-MM-DD") from None
