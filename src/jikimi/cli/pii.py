"""``jikimi pii``: find and mask personal data in a text file or standard input.

A thin face over :mod:`jikimi.pii`. ``scan`` prints JSON findings without the matched values
(unless ``--show-values``); ``mask`` prints the masked text. jikimi's own errors (text too
long, unknown type or operator, missing key) are raised as :class:`jikimi.errors.JikimiError`
and printed by ``jikimi.cli.run`` as one line, with exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from jikimi.errors import UsageError
from jikimi.pii import DEFAULT_MAX_CHARS, Operator, mask, scan

pii_app = typer.Typer(
    help="자유 텍스트의 개인정보 찾기와 가리기. (Find and mask personal data in free text.)",
    no_args_is_help=True,
)

Source = Annotated[
    str, typer.Argument(help="텍스트 파일, 또는 표준 입력이면 '-' (a text file, or '-' for stdin)")
]
Types = Annotated[
    str | None,
    typer.Option(
        "--types", help="찾을 유형, 쉼표로 구분: all, structured, rrn, phone… (types, comma-separated)"
    ),
]
KnownNames = Annotated[
    list[str] | None,
    typer.Option(
        "--known-name", help="이미 아는 이름; 여러 번 지정 가능 (a name the service knows; repeatable)"
    ),
]
MaxChars = Annotated[
    int, typer.Option("--max-chars", help="검사할 최대 글자 수 (largest text accepted, in characters)")
]


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{source}: 파일을 UTF-8 텍스트로 읽을 수 없습니다 ({type(exc).__name__})",
            f"{source}: cannot read the file as UTF-8 text ({type(exc).__name__})",
        ) from exc


def _read_key(key_file: Path | None) -> bytes | None:
    if key_file is None:
        return None
    try:
        return key_file.read_bytes().strip()
    except OSError as exc:
        raise UsageError(
            f"{key_file}: 키 파일을 읽을 수 없습니다", f"{key_file}: cannot read the key file"
        ) from exc


@pii_app.command("scan")
def scan_command(
    source: Source,
    types: Types = None,
    known_name: KnownNames = None,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="찾은 값도 출력 (also print the matched values)")
    ] = False,
    min_confidence: Annotated[
        float, typer.Option("--min-confidence", help="이 신뢰도 미만은 버림 (drop findings below this)")
    ] = 0.5,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
) -> None:
    """텍스트의 개인정보를 찾아 JSON으로 출력합니다; 값은 --show-values 때만 보입니다.
    (Find personal data and print the findings as JSON; values only with --show-values.)"""
    text = _read(source)
    findings = scan(
        text, types=types, known_names=known_name or (), min_confidence=min_confidence, max_chars=max_chars
    )
    rows = []
    for f in findings:
        row = f.to_dict()
        if show_values:
            row["value"] = f.value(text)
        rows.append(row)
    out = {"source": source, "characters": len(text), "count": len(rows), "findings": rows}
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


@pii_app.command("mask")
def mask_command(
    source: Source,
    operator: Annotated[
        Operator, typer.Option("--operator", help="가리는 방식 (how to replace each finding)")
    ] = Operator.MASK,
    types: Types = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file", help="hash/encrypt 에 쓸 16바이트 이상의 키 파일 (key file for hash/encrypt)"
        ),
    ] = None,
    known_name: KnownNames = None,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
) -> None:
    """개인정보를 가린 텍스트를 출력합니다: mask, redact, label, hash, encrypt.
    (Print the text with its personal data masked, redacted, labelled, hashed or encrypted.)"""
    text = _read(source)
    masked = mask(
        text,
        operator=operator,
        types=types,
        key=_read_key(key_file),
        known_names=known_name or (),
        max_chars=max_chars,
    )
    sys.stdout.write(masked)
