"""The answer to a rights request reaches the subject (결과 통지, PIPA 35–38, 시행령 41–44): queued in the
same unit of work that closes the request, through the channel the request came by; an access answer
carries a protected link to the access package that expires; a request that removed every contact
leaves the answer to the desk, and its history says so."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Expired, NotFound, StateConflict
from jikimi.handlers import Handler
from jikimi.notices.channels import Email
from jikimi.notices.delivery import Channels
from jikimi.notices.wording import render
from jikimi.rights.answers import LINK_LIFETIME, LINK_OPENS, with_link
from jikimi.rights.package import package_html
from jikimi.store.notice_tables import package_links
from jikimi.store.tables import access_log

from .people import REFERENCE, jikimi_on, policy_of, queued, raw_payloads
from .receivers import smtp_server

MEMBER = {
    "name": "홍길동",
    "birthdate": "1990-01-01",
    "login_id": "hong",
    "password": "secret-pass-1",
    "mobile": "010-1234-5678",
    "email": "hong@example.com",
    "ci": "CI" + "A" * 86,
}


@pytest.fixture
def jikimi(engine: Engine, clock: FixedClock) -> Jikimi:
    return jikimi_on(engine, clock, policy_of(REFERENCE))


@pytest.fixture
def clerk(jikimi: Jikimi) -> Handler:
    jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
    handler, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
    return handler


@pytest.fixture
def member(jikimi: Jikimi) -> str:
    return jikimi.vault.collect("signup", MEMBER, {"marketing": True}).subject_id


def verified(
    jikimi: Jikimi, clerk: Handler, sid: str, type: str, channel: str = "web", **scope: list[str]
) -> str:
    request = jikimi.rights.receive(sid, type, channel=channel, actor=clerk, **scope).request  # type: ignore[arg-type]
    jikimi.rights.verify(request.id, method="handler", proof="신분증 확인", actor=clerk)
    return request.id


def log_rows(jikimi: Jikimi, action: str) -> list[object]:
    with jikimi.core.engine.connect() as conn:
        return list(conn.execute(select(access_log).where(access_log.c.action == action)).all())


def test_an_answered_access_request_sends_a_protected_link_that_expires(
    jikimi: Jikimi, clerk: Handler, member: str, clock: FixedClock
) -> None:
    request_id = verified(jikimi, clerk, member, "access", channel="email")
    jikimi.rights.answer(request_id, actor=clerk)

    (message,) = queued(jikimi, "rights_answer")
    assert (message.subject_id, message.channel, message.dedupe_key) == (
        member,
        "email",
        f"rights_answer:{request_id}",
    )
    assert "package_path" not in message.payload  # the queued row holds the link's id, not its token
    payload = with_link(message.payload, jikimi.core.keys.master)  # what the delivery worker writes
    assert (payload["request_id"], payload["type"], payload["outcome"]) == (request_id, "access", "answered")
    path = str(payload["package_path"])
    token = path.rsplit("/", 1)[1]
    assert path.startswith("/v1/rights/packages/pk_") and member not in path and request_id not in path
    # the token is kept nowhere: the link table has its digest, the outbox row the link's id
    with jikimi.core.engine.connect() as conn:
        (link,) = conn.execute(select(package_links)).all()
    assert link.request_id == request_id and token.encode() not in bytes(link.token_digest)
    assert not any(token in text for text in raw_payloads(jikimi))
    assert str(payload["link_expires_at"]).startswith(str(clock.now() + LINK_LIFETIME)[:19])
    body = render(jikimi.policy, "rights_answer", payload, message_id=message.message_id).body
    assert "https://shop.example.com/v1/rights/packages/pk_" in body and "처리 결과: 처리 완료" in body
    assert not any("홍길동" in text or "010-1234-5678" in text for text in raw_payloads(jikimi))

    # the link opens the package, as the subject's own read, logged with the link
    package = jikimi.rights.open_link(token, source="203.0.113.9")
    assert "홍길동" in "".join(package_html(package))
    (opened,) = log_rows(jikimi, "rights.package_link")
    assert (opened.actor, opened.subject_id, opened.source) == ("self", member, "203.0.113.9")  # type: ignore[attr-defined]
    (read,) = log_rows(jikimi, "rights.access_package")
    assert (read.actor, read.subject_id) == ("self", member)  # type: ignore[attr-defined]

    # after 7 days it opens nothing, and the refusal is logged against the subject
    clock.advance(LINK_LIFETIME)
    with pytest.raises(Expired):
        jikimi.rights.open_link(token)
    denied = [r for r in log_rows(jikimi, "rights.package_link") if r.outcome != "allowed"]  # type: ignore[attr-defined]
    assert [r.outcome for r in denied] == ["denied:link_expired"]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        jikimi.rights.open_link("pk_" + "x" * 43)


def test_a_link_opens_the_package_a_few_times_only(jikimi: Jikimi, clerk: Handler, member: str) -> None:
    request_id = verified(jikimi, clerk, member, "access")
    jikimi.rights.answer(request_id, actor=clerk)
    (message,) = queued(jikimi, "rights_answer")
    token = str(with_link(message.payload, jikimi.core.keys.master)["package_path"]).rsplit("/", 1)[1]
    for _ in range(LINK_OPENS):
        jikimi.rights.open_link(token)
    with pytest.raises(Expired):
        jikimi.rights.open_link(token)
    assert "denied:link_used_up" in [r.outcome for r in log_rows(jikimi, "rights.package_link")]  # type: ignore[attr-defined]


def test_a_refusal_is_told_with_its_ground_through_the_channel_the_request_came_by(
    jikimi: Jikimi, clerk: Handler, member: str
) -> None:
    request = jikimi.rights.receive(
        member, "stop", channel="phone", actor=clerk, purposes=["marketing"]
    ).request
    jikimi.rights.refuse(request.id, ground="law_requires_processing", actor=clerk)
    (message,) = queued(jikimi, "rights_answer")
    assert message.channel == "sms"  # a call is answered by text message
    assert (message.payload["outcome"], message.payload["ground"]) == ("refused", "law_requires_processing")
    assert "package_path" not in message.payload
    body = render(jikimi.policy, "rights_answer", message.payload, message_id=message.message_id).body
    assert "거절 사유: 법률에 특별한 규정이 있거나" in body and "PIPA 37②1" in body
    assert "개인정보분쟁조정위원회" in body and "마케팅" in body
    notes = [e.note or "" for e in jikimi.rights.events(request.id, actor=clerk)]
    assert any("answer notice queued (sms)" in n for n in notes)


def test_a_deletion_that_removed_every_contact_queues_no_answer_and_the_desk_is_told(
    jikimi: Jikimi, clerk: Handler, member: str
) -> None:
    request_id = verified(jikimi, clerk, member, "deletion", channel="email")
    jikimi.rights.delete(request_id, actor=clerk)
    assert queued(jikimi, "rights_answer") == []
    notes = [e.note or "" for e in jikimi.rights.events(request_id, actor=clerk)]
    assert any(n.endswith("answer notice not queued: no contact remains") for n in notes)
    assert jikimi.rights.get(request_id, actor=clerk).status in ("answered", "partly_answered")

    # a deletion of some items leaves the contact: the answer goes out
    other = {
        **MEMBER,
        "login_id": "kim",
        "mobile": "010-2222-3333",
        "email": "kim@example.com",
        "ci": "CI" + "B" * 86,
    }
    sid = jikimi.vault.collect("signup", other, {"marketing": False}).subject_id
    partial = verified(jikimi, clerk, sid, "deletion", items=["birthdate"])
    jikimi.rights.delete(partial, actor=clerk)
    (message,) = queued(jikimi, "rights_answer")
    assert (message.subject_id, message.payload["items"], message.channel) == (sid, ["birthdate"], "email")


def test_a_closed_request_cannot_close_again_and_is_told_once(
    jikimi: Jikimi, clerk: Handler, member: str
) -> None:
    request_id = verified(jikimi, clerk, member, "access")
    jikimi.rights.answer(request_id, actor=clerk)
    with pytest.raises(StateConflict):
        jikimi.rights.answer(request_id, actor=clerk)
    with pytest.raises(StateConflict):
        jikimi.rights.refuse(request_id, ground="identity_not_verified", actor=clerk)
    assert len(queued(jikimi, "rights_answer")) == 1
    with jikimi.core.engine.connect() as conn:
        assert len(conn.execute(select(package_links)).all()) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_answer_reaches_the_subject_by_email_and_its_link_opens_the_package(
    engine: Engine, clock: FixedClock
) -> None:
    with smtp_server() as (url, inbox):
        jikimi = jikimi_on(engine, clock, policy_of(REFERENCE), channels=Channels(email=Email(url)))
        jikimi.handlers.define_role("privacy_team", purposes=[], actions=["rights"])
        clerk, _ = jikimi.handlers.create("privacy-choi", "correct horse battery", role="privacy_team")
        sid = jikimi.vault.collect("signup", MEMBER, {"marketing": False}).subject_id
        request_id = verified(jikimi, clerk, sid, "access", channel="email")
        jikimi.rights.answer(request_id, actor=clerk)
        assert jikimi.delivery.drain().delivered == 1

        (mail,) = inbox.to(MEMBER["email"])
        assert "열람 요구 처리 결과 안내" in mail["Subject"]
        body = mail.get_content()
        link = next(line for line in body.splitlines() if "/v1/rights/packages/pk_" in line)
        assert sid not in link and request_id not in link and MEMBER["name"] not in body
        package = jikimi.rights.open_link(link.rsplit("/", 1)[1].strip())
        assert package.meta["request_id"] == request_id
