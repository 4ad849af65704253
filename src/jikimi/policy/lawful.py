"""May this item be collected at all? The lawful grounds for special items (pure rules).

Most items rest on their purposes' bases (PIPA 15①). Three kinds need more, and jikimi refuses to
collect them where the policy lacks it — the same rules ``jikimi policy lint`` reports, so the
published document, the linter and ``collect`` never disagree:

- 주민등록번호 (``format: rrn``) only where a law specifically requires or allows it: the item's
  ``legal_basis``. Consent is not enough (PIPA 24-2①) — rule ``rrn-without-basis``.
- other unique identifiers (여권번호, 운전면허번호, 외국인등록번호; PIPA 24①) and sensitive data
  (건강, 신념…; PIPA 23①) need the item's ``legal_basis``, or a purpose using the item on
  ``basis: law``, or a purpose using it with ``separate_consent: true`` — and then, at collection,
  the subject's consent to that purpose — rules ``unique-id-without-consent`` and
  ``sensitive-without-consent``.

``missing_ground(policy, item)`` answers for the policy (lint); ``missing_ground(policy, item,
consented)`` for one collection, where ``consented(purpose_id)`` says whether the subject consents
to a purpose (in this collection or before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jikimi.policy.model import Item, Policy


@dataclass(frozen=True)
class MissingGround:
    """Why an item may not be collected: the lint rule, the article and a message (no values)."""

    rule: str
    article: str
    message_ko: str
    message_en: str


def has_separate_ground(policy: Policy, item: Item, consented: Callable[[str], bool] | None = None) -> bool:
    """The item's own ``legal_basis``, a purpose using it on ``basis: law``, or one with
    ``separate_consent`` (consented to, when ``consented`` is given)."""
    if item.legal_basis is not None:
        return True
    for purpose in policy.purposes_using(item.id):
        if purpose.basis == "law":
            return True
        if purpose.separate_consent and (
            consented is None or purpose.basis != "consent" or consented(purpose.id)
        ):
            return True
    return False


def missing_ground(
    policy: Policy, item: Item, consented: Callable[[str], bool] | None = None
) -> MissingGround | None:
    """The ground ``item`` lacks, or ``None`` when it may be collected (see the module's rules)."""
    if item.format == "rrn":
        if item.legal_basis is not None:
            return None
        return MissingGround(
            "rrn-without-basis",
            "개인정보 보호법 제24조의2①",
            "주민등록번호는 법령이 구체적으로 요구하거나 허용하는 경우에만 수집할 수 있습니다",
            "a resident registration number may be collected only where a law specifically requires or allows it",  # noqa: E501
        )
    if not (item.is_unique_id or item.is_sensitive) or has_separate_ground(policy, item, consented):
        return None
    if item.is_unique_id:
        return MissingGround(
            "unique-id-without-consent",
            "개인정보 보호법 제24조①",
            "고유식별정보는 별도의 동의나 법령상 근거 없이 수집할 수 없습니다",
            "a unique identifier needs a separate consent or a legal basis",
        )
    return MissingGround(
        "sensitive-without-consent",
        "개인정보 보호법 제23조①",
        "민감정보는 별도의 동의나 법령상 근거 없이 수집할 수 없습니다",
        "sensitive data needs a separate consent or a legal basis",
    )
