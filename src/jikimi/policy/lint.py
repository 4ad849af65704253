"""Lint a policy against PIPA (개인정보 보호법), its decree and the PIPC writing guideline.

Each rule is a function that yields ``(path, message_ko, message_en)`` for what it finds; the
``@rule`` decorator gives it a stable id, a severity and the article it enforces. Rules read the
policy only; they never touch files, databases or the network. ``RULES`` lists them all and
``docs/lint-rules.md`` documents each (a test checks both agree).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from jikimi.policy.model import (
    Item,
    Overseas,
    Placeholder,
    Policy,
    Processor,
    RetentionRule,
    Statute,
    ThirdParty,
)
from jikimi.policy.statutes import statutes_named_in

Severity = Literal["error", "warning", "info"]
LintPath = tuple[str | int, ...]
Hit = tuple[LintPath, str, str]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    article: str
    title_ko: str
    title_en: str
    check: Callable[[Policy], Iterator[Hit]]


@dataclass(frozen=True)
class Finding:
    """One thing a rule found, located in the policy file."""

    rule: str
    severity: Severity
    article: str
    message_ko: str
    message_en: str
    key: str
    path: LintPath
    file: str | None = None
    line: int | None = None

    def location(self) -> str:
        where = self.file or "<policy>"
        return f"{where}:{self.line}" if self.line is not None else where

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "article": self.article,
            "message_ko": self.message_ko,
            "message_en": self.message_en,
            "file": self.file,
            "line": self.line,
            "key": self.key,
        }


RULES: list[Rule] = []


def rule(
    id: str, severity: Severity, article: str, title_ko: str, title_en: str
) -> Callable[[Callable[[Policy], Iterator[Hit]]], Callable[[Policy], Iterator[Hit]]]:
    def register(check: Callable[[Policy], Iterator[Hit]]) -> Callable[[Policy], Iterator[Hit]]:
        RULES.append(Rule(id, severity, article, title_ko, title_en, check))
        return check

    return register


_ORDER = {"error": 0, "warning": 1, "info": 2}


def lint(
    policy: Policy,
    *,
    file: str | None = None,
    line_of: Callable[[LintPath], int | None] | None = None,
) -> list[Finding]:
    """Every finding of every rule, errors first, then in file order."""
    findings: list[Finding] = []
    for r in RULES:
        for path, ko, en in r.check(policy):
            findings.append(
                Finding(
                    rule=r.id,
                    severity=r.severity,
                    article=r.article,
                    message_ko=ko,
                    message_en=en,
                    key=_key(path),
                    path=path,
                    file=file,
                    line=line_of(path) if line_of else None,
                )
            )
    findings.sort(key=lambda f: (_ORDER[f.severity], f.line or 0, f.rule))
    return findings


def _key(path: LintPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _index(policy: Policy, item_id: str) -> int:
    return next(i for i, item in enumerate(policy.items) if item.id == item_id)


# --- 처리방침 sections (PIPA 30①, 시행령 31①) ------------------------------------------------------


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
)
def _rrn_without_basis(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.format == "rrn" and item.legal_basis is None and _collected(policy, item):
            yield (
                ("items", i),
                f"'{item.label}'(주민등록번호)는 법령이 구체적으로 요구·허용하는 경우에만 처리할 수 있는데 근거가 없습니다.",
                f"'{item.id}' is a resident registration number collected with no law requiring or allowing it.",
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
                    f"'{ctx.label}'에서 주민등록번호가 필수입니다. 주민등록번호 없이 가입할 방법을 제공해야 합니다.",
                    f"context '{ctx.id}' requires a resident registration number; an alternative must exist.",
                )


def _has_separate_ground(policy: Policy, item: Item) -> bool:
    if item.legal_basis is not None:
        return True
    return any(p.separate_consent or p.basis == "law" for p in policy.purposes_using(item.id))


@rule(
    "unique-id-without-consent",
    "error",
    "PIPA 24①",
    "고유식별정보의 별도 동의·법적 근거 없음",
    "unique identifier without separate consent or legal basis",
)
def _unique_id_without_consent(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.is_unique_id and _collected(policy, item) and not _has_separate_ground(policy, item):
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
)
def _sensitive_without_consent(policy: Policy) -> Iterator[Hit]:
    for i, item in enumerate(policy.items):
        if item.is_sensitive and _collected(policy, item) and not _has_separate_ground(policy, item):
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
                "만 14세 미만 아동의 개인정보를 어떻게 처리하는지(법정대리인 동의 또는 수집하지 않음) 정하지 않았습니다.",
                "the policy does not say how children under 14 are handled (guardian consent or not collected).",
            )
    elif rule_.policy == "guardian_consent" and not rule_.guardian_items:
        yield (
            ("children",),
            "법정대리인 동의를 받는다고 하지만 법정대리인의 성명·연락처 항목이 없습니다.",
            "guardian consent is promised but no guardian name/contact items are declared.",
        )


# --- third parties, processors, overseas (PIPA 17, 26, 28-8) -------------------------------------


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
                f"국외 이전('{entry.name}', {entry.country})에 빠진 고지사항: {', '.join(g[0] for g in gaps)}",
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


# --- retention (PIPA 21, other statutes) --------------------------------------------------------


def _statute_for(rule_: RetentionRule) -> Statute | None:
    """The statute a rule relies on: its preset, else the one its law text and label name."""
    if rule_.statute is not None:
        return rule_.statute
    if not rule_.law:
        return None
    label = "".join((rule_.label or "").split())
    named = statutes_named_in(rule_.law)
    matches = [s for s in named if label and _label_match(label, s.label)]
    return matches[0] if len(matches) == 1 else None


def _label_match(label: str, statute_label: str) -> bool:
    a = re.sub(r"[^가-힣]", "", label)
    b = re.sub(r"[^가-힣]", "", statute_label)
    return bool(a) and (a in b or b in a or a[:6] == b[:6])


@rule(
    "retention-shorter-than-statute",
    "error",
    "PIPA 21①, 전자상거래법 시행령 6 등",
    "법정 기간보다 짧은 보존기간",
    "retention shorter than the statute it cites",
)
def _retention_shorter(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        statute = _statute_for(rule_)
        if statute is None or statute.obsolete or not hasattr(rule_.period, "approx_days"):
            continue
        period = rule_.duration
        if period is not None and period.approx_days() < statute.period.approx_days():
            yield (
                ("retention", i, "period"),
                f"{statute.law}({statute.article})은 {statute.period.korean()} 보존을 요구하는데 {period.korean()}만 보존합니다.",
                f"{statute.law_en} requires {statute.period.english()}; the rule keeps {period.english()}.",
            )


@rule(
    "obsolete-citation",
    "error",
    "PIPA.md §5.4–5.5",
    "효력을 잃은 법령 인용",
    "citation of a rule that is no longer law",
)
def _obsolete(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        statute = _statute_for(rule_)
        if statute is not None and statute.obsolete:
            yield (
                ("retention", i),
                f"'{statute.label}'({statute.law} {statute.article}): {statute.obsolete}",
                f"'{statute.label_en}' ({statute.law_en}): {statute.obsolete_en}",
            )
    dormancy = policy.dormancy
    if dormancy is not None:
        cited = dormancy.basis == "itnet.validity_period" or (
            dormancy.law is not None and re.search(r"39조의6|39의6|29조|유효기간|정보통신망", dormancy.law)
        )
        if cited:
            yield (
                ("dormancy",),
                "휴면(유효기간제)을 법령상 의무로 인용합니다. 유효기간제는 2023-09-15 삭제되어 이제 서비스 자체 방침입니다.",
                "dormancy is cited as a legal duty; the validity-period rule was deleted on 2023-09-15.",
            )


@rule(
    "retention-placeholder", "error", "PIPA 30①2", "보유기간 미기재", "retention period left as a placeholder"
)
def _retention_placeholder(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        if isinstance(rule_.period, Placeholder):
            yield (
                ("retention", i, "period"),
                f"보유기간이 '{rule_.period.placeholder}'(으)로 비어 있습니다. 구체적인 기간을 적어야 합니다.",
                f"the retention period is the placeholder '{rule_.period.placeholder}'; state a period.",
            )


@rule(
    "statute-unresolved",
    "info",
    "PIPA 21①",
    "확인할 수 없는 법정 보존기간",
    "statutory retention jikimi cannot check",
)
def _statute_unresolved(policy: Policy) -> Iterator[Hit]:
    for i, rule_ in enumerate(policy.retention):
        if rule_.law and rule_.statute is None and _statute_for(rule_) is None:
            yield (
                ("retention", i, "law"),
                f"'{rule_.law}'을(를) 인용하지만 법정 보존기간 프리셋(basis)을 지정하지 않아 기간을 검증할 수 없습니다.",
                f"cites '{rule_.law}' without a statute preset (basis); the period cannot be checked.",
            )


# --- automatic collection, rights, complaints, notice -------------------------------------------


@rule(
    "auto-collection-no-refusal",
    "error",
    "PIPA 30①7",
    "자동 수집 장치 거부 방법 누락",
    "automatic collection without how to refuse",
)
def _auto_refusal(policy: Policy) -> Iterator[Hit]:
    for i, auto in enumerate(policy.auto_collection):
        if not auto.how_to_refuse:
            yield (
                ("auto_collection", i),
                f"'{auto.label}'을(를) 거부하는 방법이 없습니다.",
                f"no way to refuse '{auto.id}' is given.",
            )


@rule(
    "rights-deadline",
    "warning",
    "PIPA 35③·36②·37④, 시행령 41④",
    "권리 행사 처리기한",
    "deadline for answering rights requests",
)
def _rights_deadline(policy: Policy) -> Iterator[Hit]:
    rights = policy.rights
    if rights is None:
        return
    if rights.deadline_days is None:
        yield (
            ("rights",),
            "열람·정정·삭제·처리정지 요구에 10일 이내 답한다는 처리기한을 밝히지 않았습니다.",
            "the policy does not state that rights requests are answered within 10 days.",
        )
    elif rights.deadline_days > 10:
        yield (
            ("rights", "deadline_days"),
            f"처리기한 {rights.deadline_days}일은 법정 기한 10일보다 깁니다.",
            f"a {rights.deadline_days}-day deadline exceeds the legal 10 days.",
        )


_STANDARD_REDRESS = [
    ("1833-6972", "개인정보분쟁조정위원회 (1833-6972)", "Personal Information Dispute Mediation Committee"),
    ("118", "개인정보침해신고센터 (118)", "Privacy Infringement Report Center"),
    ("1301", "대검찰청 (1301)", "Supreme Prosecutors' Office"),
    ("182", "경찰청 (182)", "Korean National Police Agency"),
]
_OUTDATED_REDRESS = [
    "cyberprivacy.or.kr",
    "ctrc.go.kr",
    "eprivacy.or.kr",
    "정보보호마크인증위원회",
    "1336",
    "사이버테러대응센터",
    "netan.go.kr",
]


@rule(
    "redress-incomplete",
    "warning",
    "작성지침 (권익침해 구제방법)",
    "권익침해 구제기관 안내 부족",
    "redress agencies missing",
)
def _redress(policy: Policy) -> Iterator[Hit]:
    agencies = policy.complaints.redress if policy.complaints else ()
    text = " ".join(f"{a.name} {a.url or ''} {a.phone or ''}" for a in agencies)
    missing = [
        (ko, en)
        for number, ko, en in _STANDARD_REDRESS
        if not re.search(rf"(?<![\d-]){number}(?![\d-])", text)
    ]
    if missing:
        yield (
            ("complaints", "redress") if policy.complaints else ("complaints",),
            f"권익침해 구제기관 안내가 빠졌습니다: {', '.join(m[0] for m in missing)}",
            f"redress agencies not listed: {', '.join(m[1] for m in missing)}",
        )
    for i, agency in enumerate(agencies):
        entry = f"{agency.name} {agency.url or ''} {agency.phone or ''}"
        if any(old in entry for old in _OUTDATED_REDRESS):
            yield (
                ("complaints", "redress", i),
                f"'{agency.name}'의 명칭이나 연락처는 더 이상 쓰이지 않습니다.",
                f"'{agency.name}': outdated agency name or contact.",
            )


@rule(
    "change-notice",
    "warning",
    "PIPA 30②, 작성지침",
    "변경 고지 기간 미기재",
    "change-notice period not stated",
)
def _notice(policy: Policy) -> Iterator[Hit]:
    if not policy.notice_declared:
        yield (
            ("notice",),
            "처리방침 변경을 며칠 전에 알리는지 밝히지 않았습니다.",
            "the policy does not say how many days before a change it is announced.",
        )
    elif policy.notice.material_lead_days < 30:
        yield (
            ("notice", "material_lead_days"),
            f"중요한 변경(수집 항목, 제3자 제공 등)을 {policy.notice.material_lead_days}일 전에만 알립니다. 30일 전 고지를 권장합니다.",
            f"material changes are announced only {policy.notice.material_lead_days} days before; 30 is the norm.",
        )


# --- placeholders -------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?<![0-9A-Za-z:.\-])(?:0{2,}|o{2}|O{2}|○{2,}|x{3}|X{3})(?![0-9A-Za-z])|\[email\s*protected\]"
)
_SKIP_FIELDS = {"source", "statute"}


def _walk_strings(node: Any, path: LintPath) -> Iterator[tuple[LintPath, Any]]:
    if isinstance(node, Placeholder):
        yield path, node
    elif isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            if name in _SKIP_FIELDS:
                continue
            yield from _walk_strings(getattr(node, name), (*path, field.alias or name))
    elif isinstance(node, tuple):
        for index, value in enumerate(node):
            yield from _walk_strings(value, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk_strings(value, (*path, str(key)))
    elif isinstance(node, str):
        yield path, node


@rule("placeholder", "error", "PIPA 30①", "채워지지 않은 자리표시자", "unresolved placeholder")
def _placeholders(policy: Policy) -> Iterator[Hit]:
    for path, value in _walk_strings(policy, ()):
        if path[:1] == ("retention",) and path[-1:] == ("period",):
            continue  # reported by retention-placeholder with a precise message
        if isinstance(value, Placeholder):
            yield (
                path,
                f"'{value.placeholder}'이(가) 채워지지 않았습니다.",
                f"'{value.placeholder}' is a placeholder.",
            )
        elif isinstance(value, str) and value.strip() in ("", "0"):
            yield (
                path,
                "값이 비어 있습니다 (양식의 빈칸).",
                "the value is blank (an unfilled template field).",
            )
        elif isinstance(value, str) and _PLACEHOLDER.search(value):
            shown = value if len(value) <= 40 else value[:37] + "…"
            yield (
                path,
                f"자리표시자로 보이는 값이 남아 있습니다: '{shown}'",
                f"looks like an unfilled placeholder: '{shown}'",
            )


# --- masking ------------------------------------------------------------------------------------


@rule(
    "masking-unknown-type",
    "error",
    "PIPA 29 (게시물의 개인정보 보호)",
    "알 수 없는 마스킹 유형",
    "masking names an unknown personal-data type",
)
def _masking(policy: Policy) -> Iterator[Hit]:
    from jikimi.pii import PiiType

    known = {t.value for t in PiiType}
    for context, masking_rule in policy.masking.items():
        if masking_rule.types == "all":
            continue
        for index, name in enumerate(masking_rule.types):
            if name not in known:
                yield (
                    ("masking", context, "types", index),
                    f"'{name}'은(는) 탐지할 수 있는 개인정보 유형이 아닙니다 (가능: {', '.join(sorted(known))})",
                    f"'{name}' is not a detectable type (known: {', '.join(sorted(known))})",
                )
