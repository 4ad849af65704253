"""The menus of the two faces: every page a person needs is reachable from here. A console entry
names the action its role needs (``None``: every signed-in handler)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MenuItem:
    path: str
    ko: str
    en: str
    needs: str | None = None
    """The role action the page needs (console); None: everyone signed in."""


CONSOLE: list[MenuItem] = [
    MenuItem("/console/", "현황", "Dashboard"),
    MenuItem("/console/rights", "권리 행사", "Rights requests", "rights"),
    MenuItem("/console/review", "접속기록 점검", "Access-log review", "audit"),
    MenuItem("/console/justifications", "소명", "Justifications"),
    MenuItem("/console/ledger", "파기 기록", "Destruction ledger", "audit"),
    MenuItem("/console/policy", "처리방침", "Policy"),
    MenuItem("/console/processors", "수탁자", "Processors"),
    MenuItem("/console/provisions", "제3자 제공", "Third parties", "audit"),
    MenuItem("/console/handlers", "취급자·권한", "Handlers and roles", "admin"),
    MenuItem("/console/incidents", "유출 사고", "Incidents", "incident"),
    MenuItem("/console/complaints", "민원", "Complaints", "complaints"),
]
"""The console's menu, in order; each page module adds its entries here."""

PRIVACY: list[MenuItem] = [
    MenuItem("/privacy/me", "내 정보", "My data"),
    MenuItem("/privacy/consents", "내 동의", "My consents"),
    MenuItem("/privacy/requests", "내 요구", "My requests"),
    MenuItem("/privacy/policy", "처리방침", "Privacy policy"),
    MenuItem("/privacy/consent-screens", "동의 화면", "Consent screens"),
]
"""The privacy center's menu, in order (for a signed-in member or guardian)."""

PRIVACY_PUBLIC: list[MenuItem] = [
    MenuItem("/privacy/", "들어가기", "Come in"),
    MenuItem("/privacy/policy", "처리방침", "Privacy policy"),
    MenuItem("/privacy/consent-screens", "동의 화면", "Consent screens"),
]
"""Privacy-center pages open to anyone (the policy, the consent screens)."""
