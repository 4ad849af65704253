"""Fixtures for the PII tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def key() -> bytes:
    return b"jikimi-test-key-0123456789abcdef"
