"""Render a policy as the published 개인정보 처리방침 (Markdown or one HTML page) and as consent screens.

``jikimi.policy.document`` builds the document as plain blocks in the order of the PIPC writing
guideline; the Jinja2 templates in ``templates/`` only lay those blocks out, so Markdown and HTML
say the same thing. The HTML environment autoescapes every value and the Markdown one escapes
every value, because values come from a file. Consent screens (PIPA 15②, 17②, 22) are built here,
one block per separate consent, and never with a pre-ticked box.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeVar

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from jikimi.errors import UsageError
from jikimi.policy import wording as w
from jikimi.policy.document import build_document
from jikimi.policy.model import Context, Item, Policy, Purpose, ThirdParty

__all__ = [
    "ConsentBlock",
    "ConsentScreen",
    "build_consent",
    "md_escape",
    "render_consent",
    "render_html",
    "render_markdown",
]


@dataclass(frozen=True)
class ConsentBlock:
    """One separate consent; ``kind="notice"`` tells of processing that needs no consent (no checkbox)."""

    key: str
    title: str
    required: bool
    kind: Literal["consent", "notice"]
    rows: tuple[tuple[str, str], ...]
    refusal: str


@dataclass(frozen=True)
class ConsentScreen:
    context_id: str
    title: str
    intro: tuple[str, ...]
    blocks: tuple[ConsentBlock, ...]


T = TypeVar("T")

REQUIRED_REFUSAL = "동의를 거부할 수 있으나, 거부 시 회원가입(서비스 이용)이 제한됩니다."
OPTIONAL_REFUSAL = "동의를 거부할 수 있으며, 동의하지 않아도 서비스 이용에 제한이 없습니다."

# --- public API -------------------------------------------------------------------------------


def render_markdown(policy: Policy) -> str:
    """The whole 처리방침 as Markdown (CommonMark with pipe tables)."""
    return _env("md").get_template("policy.md").render(doc=build_document(policy))


def render_html(policy: Policy) -> str:
    """The whole 처리방침 as one self-contained, printable HTML5 page (no scripts, no external files)."""
    return _env("html").get_template("policy.html").render(doc=build_document(policy))


def render_consent(policy: Policy, context_id: str, fmt: Literal["md", "html", "text"] = "md") -> str:
    """The consent screen of one collection context. Raises ``UsageError`` for an unknown context."""
    if fmt not in ("md", "html", "text"):
        raise UsageError(
            f"알 수 없는 형식 '{fmt}' (md, html, text)", f"unknown format '{fmt}' (md, html, text)"
        )
    screen = build_consent(policy, context_id)
    name = {"md": "consent.md", "html": "consent.html", "text": "consent.txt"}[fmt]
    return _env("md" if fmt == "md" else fmt).get_template(name).render(screen=screen)


# --- templates --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    """Backslash-escape the characters that would make a value Markdown or raw HTML."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_finalize(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return md_escape("" if value is None else str(value))


def _md_cell(value: str) -> Markup:
    return Markup("<br>".join(md_escape(part) for part in str(value).split("\n")))


def _html_escape(value: str) -> Markup:
    """Escaped text, with every 미기재 (a value the policy leaves empty) marked to stand out."""
    return Markup(str(escape(value)).replace(w.MISSING, f'<span class="missing">{w.MISSING}</span>'))


def _html_lines(value: str) -> Markup:
    """One line as text; several lines as a list, so a table cell keeps them apart."""
    parts = str(value).split("\n")
    if len(parts) == 1:
        return _html_escape(parts[0])
    return (
        Markup('<ul class="lines">')
        + Markup("").join(Markup("<li>") + _html_escape(part) + Markup("</li>") for part in parts)
        + Markup("</ul>")
    )


def _html_breaks(value: str) -> Markup:
    return Markup("<br>").join(_html_escape(part) for part in str(value).split("\n"))


