"""How the policy's codes read in a Korean 처리방침: legal bases, start events, channels, periods.

Pure lookups and small formatters, shared by the document and the consent screens. Every
function returns plain text; escaping is the templates' job.
"""

from __future__ import annotations

from datetime import date

from jikimi.periods import Duration
from jikimi.policy.model import Citation, Overseas, Placeholder, RetentionRule

MISSING = "미기재"
"""Shown wherever the policy leaves a required value empty, so the gap stays visible."""

LEGAL_BASIS = {
    "consent": "정보주체의 동의",
    "law": "법률의 특별한 규정 또는 법령상 의무 준수",
    "public_duty": "공공기관의 법령 등에서 정하는 소관 업무 수행",
    "contract": "계약의 체결·이행",
    "vital_interest": "정보주체 등의 급박한 생명·신체·재산상 이익 보호",
    "legitimate_interest": "개인정보처리자의 정당한 이익 달성",
    "public_safety": "공중위생 등 공공의 안전과 안녕",
}
LEGAL_BASIS_ARTICLE = {
    "consent": "제15조제1항제1호",
    "law": "제15조제1항제2호",
    "public_duty": "제15조제1항제3호",
    "contract": "제15조제1항제4호",
    "vital_interest": "제15조제1항제5호",
    "legitimate_interest": "제15조제1항제6호",
    "public_safety": "제15조제1항제7호",
}
START = {
    "withdrawal": "회원 탈퇴일로부터",
    "record_date": "기록 작성일로부터",
    "collection": "수집일로부터",
    "last_activity": "마지막 이용일로부터",
    "contract_end": "계약 종료일로부터",
    "purpose_end": "목적 달성일로부터",
    "consent_withdrawal": "동의 철회일로부터",
}
CHANNEL = {
    "web": "홈페이지",
    "app": "모바일 앱",
    "paper": "서면양식",
    "phone": "전화",
    "fax": "팩스",
    "email": "이메일",
    "board": "게시판",
    "event": "경품 행사·이벤트 응모",
    "delivery": "배송 요청",
    "partner": "제휴사로부터 제공",
    "auto": "자동 수집 장치",
    "in_person": "방문",
    "letter": "우편",
    "counsel": "상담",
}
ITEM_CLASS = {
    "general": "일반 개인정보",
    "contact": "연락처",
    "identity": "본인확인정보",
    "credential": "인증정보",
    "unique_id": "고유식별정보",
    "sensitive": "민감정보",
    "financial": "결제·금융정보",
    "auto_generated": "자동 생성정보",
    "guardian": "법정대리인 정보",
}
SENSITIVE_KIND = {
    "health": "건강",
    "belief": "사상·신념",
    "union": "노동조합·정당의 가입·탈퇴",
    "politics": "정치적 견해",
    "sex_life": "성생활",
    "genetic": "유전정보",
    "criminal": "범죄경력",
    "biometric": "생체인식정보",
    "race": "인종·민족",
}
SUBJECTS = {"member": "회원", "guest": "비회원", "guardian": "법정대리인", "any": "정보주체"}
CONTEXT_CHILDREN = {
    "guardian_consent": "만 14세 미만 아동은 법정대리인의 동의 필요",
    "refused": "만 14세 미만 아동은 이용 불가",
}
CONTACT_ROLE = {
    "officer": "개인정보 보호책임자",
    "manager": "개인정보 보호 담당자",
    "department": "개인정보 보호 담당부서",
    "help_desk": "고객센터",
    "domestic_representative": "국내대리인",
}
DESTRUCTION_METHOD = {
    "electronic_irrecoverable": "전자적 파일 형태: 기록을 재생할 수 없는 기술적 방법으로 영구 삭제",
    "paper_shred": "종이에 출력된 개인정보: 분쇄기로 분쇄",
    "paper_incinerate": "종이에 출력된 개인정보: 소각",
}
AUTO_KIND = {
    "cookie": "쿠키(Cookie)",
    "device_id": "기기 식별값",
    "log": "접속 로그",
    "web_beacon": "웹 비콘",
    "sdk": "외부 SDK",
}
SECURITY_KIND = {
    "encryption_at_rest": "개인정보의 암호화(저장)",
    "encryption_in_transit": "전송 구간 암호화",
    "password_hashing": "비밀번호 일방향 암호화",
    "access_control": "접근 통제",
    "access_log": "접속기록의 보관 및 위·변조 방지",
    "least_privilege": "접근 권한의 관리",
    "antivirus": "보안프로그램 설치 및 갱신",
    "firewall": "침입 차단·탐지",
    "backup": "백업 및 복구",
    "training": "개인정보 취급 직원의 최소화 및 교육",
    "audit": "정기적인 자체 점검",
    "dedicated_org": "내부관리계획의 수립·시행",
    "physical": "물리적 접근 통제",
    "other": "기타 조치",
}
PROCESSOR_UNTIL = {
    "contract_end": "위탁계약 종료 시까지",
    "withdrawal": "회원 탈퇴 시까지",
    "purpose_end": "위탁 목적 달성 시까지",
}
DORMANCY_ACTION = {
    "separate": "다른 이용자의 개인정보와 분리하여 별도로 저장·관리",
    "destroy": "지체 없이 파기",
}
REACTIVATION = {"login": "로그인", "request": "본인의 요청"}
THIRD_PARTY_BASIS = {
    "consent": "정보주체의 동의 (제17조제1항제1호)",
    "law": "법률의 특별한 규정 등 (제17조제1항제2호)",
}

