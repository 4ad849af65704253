"""``jikimi policy …`` (lint, render, consent, diff, publish, import), ``jikimi rules`` and
``jikimi statutes``: the policy file, published — pure functions of the file, no database.
``rules_command`` and ``statutes_command`` are mounted at the top level by ``jikimi.cli``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jikimi.cli._common import FormatOption, PolicyFile, TextOrJson, write
from jikimi.cli._common import out as console
from jikimi.errors import PolicyImportError, PolicyLoadError
from jikimi.policy.lint import RULES, Finding, lint
from jikimi.policy.load import load_policy, load_policy_source

policy_app = typer.Typer(
    help="처리방침 파일: 검사, 문서 생성, 동의 화면, 변경 비교. (Policy files: lint, render, consent, diff.)",
    no_args_is_help=True,
)


class DocFormat(StrEnum):
    md = "md"
    html = "html"


class ConsentFormat(StrEnum):
    md = "md"
    html = "html"
    text = "text"


def _finding_line(finding: Finding) -> str:
    return (
        f"{finding.location()}: {finding.severity} [{finding.rule}] {finding.key or '-'}: "
        f"{finding.message_ko} / {finding.message_en} ({finding.article})"
    )


def _summary(findings: list[Finding]) -> dict[str, int]:
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in ("error", "warning", "info")}


@policy_app.command("lint")
def lint_command(
    file: PolicyFile,
    format: FormatOption = TextOrJson.text,
) -> None:
    """PIPA 기준으로 처리방침을 검사합니다. Lint a policy against PIPA.

    Exit code 0: no error; 1: errors found; 2: the file cannot be loaded.
    """
    source = load_policy_source(file)
    findings = lint(source.policy, file=str(file), line_of=source.line)
    counts = _summary(findings)
    if format is TextOrJson.json:
        payload = {"file": str(file), "summary": counts, "findings": [f.to_dict() for f in findings]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for finding in findings:
            sys.stdout.write(_finding_line(finding) + "\n")
        sys.stdout.write(
            f"{file}: 오류 {counts['error']}, 경고 {counts['warning']}, 참고 {counts['info']} "
            f"({counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes)\n"
        )
    raise typer.Exit(1 if counts["error"] else 0)


@policy_app.command("render")
def render_command(
    file: PolicyFile,
    format: Annotated[
        DocFormat, typer.Option("--format", "-f", help="문서 형식 (document format)")
    ] = DocFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="저장할 파일 (default: stdout)")
    ] = None,
) -> None:
    """처리방침 문서(한국어)를 Markdown 또는 HTML로 만듭니다. Render the Korean 처리방침 document."""
    from jikimi.policy.render import render_html, render_markdown

    policy = load_policy(file)
    write(render_html(policy) if format is DocFormat.html else render_markdown(policy), output)


@policy_app.command("consent")
def consent_command(
    file: PolicyFile,
    context: Annotated[str, typer.Argument(help="수집 상황 id (collection context id), e.g. signup")],
    format: Annotated[ConsentFormat, typer.Option("--format", "-f", help="형식 (format)")] = ConsentFormat.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="저장할 파일 (default: stdout)")
    ] = None,
) -> None:
    """수집 상황별 동의 화면 문구를 만듭니다 (PIPA 15②·17②·22). Render a context's consent screen."""
    from jikimi.policy.render import render_consent

    policy = load_policy(file)
    write(render_consent(policy, context, format.value), output)


