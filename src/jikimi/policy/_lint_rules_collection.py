"""Lint rules on what is collected and on what ground (PIPA 15, 16, 22, 22-2, 23, 24, 24-2).

Unique identifiers, sensitive data and their encryption, passwords, purposes, consent, minimisation and
children under 14.
"""

from __future__ import annotations

from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, rule
from jikimi.policy.lawful import has_separate_ground
from jikimi.policy.model import Item, Policy

# --- unique identifiers and sensitive data (PIPA 23, 24, 24-2) -----------------------------------


def _collected(policy: Policy, item: Item) -> bool:
    in_context = any(item.id in c.required or item.id in c.optional for c in policy.contexts)
    return in_context or bool(policy.purposes_using(item.id))


@rule(
    "rrn-without-basis",
    "error",
    "PIPA 24-2①",
    "법적 근거 없는 주민등록번호 처리",
    "resident registration numbers without a legal basis",
    blocks=True,
)
def _rrn_without_basis(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.format == "rrn" and item.legal_basis is None and _collected(policy, item):
            yield (
                ("items", i),
                f"'{item.label}'(주민등록번호)는 법령이 구체적으로 요구·허용하는 경우에만 처리할 수 있는데 근거가 없습니다.",  # noqa: E501
                f"'{item.id}' is a resident registration number collected with no law requiring or allowing it.",  # noqa: E501
            )


@rule(
    "rrn-required",
    "error",
    "PIPA 24-2③",
    "주민등록번호 없이 가입할 수 없음",
    "sign-up impossible without a resident registration number",
)
def _rrn_required(policy: Policy) -> Iterator[Hit]:
    for i, ctx in enumerate(policy.contexts):
        for j, item_id in enumerate(ctx.required):
            if policy.items_by_id[item_id].format == "rrn":
                yield (
                    ("contexts", i, "required", j),
                    f"'{ctx.label}'에서 주민등록번호가 필수입니다. 주민등록번호 없이 가입할 방법을 제공해야 합니다.",  # noqa: E501
                    f"context '{ctx.id}' requires a resident registration number; an alternative must exist.",
                )


@rule(
    "unique-id-without-consent",
    "error",
    "PIPA 24①",
    "고유식별정보의 별도 동의·법적 근거 없음",
    "unique identifier without separate consent or legal basis",
    blocks=True,
)
def _unique_id_without_consent(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.is_unique_id and _collected(policy, item) and not has_separate_ground(policy, item):
            yield (
                ("items", i),
                f"고유식별정보 '{item.label}'에 대한 별도 동의나 법령상 근거가 없습니다.",
                f"unique identifier '{item.id}' has neither a separate consent nor a legal basis.",
            )


@rule(
    "sensitive-without-consent",
    "error",
    "PIPA 23①",
    "민감정보의 별도 동의 없음",
    "sensitive data without separate consent",
    blocks=True,
)
def _sensitive_without_consent(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.is_sensitive and _collected(policy, item) and not has_separate_ground(policy, item):
            kind = f" ({item.sensitive_kind})" if item.sensitive_kind else ""
            yield (
                ("items", i),
                f"민감정보 '{item.label}'{kind}에 대한 별도 동의나 법령상 근거가 없습니다.",
                f"sensitive item '{item.id}'{kind} has neither a separate consent nor a legal basis.",
            )


def _encrypted(policy: Policy, item: Item) -> bool:
    for measure in policy.security:
        if measure.kind != "encryption_at_rest":
            continue
        if not measure.covers or item.id in measure.covers or item.class_ in measure.covers:
            return True
        if item.is_unique_id and "unique_id" in measure.covers:
            return True
        if item.is_sensitive and "sensitive" in measure.covers:
            return True
    return False


@rule(
    "not-encrypted",
    "error",
    "PIPA 24③·29, 안전성 확보조치 기준 7",
    "암호화 저장 미기재",
    "not declared as encrypted at rest",
)
def _not_encrypted(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if (item.is_unique_id or item.is_sensitive) and not _encrypted(policy, item):
            yield (
                ("items", i),
                f"'{item.label}'을(를) 암호화하여 저장한다는 안전성 확보조치가 없습니다.",
                f"no security measure declares '{item.id}' encrypted at rest.",
            )


@rule(
    "password-not-hashed",
    "warning",
    "안전성 확보조치 기준 7",
    "비밀번호 일방향 암호화 미기재",
    "passwords not declared one-way hashed",
)
def _password_not_hashed(policy: Policy) -> Iterator[Hit]:
    hashed = any(m.kind in ("password_hashing", "encryption_at_rest") for m in policy.security)
    for i, item in enumerate(policy.items):
        if item.format == "password" and not hashed:
            yield (
                ("items", i),
                "비밀번호를 일방향 암호화하여 저장한다는 조치가 없습니다.",
                "no measure says passwords are stored one-way hashed.",
            )


# --- purposes, consent, minimisation (PIPA 15, 16, 22) -------------------------------------------


@rule("purpose-without-basis", "error", "PIPA 15①", "법적 근거 없는 처리 목적", "purpose with no legal basis")
def _purpose_without_basis(policy: Policy) -> Iterator[Hit]:
    for i, purpose in enumerate(policy.purposes):
        if purpose.basis is None:
            yield (
                ("purposes", i),
                f"처리 목적 '{purpose.label}'의 법적 근거(동의, 계약, 법령 등)가 없습니다.",
                f"purpose '{purpose.id}' declares no legal basis (consent, contract, law…).",
            )
        elif purpose.basis == "law" and purpose.citation is None:
            yield (
                ("purposes", i, "basis"),
                f"'{purpose.label}'의 근거 법령이 인용되지 않았습니다.",
                f"purpose '{purpose.id}' rests on a law but cites none.",
            )


@rule(
    "unused-required-item",
    "warning",
    "PIPA 16①, 3①",
    "쓰이지 않는 필수 항목 (최소수집)",
    "required item that no purpose uses (minimisation)",
)
def _unused_required(policy: Policy) -> Iterator[Hit]:
    used: set[str] = set()
    for purpose in policy.purposes:
        used.update(purpose.items)
        for record_id in purpose.records:
            used.update(policy.records_by_id[record_id].items)
    if policy.children is not None:
        used.update(policy.children.guardian_items)
    for i, ctx in enumerate(policy.contexts):
        unused = [item_id for item_id in ctx.required if item_id not in used]
        if unused:
            labels = ", ".join(policy.items_by_id[item_id].label for item_id in unused)
            yield (
                ("contexts", i, "required", ctx.required.index(unused[0])),
                f"'{ctx.label}'의 필수 항목 중 어떤 처리 목적에도 쓰이지 않는 항목: {labels}",
                f"required items of context '{ctx.id}' used by no purpose: {', '.join(unused)}",
            )


@rule(
    "marketing-not-separate",
    "error",
    "PIPA 22①·⑤",
    "마케팅 동의가 별도·선택이 아님",
    "marketing consent not separate and optional",
)
def _marketing_not_separate(policy: Policy) -> Iterator[Hit]:
    marketing_only: set[str] = set()
    for item in policy.items:
        users = policy.purposes_using(item.id)
        if users and all(p.marketing for p in users):
            marketing_only.add(item.id)
    for i, purpose in enumerate(policy.purposes):
        if purpose.marketing and (purpose.basis != "consent" or purpose.consent == "required"):
            yield (
                ("purposes", i),
                f"마케팅 목적 '{purpose.label}'은(는) 별도의 선택 동의여야 합니다.",
                f"marketing purpose '{purpose.id}' must rest on a separate, optional consent.",
            )
    for i, ctx in enumerate(policy.contexts):
        for j, item_id in enumerate(ctx.required):
            if item_id in marketing_only:
                yield (
                    ("contexts", i, "required", j),
                    f"마케팅에만 쓰이는 '{policy.items_by_id[item_id].label}'을(를) 필수로 수집합니다.",
                    f"item '{item_id}', used only for marketing, is required in '{ctx.id}'.",
                )


@rule(
    "children-without-guardian-rule",
    "error",
    "PIPA 22-2①, 시행령 17-2",
    "만 14세 미만 아동의 법정대리인 동의 규칙 없음",
    "children under 14 with no guardian rule",
)
def _children(policy: Policy) -> Iterator[Hit]:
    rule_ = policy.children
    if rule_ is None:
        open_contexts = [c for c in policy.contexts if c.subjects != "guardian" and c.children != "refused"]
        if policy.contexts and open_contexts:
            yield (
                ("contexts",),
                "만 14세 미만 아동의 개인정보를 어떻게 처리하는지(법정대리인 동의 또는 수집하지 않음) 정하지 않았습니다.",  # noqa: E501
                "the policy does not say how children under 14 are handled (guardian consent or not collected).",  # noqa: E501
            )
    elif rule_.policy == "guardian_consent" and not rule_.guardian_items:
        yield (
            ("children",),
            "법정대리인 동의를 받는다고 하지만 법정대리인의 성명·연락처 항목이 없습니다.",
            "guardian consent is promised but no guardian name/contact items are declared.",
        )
