"""Sections 안전성 확보조치 to 처리방침의 변경: safeguards, automatic collection, rights, contacts, redress, changes."""  # noqa: E501

from __future__ import annotations

from jikimi.policy import wording as w
from jikimi.policy._document_blocks import Block, Bullets, Heading, Para, Table
from jikimi.policy._document_processing import labels
from jikimi.policy.model import Policy


def security_section(p: Policy) -> list[Block]:
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


def auto_collection_section(p: Policy) -> list[Block]:
    if not p.auto_collection:
        return [Para("처리방침에 기재된 자동 수집 장치가 없습니다.")]
    rows = tuple(
        (
            f"{a.label} ({w.AUTO_KIND[a.kind]})",
            labels(p, a.items),
            a.purpose,
            a.how_to_refuse or w.MISSING,
            a.refusal_consequence or w.MISSING,
        )
        for a in p.auto_collection
    )
    head = ("구분", "수집 항목", "이용 목적", "거부 방법", "거부 시 영향")
    return [Table("자동 수집 장치와 거부 방법", head, rows)]


def pseudonymization_section(p: Policy) -> list[Block]:
    ps = p.pseudonymization
    if ps is None:
        return []
    return [
        Bullets(
            w.texts(
                ps.purposes and "처리 목적: " + ", ".join(ps.purposes),
                ps.items and f"처리 항목: {labels(p, ps.items)}",
                ps.retention and f"보유기간: {ps.retention.korean()}",
                ps.recipients and "제공받는 자: " + ", ".join(ps.recipients),
                ps.note,
            )
        )
    ]


def automated_decisions_section(p: Policy) -> list[Block]:
    if not p.automated_decisions:
        return []
    rows = tuple(
        (d.label, d.purpose, labels(p, d.items), d.criteria or w.MISSING, d.how_to_object or w.MISSING)
        for d in p.automated_decisions
    )
    head = ("결정", "목적", "이용 항목", "판단 기준", "거부·설명 요구 방법")
    return [Para(w.AUTOMATED_INTRO), Table("자동화된 결정", head, rows)]


def _channels_line(p: Policy) -> str:
    """How requests are made: the channels declared, or — none declared — those the desk takes."""
    if p.rights is not None and p.rights.channels:
        return f"행사 방법: {w.channels(p.rights.channels)}"
    taken = w.josa(w.channels(p.rights_channels), "으로", "로")
    return f"행사 방법: {w.MISSING} (처리방침에 적혀 있지 않아 {taken} 받습니다)"


def rights_section(p: Policy) -> list[Block]:
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
                _channels_line(p),
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


def officers_section(p: Policy) -> list[Block]:
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


def redress_section(p: Policy) -> list[Block]:
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


def _notice_undeclared(lead: int, material: int) -> str:
    """The file states no notice periods: say so, and say the ones ``diff`` holds a change to."""
    return (
        "변경 고지 기간: 미기재 (처리방침에 변경 고지 기간이 적혀 있지 않습니다). "
        f"변경은 적어도 시행 {lead}일 전, 중요한 변경은 시행 {material}일 전에 "
        "알리는 것을 기준으로 처리합니다."
    )


def changes_section(p: Policy) -> list[Block]:
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
                    else (_notice_undeclared(n.lead_days, n.material_lead_days),)
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
