"""The ways into the privacy center keep their promises (``jikimi.signin.privacy``): a link the
service issues opens once and for 10 minutes; a one-time code reaches the member's own contact
through delivery (a real SMTP server on loopback), opens once, for 10 minutes and 5 tries; an
unknown contact gets a pass id like any other; every refusal says the same and names no one; no
token, pass id or code is stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.crypto import KeyRing, MasterKey
from jikimi.errors import AuthError, Denied, Expired, InvalidInput
from jikimi.notices.channels import Email
from jikimi.notices.delivery import Channels
from jikimi.notices.privacy_codes import with_code
from jikimi.signin.privacy import CODE_TRIES, LIVE_CODES
from jikimi.store.engine import make_engine
from jikimi.store.face_tables import privacy_passes
from jikimi.store.tables import outbox

from ..conftest import EXAMPLES, MEMBER  # noqa: TID252
from ..databases import fresh_database  # noqa: TID252
from ..notices.receivers import Inbox, smtp_server  # noqa: TID252
from ..policies import cached_policy  # noqa: TID252
from ..vault.conftest import fast_passwords  # noqa: TID252
from .privacy_helpers import backend, child, join, log_rows, queued

CODE = re.compile(r"인증 코드입니다: (\d{6})")


@pytest.fixture
def mailed(tmp_path: Path, clock: FixedClock) -> Iterator[tuple[Jikimi, Inbox]]:
    """jikimi on the reference policy delivering e-mail to a real SMTP server on loopback."""
    with fresh_database("sqlite", tmp_path) as url, smtp_server() as (smtp, inbox):
        engine = make_engine(url)
        jikimi = build_jikimi(
            policy=cached_policy(EXAMPLES / "reference.yaml"),
            engine=engine,
            keys=KeyRing(MasterKey.generate()),
            clock=clock,
            passwords=fast_passwords(),
            channels=Channels(email=Email(smtp)),
        )
        yield jikimi, inbox
        engine.dispose()


# -- the service's link --------------------------------------------------------------------------


def test_a_link_opens_the_center_once(web_jikimi: Jikimi) -> None:
    sid = join(web_jikimi)
    link = web_jikimi.passes.issue_link(sid, actor=backend(web_jikimi))
    assert link.url.startswith("/privacy/enter?token=pl_")
    entry = web_jikimi.passes.enter_link(link.token)
    assert (entry.subject_id, entry.acting_as) == (sid, "self")
    with pytest.raises(Expired) as again:
        web_jikimi.passes.enter_link(link.token)
    assert [r["outcome"] for r in log_rows(web_jikimi, "privacy.link_enter")] == ["allowed", "denied:used"]
    assert log_rows(web_jikimi, "privacy.link_issue")[0]["actor"] == "shop-backend"
    with pytest.raises(Expired) as unknown:
        web_jikimi.passes.enter_link("pl_" + "x" * 43)
    assert unknown.value.message_ko == again.value.message_ko  # an unknown link names no one either
    assert log_rows(web_jikimi, "privacy.link_enter")[-1]["subject_id"] is None


def test_a_link_expires_after_ten_minutes(web_jikimi: Jikimi, clock: FixedClock) -> None:
    sid = join(web_jikimi)
    handler = backend(web_jikimi)
    late = web_jikimi.passes.issue_link(sid, actor=handler)
    in_time = web_jikimi.passes.issue_link(sid, actor=handler)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert web_jikimi.passes.enter_link(in_time.token).subject_id == sid
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Expired):
        web_jikimi.passes.enter_link(late.token)
    refused = log_rows(web_jikimi, "privacy.link_enter")[-1]
    assert (refused["outcome"], refused["subject_id"]) == ("denied:expired", sid)


def test_only_a_handler_with_the_privacy_action_issues_links(web_jikimi: Jikimi) -> None:
    sid = join(web_jikimi)
    web_jikimi.handlers.define_role("reader", purposes=["membership"], actions=["read"])
    reader, _ = web_jikimi.handlers.create("cs-park", "correct horse battery", role="reader")
    with pytest.raises(Denied):
        web_jikimi.passes.issue_link(sid, actor=reader)
    assert log_rows(web_jikimi, "privacy.link_issue")[0]["outcome"] == "denied:action_not_allowed"


def test_a_guardian_link_is_only_for_a_child(web_jikimi: Jikimi) -> None:
    handler = backend(web_jikimi)
    adult, kid = join(web_jikimi), child(web_jikimi)
    with pytest.raises(InvalidInput) as refused:
        web_jikimi.passes.issue_link(adult, acting_as="guardian", actor=handler)
    assert refused.value.field == "acting_as"
    link = web_jikimi.passes.issue_link(kid, acting_as="guardian", actor=handler)
    assert web_jikimi.passes.enter_link(link.token).acting_as == "guardian"


# -- the one-time code ---------------------------------------------------------------------------


def test_a_code_reaches_the_members_own_mailbox_and_opens_the_center_once(
    mailed: tuple[Jikimi, Inbox],
) -> None:
    jikimi, inbox = mailed
    sid = join(jikimi)
    pass_id = jikimi.passes.start_code("email", " hong@EXAMPLE.com ", source="203.0.113.9")
    (message,) = queued(jikimi, "privacy_code")
    assert message["subject_id"] == sid and message["channel"] == "email"
    report = jikimi.delivery.drain()
    assert (report.delivered, report.dead) == (1, 0)
    (mail,) = inbox.to(MEMBER["email"])
    body = mail.get_content()
    found = CODE.search(body)
    assert found, body
    code = found.group(1)
    assert MEMBER["name"] not in body
    with jikimi.core.reading() as conn:  # the code, the pass id and no contact are stored anywhere
        stored = [str(r._mapping) for r in conn.execute(select(outbox))]
        stored += [str(r._mapping) for r in conn.execute(select(privacy_passes))]
    assert not any(code in row or pass_id in row or MEMBER["email"] in row for row in stored)
    entry = jikimi.passes.finish_code(pass_id, code[:3] + " " + code[3:])
    assert (entry.subject_id, entry.acting_as) == (sid, "self")
    with pytest.raises(AuthError):
        jikimi.passes.finish_code(pass_id, code)  # used once
    assert [r["outcome"] for r in log_rows(jikimi, "privacy.code_enter")] == ["allowed", "denied:used"]
    assert log_rows(jikimi, "privacy.code_send")[0]["source"] == "203.0.113.9"


def test_an_unknown_contact_gets_a_pass_id_too_and_nothing_is_sent(web_jikimi: Jikimi) -> None:
    join(web_jikimi)
    known = web_jikimi.passes.start_code("sms", MEMBER["mobile"])
    unknown = web_jikimi.passes.start_code("sms", "010-5555-0000")
    assert len(known) == len(unknown) and known[:3] == unknown[:3] == "pp_"
    assert len(queued(web_jikimi, "privacy_code")) == 1
    with pytest.raises(AuthError) as wrong_known:
        web_jikimi.passes.finish_code(known, "00000")  # too short: wrong, and counted
    with pytest.raises(AuthError) as wrong_unknown:
        web_jikimi.passes.finish_code(unknown, "00000")
    assert wrong_known.value.message_ko == wrong_unknown.value.message_ko
    assert [r["outcome"] for r in log_rows(web_jikimi, "lookup")][-1] == "not_found"


def test_a_code_is_good_for_five_tries_and_ten_minutes(web_jikimi: Jikimi, clock: FixedClock) -> None:
    join(web_jikimi)
    keys = web_jikimi.core.keys.master

    def code_of(message: dict[str, object]) -> str:
        return str(with_code(json.loads(str(message["payload"])), keys)["code"])

    tried = web_jikimi.passes.start_code("email", MEMBER["email"])
    right = code_of(queued(web_jikimi, "privacy_code")[0])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(CODE_TRIES):
        with pytest.raises(AuthError):
            web_jikimi.passes.finish_code(tried, wrong)
    with pytest.raises(AuthError):
        web_jikimi.passes.finish_code(tried, right)  # out of tries: the right code no longer opens
    assert log_rows(web_jikimi, "privacy.code_enter")[-1]["outcome"] == "denied:too_many_attempts"

    late = web_jikimi.passes.start_code("email", MEMBER["email"])
    clock.advance(timedelta(minutes=10))
    with pytest.raises(AuthError):
        web_jikimi.passes.finish_code(late, code_of(queued(web_jikimi, "privacy_code")[1]))
    assert log_rows(web_jikimi, "privacy.code_enter")[-1]["outcome"] == "denied:expired"


def test_no_more_than_three_codes_are_outstanding_for_a_member(web_jikimi: Jikimi) -> None:
    sid = join(web_jikimi)
    ids = {web_jikimi.passes.start_code("email", MEMBER["email"]) for _ in range(LIVE_CODES + 2)}
    assert len(ids) == LIVE_CODES + 2  # a pass id every time
    assert len(queued(web_jikimi, "privacy_code")) == LIVE_CODES  # but no flood of messages
    refused = log_rows(web_jikimi, "privacy.code_send")[-1]
    assert (refused["outcome"], refused["subject_id"]) == ("denied:too_many_codes", sid)


def test_a_code_is_asked_only_by_a_channel_the_policy_looks_up(web_jikimi: Jikimi) -> None:
    assert web_jikimi.passes.channels() == ("email", "sms")
    with pytest.raises(InvalidInput) as refused:
        web_jikimi.passes.start_code("push", "anything")
    assert refused.value.field == "channel"


def test_links_and_codes_work_alike_on_sqlite_and_postgresql(engine: Engine, clock: FixedClock) -> None:
    jikimi = build_jikimi(
        policy=cached_policy(EXAMPLES / "reference.yaml"),
        engine=engine,
        keys=KeyRing(MasterKey.generate()),
        clock=clock,
        passwords=fast_passwords(),
    )
    sid = join(jikimi)
    link = jikimi.passes.issue_link(sid, actor=backend(jikimi))
    assert jikimi.passes.enter_link(link.token).subject_id == sid
    with pytest.raises(Expired):
        jikimi.passes.enter_link(link.token)
    pass_id = jikimi.passes.start_code("sms", MEMBER["mobile"])
    (message,) = queued(jikimi, "privacy_code")
    code = str(with_code(json.loads(message["payload"]), jikimi.core.keys.master)["code"])
    assert jikimi.passes.finish_code(pass_id, code).subject_id == sid
    clock.advance(timedelta(days=2))
    jikimi.passes.start_code("sms", MEMBER["mobile"])  # each new pass forgets those long expired
    with jikimi.core.reading() as conn:
        assert len(conn.execute(select(privacy_passes)).all()) == 1
