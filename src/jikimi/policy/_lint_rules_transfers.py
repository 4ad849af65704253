"""Lint rules on who else receives the data: third parties, processors, overseas (PIPA 17, 21, 26, 28-8)."""

from __future__ import annotations

from collections.abc import Iterator

from jikimi.policy._lint_registry import Hit, LintPath, rule
from jikimi.policy.model import Overseas, Policy, Processor, ThirdParty


@rule(
    "third-parties-announced-empty",
    "error",
    "PIPA 17②, 30①3",
    "제3자 제공을 안내하고 목록이 없음",
    "third-party provision announced but nobody listed",
)
def _third_parties_empty(policy: Policy) -> Iterator[Hit]:
    if policy.third_parties.announced and not policy.third_parties.recipients:
        yield (
            ("third_parties",),
            "제3자 제공 현황을 '아래와 같다'고 안내하지만 받는 자가 한 곳도 없습니다.",
            "the policy announces a list of third-party recipients but lists none.",
        )


@rule(
    "third-party-without-basis",
    "error",
    "PIPA 17①",
    "근거 없는 제3자 제공",
    "third party without consent or legal basis",
)
def _third_party_basis(policy: Policy) -> Iterator[Hit]:
    for i, party in enumerate(policy.third_parties.recipients):
        if party.basis is None:
            yield (
                ("third_parties", "recipients", i),
                f"'{party.name}'에 대한 제공 근거(동의 또는 법령)가 없습니다.",
                f"provision to '{party.name}' has no basis (consent or law).",
            )


@rule(
    "processors-announced-empty",
    "error",
    "PIPA 26②, 30①",
    "처리 위탁을 안내하고 수탁자가 없음",
    "processing entrusted but no processor listed",
)
def _processors_empty(policy: Policy) -> Iterator[Hit]:
    if policy.processors.announced and not policy.processors.processors:
        yield (
            ("processors",),
            "처리 위탁 현황을 '아래와 같다'고 안내하지만 수탁자를 한 곳도 밝히지 않습니다.",
            "the policy announces processors (수탁자) but names none.",
        )


_FIVE = [
    ("items", "이전되는 항목", "items transferred"),
    ("country", "이전되는 국가", "destination country"),
    ("when_and_how", "이전 일시 및 방법", "time and method of transfer"),
    ("recipient_contact", "이전받는 자의 성명(명칭)과 연락처", "recipient name and contact"),
    (
        "purpose_and_retention",
        "이전받는 자의 이용 목적 및 보유·이용 기간",
        "recipient's purpose and retention",
    ),
    ("how_to_refuse", "거부 방법·절차 및 거부의 효과", "how to refuse and the effect"),
]


def _overseas_gaps(overseas: Overseas | None) -> list[tuple[str, str]]:
    if overseas is None:
        return [(ko, en) for _, ko, en in _FIVE]
    return [(ko, en) for field, ko, en in _FIVE if not getattr(overseas, field)]


@rule(
    "overseas-missing-disclosures",
    "error",
    "PIPA 28-8②, 시행령 31①",
    "국외 이전 고지사항 누락",
    "overseas transfer without the five disclosures",
)
def _overseas(policy: Policy) -> Iterator[Hit]:
    entries: list[tuple[LintPath, ThirdParty | Processor]] = [
        (("third_parties", "recipients", i), p) for i, p in enumerate(policy.third_parties.recipients)
    ] + [(("processors", "processors", i), p) for i, p in enumerate(policy.processors.processors)]
    for path, entry in entries:
        if not entry.is_overseas:
            continue
        gaps = _overseas_gaps(entry.overseas)
        if gaps:
            yield (
                path,
                f"국외 이전('{entry.name}', {entry.country})에 빠진 고지사항: {', '.join(g[0] for g in gaps)}",  # noqa: E501
                f"overseas transfer to '{entry.name}' lacks: {', '.join(g[1] for g in gaps)}",
            )


@rule(
    "processor-open-ended",
    "warning",
    "PIPA 21①·26",
    "탈퇴 시까지 보유하는 수탁자 (종료 없음)",
    "processor keeps data 'until withdrawal' with no end",
)
def _processor_open_ended(policy: Policy) -> Iterator[Hit]:
    for i, proc in enumerate(policy.processors.processors):
        if proc.until == "withdrawal" and proc.max_period is None:
            yield (
                ("processors", "processors", i),
                f"수탁자 '{proc.name}'의 보유기간이 '회원탈퇴 시까지'뿐이라 끝이 정해지지 않습니다.",
                f"processor '{proc.name}' keeps data 'until withdrawal' with no maximum period.",
            )
    if not policy.processors.processors and policy.processors.note and "탈퇴" in policy.processors.note:
        yield (
            ("processors", "note"),
            "위탁기간이 '회원탈퇴 시까지'로만 되어 있어 끝이 정해지지 않습니다.",
            "processing is entrusted 'until withdrawal' with no end.",
        )
