"""``jikimi notices …``: a policy change told to every member ahead of time and posted
(``announce``), and the yearly usage-and-provision notice (``usage``, PIPA 20-2). A thin face over
``Jikimi.policy_changes`` and ``Jikimi.usage_notices``, acting as the operator at the terminal
(``cli:<user>`` in the access log). Mounted by ``jikimi.cli``.

A refused announcement (an effective date closer than the notice the change needs) exits 2 with
the earliest lawful date; a usage notice that is not owed exits 2 with why, unless ``--force``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from jikimi.cli._common import DbOption, FormatOption, PolicyOption, TextOrJson, jikimi_for, operator
from jikimi.notices.changes import Announcement
from jikimi.notices.usage import SPECIAL_THRESHOLD, SUBJECTS_THRESHOLD, UsageDuty, UsageRun
from jikimi.policy.load import load_policy
from jikimi.settings import Settings

notices_app = typer.Typer(
    help="정보주체에게 알리는 것: 처리방침 변경 고지, 연 1회 이용·제공 내역 통지. "
    "Notices to subjects: policy changes told ahead, the yearly usage-and-provision notice.",
    no_args_is_help=True,
)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            "YYYY-MM-DD 형식이어야 합니다 (expected YYYY-MM-DD)", param_hint=option
        ) from None


def _print(data: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _announcement_text(done: Announcement) -> str:
    scope = "중요 변경 (material)" if done.material else "변경 (minor)"
    lines = [
        f"처리방침 변경 고지 (policy change): {done.old_version} → {done.new_version}, {scope}",
        f"  변경 {len(done.changes)}건, 고지 기간 {done.notice_days}일 ({done.notice_days} days' notice)",
        f"  고지일 {done.notice_date.isoformat()}, 시행일 {done.effective.isoformat()} "
        f"(earliest lawful: {done.earliest_effective.isoformat()})",
    ]
    if done.dry_run:
        lines.append(
            f"  미리 보기: 회원 {done.members}명 중 {done.reachable}명에게 알립니다 "
            f"(dry run: {done.reachable} of {done.members} members would be told; nothing queued or posted)"
        )
    else:
        lines.append(
            f"  안내 {done.queued}건 발송 대기, {done.reachable - done.queued}명은 이미 고지됨, "
            f"연락처 없는 회원 {done.without_contact}명은 게시로 알림 ({done.queued} queued, "
            f"{done.reachable - done.queued} told before, {done.without_contact} without a contact: "
            "the posting)"
        )
        lines.append(f"  게시 (posting): {done.posting_id}")
    return "\n".join(lines) + "\n"


@notices_app.command("announce")
def announce_command(
    old: Annotated[Path, typer.Argument(help="지금 처리방침 (the policy in force)", show_default=False)],
    new: Annotated[Path, typer.Argument(help="새 처리방침 (the new version)", show_default=False)],
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            help="시행일 YYYY-MM-DD (default: the new policy's effective date, else the earliest lawful one)",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="알리지 않고 결과만 봅니다 (check only, tell no one)")
    ] = False,
    format: FormatOption = TextOrJson.text,
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """처리방침 변경을 모든 회원에게 알리고 공지합니다 (중요 변경 30일, 그 밖의 변경 7일 전).
    Tell every member of a policy change ahead of time and post it.

    The notice days come from the new policy's ``notice`` settings; an effective date closer than
    that is refused (exit 2) with the earliest lawful date. Announcing the same version again
    queues nothing new. The engine runs ``--policy`` (default JIKIMI_POLICY, else OLD).
    """
    day = _day(effective, "--effective")
    old_policy, new_policy = load_policy(old), load_policy(new)
    engine_policy = policy if policy is not None or Settings.from_env().policy_path is not None else old
    with jikimi_for(db, engine_policy) as jikimi:
        changes = jikimi.policy_changes
        if dry_run:
            done = changes.preview(old_policy, new_policy, effective=day)
        else:
            done = changes.announce(old_policy, new_policy, effective=day, actor=operator(), source="cli")
    if format is TextOrJson.json:
        _print(done.to_dict())
    else:
        sys.stdout.write(_announcement_text(done))


def _duty_text(duty: UsageDuty) -> str:
    owed = "의무 있음 (owed)" if duty.owed else "의무 없음 (not owed)"
    subjects = f"{duty.subjects:,}" + ("+" if duty.subjects >= SUBJECTS_THRESHOLD else "")
    special = f"{duty.special_subjects:,}" + ("+" if duty.special_subjects >= SPECIAL_THRESHOLD else "")
    return (
        f"{duty.year}년 이용·제공 내역 통지 (usage-and-provision notice, PIPA 20-2): {owed}\n"
        f"  {duty.reason_ko}\n  ({duty.reason_en})\n"
        f"  개인정보를 보관 중인 정보주체 (subjects with stored data): {subjects}\n"
        f"  민감정보·고유식별정보 정보주체 (with sensitive data or unique identifiers): {special} "
        f"(items: {', '.join(duty.special_items) or '-'})\n"
    )


def _run_text(run: UsageRun) -> str:
    kind = "자발적 통지 (voluntary)" if run.voluntary else "법정 통지 (owed)"
    return (
        f"{run.duty.year}년 이용·제공 내역 통지 {kind}: {run.period_start.date().isoformat()} ~ "
        f"{run.period_end.date().isoformat()}\n"
        f"  안내 {run.queued}건 발송 대기, 이미 보냄 {run.already_queued}, 연락처 없음 {run.without_contact} "
        f"(of {run.subjects} subjects: {run.queued} queued, {run.already_queued} already, "
        f"{run.without_contact} without a contact)\n"
    )


@notices_app.command("usage")
def usage_command(
    check: Annotated[
        bool, typer.Option("--check", help="통지 의무와 그 이유만 봅니다 (only whether it is owed, and why)")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=9998, help="통지 연도 (the year told; default: this year, KST)"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="의무가 없어도 자발적으로 보냅니다 (send as a voluntary notice)")
    ] = False,
    format: FormatOption = TextOrJson.text,
    policy: PolicyOption = None,
    db: DbOption = None,
) -> None:
    """연 1회 이용·제공 내역 통지 (개인정보 보호법 20조의2): 의무 판단과 발송.
    The yearly usage-and-provision notice: whether it is owed, and queueing it.

    Owed at 1,000,000 subjects with stored personal data, or 50,000 with sensitive data or unique
    identifiers (decree 15-3); each subject holding a contact is told once a year.
    """
    with jikimi_for(db, policy) as jikimi:
        notices = jikimi.usage_notices
        if check:
            duty = notices.check(year=year)
            if format is TextOrJson.json:
                _print(duty.to_dict())
            else:
                sys.stdout.write(_duty_text(duty))
            return
        run = notices.queue(year=year, force=force, actor=operator(), source="cli")
    if format is TextOrJson.json:
        _print(run.to_dict())
    else:
        sys.stdout.write(_run_text(run))
