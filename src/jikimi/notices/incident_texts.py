"""The texts of breach response that are not notices to one person: the draft report to the regulator
(``templates/incident_report.md``, Korean Markdown) and the website posting for subjects without a
contact (``templates/breach_posting.html``, every value escaped). Both are rendered from the
incident (ids, dates, codes, counts) and what the policy says (the controller, its officers, the
redress bodies, item labels) — never from a subject's value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jikimi.notices.incident_model import Incident, Step
from jikimi.notices.incident_rules import ADVICE, BODIES, CAUSES, KINDS, MEASURES, WINDOW
from jikimi.notices.wording import iso_date, kst, kst_date
from jikimi.policy.model import Policy

CONTACT_ROLES = ("officer", "department", "help_desk", "manager")
"""The policy's contacts a breach notice names for reports and advice (피해 신고·상담 부서)."""


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("jikimi.notices", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kst"] = kst
    env.filters["kst_date"] = kst_date
    env.filters["iso_date"] = iso_date
    return env


def _words(policy: Policy) -> dict[str, object]:
    return {
        "policy": policy,
        "controller": policy.controller,
        "contacts": [c for c in policy.officers if c.role in CONTACT_ROLES],
        "redress": policy.complaints.redress if policy.complaints else (),
        "label": policy.label_of,
        "label_en": lambda i: (policy.items_by_id[i].label_en or i) if i in policy.items_by_id else i,
        "KINDS": KINDS,
        "CAUSES": CAUSES,
        "MEASURES": MEASURES,
        "ADVICE": ADVICE,
        "BODIES": BODIES,
    }


def report_markdown(
    policy: Policy,
    incident: Incident,
    *,
    to: str,
    advice: Sequence[str],
    by_channel: Mapping[str, int],
    timeline: Sequence[Step],
    now: datetime,
) -> str:
    """The draft report to PIPC or KISA (개인정보 유출 등 신고서 초안), with the fields the regulator's
    form asks."""
    values = _words(policy) | {
        "incident": incident,
        "to": to,
        "advice": list(advice),
        "by_channel": dict(by_channel),
        "timeline": list(timeline),
        "now": now,
        "window_hours": int(WINDOW.total_seconds() // 3600),
    }
    return _environment().get_template("incident_report.md").render(values)


def posting_html(
    policy: Policy, payload: Mapping[str, object], *, posted_at: datetime, until_at: datetime
) -> str:
    """The website notice for subjects without a contact (령 39②): the five things of a breach notice."""
    values = _words(policy) | {"payload": dict(payload), "posted_at": posted_at, "until_at": until_at}
    return _environment().get_template("breach_posting.html").render(values)


def posting_title(policy: Policy, kind: str) -> str:
    service = policy.controller.service or policy.controller.name
    return f"[{service}] 개인정보 {KINDS[kind].ko} 안내 (Notice of a personal data {KINDS[kind].en})"
