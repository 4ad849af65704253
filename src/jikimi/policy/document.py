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
    free: list[Block] = [b for s in p.sections for b in (Heading(s.title), Para(s.body))]
    parts: list[tuple[str, str, list[Block]]] = [
        ("purposes", "개인정보의 처리 목적", _purposes(p)),
        ("items", "처리하는 개인정보의 항목", _items(p)),
        ("retention", "개인정보의 처리 및 보유기간", _retention(p)),
        ("children", "만 14세 미만 아동의 개인정보 처리", _children(p)),
        ("destruction", "개인정보의 파기 절차 및 방법", _destruction(p)),
        ("third-parties", "개인정보의 제3자 제공", _third_parties(p)),
        ("processors", "개인정보 처리업무의 위탁", _processors(p)),
        ("overseas", "개인정보의 국외 이전", _overseas(p)),
        ("security", "개인정보의 안전성 확보조치", _security(p)),
        ("auto-collection", "개인정보 자동 수집 장치의 설치·운영 및 거부", _auto_collection(p)),
        ("pseudonymization", "가명정보의 처리", _pseudonymization(p)),
        ("automated-decisions", "자동화된 결정에 관한 사항", _automated_decisions(p)),
        ("rights", "정보주체와 법정대리인의 권리·의무 및 행사방법", _rights(p)),
        ("officers", "개인정보 보호책임자 및 고충처리", _officers(p)),
        ("redress", "정보주체의 권익침해에 대한 구제방법", _redress(p)),
        ("other", "그 밖의 사항", free),
        ("changes", "개인정보 처리방침의 변경", _changes(p)),
    ]
    present = [(ident, title, tuple(blocks)) for ident, title, blocks in parts if blocks]
    sections = tuple(Section(ident, n, title, blocks) for n, (ident, title, blocks) in enumerate(present, 1))
    c = p.controller
    facts = tuple(
        (k, v)
        for k, v in (
            ("개인정보처리자", c.name),
            ("서비스", c.service),
            ("대표자", c.representative),
            ("주소", c.address),
            ("대표전화", c.phone),
            ("웹사이트", c.website),
            ("버전", p.version),
        )
        if v
    )
    return Document(
        title=p.title,
        subtitle=f"Privacy Policy — {c.name}",
        facts=facts,
        intro=(p.preamble or w.INTRO.format(name=c.name),),
        label=_label(p),
        sections=sections,
        effective=f"시행일자: {w.korean_date(p.effective)}",
    )


def _labels(p: Policy, refs: tuple[str, ...] | list[str], empty: str = "-") -> str:
    return w.join([p.label_of(r) for r in refs], empty=empty)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _label(p: Policy) -> Table:
    """주요 개인정보 처리 표시 (라벨링): the summary at the top, each row pointing at its section."""
    required = _unique([i for c in p.contexts for i in c.required])
    optional = _unique([i for c in p.contexts for i in c.optional if i not in required])
    items = w.lines(f"필수: {_labels(p, required)}", optional and f"선택: {_labels(p, optional)}")
    rows: list[tuple[str, str, str]] = [
        ("처리 목적", w.join([x.label for x in p.purposes], empty=w.MISSING), "purposes"),
        ("처리 항목", items, "items"),
    ]
    special = [i.label for i in p.items if i.is_sensitive or i.is_unique_id]
    if special:
        rows.append(("민감정보·고유식별정보", w.join(special), "items"))
    kept = [f"{r.label or _labels(p, r.what)} {w.retention_period(r)}" for r in p.retention]
    ends = "처리 목적 달성 또는 회원 탈퇴 시 지체 없이 파기"
    rows.append(("보유기간", w.lines(ends, kept and "예외: " + ", ".join(kept)), "retention"))
    recipients = [t.name for t in p.third_parties.recipients]
    rows.append(("제3자 제공", w.join(recipients, empty="없음"), "third-parties"))
    rows.append(("처리 위탁", w.join([x.name for x in p.processors.processors], empty="없음"), "processors"))
    abroad = [f"{x.name} ({x.country})" if x.country else x.name for x in _abroad(p)]
    if abroad:
        rows.append(("국외 이전", w.join(abroad), "overseas"))
    desks = ("officer", "department", "manager", "help_desk")
    desk = next((o for role in desks for o in p.officers if o.role == role), None)
    contact = w.join(w.texts(desk.name or desk.department, desk.phone, desk.email)) if desk else w.MISSING
    rows.append(("고충처리", contact, "officers"))
    return Table(
        "주요 개인정보 처리 표시 (라벨링)",
        ("구분", "내용"),
        tuple((a, b) for a, b, _ in rows),
        tuple(link for *_, link in rows),
    )


