"""No request, however hostile, makes the API answer 5xx or break its own OpenAPI document.

Schemathesis generates requests from ``/openapi.json`` — valid ones and ones that break the
schema on purpose — for every operation and sends them to the real app over a real database
(SQLite and PostgreSQL) as an administrator, who may do everything. Each answer must be below
500 and, when its status is documented, match the documented schema (the error envelope for
4xx). A few examples per operation here; ``bench/openapi_fuzz.py`` sends tens of thousands.
"""

from __future__ import annotations

from jikimi.api.app import create_app
from jikimi.bootstrap import Jikimi

from .conftest import MAX_BODY
from .fuzzing import fuzz

EXAMPLES_PER_OPERATION = 10


def test_no_request_makes_a_5xx_or_breaks_the_documented_schema(
    jikimi: Jikimi, admin: dict[str, str]
) -> None:
    counts = fuzz(create_app(jikimi, max_body_bytes=MAX_BODY), admin, examples=EXAMPLES_PER_OPERATION)
    assert counts.operations >= 50 and counts.requests >= counts.operations
    assert (counts.server_errors, counts.schema_violations) == (0, 0), "\n".join(counts.failures)