def _md_text(value: str) -> Markup:
    """Free text: paragraphs kept, each line escaped, line breaks kept as hard breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value).strip()) if p.strip()]
    return Markup("\n\n".join("\\\n".join(md_escape(x.strip()) for x in p.split("\n")) for p in paragraphs))


def _html_text(value: str) -> Markup:
    paragraphs = [p for p in re.split(r"\n\s*\n", str(value).strip()) if p.strip()]
    return Markup("").join(Markup("<p>") + _html_breaks(p.strip()) + Markup("</p>\n") for p in paragraphs)


@cache
def _env(kind: Literal["md", "html", "text"]) -> Environment:
    if kind == "html":
        env = Environment(
            loader=PackageLoader("jikimi.policy", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(lines=_html_lines, text=_html_text)
    else:
        env = Environment(
            loader=PackageLoader("jikimi.policy", "templates"),
            autoescape=False,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_md_finalize if kind == "md" else None,
        )
        if kind == "md":
            env.filters.update(lines=_md_cell, text=_md_text)
        else:
            env.filters.update(lines=lambda v: str(v).replace("\n", "\n    "), text=lambda v: str(v).strip())
    return env


# --- consent screens --------------------------------------------------------------------------


def build_consent(p: Policy, context_id: str) -> ConsentScreen:
    """The separate consents (and notices) a collection context needs, in the order a screen shows them.

    Required items of purposes that need consent get a required consent; when every such purpose
    rests on another basis (contract, law…) they get a notice instead. Each optional purpose,
    each marketing purpose, sensitive data, unique identifiers, each third party (17②) and each
    overseas transfer (28-8) get their own block.
    """
    ctx = p.contexts_by_id.get(context_id)
    if ctx is None:
        known = ", ".join(c.id for c in p.contexts) or "-"
        raise UsageError(
            f"알 수 없는 수집 상황 '{context_id}' (정의된 상황: {known})",
            f"unknown collection context '{context_id}' (known: {known})",
        )
    collected = ctx.required + ctx.optional
    purposes = (
        [p.purposes_by_id[i] for i in ctx.purposes]
        if ctx.purposes
        else [x for x in p.purposes if set(x.items) & set(collected)]
    )
    marketing = [x for x in purposes if x.marketing]
    optional = [x for x in purposes if x.consent == "optional" and not x.marketing]
    core = [x for x in purposes if x not in marketing and x not in optional]
    special = [i for i in collected if _needs_special_consent(p.items_by_id[i])]
    by_law = [p.items_by_id[i] for i in collected if p.items_by_id[i].legal_basis is not None]
    blocks: list[ConsentBlock] = []

    general = [i for i in ctx.required if i not in special]
    if general:
        needs_consent = not core or any(x.basis in (None, "consent") for x in core)
        rows = _rows(p, ctx, core, general)
        if not needs_consent:
            rows += (("처리 근거", w.lines(*_distinct(w.legal_basis(x.basis) for x in core))),)
        rows += tuple(
            ("법령에 근거한 처리", f"{i.label}: {w.citation_text(i.legal_basis)}")
            for i in by_law
            if i.legal_basis is not None
        )
        blocks.append(
            ConsentBlock(
                f"{ctx.id}.required",
                "필수 개인정보 수집·이용 " + ("동의" if needs_consent else "안내"),
                True,
                "consent" if needs_consent else "notice",
                rows,
                _refusal(ctx, needs_consent),
            )
        )
    covered = {i for x in optional + marketing for i in x.items}
    leftover = [i for i in ctx.optional if i not in special and i not in covered]
    if leftover:
        users = [x for x in core if set(x.items) & set(leftover)] or core
        blocks.append(
            ConsentBlock(
                f"{ctx.id}.optional",
                "선택 개인정보 수집·이용 동의",
                False,
                "consent",
                _rows(p, ctx, users, leftover),
                OPTIONAL_REFUSAL,
            )
        )
    for x in optional + marketing:
        title = f"{'마케팅·광고 활용' if x.marketing else '개인정보 수집·이용'} 동의 ({x.label})"
        items = [i for i in x.items if i in collected] or list(x.items)
        blocks.append(
            ConsentBlock(
                f"purpose.{x.id}",
                title,
                x.consent == "required",
                "consent",
                _rows(p, ctx, [x], items, until="동의 철회 또는 회원 탈퇴 시까지"),
                REQUIRED_REFUSAL if x.consent == "required" else OPTIONAL_REFUSAL,
            )
        )
    kinds: tuple[tuple[str, str, Callable[[Item], bool]], ...] = (
        ("sensitive", "민감정보 처리 동의 (「개인정보 보호법」 제23조)", lambda i: i.is_sensitive),
        ("unique_id", "고유식별정보 처리 동의 (「개인정보 보호법」 제24조)", lambda i: i.is_unique_id),
    )
    for key, title, test in kinds:
        found = [i for i in special if test(p.items_by_id[i])]
        if found:
            required = any(i in ctx.required for i in found)
            users = [x for x in purposes if set(x.items) & set(found)]
            refusal = REQUIRED_REFUSAL if required else OPTIONAL_REFUSAL
            blocks.append(
                ConsentBlock(
                    f"{ctx.id}.{key}", title, required, "consent", _rows(p, ctx, users, found), refusal
                )
            )
    for party in p.third_parties.recipients:  # a recipient belongs where all it receives is collected
        if party.basis == "law" or not party.items or not set(party.items) <= set(collected):
            continue
        blocks.append(_third_party_block(p, party))
        if party.is_overseas or party.overseas is not None:
            blocks.append(_overseas_block(p, party))
    age = p.children.age if p.children else 14
    intro = [
        f"{w.josa(p.controller.name, '은', '는')} 「개인정보 보호법」에 따라 아래와 같이 개인정보를 "
        "처리하고자 합니다. 각 내용을 확인하신 후 항목별로 동의 여부를 선택해 주세요."
    ]
    if ctx.children == "guardian_consent":
        intro.append(f"만 {age}세 미만 아동은 법정대리인의 동의가 필요합니다.")
    elif ctx.children == "refused":
        intro.append(f"만 {age}세 미만 아동은 이용할 수 없습니다.")
    return ConsentScreen(ctx.id, f"{ctx.label} — 개인정보 처리 동의", tuple(intro), tuple(blocks))


def _refusal(ctx: Context, consent: bool) -> str:
    """The right to refuse, then the context's own consequence or the standard one (PIPA 15②4)."""
    if ctx.refusal_consequence is None:
        return (
            REQUIRED_REFUSAL
            if consent
            else "필수 항목의 제공을 거부할 수 있으나, 거부 시 서비스 이용이 제한됩니다."
        )
    right = "동의를 거부할 권리가 있습니다." if consent else "개인정보의 제공을 거부할 권리가 있습니다."
    return f"{right} {ctx.refusal_consequence}"


