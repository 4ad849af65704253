"""The 처리방침 as plain blocks — paragraphs, lists, tables — in the order of the PIPC writing guideline.

``build_document`` turns a ``Policy`` into a ``Document``: the title and controller, the summary
label (라벨링) table, then the numbered sections (처리 목적, 항목, 보유기간, … 처리방침의 변경). A section
with nothing to say is left out; a required value the policy leaves empty is shown as ``미기재``.
``jikimi.policy.render`` lays the blocks out as Markdown or HTML, so both say the same thing.

The blocks are defined in ``jikimi.policy._document_blocks`` and the sections in
``_document_processing`` and ``_document_safeguards``; this module puts them together.
"""

from __future__ import annotations

from jikimi.policy import wording as w
from jikimi.policy._document_blocks import Block, Bullets, Document, Heading, Para, Section, Table
from jikimi.policy._document_processing import (
    abroad_parties,
    children_section,
    destruction_section,
    items_section,
    labels,
    overseas_section,
    processors_section,
    purposes_section,
    retention_section,
    third_parties_section,
    unique,
)
from jikimi.policy._document_safeguards import (
    auto_collection_section,
    automated_decisions_section,
    changes_section,
    officers_section,
    pseudonymization_section,
    redress_section,
    rights_section,
    security_section,
)
from jikimi.policy.model import Policy

__all__ = ["Block", "Bullets", "Document", "Heading", "Para", "Section", "Table", "build_document"]


def build_document(p: Policy) -> Document:
    """The 처리방침 as blocks, in the guideline's order; a section with nothing to say is left out."""
    free: list[Block] = [b for s in p.sections for b in (Heading(s.title), Para(s.body))]
    parts: list[tuple[str, str, list[Block]]] = [
        ("purposes", "개인정보의 처리 목적", purposes_section(p)),
        ("items", "처리하는 개인정보의 항목", items_section(p)),
        ("retention", "개인정보의 처리 및 보유기간", retention_section(p)),
        ("children", "만 14세 미만 아동의 개인정보 처리", children_section(p)),
        ("destruction", "개인정보의 파기 절차 및 방법", destruction_section(p)),
        ("third-parties", "개인정보의 제3자 제공", third_parties_section(p)),
        ("processors", "개인정보 처리업무의 위탁", processors_section(p)),
        ("overseas", "개인정보의 국외 이전", overseas_section(p)),
        ("security", "개인정보의 안전성 확보조치", security_section(p)),
        ("auto-collection", "개인정보 자동 수집 장치의 설치·운영 및 거부", auto_collection_section(p)),
        ("pseudonymization", "가명정보의 처리", pseudonymization_section(p)),
        ("automated-decisions", "자동화된 결정에 관한 사항", automated_decisions_section(p)),
        ("rights", "정보주체와 법정대리인의 권리·의무 및 행사방법", rights_section(p)),
        ("officers", "개인정보 보호책임자 및 고충처리", officers_section(p)),
        ("redress", "정보주체의 권익침해에 대한 구제방법", redress_section(p)),
        ("other", "그 밖의 사항", free),
        ("changes", "개인정보 처리방침의 변경", changes_section(p)),
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


def _label(p: Policy) -> Table:
    """주요 개인정보 처리 표시 (라벨링): the summary at the top, each row pointing at its section."""
    required = unique([i for c in p.contexts for i in c.required])
    optional = unique([i for c in p.contexts for i in c.optional if i not in required])
    items = w.lines(f"필수: {labels(p, required)}", optional and f"선택: {labels(p, optional)}")
    rows: list[tuple[str, str, str]] = [
        ("처리 목적", w.join([x.label for x in p.purposes], empty=w.MISSING), "purposes"),
        ("처리 항목", items, "items"),
    ]
    special = [i.label for i in p.items if i.is_sensitive or i.is_unique_id]
    if special:
        rows.append(("민감정보·고유식별정보", w.join(special), "items"))
    kept = [f"{r.label or labels(p, r.what)} {w.retention_period(r)}" for r in p.retention]
    ends = "처리 목적 달성 또는 회원 탈퇴 시 지체 없이 파기"
    rows.append(("보유기간", w.lines(ends, kept and "예외: " + ", ".join(kept)), "retention"))
    recipients = [t.name for t in p.third_parties.recipients]
    rows.append(("제3자 제공", w.join(recipients, empty="없음"), "third-parties"))
    rows.append(("처리 위탁", w.join([x.name for x in p.processors.processors], empty="없음"), "processors"))
    abroad = [f"{x.name} ({x.country})" if x.country else x.name for x in abroad_parties(p)]
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