STANDARD_REDRESS: tuple[tuple[str, str, str], ...] = (
    ("개인정보 분쟁조정위원회", "1833-6972", "www.kopico.go.kr"),
    ("개인정보침해신고센터 (한국인터넷진흥원)", "118", "privacy.kisa.or.kr"),
    ("대검찰청", "1301", "www.spo.go.kr"),
    ("경찰청", "182", "ecrm.police.go.kr"),
)
"""The four agencies the PIPC writing guideline lists (shared/docs/PIPA.md §1.7)."""


def legal_basis(basis: str | None, citation: Citation | None = None) -> str:
    """``계약의 체결·이행 (제15조제1항제4호)``; a citation, when given, replaces or follows the article."""
    if basis is None:
        return citation_text(citation) if citation is not None else MISSING
    name, article = LEGAL_BASIS.get(basis, basis), LEGAL_BASIS_ARTICLE.get(basis)
    if citation is not None and article and "".join((citation.article or "").split()) == article:
        return f"{name} ({citation_text(citation)})"
    text = f"{name} ({article})" if article else name
    return f"{text} — {citation_text(citation)}" if citation is not None else text


def citation_text(citation: Citation) -> str:
    text = citation.text()
    return f"{text} ({citation.note})" if citation.note else text


def period(value: Duration | Placeholder | None, *, empty: str = MISSING) -> str:
    """``5년``; a placeholder stays visible as ``oo년간 (미기재)``."""
    if isinstance(value, Duration):
        return value.korean()
    if isinstance(value, Placeholder):
        return f"{value.placeholder} ({MISSING})"
    return empty


def retention_period(rule: RetentionRule) -> str:
    """The period in force: as written, else the statute's; a placeholder visibly unfilled."""
    if rule.period is None and rule.statute is not None:
        return rule.statute.period.korean()
    return period(rule.period)


def retention_basis(rule: RetentionRule) -> str:
    """The statute with its article, else the law as written, else 내부 방침 and the reason."""
    if rule.statute is not None:
        text = rule.statute.citation()
    elif rule.law:
        text = rule.law
    elif rule.basis:
        text = rule.basis
    else:
        text = "내부 방침"
    if rule.reason:
        text += f" — {rule.reason}"
    return text


def korean_date(day: date | Placeholder | None) -> str:
    if isinstance(day, date):
        return f"{day.year}년 {day.month}월 {day.day}일"
    if isinstance(day, Placeholder):
        return f"{day.placeholder} ({MISSING})"
    return MISSING


def josa(word: str, with_final: str, without_final: str) -> str:
    """``word`` with the particle its last syllable takes: ``josa("지킴이몰", "은", "는")`` → ``지킴이몰은``.

    ``으로``/``로`` also takes ``로`` after a final ㄹ. A word that does not end in Hangul gets both
    forms, as Korean documents write them: ``Inc.은(는)``.
    """
    last = word.rstrip()[-1:] if word.strip() else ""
    if not ("가" <= last <= "힣"):
        return f"{word}{with_final}({without_final})" if with_final != "으로" else f"{word}(으)로"
    final = (ord(last) - 0xAC00) % 28
    if with_final == "으로" and final == 8:  # ㄹ
        return word + without_final
    return word + (with_final if final else without_final)


def channels(values: tuple[str, ...]) -> str:
    return ", ".join(CHANNEL.get(v, v) for v in values)


def join(values: tuple[str, ...] | list[str], *, empty: str = "-") -> str:
    return ", ".join(values) if values else empty


def lines(*values: object) -> str:
    """The non-empty values, one per line (a table cell with line breaks)."""
    return "\n".join(texts(*values))


def texts(*values: object) -> tuple[str, ...]:
    """The non-empty values as text; lets callers write ``flag and "sentence"`` in a list."""
    return tuple(str(v) for v in values if v)


def retention_basis_preset(preset_id: str) -> str:
    """A statute preset id (``telecom.logs``) as its citation; the id itself when unknown."""
    from jikimi.policy.statutes import statutes

    found = statutes().get(preset_id)
    return found.citation() if found is not None else preset_id


