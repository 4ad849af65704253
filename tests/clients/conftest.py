"""Fixtures of the client tests: a real ``jikimi serve`` (``server.py``) and its OpenAPI document."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .server import Served, jikimi_serve


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with jikimi_serve(tmp_path / "server") as running:
        yield running


@pytest.fixture
def openapi_document(served: Served, tmp_path: Path) -> Path:
    """The live server's ``/openapi.json``, saved where a generator reads it."""
    path = tmp_path / "openapi.json"
    with urllib.request.urlopen(f"{served.url}/openapi.json", timeout=10) as answer:
        path.write_bytes(answer.read())
    return path
