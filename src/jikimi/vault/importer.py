"""Bulk import of existing members (기존 회원 이전) from a CSV file, under the same rules as ``collect``.

The header names the items of a collection context (``name,birthdate,login_id,…``) and, optionally,
consent answers as ``consent:<purpose>`` columns (``true``/``false``). Every row is validated by
``Vault.intake`` — the very rules ``Vault.collect`` applies — and a row that fails, or that
duplicates a look-up item (login id, email, mobile, CI) of an earlier line or of a subject already
in the database, is reported by line number and field (never by value) and skipped.

Passwords: hashes from the legacy system (bcrypt ``$2a$/$2b$/$2y$``, or Argon2) are stored as they
are — encrypted like every value, not re-hashed — and upgraded to Argon2id by
``Vault.verify_password`` at the member's next login. Plain passwords are refused unless
``hash_plain_passwords`` is set; hashing them costs one Argon2id computation per row (a tenth of
a second or more each), so that path is slow by design.

Rows are written in batches (one transaction per batch): the batch's data keys are committed first,
then its subjects, values, look-ups, consents and access-log rows (action ``collect.import``, one
per subject), so a crash leaves keys without data, never data without keys.
"""

from __future__ import annotations

import csv
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.pool import AsyncResult
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from jikimi.audit.log import Entry
from jikimi.crypto import KeyRing, Passwords, new_data_key, seal_value, wrap_key
from jikimi.errors import Denied, Duplicate, InvalidInput
from jikimi.handlers import SYSTEM, Handler
from jikimi.ids import new_id
from jikimi.policy.model import Context
from jikimi.states import SubjectStatus
from jikimi.store import imports, lookups
from jikimi.store.uow import UnitOfWork
from jikimi.vault.collect import Collecting, Intake

CONSENT_PREFIX = "consent:"
DEFAULT_BATCH = 2000
MAX_KEPT_PROBLEMS = 10_000
_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
_ARGON2 = re.compile(r"^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")


@dataclass(frozen=True)
class RowProblem:
    """Why one line was skipped: its number and the field at fault, never the value."""

    line: int
    field: str
    kind: str  # "invalid" | "duplicate"
    reason_ko: str
    reason_en: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason_ko} ({self.reason_en})"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    invalid: int = 0
    duplicates: int = 0
    pending_guardian: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    """The first ``MAX_KEPT_PROBLEMS`` problems (all of them are passed to ``on_problem``)."""

    @property
    def skipped(self) -> int:
        return self.invalid + self.duplicates


@dataclass
class _Row:
    """A valid row, already encrypted under a fresh data key of its own (not yet stored)."""

    line: int
    subject_id: str
    status: str
    is_child: bool
    given: list[str]
    refused: list[str]
    digests: dict[str, bytes]
    wrapped_key: bytes
    master_key_id: str
    sealed: list[tuple[str, bytes]]

    @classmethod
    def seal(cls, line: int, intake: Intake, ring: KeyRing) -> _Row:
        sid = new_id()
        key = new_data_key()
        return cls(
            line,
            sid,
            intake.status,
            intake.is_child,
            intake.given,
            intake.refused,
            intake.digests,
            wrap_key(ring.current, key, sid),
            ring.current.id,
            [(item_id, seal_value(key, sid, item_id, value)) for item_id, value in intake.values.items()],
        )


def read_csv(handle: TextIO) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows of an open CSV file, each row with its line number."""
    reader = csv.reader(handle)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InvalidInput("header", "빈 파일입니다", "the file is empty") from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                yield line, {"\x00columns": str(len(record))}
                continue
            yield line, dict(zip(header, record, strict=True))

    return header, rows()


def count_lines(path: Path) -> int:
    """Data lines in a file (for a progress bar): newlines minus the header."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return max(count - 1, 0)