def overseas_rows(
    o: Overseas | None, *, items: str, name: str, country: str | None, contact: str | None
) -> tuple[tuple[str, str], ...]:
    """The five disclosures of an overseas transfer (PIPA 28-8②, 시행령 31①), 미기재 where missing."""
    return (
        ("이전되는 개인정보 항목", items),
        ("이전되는 국가, 시기 및 방법", lines((o and o.country) or country, o and o.when_and_how) or MISSING),
        ("이전받는 자의 성명(명칭)과 연락처", lines(name, (o and o.recipient_contact) or contact)),
        ("이전받는 자의 이용 목적 및 보유·이용 기간", (o and o.purpose_and_retention) or MISSING),
        (
            "이전을 거부하는 방법, 절차 및 거부의 효과",
            lines(o and o.how_to_refuse, o and o.refusal_consequence) or MISSING,
        ),
    )


def start(event: str) -> str:
    """When a retention period starts counting: ``회원 탈퇴일로부터``. Pass the rule's resolved start
    (``RetentionRule.start``), the one the lifecycle enforces, never the ``from`` as written."""
    return START.get(event, event)


# --- standard sentences of the guideline's sample policy -------------------------------------

INTRO = (
    "{name}(이하 '회사')는 「개인정보 보호법」 제30조에 따라 정보주체의 개인정보를 "
    "보호하고 이와 관련한 고충을 신속하고 원활하게 처리할 수 있도록 하기 위하여 "
    "다음과 같이 개인정보 처리방침을 수립·공개합니다."
)
PURPOSES_INTRO = (
    "회사는 다음의 목적을 위하여 개인정보를 처리합니다. 처리하고 있는 개인정보는 "
    "다음의 목적 이외의 용도로는 이용되지 않으며, 이용 목적이 변경되는 경우에는 "
    "「개인정보 보호법」 제18조에 따라 별도의 동의를 받는 등 필요한 조치를 이행합니다."
)
RETENTION_INTRO = (
    "회사는 법령에 따른 개인정보 보유·이용기간 또는 정보주체로부터 개인정보를 수집할 때 "
    "동의받은 보유·이용기간 내에서 개인정보를 처리·보유하며, 처리 목적이 달성되거나 "
    "회원이 탈퇴하면 지체 없이 파기합니다. 다만, 다음의 정보는 아래의 이유로 "
    "명시한 기간 동안 보존합니다."
)
SEPARATE_STORE = (
    "관계 법령에 따라 보존하는 개인정보는 다른 개인정보와 분리하여 저장·관리하며, "
    "보존 목적 외로는 이용하지 않습니다 (「개인정보 보호법」 제21조제3항)."
)
THIRD_PARTY_INTRO = (
    "회사는 정보주체의 개인정보를 처리 목적에서 명시한 범위 내에서만 처리하며, "
    "정보주체의 동의, 법률의 특별한 규정 등 「개인정보 보호법」 제17조 및 제18조에 "
    "해당하는 경우에만 개인정보를 제3자에게 제공합니다."
)
PROCESSORS_INTRO = (
    "회사는 원활한 개인정보 업무처리를 위하여 다음과 같이 개인정보 처리업무를 위탁하고 있습니다."
)
OVERSEAS_INTRO = "회사는 다음과 같이 개인정보를 국외로 이전합니다 (「개인정보 보호법」 제28조의8)."
SECURITY_INTRO = "회사는 개인정보의 안전성 확보를 위해 다음과 같은 조치를 취하고 있습니다."
AUTOMATED_INTRO = (
    "정보주체는 완전히 자동화된 결정에 대하여 거부하거나 설명 등을 요구할 수 있습니다 "
    "(「개인정보 보호법」 제37조의2)."
)
RIGHTS_INTRO = (
    "정보주체는 회사에 대해 언제든지 개인정보 열람·정정·삭제·처리정지 요구 및 동의 철회 등의 "
    "권리를 행사할 수 있습니다 (「개인정보 보호법」 제35조부터 제38조까지)."
)
RIGHTS_GUARDIAN = "만 14세 미만 아동의 법정대리인은 아동의 개인정보에 대한 권리를 행사할 수 있습니다."
RIGHTS_AGENT = (
    "정보주체의 법정대리인이나 위임을 받은 자 등 대리인을 통하여 권리를 행사할 수 있으며, "
    "이 경우 위임장을 제출하여야 합니다."
)
CORRECTION_HOLD = "정정 또는 삭제를 요구한 경우, 완료할 때까지 해당 개인정보를 이용하거나 제공하지 않습니다."
NOTIFY_RECIPIENTS = (
    "잘못된 개인정보를 이미 제3자에게 제공한 경우에는 정정 처리결과를 제3자에게 지체 없이 통지합니다."
)
OFFICERS_INTRO = (
    "회사는 개인정보 처리에 관한 업무를 총괄해서 책임지고, 개인정보 처리와 관련한 정보주체의 "
    "불만처리 및 피해구제 등을 위하여 아래와 같이 개인정보 보호책임자를 지정하고 있습니다."
)
REDRESS_INTRO = (
    "정보주체는 개인정보침해로 인한 구제를 받기 위하여 다음 기관에 분쟁해결이나 상담 등을 신청할 수 있습니다."
)
