"""A logging filter that masks personal data in every record before a handler sees it."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from jikimi.errors import InputTooLarge
from jikimi.pii._facade import parse_types
from jikimi.pii._model import ALL_TYPES
from jikimi.pii._operators import Operator, render
from jikimi.pii._scanner import Scanner

_WITHHELD = "[개인정보 검사 한도를 넘는 로그 메시지라 생략함 / log message withheld: too long to scan]"


class PiiLogFilter(logging.Filter):
    """Masks personal data in a record's message (after ``%`` formatting) and traceback.

    Attach it to a handler (``handler.addFilter(PiiLogFilter())``) so every record that
    handler writes is masked, whichever logger produced it. The record's ``args`` are
    merged into its message, so a value passed as an argument is masked too. A message
    too long to scan is withheld, never written unmasked.
    """

    def __init__(
        self,
        *,
        operator: Operator = Operator.LABEL,
        types: Iterable[str] | None = None,
        key: bytes | None = None,
        known_names: Iterable[str] = (),
        max_chars: int = 100_000,
        name: str = "",
    ) -> None:
        super().__init__(name)
        wanted = parse_types(types) if types is not None else ALL_TYPES
        self._scanner = Scanner(wanted, tuple(known_names), max_chars=max_chars)
        self._operator = operator
        self._key = key
        if operator in (Operator.HASH, Operator.ENCRYPT):
            render("", [], operator, key)  # fail now, not on the first log record

    def _clean(self, text: str) -> str:
        try:
            findings = self._scanner.scan(text)
        except InputTooLarge:
            return _WITHHELD
        return render(text, findings, self._operator, self._key) if findings else text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = " ".join([str(record.msg), *map(str, record.args or ())])
        record.msg = self._clean(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True
