"""The OpenAPI fuzz driver shared by ``test_fuzz.py`` and ``bench/openapi_fuzz.py``.

``fuzz(app, headers, examples=…)`` loads the app's own ``/openapi.json`` with schemathesis and,
for every operation, lets hypothesis draw ``examples`` requests — valid ones (positive) and ones
that break the schema on purpose (negative) — sends each to the in-process ASGI app with
``headers`` and counts what came back: requests, 5xx answers and answers whose documented
schema they do not match. Nothing is raised: the caller decides what a count means.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

LISTED = 10
"""How many failures are described (the counts cover all of them)."""


@dataclass
class FuzzCounts:
    operations: int = 0
    requests: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.failures) < LISTED:
            self.failures.append(what)


def _strategy(operation: Any) -> Any:
    strategies = [operation.as_strategy(schemathesis.GenerationMode.POSITIVE)]
    try:
        strategies.append(operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - an operation with nothing to break has no negative cases
        pass
    return st.one_of(strategies)


def fuzz(app: Any, headers: dict[str, str], *, examples: int, seed: int = 0) -> FuzzCounts:
    """Send about ``examples`` generated requests per operation of ``app``; count the outcomes."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    counts = FuzzCounts()
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        counts.operations += 1

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=seed == 0,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_strategy(operation))
        def send(case: Any) -> None:
            response = case.call(headers=headers)
            counts.requests += 1
            counts.statuses[response.status_code] = counts.statuses.get(response.status_code, 0) + 1
            label = f"{case.method} {case.path} -> {response.status_code}"
            if response.status_code >= 500:
                counts.server_errors += 1
                counts.note(f"{label}: server error")
            try:
                case.validate_response(response, checks=[response_schema_conformance], headers=headers)
            except (Failure, FailureGroup) as exc:
                counts.schema_violations += 1
                counts.note(f"{label}: {str(exc).strip().splitlines()[0][:200]}")

        send()
    counts.seconds = time.perf_counter() - started
    return counts
