"""Who the privacy center is showing: a data subject, or the guardian of a child acting for them,
let in by a pass; and the only way a privacy-center page reads a posted form (CSRF checked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from jikimi.handlers import Handler
from jikimi.signin import PrivacySession
from jikimi.signin.privacy import member_actor
from jikimi.web import menu
from jikimi.web.console.deps import JikimiDep, csrf_refused, get_jikimi, same_origin
from jikimi.web.errors import Redirect
from jikimi.web.forms import Form, parse_form

COOKIE = "jk_privacy"
"""The privacy center's session cookie (Path=/privacy; HttpOnly; SameSite=Lax; Secure over TLS)."""
ENTRY = "/privacy/"


@dataclass(frozen=True)
class PrivacyUser:
    session: PrivacySession
    csrf: str

    @property
    def subject_id(self) -> str:
        return self.session.subject_id

    @property
    def acting_as(self) -> str:
        return self.session.acting_as

    @property
    def actor(self) -> Handler:
        """Who acts in the services: the subject (``self``) or the child's guardian, who may also
        read their own consents and state (``signin.privacy.member_actor``)."""
        return member_actor(self.session.acting_as)


def privacy_user(request: Request, jikimi: JikimiDep) -> PrivacyUser:
    token = request.cookies.get(COOKIE, "")
    session = jikimi.sessions.privacy(token) if token else None
    if session is None:
        raise Redirect(ENTRY)
    user = PrivacyUser(session=session, csrf=jikimi.sessions.csrf(token))
    request.state.face = "privacy"
    request.state.who = user
    request.state.csrf = user.csrf
    request.state.menu = list(menu.PRIVACY)
    return user


Member = Annotated[PrivacyUser, Depends(privacy_user)]


async def privacy_form(request: Request, member: Member) -> Form:
    same_origin(request)
    form = parse_form(await request.body())
    if not get_jikimi(request).sessions.csrf_ok(member.session.token, form.get("csrf", "")):
        raise csrf_refused()
    return form


PrivacyForm = Annotated[Form, Depends(privacy_form)]


def public_page(request: Request, *, member_menu: bool = False) -> None:
    """For a page anyone may open: the public menu; with ``member_menu``, a member who is in (a
    live session) keeps their own menu and the way out there (the policy, the consent screens)."""
    request.state.face = "privacy"
    request.state.menu = list(menu.PRIVACY_PUBLIC)
    token = request.cookies.get(COOKIE, "")
    if member_menu and token:
        jikimi = get_jikimi(request)
        session = jikimi.sessions.privacy(token)
        if session is not None:
            user = PrivacyUser(session=session, csrf=jikimi.sessions.csrf(token))
            request.state.who, request.state.csrf = user, user.csrf
            request.state.menu = list(menu.PRIVACY)
