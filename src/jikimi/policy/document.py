"""The 처리방침 as plain blocks — paragraphs, lists, tables — in the order of the PIPC writing guideline.

``build_document`` turns a ``Policy`` into a ``Document``: the title and controller, the summary
label (라벨링) table, then the numbered sections (처리 목적, 항목, 보유기간, … 처리방침의 변경). A section
with nothing to say is left out; a required value the policy leaves empty is shown as ``미기재``.
``jikimi.policy.render`` lays the blocks out as Markdown or HTML, so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from jikimi.policy import wording as w
from jikimi.policy.model import Policy, Processor, ThirdParty

# --- the blocks a document is made of ---------------------------------------------------------


@dataclass(frozen=True)
class Para:
    text: str
    kind: ClassVar[str] = "p"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    kind: ClassVar[str] = "ul"


@dataclass(frozen=True)
class Heading:
    text: str
    kind: ClassVar[str] = "h3"


@dataclass(frozen=True)
class Table:
    """A table whose first cell in each row is the row's header; ``links`` point rows at sections."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str, ...] = ()
    kind: ClassVar[str] = "table"


Block = Para | Bullets | Heading | Table


@dataclass(frozen=True)
class Section:
    id: str
    number: int
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    intro: tuple[str, ...]
    label: Table
    sections: tuple[Section, ...]
    effective: str


# --- the sections -----------------------------------------------------------------------------


def build_document(p: Policy) -> Document:
    """The 처리방침 as blocks, in the guideline's order; a section with nothing to say is left out."""
    parts = [
        ("purposes", "개인정보의 처리 목적", _purposes(p)),
        ("items", "처리하는 개인정보의 항목", _items(p)),
        ("retention", "개인정보의 처리 및 보유기간", _retention(p)),
        ("children", "만 14세 미만 아동의 개인정보 처리", _children(p)),
        ("destruction", "개인정보의 파기 절차 및 방법", _destruction(p)),
        ("third-parties", "개인정보의 제3자 제공", _third_parties(p)),
        ("processors", "개인정보 처리업무의 위탁", _processors(p)),
        ("overseas", "개인정보의 국외 이전", _overseas(p)),
        ("security", "개인정보의 안전성 확보조치", _security(p)),
        ("auto-collection", "개인정보 자동 수집 장치의 설치·운영 및 거부에 관한 사항", _auto_collection(p)),
        ("pseudonymization", "가명정보의 처리", _pseudonymization(p)),
        ("automated-decisions", "자동화된 결정에 관한 사항", _automated_decisions(p)),
        ("rights", "정보주체와 법정대리인의 권리·의무 및 행사방법", _rights(p)),
        ("officers", "개인정보 보호책임자 및 고충처리", _officers(p)),
        ("redress", "정보주체의 권익침해에 대한 구제방법", _redress(p)),
        ("other", "그 밖의 사항", [b for s in p.sections for b in (Heading(s.title), Para(s.body))]),
        ("changes", "개인정보 처리방침의 변경", _changes(p)),
    ]
    present = [(ident, title, tuple(blocks)) for ident, title, blocks in parts if blocks]
    sections = tuple(Section(ident, n, title, blocks) for n, (ident, title, blocks) in enumerate(present, 1))
    c = p.controller
    facts = tuple((k, v) for k, v in (
        ("개인정보처리자", c.name), ("서비스", c.service), ("대표자", c.representative), ("주소", c.address),
        ("대표전화", c.phone), ("웹사이트", c.website), ("버전", p.version),
        ("시행일자", w.korean_date(p.effective)),
    ) if v)
    intro = (p.preamble,) if p.preamble else (
        f"{c.name}(이하 '회사')은(는) 「개인정보 보호법」 제30조에 따라 정보주체의 개인정보를 보호하고 이와 관련한 "
        "고충을 신속하고 원활하게 처리할 수 있도록 하기 위하여 다음과 같이 개인정보 처리방침을 수립·공개합니다.",
    )
    return Document(
        title=p.title, subtitle=f"Privacy Policy — {c.name}", facts=facts, intro=intro,
        label=_label(p), sections=sections, effective=f"시행일자: {w.korean_date(p.effective)}",
    )