def _needs_special_consent(item: Item) -> bool:
    return (item.is_sensitive or item.is_unique_id) and item.legal_basis is None


def _distinct(values: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(values))


def _rows(
    p: Policy, ctx: Context, purposes: list[Purpose], items: list[str], until: str | None = None
) -> tuple[tuple[str, str], ...]:
    return (
        ("수집·이용 목적", w.join([x.label for x in purposes], empty=ctx.label)),
        ("수집 항목", w.join([p.label_of(i) for i in items])),
        ("보유·이용기간", _keep(p, ctx, items, until)),
    )


def _keep(p: Policy, ctx: Context, items: list[str], until: str | None) -> str:
    """Until when: withdrawal or the purpose's end, then each retention rule touching the items."""
    base = until or ("회원 탈퇴 시까지" if ctx.subjects == "member" else "처리 목적 달성 시까지")
    rules = _distinct(r for i in items for r in p.retention_of(i))
    kept = [
        f"{w.join([p.label_of(i) for i in r.what])}: {w.retention_period(r)} ({w.start(r.start)}, "
        f"{w.retention_basis(r)})"
        for r in rules
    ]
    return w.lines(base, kept and "단, 다음 정보는 해당 기간 동안 보존 후 파기합니다.", *kept)


def _third_party_block(p: Policy, t: ThirdParty) -> ConsentBlock:
    rows = (
        ("제공받는 자", t.name),
        ("제공받는 자의 이용 목적", t.purpose),
        ("제공 항목", w.join([p.label_of(i) for i in t.items])),
        (
            "제공받는 자의 보유·이용기간",
            w.lines(t.retention and w.period(t.retention), t.retention_text) or w.MISSING,
        ),
    )
    refusal = (
        f"동의를 거부할 수 있으며, 거부하시면 {t.name}에 개인정보가 제공되지 않습니다. "
        "그 밖의 서비스 이용에는 제한이 없습니다."
    )
    title = f"개인정보 제3자 제공 동의 ({t.name})"
    return ConsentBlock(f"third_party.{t.id}", title, False, "consent", rows, refusal)


def _overseas_block(p: Policy, t: ThirdParty) -> ConsentBlock:
    """A separate consent to transfer abroad (PIPA 28-8①1) with the five disclosures."""
    o = t.overseas
    items = w.join([p.label_of(i) for i in (o.items if o and o.items else t.items)], empty=w.MISSING)
    rows = w.overseas_rows(o, items=items, name=t.name, country=t.country, contact=t.contact)
    told = w.lines(o and o.how_to_refuse, o and o.refusal_consequence)
    refusal = f"국외 이전에 대한 동의를 거부할 권리가 있습니다.\n{told}" if told else OPTIONAL_REFUSAL
    return ConsentBlock(
        f"overseas.{t.id}", f"개인정보 국외 이전 동의 ({t.name})", False, "consent", rows, refusal
    )