@policy_app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="이전 처리방침 (old policy)", show_default=False)],
    new: Annotated[Path, typer.Argument(help="새 처리방침 (new policy)", show_default=False)],
    format: FormatOption = TextOrJson.text,
    notice_date: Annotated[
        str | None,
        typer.Option(
            "--notice-date", help="고지일 YYYY-MM-DD: 가장 이른 시행 가능일을 계산합니다 (notice date)"
        ),
    ] = None,
) -> None:
    """두 처리방침의 변경 사항과 필요한 고지 기간을 보여 줍니다. Diff two policies and classify changes."""
    from jikimi.policy.diff import diff_policies

    when: date | None = None
    if notice_date is not None:
        try:
            when = date.fromisoformat(notice_date)
        except ValueError:
            raise typer.BadParameter(
                "YYYY-MM-DD 형식이어야 합니다 (expected YYYY-MM-DD)", param_hint="--notice-date"
            ) from None
    result = diff_policies(load_policy(old), load_policy(new))
    if format is TextOrJson.json:
        sys.stdout.write(json.dumps(result.to_dict(when), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(result.to_text(when).rstrip("\n") + "\n")


@policy_app.command("publish")
def publish_command(
    directory: Annotated[Path, typer.Argument(help="처리방침 YAML 파일이 있는 폴더 (folder of policies)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="출력 폴더 (output folder)")] = Path(
        "out/policies"
    ),
) -> None:
    """폴더의 모든 처리방침을 검사하고 문서와 동의 화면을 만듭니다. Lint and render every policy in a folder.

    For each ``NAME.yaml``: ``OUT/NAME/lint.txt``, ``lint.json``, ``policy.md``, ``policy.html`` and
    ``consent-CONTEXT.html`` for every collection context.
    """
    from jikimi.policy.render import render_consent, render_html, render_markdown

    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise typer.BadParameter(
            f"{directory}에 .yaml 파일이 없습니다 (no .yaml files)", param_hint="DIRECTORY"
        )
    table = Table(title="처리방침 게시 결과 (published policies)")
    for column in ("policy", "오류 errors", "경고 warnings", "참고 notes", "output"):
        table.add_column(column)
    failed = 0
    for file in files:
        target = out / file.stem
        try:
            source = load_policy_source(file)
        except PolicyLoadError as exc:
            failed += 1
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            table.add_row(file.name, "load failed", "-", "-", "-")
            continue
        policy = source.policy
        findings = lint(policy, file=str(file), line_of=source.line)
        counts = _summary(findings)
        target.mkdir(parents=True, exist_ok=True)
        (target / "lint.txt").write_text("".join(_finding_line(f) + "\n" for f in findings), encoding="utf-8")
        (target / "lint.json").write_text(
            json.dumps(
                {"file": str(file), "summary": counts, "findings": [f.to_dict() for f in findings]},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        (target / "policy.md").write_text(render_markdown(policy), encoding="utf-8")
        (target / "policy.html").write_text(render_html(policy), encoding="utf-8")
        for ctx in policy.contexts:
            (target / f"consent-{ctx.id}.html").write_text(
                render_consent(policy, ctx.id, "html"), encoding="utf-8"
            )
        table.add_row(
            file.name, str(counts["error"]), str(counts["warning"]), str(counts["info"]), f"{file.stem}/"
        )
    console.print(table)
    console.print(f"문서와 검사 결과를 {out}/ 에 저장했습니다. (Documents and lint results are in {out}/.)")
    console.print(f"브라우저로 열어 보기 (open in a browser): {out / files[0].stem / 'policy.html'}")
    raise typer.Exit(2 if failed else 0)


class ImportFormat(StrEnum):
    auto = "auto"
    text = "text"
    html = "html"
    md = "md"


@policy_app.command("import")
def import_policy_command(
    file: Annotated[
        Path,
        typer.Argument(help="가져올 처리방침 텍스트: .txt, .html, .md (the policy text)", show_default=False),
    ],
    format: Annotated[
        ImportFormat, typer.Option("--format", "-f", help="입력 형식; auto는 이름과 내용으로 (input format)")
    ] = ImportFormat.auto,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="초안 YAML을 저장할 파일 (draft; default: stdout)")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="보고서를 JSON으로 저장할 파일 (the report as JSON)")
    ] = None,
) -> None:
    """이미 있는 처리방침 텍스트에서 처리방침 YAML 초안을 만듭니다. Import a policy text as a draft policy.

    Every value cites its source line; what the text does not say stays a placeholder that lint reports;
    what it says ambiguously carries a ``review:`` note (docs/import.md). The summary goes to stderr
    when the draft goes to stdout. Exit code 0: a draft was written; 2: the input cannot be read
    (binary, empty, over 5 MB, an encoding other than UTF-8 or CP949/EUC-KR).
    """
    from jikimi.policy.importing import MAX_IMPORT_BYTES, import_bytes

    try:
        too_large = file.stat().st_size > MAX_IMPORT_BYTES
        raw = b"" if too_large else file.read_bytes()
    except OSError as exc:
        raise PolicyImportError(
            str(file), f"파일을 읽을 수 없습니다 ({exc.strerror})", f"cannot read the file ({exc.strerror})"
        ) from exc
    if too_large:
        raw = b" " * (MAX_IMPORT_BYTES + 1)  # refused by the importer with its own message
    result = import_bytes(raw, filename=str(file), fmt=format.value)
    write(result.draft, output)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            json.dumps(result.report.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
    summary = result.report.summary()
    if output is not None:
        summary += f"\n초안을 {output}에 저장했습니다 (draft written to {output})"
    typer.echo(summary, err=output is None)


def rules_command(
    format: FormatOption = TextOrJson.text,
) -> None:
    """검사 규칙 목록을 보여 줍니다. List every lint rule with its severity and article; `blocks` marks
    the rules whose errors stop `serve` and `open_jikimi` (docs/lint-rules.md)."""
    if format is TextOrJson.json:
        rows = [
            {
                "rule": r.id,
                "severity": r.severity,
                "article": r.article,
                "blocks": r.blocks,
                "title_ko": r.title_ko,
                "title_en": r.title_en,
            }
            for r in RULES
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    for r in RULES:
        mark = "blocks" if r.blocks else ""
        sys.stdout.write(f"{r.id:34} {r.severity:8} {mark:6} {r.article:32} {r.title_ko} ({r.title_en})\n")


def statutes_command(
    format: FormatOption = TextOrJson.text,
) -> None:
    """법정 보존기간 프리셋을 보여 줍니다. List the statutory retention presets usable as `basis:`."""
    from jikimi.policy.statutes import statutes, statutes_version

    presets = statutes()
    if format is TextOrJson.json:
        rows = {key: s.model_dump(mode="json") for key, s in presets.items()}
        sys.stdout.write(
            json.dumps({"version": statutes_version(), "presets": rows}, ensure_ascii=False, indent=2) + "\n"
        )
        return
    for key, s in presets.items():
        flag = "  (효력 없음 / obsolete)" if s.obsolete else ""
        sys.stdout.write(f"{key:30} {s.period.korean():6} {s.citation()} — {s.label}{flag}\n")
    sys.stdout.write(f"statutes data version {statutes_version()}\n")