def _labels(p: Policy, refs: tuple[str, ...] | list[str], empty: str = "-") -> str:
    return w.join([p.label_of(r) for r in refs], empty=empty)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _label(p: Policy) -> Table:
    """주요 개인정보 처리 표시 (라벨링): the summary at the top, each row pointing at its section."""
    required = _unique([i for c in p.contexts for i in c.required])
    optional = _unique([i for c in p.contexts for i in c.optional if i not in required])
    rows: list[tuple[str, str, str]] = [
        ("처리 목적", w.join([x.label for x in p.purposes], empty=w.MISSING), "purposes"),
        ("처리 항목", w.lines(f"필수: {_labels(p, required)}", optional and f"선택: {_labels(p, optional)}"), "items"),
    ]
    special = [i for i in p.items if i.is_sensitive or i.is_unique_id]
    if special:
        rows.append(("민감정보·고유식별정보", w.join([i.label for i in special]), "items"))
    kept = [f"{r.label or _labels(p, r.what)} {w.retention_period(r)}" for r in p.retention]
    rows.append(("보유기간", w.lines("처리 목적 달성 또는 회원 탈퇴 시 지체 없이 파기",
                                 kept and "예외: " + ", ".join(kept)), "retention"))
    rows.append(("제3자 제공", w.join([t.name for t in p.third_parties.recipients], empty="없음"), "third-parties"))
    rows.append(("처리 위탁", w.join([x.name for x in p.processors.processors], empty="없음"), "processors"))
    abroad = [f"{x.name} ({x.country})" for x in _abroad(p)]
    if abroad:
        rows.append(("국외 이전", w.join(abroad), "overseas"))
    desk = p.officer or next((o for o in p.officers if o.role in ("department", "manager", "help_desk")), None)
    contact = w.join([x for x in (desk.name or desk.department, desk.phone, desk.email) if x]) if desk else w.MISSING
    rows.append(("고충처리", contact, "officers"))
    return Table("주요 개인정보 처리 표시 (라벨링)", ("구분", "내용"),
                 tuple((a, b) for a, b, _ in rows), tuple(link for *_, link in rows))


def _purposes(p: Policy) -> list[Block]:
    rows = []
    for x in p.purposes:
        kind = {"required": "필수 동의", "optional": "선택 동의"}.get(x.consent or "", "")
        basis = w.lines(
            w.legal_basis(x.basis, x.citation),
            x.marketing and f"마케팅·광고 목적 ({kind or '동의'})" or kind,
            x.separate_consent and "별도 동의",
            not x.children and "만 14세 미만 아동에게는 적용하지 않음",
        )
        rows.append((x.label, w.lines(*x.details, x.note) or "-", _labels(p, x.items + x.records), basis))
    return [
        Para("회사는 다음의 목적을 위하여 개인정보를 처리합니다. 처리하고 있는 개인정보는 다음의 목적 이외의 용도로는 "
             "이용되지 않으며, 이용 목적이 변경되는 경우에는 「개인정보 보호법」 제18조에 따라 별도의 동의를 받는 등 "
             "필요한 조치를 이행할 예정입니다."),
        Table("개인정보의 처리 목적과 근거", ("처리 목적", "세부 내용", "처리 항목", "처리 근거"), tuple(rows)),
    ] if rows else [Para(f"처리 목적: {w.MISSING}")]


