"""The wording of notices: a built-in Korean template per kind (``templates/<kind>.txt``, English
alongside), which the policy may replace (``notice.wording.<kind>.title`` / ``.body``).

A template has two blocks, ``title`` and ``body``, and sees only what the outbox row holds (ids,
dates and codes) and what the policy says (the controller, the officer, item labels): a personal
value never reaches a template, so none can be written into a notice by mistake. Policy wording is
rendered in Jinja2's sandbox: a policy file is data, not code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from jikimi.errors import UsageError
from jikimi.notices.words import WORDS
from jikimi.policy.model import NoticeKind, Policy

KST = timezone(timedelta(hours=9), "KST")


@dataclass(frozen=True)
class Wording:
    """A rendered notice: its title (an e-mail's subject) and its plain-text body."""

    title: str
    body: str


def kst(value: object, fmt: str = "%Y년 %m월 %d일 %H:%M") -> str:
    """An instant (a ``datetime`` or an ISO text) shown in Korean time: ``2026년 12월 03일 17:00 (KST)``."""
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(instant, datetime):
        return str(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return f"{instant.astimezone(KST).strftime(fmt)} (KST)"


def kst_date(value: object) -> str:
    """The Korean date of an instant: ``2026년 12월 03일``."""
    return kst(value, "%Y년 %m월 %d일").removesuffix(" (KST)")


def iso_date(value: object) -> str:
    """The date of an instant in Korean time, as ISO 8601 (``2026-12-03``), for the English lines."""
    return kst(value, "%Y-%m-%d").removesuffix(" (KST)")


def _prepare(env: Environment) -> Environment:
    env.filters["kst"] = kst
    env.filters["kst_date"] = kst_date
    env.filters["iso_date"] = iso_date
    return env


@cache
def _builtin() -> Environment:
    return _prepare(
        Environment(
            loader=PackageLoader("jikimi.notices", "templates"),
            undefined=StrictUndefined,
            autoescape=False,  # plain text; the HTML postings escape their own values
            keep_trailing_newline=True,
        )
    )


@cache
def _sandbox() -> SandboxedEnvironment:
    env = _prepare(SandboxedEnvironment(undefined=StrictUndefined, autoescape=False))
    assert isinstance(env, SandboxedEnvironment)
    return env


def context(policy: Policy, payload: Mapping[str, object], message_id: str) -> dict[str, object]:
    """What a template sees: the payload, the message id and what the policy says about the controller."""
    officer = next(
        (o for o in policy.officers if o.role == "officer"), policy.officers[0] if policy.officers else None
    )
    return {
        "policy": policy,
        "payload": dict(payload),
        "message_id": message_id,
        "controller": policy.controller,
        "officer": officer,
        "policy_title": policy.title,
        "label": policy.label_of,
        "words": WORDS,  # names of codes: policy sections, request outcomes, refusal grounds
    }


def render(policy: Policy, kind: NoticeKind, payload: Mapping[str, object], *, message_id: str) -> Wording:
    """The notice of ``kind`` for one outbox row, in the policy's wording where it has its own."""
    own = policy.notice.wording.get(kind)
    values = context(policy, payload, message_id)
    builtin = _builtin().get_template(f"{kind}.txt")
    try:
        title = (
            _block(builtin, "title", values) if own is None or own.title is None else _own(own.title, values)
        )
        body = _block(builtin, "body", values) if own is None or own.body is None else _own(own.body, values)
    except TemplateError as exc:
        raise UsageError(
            f"처리방침의 통지 문구(notice.wording.{kind})를 그릴 수 없습니다: {type(exc).__name__}",
            f"the policy's wording of {kind} (notice.wording.{kind}) cannot be rendered: "
            f"{type(exc).__name__}",
        ) from exc
    return Wording(" ".join(title.split()), body.strip() + "\n")


def _block(template: Template, name: str, values: dict[str, object]) -> str:
    return "".join(template.blocks[name](template.new_context(values)))


def _own(source: str, values: dict[str, object]) -> str:
    return _sandbox().from_string(source).render(values)
