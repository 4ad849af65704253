"""Fixtures of the audit tests: jikimi on a real SQLite file and a real PostgreSQL, and its handlers
(the vault tests' fixtures)."""

from __future__ import annotations

from ..vault.conftest import jikimi, marketer, officer, reference_policy, ring, support_agent  # noqa: F401,TID252