def _purposes(p: Policy) -> list[Block]:
    if not p.purposes:
        return [Para(f"처리 목적: {w.MISSING}")]
    rows = []
    for x in p.purposes:
        kind = {"required": "필수 동의", "optional": "선택 동의"}.get(x.consent or "", "")
        basis = w.lines(
            w.legal_basis(x.basis, x.citation),
            f"마케팅·광고 목적 ({kind or '동의'})" if x.marketing else kind,
            x.separate_consent and "별도 동의",
            not x.children and "만 14세 미만 아동에게는 적용하지 않음",
        )
        rows.append((x.label, w.lines(*x.details, x.note) or "-", _labels(p, x.items + x.records), basis))
    head = ("처리 목적", "세부 내용", "처리 항목", "처리 근거")
    return [Para(w.PURPOSES_INTRO), Table("개인정보의 처리 목적과 근거", head, tuple(rows))]


def _items(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    rows = tuple(
        (
            c.label,
            _labels(p, c.required),
            _labels(p, c.optional),
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
            w.join(w.texts(r.label, r.description, r.items and f"항목: {_labels(p, r.items)}"))
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
            bases = _unique([w.legal_basis(u.basis) for u in uses])
            rows.append((item.label, "\n".join(bases), w.join([u.label for u in uses])))
    return rows


def _retention(p: Policy) -> list[Block]:
    blocks: list[Block] = [Para(w.RETENTION_INTRO)]
    rows = tuple(
        (
            w.lines(*_unique([r.label or "", _labels(p, r.what)])),
            w.retention_period(r),
            w.start(r.from_),
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


def _children(p: Policy) -> list[Block]:
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
    guardian_items = _labels(p, ch.guardian_items)
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


def _destruction(p: Policy) -> list[Block]:
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


def _third_parties(p: Policy) -> list[Block]:
    s = p.third_parties
    blocks: list[Block] = [Para(w.THIRD_PARTY_INTRO)]
    rows = tuple(
        (
            w.lines(t.name, t.contact),
            t.purpose,
            _labels(p, t.items, w.MISSING),
            _tp_retention(t),
            w.lines(t.basis and w.THIRD_PARTY_BASIS[t.basis], t.citation and w.citation_text(t.citation))
            or w.MISSING,
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


def _processors(p: Policy) -> list[Block]:
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
            _labels(p, x.items, w.MISSING),
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


def _abroad(p: Policy) -> list[ThirdParty | Processor]:
    parties: list[ThirdParty | Processor] = [*p.third_parties.recipients, *p.processors.processors]
    return [x for x in parties if x.is_overseas or x.overseas is not None]


def _overseas(p: Policy) -> list[Block]:
    blocks: list[Block] = []
    for x in _abroad(p):
        o = x.overseas
        role = "제3자 제공" if isinstance(x, ThirdParty) else "처리위탁·보관"
        items = _labels(p, o.items if o and o.items else x.items, w.MISSING)
        contact = x.contact if isinstance(x, ThirdParty) else None
        rows = w.overseas_rows(o, items=items, name=x.name, country=x.country, contact=contact)
        blocks.append(Table(f"{x.name} ({role})", ("구분", "내용"), rows))
    return [Para(w.OVERSEAS_INTRO), *blocks] if blocks else []


def _security(p: Policy) -> list[Block]:
    if not p.security:
        return [Para(f"안전성 확보조치: {w.MISSING}")]
    return [
        Para(w.SECURITY_INTRO),
        Bullets(
            tuple(
                f"{w.SECURITY_KIND[m.kind]}: {m.description}"
                + (f" (대상: {_covers(p, m.covers)})" if m.covers else "")
                for m in p.security
            )
        ),
    ]


def _covers(p: Policy, covers: tuple[str, ...]) -> str:
    return ", ".join(p.label_of(c) if c in p.items_by_id else w.ITEM_CLASS.get(c, c) for c in covers)


def _auto_collection(p: Policy) -> list[Block]:
    if not p.auto_collection:
        return [Para("처리방침에 기재된 자동 수집 장치가 없습니다.")]
    rows = tuple(
        (
            f"{a.label} ({w.AUTO_KIND[a.kind]})",
            _labels(p, a.items),
            a.purpose,
            a.how_to_refuse or w.MISSING,
            a.refusal_consequence or w.MISSING,
        )
        for a in p.auto_collection
    )
    head = ("구분", "수집 항목", "이용 목적", "거부 방법", "거부 시 영향")
    return [Table("자동 수집 장치와 거부 방법", head, rows)]


def _pseudonymization(p: Policy) -> list[Block]:
    ps = p.pseudonymization
    if ps is None:
        return []
    return [
        Bullets(
            w.texts(
                ps.purposes and "처리 목적: " + ", ".join(ps.purposes),
                ps.items and f"처리 항목: {_labels(p, ps.items)}",
                ps.retention and f"보유기간: {ps.retention.korean()}",
                ps.recipients and "제공받는 자: " + ", ".join(ps.recipients),
                ps.note,
            )
        )
    ]


def _automated_decisions(p: Policy) -> list[Block]:
    if not p.automated_decisions:
        return []
    rows = tuple(
        (d.label, d.purpose, _labels(p, d.items), d.criteria or w.MISSING, d.how_to_object or w.MISSING)
        for d in p.automated_decisions
    )
    head = ("결정", "목적", "이용 항목", "판단 기준", "거부·설명 요구 방법")
    return [Para(w.AUTOMATED_INTRO), Table("자동화된 결정", head, rows)]


def _rights(p: Policy) -> list[Block]:
    r = p.rights
    blocks: list[Block] = [Para(w.RIGHTS_INTRO)]
    if r is None:
        return [*blocks, Para(f"권리 행사 방법: {w.MISSING}")]
    days = f"{r.deadline_days}일 이내" if r.deadline_days else "10일 이내 (법정 기한)"
    if r.requestable:
        blocks += [Heading("열람 등을 요구할 수 있는 사항"), Bullets(r.requestable)]
    blocks += [
        Heading("행사 방법과 처리 기한"),
        Bullets(
            w.texts(
                f"행사 방법: {w.channels(r.channels) or w.MISSING}",
                *r.procedure,
                f"처리 기한: 요구를 받은 날부터 {days}에 조치하고 그 결과를 알립니다.",
                r.guardian and w.RIGHTS_GUARDIAN,
                r.agent and w.RIGHTS_AGENT,
                r.correction_hold and w.CORRECTION_HOLD,
                r.notify_recipients_on_correction and w.NOTIFY_RECIPIENTS,
                r.withdrawal and f"동의 철회: {r.withdrawal}",
                r.note,
            )
        ),
    ]
    return blocks


def _officers(p: Policy) -> list[Block]:
    rows = tuple(
        (
            w.CONTACT_ROLE[o.role],
            o.name or o.department or "-",
            w.lines(o.title, o.name and o.department) or "-",
            w.lines(
                o.phone and f"전화: {o.phone}",
                o.email and f"이메일: {o.email}",
                o.fax and f"팩스: {o.fax}",
                o.address and f"주소: {o.address}",
                o.hours and f"운영시간: {o.hours}",
            )
            or "-",
        )
        for o in p.officers
    )
    blocks: list[Block] = [Para(w.OFFICERS_INTRO)]
    if p.officer is None:
        blocks.append(Para(f"개인정보 보호책임자: {w.MISSING}"))
    if rows:
        blocks.append(Table("개인정보 보호책임자와 담당부서", ("구분", "성명·부서", "직책", "연락처"), rows))
    cm = p.complaints
    if cm is not None and (cm.response_hours or cm.note):
        after_hours = " (업무시간 외·주말·공휴일 접수 건은 다음 영업일)" if cm.business_days else ""
        blocks += [
            Heading("문의 및 고충처리"),
            Bullets(
                w.texts(
                    cm.response_hours and f"접수 후 {cm.response_hours}시간 이내에 답변합니다{after_hours}.",
                    cm.note,
                )
            ),
        ]
    return blocks


def _redress(p: Policy) -> list[Block]:
    listed = p.complaints.redress if p.complaints else ()
    head = ("기관", "전화", "홈페이지")
    if listed:
        rows = tuple((r.name, r.phone or "-", r.url or "-") for r in listed)
        return [Para(w.REDRESS_INTRO), Table("권익침해 구제기관", head, rows)]
    return [
        Para(w.REDRESS_INTRO),
        Heading("표준 권익침해 구제기관 (처리방침에 별도 기재 없음)"),
        Table("표준 권익침해 구제기관", head, w.STANDARD_REDRESS),
    ]


def _notice_lines(lead: int, material: int, where: str) -> tuple[str, str]:
    return (
        f"처리방침이 변경되는 경우 시행 {lead}일 전부터 {w.josa(where, '을', '를')} 통하여 알립니다.",
        f"수집·이용 항목, 제3자 제공 등 중요한 변경은 시행 {material}일 전부터 알립니다.",
    )


def _changes(p: Policy) -> list[Block]:
    n = p.notice
    where = ", ".join(n.channels) or "홈페이지 공지사항"
    blocks: list[Block] = [
        Bullets(
            w.texts(
                p.effective and f"이 개인정보 처리방침은 {w.korean_date(p.effective)}부터 적용됩니다.",
                f"시행일자: {w.korean_date(p.effective)}",
                p.announced and f"공고일자: {w.korean_date(p.announced)}",
                p.version and f"버전: {p.version}",
                *(
                    _notice_lines(n.lead_days, n.material_lead_days, where)
                    if p.notice_declared
                    else ("변경 고지 기간: 미기재 (처리방침에 변경 고지 기간이 적혀 있지 않습니다)",)
                ),
                n.note,
            )
        )
    ]
    if p.history:
        rows = tuple(
            (h.version, w.korean_date(h.effective), w.lines(h.note, h.url) or "-") for h in p.history
        )
        blocks += [Heading("이전 처리방침"), Table("이전 처리방침", ("버전", "시행일자", "비고"), rows)]
    return blocks
