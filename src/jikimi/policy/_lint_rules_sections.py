"""Lint rules on what every 처리방침 must state (PIPA 30①, 시행령 31①, 작성지침).

The mandatory sections, the privacy officer and their contact, the effective date and the title.
"""

from __future__ import annotations

from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, rule
from jikimi.policy.model import Policy


def _index(policy: Policy, item_id: str) -> int:
    return next(i for i, item in enumerate(policy.items) if item.id == item_id)


@rule(
    "missing-section",
    "error",
    "PIPA 30①, 시행령 31①",
    "필수 기재사항 누락",
    "a mandatory section of the policy is empty",
)
def _missing_sections(policy: Policy) -> Iterator[Hit]:
    required: list[tuple[str, bool, str, str]] = [
        ("purposes", bool(policy.purposes), "개인정보의 처리 목적", "purposes of processing"),
        ("items", bool(policy.items), "처리하는 개인정보의 항목", "items processed"),
        ("retention", bool(policy.retention), "처리 및 보유 기간", "retention periods"),
        (
            "destruction",
            policy.destruction is not None,
            "파기 절차 및 방법",
            "destruction procedure and method",
        ),
        (
            "rights",
            policy.rights is not None and bool(policy.rights.channels or policy.rights.procedure),
            "정보주체와 법정대리인의 권리·의무 및 행사방법",
            "data subjects' rights and how to exercise them",
        ),
        ("security", bool(policy.security), "안전성 확보조치", "security measures"),
    ]
    for key, present, ko, en in required:
        if not present:
            yield (key,), f"'{ko}' 항목이 비어 있습니다.", f"the section '{en}' is empty."
    officer = policy.officer
    department = next((c for c in policy.officers if c.role == "department" and c.phone), None)
    if officer is None and department is None:
        yield (
            ("officers",),
            "개인정보 보호책임자의 성명 또는 담당부서와 전화번호가 없습니다.",
            "no privacy officer, or department with a phone number, is named.",
        )
    auto_items = [i for i in policy.items if i.format in ("cookie", "device_id")]
    if auto_items and not policy.auto_collection:
        yield (
            ("items", _index(policy, auto_items[0].id)),
            "쿠키 등 자동 수집 장치를 쓰지만 설치·운영 및 거부 방법을 알리지 않습니다.",
            "cookies or device ids are collected but the policy never says how to refuse them.",
        )


@rule("officer-contact", "error", "PIPA 30①6", "보호책임자 연락처 누락", "the privacy officer has no contact")
def _officer_contact(policy: Policy) -> Iterator[Hit]:
    for i, contact in enumerate(policy.officers):
        if contact.role == "officer" and not (contact.phone or contact.email):
            yield (
                ("officers", i),
                "개인정보 보호책임자의 전화번호나 이메일이 없습니다.",
                "the privacy officer has neither phone nor email.",
            )


@rule("effective-date-missing", "error", "PIPA 30, 작성지침", "시행일자 누락", "no effective date")
def _effective_date(policy: Policy) -> Iterator[Hit]:
    if policy.effective is None:
        yield ("effective",), "처리방침의 시행일자가 없습니다.", "the policy states no effective date."


@rule("outdated-title", "warning", "작성지침", "'취급방침' 표현", "the outdated title '취급방침'")
def _outdated_title(policy: Policy) -> Iterator[Hit]:
    if "취급방침" in policy.title or "처리방침" not in policy.title:
        yield (
            ("title",),
            f"제목 '{policy.title}' 대신 '개인정보 처리방침'을 쓰십시오 (2011년 개인정보 보호법 이후 명칭).",
            f"title '{policy.title}': use '개인정보 처리방침', the name used since PIPA (2011).",
        )