class Importer:
    """Imports rows for one collection context in batches. Build one per file."""

    def __init__(
        self,
        vault: Collecting,
        context: str,
        *,
        hash_plain_passwords: bool = False,
        batch_size: int = DEFAULT_BATCH,
        channel: str = "import",
        actor: Handler = SYSTEM,
        source: str = "import",
    ) -> None:
        if not actor.role.may("collect"):
            raise Denied("action_not_allowed", "수집 권한이 없습니다", "the handler may not collect")
        self.vault = vault
        self.ctx: Context = vault.core.policy.contexts_by_id.get(context) or self._unknown_context(context)
        self.hash_plain = hash_plain_passwords
        self.batch_size = max(1, batch_size)
        self.channel = channel
        self.actor = actor
        self.source = source
        self._imported_at: dict[str, int] = {}  # subject id -> line, to name the earlier line of a duplicate

    def _unknown_context(self, context: str) -> Context:
        known = ", ".join(self.vault.core.policy.contexts_by_id)
        raise InvalidInput(
            "context",
            f"처리방침에 없는 수집 상황입니다 (있는 것: {known})",
            f"no such collection context (known: {known})",
        )

    def check_header(self, header: Iterable[str]) -> None:
        """Every column must be an item of the context or ``consent:<purpose>`` of one of its purposes."""
        policy = self.vault.core.policy
        items = set(self.ctx.required) | set(self.ctx.optional)
        if policy.children:
            items |= set(policy.children.guardian_items)
        purposes = {p.id for p in self.vault.context_purposes(self.ctx) if p.basis == "consent"}
        seen: set[str] = set()
        for column in header:
            if column in seen:
                raise InvalidInput(
                    column, "열 이름이 두 번 나옵니다", "the column appears twice in the header"
                )
            seen.add(column)
            if column.startswith(CONSENT_PREFIX):
                if column[len(CONSENT_PREFIX) :] not in purposes:
                    raise InvalidInput(
                        column,
                        "이 수집 상황에서 동의를 받는 목적이 아닙니다",
                        f"is not a consent this context asks for (known: {sorted(purposes)})",
                    )
            elif column not in items:
                raise InvalidInput(
                    column,
                    "이 수집 상황에서 수집하지 않는 항목입니다",
                    "is not an item collected in this context",
                )
        missing = [i for i in self.ctx.required if i not in seen]
        if missing:
            raise InvalidInput(missing[0], "필수 항목 열이 없습니다", "a required item has no column")

    # -- rows ----------------------------------------------------------------------------------------

    def _password(self, item_id: str, value: str) -> str:
        if _BCRYPT.match(value) or _ARGON2.match(value):
            return value
        if Passwords.looks_hashed(value):
            raise InvalidInput(item_id, "비밀번호 해시 형식이 손상되었습니다", "is a malformed password hash")
        if not self.hash_plain:
            raise InvalidInput(
                item_id,
                "평문 비밀번호입니다 (--hash-plain-passwords 없이는 가져오지 않습니다)",
                "is a plain password; import hashes (bcrypt/Argon2) or pass --hash-plain-passwords",
            )
        return self.vault.core.passwords.hash(value)

    def _intake(self, line: int, raw: Mapping[str, str], now: datetime) -> _Row | RowProblem:
        if "\x00columns" in raw:
            return RowProblem(
                line,
                "columns",
                "invalid",
                "열 개수가 머리글과 다릅니다",
                "the number of columns differs from the header",
            )
        data: dict[str, str] = {}
        answers: dict[str, bool] = {}
        for column, cell in raw.items():
            if column.startswith(CONSENT_PREFIX):
                answer = cell.strip().lower()
                if answer in ("true", "yes", "y", "1", "동의"):
                    answers[column[len(CONSENT_PREFIX) :]] = True
                elif answer in ("false", "no", "n", "0", "거부", ""):
                    answers[column[len(CONSENT_PREFIX) :]] = False
                else:
                    return RowProblem(
                        line, column, "invalid", "true 또는 false여야 합니다", "must be true or false"
                    )
            elif cell.strip():
                data[column] = cell
        try:
            intake = self.vault.intake(self.ctx, data, answers, now, password=self._password)
        except InvalidInput as exc:
            return RowProblem(line, exc.field, "invalid", exc.reason_ko, exc.reason_en)
        return _Row.seal(line, intake, self.vault.core.keys.ring)

    def _duplicates(self, uow: UnitOfWork, rows: list[_Row]) -> tuple[list[_Row], list[RowProblem]]:
        """Drop rows whose look-up items repeat an earlier line of the file or a subject in the database."""
        wanted: dict[str, set[bytes]] = {}
        for row in rows:
            for item_id, digest in row.digests.items():
                wanted.setdefault(item_id, set()).add(digest)
        taken: dict[tuple[str, bytes], str] = {}
        for item_id, digests in wanted.items():
            for digest, subject_id in lookups.owners(uow.conn, item_id, sorted(digests)):
                taken[(item_id, digest)] = subject_id
        claimed: dict[tuple[str, bytes], int] = {}
        kept: list[_Row] = []
        problems: list[RowProblem] = []
        for row in rows:
            problem = None
            for item_id, digest in row.digests.items():
                owner = taken.get((item_id, digest))
                earlier = claimed.get((item_id, digest))
                if earlier is None and owner is not None:
                    earlier = self._imported_at.get(owner)
                if earlier is not None:
                    problem = RowProblem(
                        row.line,
                        item_id,
                        "duplicate",
                        f"{earlier}번째 줄과 중복입니다",
                        f"duplicates line {earlier} of the file",
                    )
                elif owner is not None:
                    problem = RowProblem(
                        row.line,
                        item_id,
                        "duplicate",
                        "이미 가입된 정보입니다",
                        "already registered in the vault",
                    )
                if problem:
                    break
            if problem:
                problems.append(problem)
                continue
            for item_id, digest in row.digests.items():
                claimed[(item_id, digest)] = row.line
            kept.append(row)
        return kept, problems

    # -- writing -------------------------------------------------------------------------------------

    def _write(self, rows: list[_Row], now: datetime) -> None:
        core = self.vault.core
        with core.unit_of_work() as uow:  # keys first: a crash leaves keys without data, never the reverse
            imports.add_keys(
                uow.conn, sorted((r.subject_id, r.wrapped_key, r.master_key_id, now) for r in rows)
            )
            uow.commit()
        try:
            with core.unit_of_work() as uow:
                self._insert(uow, rows, now)
                uow.commit()
        except BaseException:
            with core.unit_of_work() as uow:
                core.keys.destroy(uow, [r.subject_id for r in rows])
                uow.commit()
            raise
        for row in rows:
            self._imported_at[row.subject_id] = row.line

    def _insert(self, uow: UnitOfWork, rows: list[_Row], now: datetime) -> None:
        ctx = self.ctx
        kind = "guest" if ctx.subjects == "guest" else "member"
        version = self.vault.core.policy.version_key
        subject_rows: list[tuple[object, ...]] = []
        value_rows: list[tuple[object, ...]] = []
        lookup_rows: list[tuple[object, ...]] = []
        consent_rows: list[tuple[object, ...]] = []
        entries: list[Entry] = []
        for row in rows:
            sid = row.subject_id
            subject_rows.append((sid, kind, row.status, ctx.id, row.is_child, version, now, now, now))
            value_rows.extend((sid, item_id, blob, ctx.id, now, False) for item_id, blob in row.sealed)
            lookup_rows.extend((item_id, digest, sid) for item_id, digest in row.digests.items())
            consent_rows.extend(
                (sid, "purpose", purpose, granted, version, self.channel, self.actor.login, now)
                for purposes, granted in ((row.given, True), (row.refused, False))
                for purpose in purposes
            )
            entries.append(
                Entry(
                    at=now,
                    actor=self.actor.login,
                    action="collect.import",
                    outcome="allowed",
                    subject_id=sid,
                    items=tuple(item_id for item_id, _ in row.sealed),
                    source=self.source,
                    reason=f"context={ctx.id}; line={row.line}",
                )
            )
        # in key order: each insert then lands next to the previous one in the (random-keyed) indexes
        subject_rows.sort(key=itemgetter(0))
        value_rows.sort(key=itemgetter(0, 1))  # (subject id, item id)
        lookup_rows.sort(key=itemgetter(0, 1))  # (item id, digest)
        imports.add_subjects(uow.conn, subject_rows, value_rows, lookup_rows, consent_rows)
        self.vault.core.log_all(uow, entries)

    # -- driving -------------------------------------------------------------------------------------

    def run(
        self,
        rows: Iterable[tuple[int, Mapping[str, str]]],
        *,
        workers: int = 1,
        on_problem: Callable[[RowProblem], None] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import ``(line, {column: value})`` rows; ``on_progress`` gets the number of rows handled.

        With ``workers > 1``, validation (the costly part: phone numbers, password hashing) runs in
        that many forked processes while this one encrypts and writes, batch by batch, in file order.
        """
        report = ImportReport()
        for count, prepared in self._prepared(_chunks(rows, self.batch_size), workers):
            self._store(count, prepared, report, on_problem)
            if on_progress:
                on_progress(count)
        return report

    def _prepared(
        self, batches: Iterator[list[tuple[int, Mapping[str, str]]]], workers: int
    ) -> Iterator[tuple[int, list[_Row | RowProblem]]]:
        if workers <= 1:
            for batch in batches:
                now = self.vault.core.now()
                yield len(batch), [self._intake(line, raw, now) for line, raw in batch]
            return
        global _WORKER
        self.vault.core.index_key()  # the blind-index key before forking: workers never open the database
        _WORKER = self
        try:
            with multiprocessing.get_context("fork").Pool(workers, initializer=_forget_connections) as pool:
                window: deque[tuple[int, AsyncResult[list[_Row | RowProblem]]]] = deque()
                for batch in batches:
                    window.append((len(batch), pool.apply_async(_work, (self.vault.core.now(), batch))))
                    if len(window) > 2 * workers:
                        count, result = window.popleft()
                        yield count, result.get()
                while window:
                    count, result = window.popleft()
                    yield count, result.get()
        finally:
            _WORKER = None

    def _store(
        self,
        count: int,
        prepared: list[_Row | RowProblem],
        report: ImportReport,
        on_problem: Callable[[RowProblem], None] | None,
    ) -> None:
        now = self.vault.core.now()
        problems = [r for r in prepared if isinstance(r, RowProblem)]
        good = [r for r in prepared if isinstance(r, _Row)]
        for attempt in (1, 2):
            with self.vault.core.unit_of_work() as uow:
                kept, duplicates = self._duplicates(uow, good)
            try:
                if kept:
                    self._write(kept, now)
                break
            except Duplicate:
                if attempt == 2:  # a concurrent writer keeps taking the same look-ups: give up loudly
                    raise
        problems.extend(duplicates)
        problems.sort(key=lambda p: p.line)
        report.rows += count
        report.imported += len(kept)
        report.pending_guardian += sum(1 for r in kept if r.status == SubjectStatus.PENDING_GUARDIAN)
        for problem in problems:
            if problem.kind == "duplicate":
                report.duplicates += 1
            else:
                report.invalid += 1
            if len(report.problems) < MAX_KEPT_PROBLEMS:
                report.problems.append(problem)
            if on_problem:
                on_problem(problem)


_WORKER: Importer | None = None
"""The importer a forked validation worker inherits from its parent."""


def _forget_connections() -> None:
    """In a forked worker: drop the parent's pooled connections without closing them (they are not ours)."""
    if _WORKER is not None:
        _WORKER.vault.core.engine.dispose(close=False)


def _work(now: datetime, batch: list[tuple[int, Mapping[str, str]]]) -> list[_Row | RowProblem]:
    assert _WORKER is not None
    return [_WORKER._intake(line, raw, now) for line, raw in batch]


def _chunks(
    rows: Iterable[tuple[int, Mapping[str, str]]], size: int
) -> Iterator[list[tuple[int, Mapping[str, str]]]]:
    batch: list[tuple[int, Mapping[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
