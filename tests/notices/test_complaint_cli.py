"""``jikimi complaints …`` at the terminal, over a real database: the deadline and its basis in Korean
time, the queue overdue first with the hours left, texts read from a file or standard input (never
from arguments), and bad input as a message with exit code 2, never a traceback."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jikimi.bootstrap import Jikimi
from jikimi.cli import run
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing

from . import complaint_setup as setup
from .complaint_setup import ANSWER, BODY, MECROSS, kst

# the fixtures these tests take
jikimi, reference_policy, ring = setup.jikimi, setup.reference_policy, setup.ring

NOW = kst(2026, 10, 5, 11, 0)
"""Monday 2026-10-05, 개천절's substitute holiday: the terminal's clock in these tests."""


class _Now(FixedClock):
    def __init__(self) -> None:
        super().__init__(NOW)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, db_url: str, ring: KeyRing) -> None:
    monkeypatch.setenv("JIKIMI_DB_URL", db_url)
    monkeypatch.setenv("JIKIMI_MASTER_KEY", ring.current.encoded())
    monkeypatch.setenv("JIKIMI_POLICY", str(MECROSS))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr("jikimi.core.SystemClock", _Now)  # the commands' clock stands on NOW


def _id(out: str) -> str:
    return out.split()[0]


def test_a_fax_received_friday_19_00_before_a_holiday_monday_is_due_tuesday_at_the_terminal(
    terminal: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    letter = tmp_path / "fax.txt"
    letter.write_text(BODY, encoding="utf-8")
    code = run(
        [
            "complaints",
            "receive",
            "--channel",
            "fax",
            "--received-at",
            "2026-10-02T19:00",
            "--body-file",
            str(letter),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "접수 2026-10-02 19:00 KST, 기한 2026-10-06 18:00 KST" in out
    assert "익일 처리" in out and "handled the next business day" in out
    assert BODY not in out
    cid = _id(out)
    assert run(["complaints", "list"]) == 0
    listed = capsys.readouterr().out
    assert cid in listed and "2026-10-06 18:00" in listed and "+31.0h" in listed and "KST" in listed


def test_the_queue_shows_the_overdue_complaint_first(
    terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["complaints", "receive", "--channel", "email", "--received-at", "2026-10-05T10:00"]) == 0
    fresh = _id(capsys.readouterr().out)
    assert (
        run(["complaints", "receive", "--channel", "letter", "--received-at", "2026-09-30T10:00+09:00"]) == 0
    )
    late = _id(capsys.readouterr().out)  # due Thursday 10-01 10:00: late by now
    assert run(["complaints", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.index(late) < listed.index(fresh)
    assert (
        "OVERDUE" in listed.splitlines()[[i for i, line in enumerate(listed.splitlines()) if late in line][0]]
    )
    assert run(["complaints", "list", "--overdue"]) == 0
    only = capsys.readouterr().out
    assert late in only and fresh not in only
    assert run(["complaints", "list", "--not-overdue", "--status", "open"]) == 0
    others = capsys.readouterr().out
    assert fresh in others and late not in others


def test_an_answer_is_read_from_standard_input_and_the_complaint_shown_with_its_texts(
    terminal: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(BODY))
    assert (
        run(["complaints", "receive", "--channel", "web", "--topic", "privacy_leak", "--body-file", "-"]) == 0
    )
    cid = _id(capsys.readouterr().out)
    monkeypatch.setattr("sys.stdin", io.StringIO(ANSWER))
    assert run(["complaints", "answer", cid]) == 0
    assert "답변함 (answered)" in capsys.readouterr().out
    assert run(["complaints", "show", cid]) == 0
    shown = capsys.readouterr().out
    assert BODY in shown and ANSWER in shown and "privacy_leak" in shown
    assert run(["complaints", "list", "--status", "answered"]) == 0
    assert cid in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["receive", "--channel", "pigeon"], "알 수 없는 접수 경로"),
        (["receive", "--channel", "email", "--received-at", "어제 저녁"], "ISO 8601"),
        (["receive", "--channel", "email", "--received-at", "2026-12-24T10:00"], "미래"),
        (["receive", "--channel", "email", "--topic", "Privacy Leak"], "주제는 코드"),
        (["receive", "--channel", "email", "--body-file", "/no/such/file.txt"], "파일을 읽을 수 없습니다"),
        (["answer", "NoSuchComplaint0000000", "--text-file", "/no/such/file.txt"], "cannot read the file"),
        (["show", "NoSuchComplaint0000000"], "no such complaint"),
        (["list", "--status", "closed"], "closed"),
    ],
)
def test_bad_input_is_a_message_and_exit_code_2_never_a_traceback(
    terminal: None, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert run(["complaints", *arguments]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_a_receipt_time_without_an_offset_is_korean_time(
    terminal: None, capsys: pytest.CaptureFixture[str], jikimi: Jikimi
) -> None:
    assert run(["complaints", "receive", "--channel", "phone", "--received-at", "2026-10-02T10:00"]) == 0
    cid = _id(capsys.readouterr().out)
    found = jikimi.complaints.list(actor="system", status=None)
    assert [(c.id, c.received_at) for c in found] == [(cid, datetime(2026, 10, 2, 1, 0, tzinfo=UTC))]