def _items(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    rows = tuple(
        (c.label, _labels(p, c.required), _labels(p, c.optional), w.channels(c.channels) or "-",
         w.lines(f"대상: {w.SUBJECTS[c.subjects]}", c.children and w.CONTEXT_CHILDREN[c.children], c.note))
        for c in p.contexts
    )
    if rows:
        blocks.append(Table("수집 상황별 처리 항목", ("수집 상황", "필수 항목", "선택 항목", "수집 방법", "비고"), rows))
    generated = [i for i in p.items if i.generated or i.class_ == "auto_generated"]
    if generated or p.records:
        blocks.append(Heading("서비스 이용 과정에서 생성·수집되는 정보"))
        blocks.append(Bullets(tuple([i.label for i in generated] + [
            w.join([x for x in (r.label, r.description, r.items and f"항목: {_labels(p, r.items)}") if x], empty="")
            for r in p.records
        ])))
    special = [i for i in p.items if i.is_sensitive or i.is_unique_id]
    if special:
        blocks.append(Heading("민감정보 및 고유식별정보"))
        blocks.append(Bullets(tuple(w.join([x for x in (
            i.label, "고유식별정보" if i.is_unique_id else "민감정보",
            i.sensitive_kind and w.SENSITIVE_KIND[i.sensitive_kind],
            i.legal_basis and f"근거: {w.citation_text(i.legal_basis)}", i.note) if x], empty="") for i in special)))
    without = _without_consent(p)
    if without:
        blocks += [Heading("정보주체의 동의 없이 처리하는 개인정보 (「개인정보 보호법」 제22조제3항)"),
                   Table("동의 없이 처리하는 개인정보와 그 근거", ("항목", "처리 근거", "처리 목적"), tuple(without))]
    shown = {i for c in p.contexts for i in c.required + c.optional} | {i.id for i in generated}
    shown |= {i for r in p.records for i in r.items}
    rest = [i for i in p.items if i.id not in shown]
    if rest:
        blocks += [Heading("그 밖에 처리하는 항목"), Bullets(tuple(
            w.join([x for x in (i.label, w.ITEM_CLASS[i.class_], i.note) if x], empty="") for i in rest))]
    return blocks or [Para(f"처리하는 개인정보 항목: {w.MISSING}")]


def _without_consent(p: Policy) -> list[tuple[str, str, str]]:
    """Items whose every purpose rests on a basis other than consent, or that a law names (22③)."""
    rows = []
    for item in p.items:
        uses = p.purposes_using(item.id)
        if item.legal_basis is not None:
            rows.append((item.label, w.citation_text(item.legal_basis), w.join([u.label for u in uses])))
        elif uses and all(u.basis not in (None, "consent") for u in uses):
            bases = _unique([w.legal_basis(u.basis) for u in uses])
            rows.append((item.label, "\n".join(bases), w.join([u.label for u in uses])))
    return rows


def _retention(p: Policy) -> list[Block]:
    blocks: list[Block] = [Para(
        "회사는 법령에 따른 개인정보 보유·이용기간 또는 정보주체로부터 개인정보를 수집할 때 동의받은 보유·이용기간 "
        "내에서 개인정보를 처리·보유하며, 처리 목적이 달성되거나 회원이 탈퇴하면 지체 없이 파기합니다. 다만, 다음의 "
        "정보는 아래의 이유로 명시한 기간 동안 보존합니다.")]
    rows = tuple(
        (w.lines(r.label, _labels(p, r.what)) if r.label else _labels(p, r.what), w.retention_period(r),
         w.START[r.from_],
         w.lines(w.retention_basis(r), r.access_reasons and "이용 사유: " + ", ".join(r.access_reasons), r.note))
        for r in p.retention
    )
    if rows:
        blocks.append(Table("보존하는 개인정보와 보존기간", ("보존 항목·기록", "보존 기간", "기산점", "근거 및 이유"), rows))
    d = p.dormancy
    if d is not None:
        basis = d.law or (d.basis and w.retention_basis_preset(d.basis))
        blocks += [Heading("장기 미이용 회원(휴면 계정)"), Bullets(w.texts(
            f"{w.period(d.after)} 동안 서비스를 이용하지 않은 회원의 개인정보는 {w.DORMANCY_ACTION[d.action]}합니다.",
            d.notice_before and f"{d.notice_before.korean()} 전까지 "
            f"{w.channels(d.notice_channels) or '개별 통지'}(으)로 미리 알립니다.",
            d.reactivation and "이용 재개: " + ", ".join(w.REACTIVATION[r] for r in d.reactivation),
            basis and f"근거: {basis}", d.note))]
    return blocks


def _children(p: Policy) -> list[Block]:
    ch = p.children
    contexts = [f"{c.label}: {w.CONTEXT_CHILDREN[c.children]}" for c in p.contexts if c.children]
    if ch is None:
        return [Bullets(tuple(contexts))] if contexts else []
    if ch.policy == "not_collected":
        head = f"회사는 만 {ch.age}세 미만 아동의 개인정보를 수집하지 않습니다."
    else:
        head = (f"회사는 만 {ch.age}세 미만 아동의 개인정보를 처리하기 위하여 법정대리인의 동의를 받습니다 "
                "(「개인정보 보호법」 제22조의2).")
    return [Para(head), Bullets(w.texts(
        ch.guardian_items and f"법정대리인의 동의를 받기 위하여 아동으로부터 수집하는 정보: {_labels(p, ch.guardian_items)}",
        ch.verification and f"동의 확인 방법: {ch.verification}",
        ch.confirm_within and f"동의 확인 기한: {ch.confirm_within.korean()} 이내",
        ch.no_marketing and f"만 {ch.age}세 미만 아동에게는 광고·마케팅 정보를 보내지 않습니다.",
        ch.no_third_party and f"만 {ch.age}세 미만 아동의 개인정보는 제3자에게 제공하지 않습니다.",
        *contexts, ch.note))]


def _destruction(p: Policy) -> list[Block]:
    d = p.destruction
    if d is None:
        return [Para(f"파기 절차 및 방법: {w.MISSING}")]
    return [
        Heading("파기 절차"), Para(d.procedure or w.MISSING),
        *([Para("관계 법령에 따라 보존하는 개인정보는 다른 개인정보와 분리하여 저장·관리하며, 보존 목적 외로는 이용하지 "
                "않습니다 (「개인정보 보호법」 제21조제3항).")] if d.separate_store else []),
        Heading("파기 방법"), Bullets(tuple(w.DESTRUCTION_METHOD[m] for m in d.methods) or (w.MISSING,)),
        *([Para(d.note)] if d.note else []),
    ]


def _third_parties(p: Policy) -> list[Block]:
    s = p.third_parties
    blocks: list[Block] = [Para(
        "회사는 정보주체의 개인정보를 처리 목적에서 명시한 범위 내에서만 처리하며, 정보주체의 동의, 법률의 특별한 "
        "규정 등 「개인정보 보호법」 제17조 및 제18조에 해당하는 경우에만 개인정보를 제3자에게 제공합니다.")]
    rows = tuple(
        (w.lines(t.name, t.contact), t.purpose, _labels(p, t.items, w.MISSING), _tp_retention(t),
         w.lines(t.basis and w.THIRD_PARTY_BASIS[t.basis], t.citation and w.citation_text(t.citation)) or w.MISSING,
         w.lines(t.country or "-", t.note))
        for t in s.recipients
    )
    if rows:
        blocks.append(Table("개인정보를 제공받는 자", ("제공받는 자", "제공 목적", "제공 항목", "보유·이용기간", "근거",
                                                 "국가·비고"), rows))
    elif s.announced:
        blocks.append(Para(f"제3자에게 제공한다고 밝히고 있으나 제공받는 자가 기재되어 있지 않습니다 ({w.MISSING})."))
    else:
        blocks.append(Para("현재 개인정보를 제3자에게 제공하지 않습니다."))
    if s.exceptions:
        blocks += [Heading("다음의 경우에는 예외로 합니다"), Bullets(s.exceptions)]
    return blocks + ([Para(s.note)] if s.note else [])


def _tp_retention(t: ThirdParty) -> str:
    return w.lines(t.retention and w.period(t.retention), t.retention_text) or w.MISSING


def _processors(p: Policy) -> list[Block]:
    s = p.processors
    blocks: list[Block] = [Para("회사는 원활한 개인정보 업무처리를 위하여 다음과 같이 개인정보 처리업무를 위탁하고 있습니다.")]
    rows = tuple(
        (x.name, w.lines(x.task, x.marketing and "(광고·마케팅 업무 포함)",
                         x.sub_processors and "재위탁: " + ", ".join(x.sub_processors), x.note),
         _labels(p, x.items, w.MISSING),
         w.lines(x.until_text or (x.until and w.PROCESSOR_UNTIL[x.until]),
                 x.max_period and f"최대 {x.max_period.korean()}") or w.MISSING,
         x.country or "-")
        for x in s.processors
    )
    if rows:
        blocks.append(Table("수탁자와 위탁업무", ("수탁자", "위탁업무", "위탁 항목", "보유·이용기간", "국가"), rows))
    elif s.announced:
        blocks.append(Para(f"처리업무를 위탁한다고 밝히고 있으나 수탁자가 기재되어 있지 않습니다 ({w.MISSING})."))
    else:
        blocks.append(Para("현재 개인정보 처리업무를 위탁하지 않습니다."))
    return blocks + ([Para(s.note)] if s.note else [])


def _abroad(p: Policy) -> list[ThirdParty | Processor]:
    parties: list[ThirdParty | Processor] = [*p.third_parties.recipients, *p.processors.processors]
    return [x for x in parties if x.is_overseas or x.overseas is not None]


def _overseas(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    for x in _abroad(p):
        o = x.overseas
        role = "제3자 제공" if isinstance(x, ThirdParty) else "처리위탁·보관"
        blocks.append(Table(f"{x.name} ({role})", ("구분", "내용"), w.overseas_rows(
            o, items=_labels(p, (o.items if o and o.items else x.items), w.MISSING), name=x.name,
            country=x.country, contact=x.contact if isinstance(x, ThirdParty) else None)))
    if blocks:
        blocks.insert(0, Para("회사는 다음과 같이 개인정보를 국외로 이전합니다 (「개인정보 보호법」 제28조의8)."))
    return blocks


def _security(p: Policy) -> list[Block]:
    if not p.security:
        return [Para(f"안전성 확보조치: {w.MISSING}")]
    return [Para("회사는 개인정보의 안전성 확보를 위해 다음과 같은 조치를 취하고 있습니다."), Bullets(tuple(
        f"{w.SECURITY_KIND[m.kind]}: {m.description}" + (f" (대상: {_covers(p, m.covers)})" if m.covers else "")
        for m in p.security))]


def _covers(p: Policy, covers: tuple[str, ...]) -> str:
    return ", ".join(w.ITEM_CLASS.get(c, p.label_of(c)) if c not in p.items_by_id else p.label_of(c) for c in covers)


def _auto_collection(p: Policy) -> list[Block]:
    if not p.auto_collection:
        return [Para("처리방침에 기재된 자동 수집 장치가 없습니다.")]
    rows = tuple(
        (f"{a.label} ({w.AUTO_KIND[a.kind]})", _labels(p, a.items), a.purpose, a.how_to_refuse or w.MISSING,
         a.refusal_consequence or w.MISSING)
        for a in p.auto_collection
    )
    return [Table("자동 수집 장치와 거부 방법", ("구분", "수집 항목", "이용 목적", "거부 방법", "거부 시 영향"), rows)]


def _pseudonymization(p: Policy) -> list[Block]:
    ps = p.pseudonymization
    if ps is None:
        return []
    return [Bullets(w.texts(
        ps.purposes and "처리 목적: " + ", ".join(ps.purposes), ps.items and f"처리 항목: {_labels(p, ps.items)}",
        ps.retention and f"보유기간: {ps.retention.korean()}", ps.recipients and "제공받는 자: " + ", ".join(ps.recipients),
        ps.note))]


def _automated_decisions(p: Policy) -> list[Block]:
    if not p.automated_decisions:
        return []
    return [Para("정보주체는 완전히 자동화된 결정에 대하여 거부하거나 설명 등을 요구할 수 있습니다 "
                 "(「개인정보 보호법」 제37조의2)."),
            Table("자동화된 결정", ("결정", "목적", "이용 항목", "판단 기준", "거부·설명 요구 방법"), tuple(
                (d.label, d.purpose, _labels(p, d.items), d.criteria or w.MISSING, d.how_to_object or w.MISSING)
                for d in p.automated_decisions))]


def _rights(p: Policy) -> list[Block]:
    r = p.rights
    blocks: list[Block] = [Para("정보주체는 회사에 대해 언제든지 개인정보 열람·정정·삭제·처리정지 요구 및 동의 철회 등의 "
                                "권리를 행사할 수 있습니다 (「개인정보 보호법」 제35조부터 제38조까지).")]
    if r is None:
        return [*blocks, Para(f"권리 행사 방법: {w.MISSING}")]
    days = f"{r.deadline_days}일 이내" if r.deadline_days else "10일 이내 (법정 기한)"
    if r.requestable:
        blocks += [Heading("열람 등을 요구할 수 있는 사항"), Bullets(r.requestable)]
    blocks += [Heading("행사 방법과 처리 기한"), Bullets(w.texts(
        f"행사 방법: {w.channels(r.channels) or w.MISSING}",
        *r.procedure,
        f"처리 기한: 요구를 받은 날부터 {days}에 조치하고 그 결과를 알립니다.",
        r.guardian and "만 14세 미만 아동의 법정대리인은 아동의 개인정보에 대한 권리를 행사할 수 있습니다.",
        r.agent and "정보주체의 법정대리인이나 위임을 받은 자 등 대리인을 통하여 권리를 행사할 수 있으며, 이 경우 위임장을 "
                    "제출하여야 합니다.",
        r.correction_hold and "정정 또는 삭제를 요구한 경우, 완료할 때까지 해당 개인정보를 이용하거나 제공하지 않습니다.",
        r.notify_recipients_on_correction and "잘못된 개인정보를 이미 제3자에게 제공한 경우에는 정정 처리결과를 제3자에게 "
                                              "지체 없이 통지합니다.",
        r.withdrawal and f"동의 철회: {r.withdrawal}", r.note))]
    return blocks


def _officers(p: Policy) -> list[Block]:
    rows = tuple(
        (w.CONTACT_ROLE[o.role], o.name or o.department or "-", w.lines(o.title, o.name and o.department) or "-",
         w.lines(o.phone and f"전화: {o.phone}", o.email and f"이메일: {o.email}", o.fax and f"팩스: {o.fax}",
                 o.address and f"주소: {o.address}", o.hours and f"운영시간: {o.hours}") or "-")
        for o in p.officers
    )
    blocks: list[Block] = [Para("회사는 개인정보 처리에 관한 업무를 총괄해서 책임지고, 개인정보 처리와 관련한 정보주체의 "
                                "불만처리 및 피해구제 등을 위하여 아래와 같이 개인정보 보호책임자를 지정하고 있습니다.")]
    if p.officer is None:
        blocks.append(Para(f"개인정보 보호책임자: {w.MISSING}"))
    if rows:
        blocks.append(Table("개인정보 보호책임자와 담당부서", ("구분", "성명·부서", "직책", "연락처"), rows))
    cm = p.complaints
    if cm is not None and (cm.response_hours or cm.note):
        blocks += [Heading("문의 및 고충처리"), Bullets(w.texts(
            cm.response_hours and f"접수 후 {cm.response_hours}시간 이내에 답변합니다"
            + (" (업무시간 외·주말·공휴일 접수 건은 다음 영업일)." if cm.business_days else "."), cm.note))]
    return blocks


def _redress(p: Policy) -> list[Block]:
    listed = p.complaints.redress if p.complaints else ()
    blocks: list[Block] = [Para("정보주체는 개인정보침해로 인한 구제를 받기 위하여 다음 기관에 분쟁해결이나 상담 등을 "
                                "신청할 수 있습니다.")]
    if listed:
        return [*blocks, Table("권익침해 구제기관", ("기관", "전화", "홈페이지"),
                               tuple((r.name, r.phone or "-", r.url or "-") for r in listed))]
    return [*blocks, Heading("표준 권익침해 구제기관 (처리방침에 별도 기재 없음)"),
            Table("표준 권익침해 구제기관", ("기관", "전화", "홈페이지"), w.STANDARD_REDRESS)]


def _changes(p: Policy) -> list[Block]:
    n = p.notice
    where = ", ".join(n.channels) or "홈페이지 공지사항"
    blocks: list[Block] = [Bullets(w.texts(
        f"이 개인정보 처리방침은 {w.korean_date(p.effective)}부터 적용됩니다." if p.effective else None,
        f"시행일자: {w.korean_date(p.effective)}",
        p.announced and f"공고일자: {w.korean_date(p.announced)}",
        p.version and f"버전: {p.version}",
        f"처리방침이 변경되는 경우 시행 {n.lead_days}일 전부터 {where}을(를) 통하여 알립니다.",
        f"수집·이용 항목, 제3자 제공 등 중요한 변경은 시행 {n.material_lead_days}일 전부터 알립니다.",
        n.note))]
    if p.history:
        blocks += [Heading("이전 처리방침"), Table("이전 처리방침", ("버전", "시행일자", "비고"), tuple(
            (h.version, w.korean_date(h.effective), w.lines(h.note, h.url) or "-") for h in p.history))]
    return blocks
