"""The larger examples the OpenAPI document shows, shared by several models and routes.

Obvious fakes only (``hong@example.com``, ``010-0000-0000``, ``홍길동``), ids in the API's opaque format.
``tests/api/test_openapi.py`` checks every example against its schema.
"""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.config import JsonDict

INCIDENT: JsonDict = {
    "id": "In4cD3ntK9pLx2QwE7rT5y",
    "kind": "leak",
    "cause": "outside_access",
    "status": "open",
    "items": ["email", "mobile"],
    "measures": ["access_blocked"],
    "summary": "관리자 페이지 무단 접근 (unauthorized access to an admin page)",
    "aware_at": "2026-12-03T01:00:00Z",
    "occurred_at": "2026-12-02T15:00:00Z",
    "opened_at": "2026-12-03T01:00:00Z",
    "opened_by": "privacy-choi",
    "reported_at": None,
    "reported_to": None,
    "notified_at": None,
    "posted_at": None,
    "closed_at": None,
    "closed_by": None,
    "subjects": 1200,
    "notified": 0,
    "contact_known": 1180,
    "contact_missing": 20,
    "due_at": "2026-12-06T01:00:00Z",
    "hours_left": 72.0,
    "notice_hours_left": 72.0,
    "report_hours_left": 72.0,
    "notice_overdue": False,
    "report_overdue": False,
    "decision": {
        "required": True,
        "grounds": [
            {
                "code": "over_1000",
                "ko": "1천 명 이상",
                "en": "1,000 subjects or more",
                "article": "시행령 40①1",
            }
        ],
        "notes": [],
    },
    "coverage": None,
    "as_of": "2026-12-03T01:00:00Z",
}
"""An incident as the examples show it."""

RIGHTS_REQUEST: JsonDict = {
    "id": "Qm3xV8sLc2RtY7pN4kWz1a",
    "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
    "type": "access",
    "requester": "self",
    "channel": "web",
    "status": "received",
    "items": [],
    "purposes": [],
    "decision": None,
    "received_at": "2026-12-03T01:00:00Z",
    "due_at": "2026-12-13T15:00:00Z",
    "due_day": "2026-12-13",
    "days_left": 10,
    "overdue": False,
    "verified_at": None,
    "verification": None,
    "answered_at": None,
    "refusal_ground": None,
    "note": None,
    "duplicate": False,
}
"""A rights request as the examples show it."""

ACCESS_PACKAGE: JsonDict = {
    "package": {"request_id": "Qm3xV8sLc2RtY7pN4kWz1a", "created_at": "2026-12-03T01:00:00Z"},
    "subject": {"id": "Hx7sK2mPq9LrT4vWz8bN3c", "status": "active", "kind": "member"},
    "items": [{"item": "email", "label": "이메일", "value": "hong@example.com"}],
    "consents": [],
    "processors": [],
    "separated": [],
    "record_count": 0,
    "records": [],
    "provisions": [],
    "access_history": [],
}
"""The access package's outline (docs/rights.md has every field)."""
ACCESS_PAGE = '<!doctype html><html lang="ko"><head><title>열람 자료 (access package)</title></head>…</html>'

COMPLAINT: JsonDict = {
    "id": "Cp8mL2aNt5QxR9sV3wZk7b",
    "channel": "web",
    "subject_id": "Hx7sK2mPq9LrT4vWz8bN3c",
    "topic": "privacy_leak",
    "status": "open",
    "received_at": "2026-12-03T01:00:00Z",
    "received_by": "cs-kim",
    "due_at": "2026-12-10T01:00:00Z",
    "due_kst": "2026-12-10 10:00 KST",
    "basis": "response_hours",
    "basis_ko": "처리방침의 답변 기한 (the policy's response hours)",
    "basis_en": "the policy's response hours",
    "overdue": False,
    "hours_left": 168.0,
    "answered_at": None,
    "answered_by": None,
    "on_time": None,
    "has_body": True,
}
"""A complaint as the examples show it."""

USAGE_DUTY: JsonDict = {
    "year": 2026,
    "owed": True,
    "reason": "subjects",
    "reason_ko": "정보주체가 100만 명 이상입니다",
    "reason_en": "1,000,000 subjects or more",
    "subjects": 1200000,
    "subjects_at_least": False,
    "special_items": [],
    "special_subjects": 0,
    "special_subjects_at_least": False,
    "counted_ko": "보관 중인 대상자 수",
    "counted_en": "subjects held",
}
"""The yearly usage-notice duty as the examples show it."""

ACCESS_LOG_REVIEW: JsonDict = {
    "month": "2026-11",
    "timezone": "Asia/Seoul (KST, UTC+09:00)",
    "period": {"from": "2026-11-01T00:00:00+09:00", "to": "2026-12-01T00:00:00+09:00"},
    "generated_at": "2026-12-03T10:00:00+09:00",
    "working_hours": "09:00-18:00 KST, weekdays except public holidays",
    "reads_by_handler": [{"actor": "cs-kim", "reads": 120, "allowed": 118, "denied": 2, "off_hours": 1}],
    "denials_by_reason": [{"reason": "consent_withdrawn", "count": 2}],
    "bulk_reads": [],
    "off_hours": {"total": 1, "rows": [], "truncated": True},
    "volume_jumps": [],
    "rights_changes": [],
    "chain": {"ok": True, "rows": 1520, "chains": 2, "heads": {}, "breaks": [], "warnings": []},
    "reads_by_day": [{"day": "2026-11-07", "actor": "cs-kim", "reads": 3, "off_hours": 3, "denied": 0}],
    "denials_by_handler": [{"actor": "cs-kim", "count": 2, "reasons": {"consent_withdrawn": 2}}],
    "alerts": [
        {
            "kind": "off_hours",
            "label_ko": "심야·휴일 열람",
            "label_en": "reads at night or on a rest day",
            "handler": "cs-kim",
            "day": "2026-11-07",
            "count": 3,
            "threshold": 0,
            "detail": {"why": "weekend"},
        }
    ],
    "thresholds": {
        "volume_factor": 3,
        "volume_floor": 50,
        "off_hours": 0,
        "mass_download": 100,
        "denials": 5,
        "day": "08:00-20:00 KST",
    },
}
"""The monthly review's outline (docs/audit.md)."""

HANDLERS: list[JsonDict] = [
    {
        "login": "cs-kim",
        "role": "support",
        "locked": False,
        "disabled": False,
        "created_at": "2026-12-03T01:00:00Z",
    }
]
"""The handler list as the document shows it."""

REFUSAL_GROUNDS: JsonDict = {
    "grounds": [
        {
            "id": "law_forbids_access",
            "article": "PIPA 35④1",
            "ko": "법률에 따라 열람이 금지·제한되는 경우",
            "en": "a law forbids or limits access",
            "applies_to": ["access"],
        }
    ],
    "how_to_object_ko": "이의가 있으면 개인정보 보호책임자에게 알려 주십시오",
    "how_to_object_en": "tell the privacy officer if you object",
}
"""The refusal grounds (GET /v1/rights/grounds), one of them."""


def example(*values: JsonDict) -> ConfigDict:
    """A model's configuration showing ``values`` as its examples in the OpenAPI document (merged with
    the configuration it inherits: ``extra="forbid"`` and strictness stay)."""
    return ConfigDict(json_schema_extra={"examples": list(values)})
