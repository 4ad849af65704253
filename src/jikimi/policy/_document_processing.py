"""Sections 처리 목적 to 국외 이전: what is processed, why and how long, and who else receives it."""

from __future__ import annotations

from jikimi.policy import wording as w
from jikimi.policy._document_blocks import Block, Bullets, Heading, Para, Table
from jikimi.policy.model import Policy, Processor, ThirdParty


def labels(p: Policy, refs: tuple[str, ...] | list[str], empty: str = "-") -> str:
    return w.join([p.label_of(r) for r in refs], empty=empty)


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def purposes_section(p: Policy) -> list[Block]:
    if not p.purposes:
        return [Para(f"처리 목적: {w.MISSING}")]
    rows = []
    for x in p.purposes:
        kind = {"required": "필수 동의", "optional": "선택 동의"}.get(x.consent or "", "")
        basis = w.lines(
            w.legal_basis(x.basis, x.citation),
            f"마케팅·광고 목적 ({kind or '동의'})" if x.marketing else kind,
            x.separate_consent and "별도 동의",
            p.excludes_children(x)
            and f"만 {p.children.age if p.children else 14}세 미만 아동에게는 적용하지 않음",
        )
        rows.append((x.label, w.lines(*x.details, x.note) or "-", labels(p, x.items + x.records), basis))
    head = ("처리 목적", "세부 내용", "처리 항목", "처리 근거")
    return [Para(w.PURPOSES_INTRO), Table("개인정보의 처리 목적과 근거", head, tuple(rows))]


