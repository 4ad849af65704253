"""PiiLogFilter masks personal data in every record a handler writes, message and arguments."""

from __future__ import annotations

import io
import logging

import pytest

from jikimi.pii import Operator, PiiLogFilter


def _logger(filt: logging.Filter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(filt)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"jikimi.test.{id(filt)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_values_passed_as_arguments_are_masked() -> None:
    logger, stream = _logger(PiiLogFilter())
    logger.info("sms to %s for %s", "010-1234-5678", "hong@example.com")
    assert stream.getvalue() == "INFO sms to <전화번호> for <이메일>\n"


def test_values_in_the_message_and_traceback_are_masked() -> None:
    logger, stream = _logger(PiiLogFilter(operator=Operator.MASK))
    try:
        raise ValueError("bad card 4111-1111-1111-1111")
    except ValueError:
        logger.exception("failed for 홍길동님 010-1234-5678")
    out = stream.getvalue()
    assert "홍**님 010-****-5678" in out and "4111-****-****-1111" in out
    assert "1234-5678" not in out and "1111-1111-1111" not in out


def test_a_record_too_long_to_scan_is_withheld() -> None:
    logger, stream = _logger(PiiLogFilter(max_chars=100))
    logger.warning("x" * 200 + " 010-1234-5678")
    assert "010-1234-5678" not in stream.getvalue() and "withheld" in stream.getvalue()


def test_a_keyed_operator_without_a_key_fails_at_set_up() -> None:
    from jikimi.errors import UsageError

    with pytest.raises(UsageError):
        PiiLogFilter(operator=Operator.HASH)
