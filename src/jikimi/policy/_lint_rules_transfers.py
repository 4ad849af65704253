"""Lint rules on who else receives the data: third parties, processors, overseas (PIPA 17, 21, 26, 28-8).

Overseas transfers are found by ``country``, and also by name: a processor or recipient that is a
well-known foreign company (``_lint_foreign_companies``) but states no country is a transfer whose
disclosures the document and the engine would silently skip.
"""

from __future__ import annotations

from collections.abc import Iterator

from jikimi.policy._lint_foreign_companies import ForeignMatch, foreign_company
from jikimi.policy._lint_registry import Hit, LintPath, rule
from jikimi.policy.model import Overseas, Policy, Processor, ThirdParty


def _recipients_and_processors(policy: Policy) -> list[tuple[LintPath, ThirdParty | Processor]]:
    return [
        (("third_parties", "recipients", i), p) for i, p in enumerate(policy.third_parties.recipients)
    ] + [(("processors", "processors", i), p) for i, p in enumerate(policy.processors.processors)]


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
    for path, entry in _recipients_and_processors(policy):
        if not entry.is_overseas:
            continue
        gaps = _overseas_gaps(entry.overseas)
        if gaps:
            yield (
                path,
                f"국외 이전('{entry.name}', {entry.country})에 빠진 고지사항: {', '.join(g[0] for g in gaps)}",  # noqa: E501
                f"overseas transfer to '{entry.name}' lacks: {', '.join(g[1] for g in gaps)}",
            )


def _foreign_without_country(
    policy: Policy,
) -> Iterator[tuple[LintPath, ThirdParty | Processor, ForeignMatch]]:
    for path, entry in _recipients_and_processors(policy):
        if entry.country is None:
            found = foreign_company(entry.name)
            if found is not None:
                yield path, entry, found


@rule(
    "foreign-company-without-country",
    "error",
    "PIPA 28-8①·②, 시행령 31①",
    "국가를 밝히지 않은 외국 기업 (숨은 국외 이전)",
    "a foreign company with no country (an undisclosed overseas transfer)",
)
def _foreign_company_without_country(policy: Policy) -> Iterator[Hit]:
    for path, entry, found in _foreign_without_country(policy):
        if found.korean_subsidiary:
            continue  # foreign-subsidiary-without-country
        c = found.company
        yield (
            path,
            f"'{entry.name}'은(는) {c.name}(본사 {c.country_ko}) 계열인데 국가(country)가 없어 국외 이전이 아닌 것으로 처리되고, "  # noqa: E501
            "국외 이전 고지사항 다섯 가지가 빠집니다. 국가와 overseas를 적거나, 국내에서만 처리하면 "
            "country: KR을 적으십시오.",
            f"'{entry.name}' is {c.name} (headquartered in {c.country}) but states no country: it is "
            "treated as domestic and the five overseas disclosures are skipped; state the country and "
            "`overseas`, or `country: KR` if the data stays in Korea.",
        )


@rule(
    "foreign-subsidiary-without-country",
    "warning",
    "PIPA 28-8①·②, 시행령 31①",
    "국가를 밝히지 않은 외국 기업의 한국 법인",
    "a foreign group's Korean company with no country",
)
def _foreign_subsidiary_without_country(policy: Policy) -> Iterator[Hit]:
    for path, entry, found in _foreign_without_country(policy):
        if not found.korean_subsidiary:
            continue
        c = found.company
        yield (
            path,
            f"'{entry.name}'은(는) {c.name}(본사 {c.country_ko})의 한국 법인으로 보입니다. 개인정보가 국외로 이전되는지 "  # noqa: E501
            "국가(country)로 밝히십시오: 국외라면 국가와 overseas를, 국내에서만 처리하면 country: KR을 적습니다.",  # noqa: E501
            f"'{entry.name}' looks like the Korean company of {c.name} (headquartered in {c.country}); "
            "say whether the data goes abroad: its country and `overseas`, or `country: KR` if it stays "
            "in Korea.",
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
