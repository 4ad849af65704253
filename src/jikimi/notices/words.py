"""Names the notice templates give to codes: the sections of a policy a change touches, the outcome
of a rights request, its type and refusal ground — each ``(Korean, English)``.

Templates see them as ``words`` (``wording.context``): ``words.section("third_parties")`` →
``("제3자 제공", "third-party provision")``. A code without a name is shown as itself, so a new
section or ground never breaks a notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from jikimi.policy.model import Policy
from jikimi.rights.model import HOW_TO_OBJECT_EN, HOW_TO_OBJECT_KO, REFUSAL_GROUNDS, REQUEST_TYPES

SECTIONS: dict[str, tuple[str, str]] = {
    "controller": ("개인정보처리자", "the controller"),
    "officers": ("개인정보 보호책임자·담당부서", "the privacy officer and desk"),
    "items": ("처리하는 개인정보 항목", "the personal data processed"),
    "contexts": ("수집 방법·수집 상황", "how and when data is collected"),
    "purposes": ("처리 목적", "purposes"),
    "records": ("보관하는 기록", "records kept"),
    "retention": ("보유 기간", "retention periods"),
    "dormancy": ("휴면 계정", "dormant accounts"),
    "destruction": ("파기 절차·방법", "destruction"),
    "children": ("만 14세 미만 아동의 개인정보", "children's data"),
    "third_parties": ("제3자 제공", "third-party provision"),
    "processors": ("처리 위탁", "processors"),
    "auto_collection": ("자동 수집 장치(쿠키 등)", "cookies and automatic collection"),
    "security": ("안전성 확보조치", "security measures"),
    "rights": ("정보주체의 권리와 행사 방법", "your rights and how to use them"),
    "complaints": ("권익침해 구제 방법", "complaints and redress"),
    "notice": ("처리방침 변경 고지", "how changes are announced"),
    "automated_decisions": ("자동화된 결정", "automated decisions"),
    "pseudonymization": ("가명정보 처리", "pseudonymized data"),
    "masking": ("게시물 속 개인정보 가림", "masking in posts"),
    "sections": ("기타 조항", "other clauses"),
    "history": ("변경 이력", "change history"),
    "title": ("제목", "title"),
    "preamble": ("머리말", "preamble"),
}
"""The sections of a policy (``Change.section``)."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "answered": ("처리 완료", "done"),
    "partly_answered": ("일부 처리 (나머지는 거절)", "partly done (the rest refused)"),
    "refused": ("거절", "refused"),
}
"""How a rights request closed."""


@dataclass(frozen=True)
class Words:
    """The names, as templates call them."""

    how_to_object_ko: str = HOW_TO_OBJECT_KO
    how_to_object_en: str = HOW_TO_OBJECT_EN

    def section(self, code: str) -> tuple[str, str]:
        return SECTIONS.get(code, (code, code))

    def outcome(self, code: str) -> tuple[str, str]:
        return OUTCOMES.get(code, (code, code))

    def request_type(self, code: str) -> tuple[str, str]:
        ko, en, _ = REQUEST_TYPES.get(code, (code, code, ""))
        return ko, en

    def article(self, code: str) -> str:
        """The article of a request type (``PIPA 35``) or of a refusal ground (``PIPA 35④1``)."""
        if code in REQUEST_TYPES:
            return REQUEST_TYPES[code][2]
        ground = REFUSAL_GROUNDS.get(code)
        return ground.article if ground is not None else ""

    def ground(self, code: str) -> tuple[str, str]:
        found = REFUSAL_GROUNDS.get(code)
        return (found.ko, found.en) if found is not None else (code, code)

    def purpose(self, policy: Policy, code: str) -> str:
        """A purpose's label in ``policy`` (its id when the policy no longer has it)."""
        found = policy.purposes_by_id.get(code)
        return found.label if found is not None else code

    def recipient(self, policy: Policy, code: str) -> tuple[str, str]:
        """A third party's name and purpose of receiving, as ``policy`` states them."""
        found = next((r for r in policy.third_parties.recipients if r.id == code), None)
        return (found.name, found.purpose) if found is not None else (code, "")


WORDS = Words()