def items_section(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    rows = tuple(
        (
            c.label,
            labels(p, c.required),
            labels(p, c.optional),
            w.channels(c.channels) or "-",
            w.lines(f"대상: {w.SUBJECTS[c.subjects]}", c.children and w.CONTEXT_CHILDREN[c.children], c.note),
        )
        for c in p.contexts
    )
    if rows:
        head = ("수집 상황", "필수 항목", "선택 항목", "수집 방법", "비고")
        blocks.append(Table("수집 상황별 처리 항목", head, rows))
    generated = [i for i in p.items if i.generated or i.class_ == "auto_generated"]
    if generated or p.records:
        records = [
            w.join(w.texts(r.label, r.description, r.items and f"항목: {labels(p, r.items)}"))
            for r in p.records
        ]
        blocks += [
            Heading("서비스 이용 과정에서 생성·수집되는 정보"),
            Bullets(tuple([i.label for i in generated] + records)),
        ]
    special = [i for i in p.items if i.is_sensitive or i.is_unique_id]
    if special:
        blocks += [
            Heading("민감정보 및 고유식별정보"),
            Bullets(
                tuple(
                    w.join(
                        w.texts(
                            i.label,
                            "고유식별정보" if i.is_unique_id else "민감정보",
                            i.sensitive_kind and w.SENSITIVE_KIND[i.sensitive_kind],
                            i.legal_basis and f"근거: {w.citation_text(i.legal_basis)}",
                            i.note,
                        )
                    )
                    for i in special
                )
            ),
        ]
    without = _without_consent(p)
    if without:
        blocks += [
            Heading("정보주체의 동의 없이 처리하는 개인정보 (「개인정보 보호법」 제22조제3항)"),
            Table(
                "동의 없이 처리하는 개인정보와 그 근거", ("항목", "처리 근거", "처리 목적"), tuple(without)
            ),
        ]
    shown = {i for c in p.contexts for i in c.required + c.optional} | {i.id for i in generated}
    shown |= {i for r in p.records for i in r.items}
    rest = [i for i in p.items if i.id not in shown]
    if rest:
        blocks += [
            Heading("그 밖에 처리하는 항목"),
            Bullets(tuple(w.join(w.texts(i.label, w.ITEM_CLASS[i.class_], i.note)) for i in rest)),
        ]
    return blocks or [Para(f"처리하는 개인정보 항목: {w.MISSING}")]


def _without_consent(p: Policy) -> list[tuple[str, str, str]]:
    """Items a law names, or whose every purpose rests on a basis other than consent (PIPA 22③)."""
    rows = []
    for item in p.items:
        uses = p.purposes_using(item.id)
        if item.legal_basis is not None:
            rows.append((item.label, w.citation_text(item.legal_basis), w.join([u.label for u in uses])))
        elif uses and all(u.basis not in (None, "consent") for u in uses):
            bases = unique([w.legal_basis(u.basis) for u in uses])
            rows.append((item.label, "\n".join(bases), w.join([u.label for u in uses])))
    return rows


def retention_section(p: Policy) -> list[Block]:
    blocks: list[Block] = [Para(w.RETENTION_INTRO)]
    rows = tuple(
        (
            w.lines(*unique([r.label or "", labels(p, r.what)])),
            w.retention_period(r),
            w.start(r.start),
            w.lines(
                w.retention_basis(r), r.access_reasons and "이용 사유: " + ", ".join(r.access_reasons), r.note
            ),
        )
        for r in p.retention
    )
    if rows:
        head = ("보존 항목·기록", "보존 기간", "기산점", "근거 및 이유")
        blocks.append(Table("보존하는 개인정보와 보존기간", head, rows))
    d = p.dormancy
    if d is not None:
        basis = d.law or (d.basis and w.retention_basis_preset(d.basis))
        how = w.josa(w.channels(d.notice_channels) or "개별 통지", "으로", "로")
        notice = d.notice_before and f"{d.notice_before.korean()} 전까지 {how} 미리 알립니다."
        blocks += [
            Heading("장기 미이용 회원(휴면 계정)"),
            Bullets(
                w.texts(
                    f"{w.period(d.after)} 동안 서비스를 이용하지 않은 회원의 개인정보는 "
                    f"{w.DORMANCY_ACTION[d.action]}합니다.",
                    notice,
                    d.reactivation and "이용 재개: " + ", ".join(w.REACTIVATION[r] for r in d.reactivation),
                    basis and f"근거: {basis}",
                    d.note,
                )
            ),
        ]
    return blocks


def children_section(p: Policy) -> list[Block]:
    ch = p.children
    contexts = [f"{c.label}: {w.CONTEXT_CHILDREN[c.children]}" for c in p.contexts if c.children]
    if ch is None:
        return [Bullets(tuple(contexts))] if contexts else []
    if ch.policy == "not_collected":
        head = f"회사는 만 {ch.age}세 미만 아동의 개인정보를 수집하지 않습니다."
    else:
        head = (
            f"회사는 만 {ch.age}세 미만 아동의 개인정보를 처리하기 위하여 법정대리인의 동의를 "
            "받습니다 (「개인정보 보호법」 제22조의2)."
        )
    guardian_items = labels(p, ch.guardian_items)
    return [
        Para(head),
        Bullets(
            w.texts(
                ch.guardian_items
                and f"법정대리인의 동의를 받기 위하여 아동으로부터 수집하는 정보: {guardian_items}",
                ch.verification and f"동의 확인 방법: {ch.verification}",
                ch.confirm_within and f"동의 확인 기한: {ch.confirm_within.korean()} 이내",
                ch.no_marketing and f"만 {ch.age}세 미만 아동에게는 광고·마케팅 정보를 보내지 않습니다.",
                ch.no_third_party and f"만 {ch.age}세 미만 아동의 개인정보는 제3자에게 제공하지 않습니다.",
                *contexts,
                ch.note,
            )
        ),
    ]


def destruction_section(p: Policy) -> list[Block]:
    d = p.destruction
    if d is None:
        return [Para(f"파기 절차 및 방법: {w.MISSING}")]
    methods = tuple(w.DESTRUCTION_METHOD[m] for m in d.methods) or (w.MISSING,)
    return [
        Heading("파기 절차"),
        Para(d.procedure or w.MISSING),
        *([Para(w.SEPARATE_STORE)] if d.separate_store else []),
        Heading("파기 방법"),
        Bullets(methods),
        *([Para(d.note)] if d.note else []),
    ]


def third_parties_section(p: Policy) -> list[Block]:
    s = p.third_parties
    blocks: list[Block] = [Para(w.THIRD_PARTY_INTRO)]
    rows = tuple(
        (
            w.lines(t.name, t.contact),
            t.purpose,
            labels(p, t.items, w.MISSING),
            _tp_retention(t),
            w.lines(w.THIRD_PARTY_BASIS[t.served_on], t.citation and w.citation_text(t.citation)),
            w.lines(t.country or "-", t.note),
        )
        for t in s.recipients
    )
    if rows:
        head = ("제공받는 자", "제공 목적", "제공 항목", "보유·이용기간", "근거", "국가·비고")
        blocks.append(Table("개인정보를 제공받는 자", head, rows))
    elif s.announced:
        blocks.append(Para(f"제3자에게 제공한다고 밝히고 있으나 제공받는 자가 없습니다 ({w.MISSING})."))
    else:
        blocks.append(Para("현재 개인정보를 제3자에게 제공하지 않습니다."))
    if s.exceptions:
        blocks += [Heading("다음의 경우에는 예외로 합니다"), Bullets(s.exceptions)]
    return blocks + ([Para(s.note)] if s.note else [])


def _tp_retention(t: ThirdParty) -> str:
    return w.lines(t.retention and w.period(t.retention), t.retention_text) or w.MISSING


def processors_section(p: Policy) -> list[Block]:
    s = p.processors
    blocks: list[Block] = [Para(w.PROCESSORS_INTRO)]
    rows = tuple(
        (
            x.name,
            w.lines(
                x.task,
                x.marketing and "(광고·마케팅 업무 포함)",
                x.sub_processors and "재위탁: " + ", ".join(x.sub_processors),
                x.note,
            ),
            labels(p, x.items, w.MISSING),
            w.lines(
                x.until_text or (x.until and w.PROCESSOR_UNTIL[x.until]),
                x.max_period and f"최대 {x.max_period.korean()}",
            )
            or w.MISSING,
            x.country or "-",
        )
        for x in s.processors
    )
    if rows:
        head = ("수탁자", "위탁업무", "위탁 항목", "보유·이용기간", "국가")
        blocks.append(Table("수탁자와 위탁업무", head, rows))
    elif s.announced:
        blocks.append(Para(f"처리업무를 위탁한다고 밝히고 있으나 수탁자가 없습니다 ({w.MISSING})."))
    else:
        blocks.append(Para("현재 개인정보 처리업무를 위탁하지 않습니다."))
    return blocks + ([Para(s.note)] if s.note else [])


def abroad_parties(p: Policy) -> list[ThirdParty | Processor]:
    parties: list[ThirdParty | Processor] = [*p.third_parties.recipients, *p.processors.processors]
    return [x for x in parties if x.is_overseas or x.overseas is not None]


def overseas_section(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    for x in abroad_parties(p):
        o = x.overseas
        role = "제3자 제공" if isinstance(x, ThirdParty) else "처리위탁·보관"
        items = labels(p, o.items if o and o.items else x.items, w.MISSING)
        contact = x.contact if isinstance(x, ThirdParty) else None
        rows = w.overseas_rows(o, items=items, name=x.name, country=x.country, contact=contact)
        blocks.append(Table(f"{x.name} ({role})", ("구분", "내용"), rows))
    return [Para(w.OVERSEAS_INTRO), *blocks] if blocks else []
