"""Collection rules (수집): only what the context declares, in the right format, with the consents it needs."""  # noqa: E501

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from jikimi.bootstrap import Jikimi, build_jikimi
from jikimi.clock import FixedClock
from jikimi.errors import Denied, Duplicate, InvalidInput, UnlawfulCollection
from jikimi.handlers import Handler
from jikimi.store.tables import item_values, subjects

from .conftest import MEMBER, policy_with


def _count(jikimi: Jikimi, table: Any) -> int:
    with jikimi.core.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _refused(
    jikimi: Jikimi,
    data: dict[str, str],
    field: str,
    consents: dict[str, bool] | None = None,
    context: str = "signup",
) -> InvalidInput:
    before = _count(jikimi, subjects)
    with pytest.raises(InvalidInput) as caught:
        jikimi.vault.collect(context, data, consents)
    assert caught.value.field == field
    assert _count(jikimi, subjects) == before, "a refused collection stores nothing"
    return caught.value


def test_signup_stores_the_required_items_encrypted(jikimi: Jikimi) -> None:
    got = jikimi.vault.collect("signup", MEMBER)
    assert got.status == "active"
    assert got.stored_items == tuple(sorted(MEMBER))
    with jikimi.core.engine.connect() as conn:
        blobs = [bytes(r.ciphertext) for r in conn.execute(select(item_values.c.ciphertext))]
    assert len(blobs) == len(MEMBER)
    assert not any(value.encode() in blob for blob in blobs for value in MEMBER.values())


@pytest.mark.parametrize("missing", ["name", "birthdate", "login_id", "password", "mobile", "email", "ci"])
def test_a_missing_required_item_refuses_signup(jikimi: Jikimi, missing: str) -> None:
    data = {k: v for k, v in MEMBER.items() if k != missing}
    error = _refused(jikimi, data, missing)
    assert error.reason_en == "is required"


def test_a_blank_required_item_counts_as_missing(jikimi: Jikimi) -> None:
    _refused(jikimi, {**MEMBER, "name": "   "}, "name")


def test_an_undeclared_item_refuses_collection(jikimi: Jikimi) -> None:
    error = _refused(jikimi, {**MEMBER, "refund_account": "123-456"}, "refund_account")
    assert "not collected" in error.reason_en
    _refused(jikimi, {**MEMBER, "blood_type": "A"}, "blood_type")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "010-1234"),
        ("mobile", "02-12"),
        ("mobile", "공일공-일이삼사"),
        ("email", "hong@"),
        ("email", "hong.example.com"),
        ("birthdate", "1990-02-30"),
        ("birthdate", "01/01/1990"),
        ("birthdate", "1800-01-01"),
        ("password", "short"),
        ("login_id", "홍길동"),
    ],
)
def test_malformed_values_are_refused_with_the_field_named(jikimi: Jikimi, field: str, value: str) -> None:
    error = _refused(jikimi, {**MEMBER, field: value}, field)
    assert value not in str(error), "error messages never carry the value"


def _with_identifier_items(data: dict[str, Any]) -> None:
    data["items"] += [
        {
            "id": "rrn",
            "label": "주민등록번호",
            "format": "rrn",
            "class": "unique_id",
            "legal_basis": {"law": "전자금융거래법", "article": "제6조"},
        },
        {"id": "business_no", "label": "사업자등록번호", "format": "business_no"},
        {"id": "card_no", "label": "카드번호", "format": "card", "class": "financial"},
    ]
    support_ctx = next(c for c in data["contexts"] if c["id"] == "support")
    support_ctx["optional"] = ["rrn", "business_no", "card_no"]
    support = next(p for p in data["purposes"] if p["id"] == "support")
    support["items"] += ["rrn", "business_no", "card_no"]


@pytest.fixture
def id_vault(jikimi: Jikimi) -> Jikimi:
    """The reference vault's database with a policy variant that collects RRN, business and card numbers."""
    return build_jikimi(
        policy=policy_with(_with_identifier_items),
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
    )


SUPPORT = {"name": "홍길동", "email": "hong@example.com"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rrn", "901301-1234567"),  # month 13
        ("rrn", "900101-5234567"),  # a foreigner's gender digit in a resident number
        ("rrn", "900101-123456"),  # too short
        ("business_no", "124-81-00997"),  # check digit
        ("business_no", "1248100"),
        ("card_no", "4111 1111 1111 1112"),  # Luhn
        ("card_no", "4111"),
    ],
)
def test_identifier_formats_are_checked(id_vault: Jikimi, field: str, value: str) -> None:
    _refused(id_vault, {**SUPPORT, field: value}, field, context="support")


def test_valid_identifiers_are_accepted(id_vault: Jikimi, officer: Handler) -> None:
    got = id_vault.vault.collect(
        "support",
        {**SUPPORT, "rrn": "9001011234567", "business_no": "1248100998", "card_no": "4111 1111 1111 1111"},
    )
    values = id_vault.vault.read(got.subject_id, ["rrn", "business_no", "card_no"], "support", officer)
    assert values == {"rrn": "900101-1234567", "business_no": "124-81-00998", "card_no": "4111111111111111"}


def test_a_resident_number_is_not_collected_when_the_policy_names_no_law_for_it(jikimi: Jikimi) -> None:
    def unfounded(data: dict[str, Any]) -> None:
        _with_identifier_items(data)
        rrn = next(i for i in data["items"] if i["id"] == "rrn")
        del rrn["legal_basis"]

    vault = build_jikimi(
        policy=policy_with(unfounded),
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
    )
    with pytest.raises(UnlawfulCollection) as refused:
        vault.vault.collect("support", {**SUPPORT, "rrn": "9001011234567"})
    assert (refused.value.field, refused.value.rule, refused.value.article) == (
        "rrn",
        "rrn-without-basis",
        "개인정보 보호법 제24조의2①",
    )
    assert "9001011234567" not in str(refused.value)
    assert vault.vault.collect("support", SUPPORT).stored_items  # the rest of the context still works


def test_signup_succeeds_with_every_optional_item_and_consent_refused(jikimi: Jikimi) -> None:
    """PIPA 16③, 22⑤: refusing optional items or optional consents never blocks sign-up."""
    got = jikimi.vault.collect("signup", {**MEMBER, "gender": "", "interests": ""}, {"marketing": False})
    assert got.status == "active"
    assert "gender" not in got.stored_items and "interests" not in got.stored_items
    assert got.consents_given == () and got.consents_refused == ("marketing",)
    assert (
        jikimi.vault.collect(
            "signup",
            {
                **MEMBER,
                "login_id": "other",
                "mobile": "010-2222-3333",
                "email": "o@example.com",
                "ci": "CI" + "B" * 86,
            },
        ).status
        == "active"
    )


def test_optional_items_are_stored_when_given(jikimi: Jikimi) -> None:
    got = jikimi.vault.collect("signup", {**MEMBER, "gender": "여", "interests": "도서"}, {"marketing": True})
    assert {"gender", "interests"} <= set(got.stored_items)
    assert got.consents_given == ("marketing",)


def test_a_refused_required_consent_refuses_signup(jikimi: Jikimi) -> None:
    def marketing_required(data: dict[str, Any]) -> None:
        marketing = next(p for p in data["purposes"] if p["id"] == "marketing")
        marketing["consent"] = "required"

    strict = build_jikimi(
        policy=policy_with(marketing_required),
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
    )
    _refused(strict, MEMBER, "consents.marketing", {"marketing": False})
    _refused(strict, MEMBER, "consents.marketing", {})
    assert strict.vault.collect("signup", MEMBER, {"marketing": True}).consents_given == ("marketing",)


def test_consent_for_a_purpose_the_context_does_not_ask_is_refused(jikimi: Jikimi) -> None:
    _refused(jikimi, MEMBER, "consents.support", {"support": True})


def test_consent_is_recorded_per_purpose_with_version_channel_and_time(
    jikimi: Jikimi, clock: FixedClock
) -> None:
    sid = jikimi.vault.collect("signup", MEMBER, {"marketing": True}, channel="app").subject_id
    history = jikimi.vault.consents_of(sid)
    assert history == [
        {
            "target_kind": "purpose",
            "target_id": "marketing",
            "granted": True,
            "policy_version": jikimi.policy.version_key,
            "channel": "app",
            "at": clock.now(),
            "withdrawn_at": None,
        }
    ]
    refused = jikimi.vault.collect(
        "signup",
        {
            **MEMBER,
            "login_id": "kim",
            "mobile": "010-9999-0000",
            "email": "kim@example.com",
            "ci": "CI" + "K" * 86,
        },
        {"marketing": False},
    )
    assert [(c["target_id"], c["granted"]) for c in jikimi.vault.consents_of(refused.subject_id)] == [
        ("marketing", False)
    ]


@pytest.mark.parametrize(
    ("field", "variant"),
    [
        ("login_id", "HONG"),
        ("email", "hong@EXAMPLE.com"),
        ("mobile", "01012345678"),
        ("mobile", "+82 10-1234-5678"),
        ("ci", MEMBER["ci"]),
    ],
)
def test_duplicate_signup_is_found_through_the_blind_index(jikimi: Jikimi, field: str, variant: str) -> None:
    jikimi.vault.collect("signup", MEMBER)
    others = {
        "login_id": "second",
        "email": "second@example.com",
        "mobile": "010-5555-6666",
        "ci": "CI" + "Z" * 86,
    }
    before = _count(jikimi, subjects)
    with pytest.raises(Duplicate) as caught:
        jikimi.vault.collect("signup", {**MEMBER, **others, field: variant})
    assert caught.value.field == field
    assert _count(jikimi, subjects) == before


def test_lookup_finds_a_member_by_a_differently_formatted_number(jikimi: Jikimi, officer: Handler) -> None:
    sid = jikimi.vault.collect("signup", MEMBER).subject_id
    assert jikimi.vault.find("mobile", "01012345678", actor=officer) == sid
    assert (
        jikimi.vault.find("email", "HONG@example.com", actor=officer) is None
    )  # the local part is case-sensitive
    assert jikimi.vault.find("login_id", "Hong", actor=officer) == sid


# -- which look-ups are unique: account identifiers in account contexts only ----------------------------

GUEST_ORDER = {
    "name": "손님",
    "mobile": "010-4444-5555",
    "email": "guest@example.com",
    "order_password": "order-pass-1",
    "recipient_name": "손님",
    "recipient_phone": "010-4444-5555",
    "delivery_address": "서울특별시 마포구 월드컵북로 396",
}


def test_a_returning_guest_orders_again_with_the_same_mobile(jikimi: Jikimi, officer: Handler) -> None:
    first = jikimi.vault.collect("guest_order", GUEST_ORDER)
    again = jikimi.vault.collect("guest_order", {**GUEST_ORDER, "delivery_address": "부산광역시 해운대구 1"})
    assert first.subject_id != again.subject_id  # a new guest record, not linked to the first order
    assert [jikimi.vault.subject(s.subject_id)["kind"] for s in (first, again)] == ["guest", "guest"]
    assert jikimi.vault.find("mobile", GUEST_ORDER["mobile"], actor=officer) is None  # guests are not indexed
    member = jikimi.vault.collect(
        "signup", {**MEMBER, "mobile": GUEST_ORDER["mobile"], "email": GUEST_ORDER["email"]}
    ).subject_id  # the guest signs up later: the orders hold no claim on the number
    assert jikimi.vault.find("mobile", GUEST_ORDER["mobile"], actor=officer) == member
    assert jikimi.vault.collect("guest_order", GUEST_ORDER).subject_id not in (first.subject_id, member)


def test_a_member_files_a_support_case_with_their_own_email(jikimi: Jikimi, officer: Handler) -> None:
    member = jikimi.vault.collect("signup", MEMBER).subject_id
    case = jikimi.vault.collect("support", {"name": MEMBER["name"], "email": MEMBER["email"]})
    assert case.subject_id != member
    into = jikimi.vault.collect(
        "support", {"name": MEMBER["name"], "email": MEMBER["email"]}, subject_id=member
    )
    assert into.subject_id == member
    assert jikimi.vault.find("email", MEMBER["email"], actor=officer) == member  # still the account's


@pytest.mark.parametrize("field", ["login_id", "email"])
def test_two_members_still_cannot_sign_up_with_the_same_login_id_or_email(jikimi: Jikimi, field: str) -> None:
    jikimi.vault.collect("signup", MEMBER)
    jikimi.vault.collect("support", {"name": "다른 사람", "email": MEMBER["email"]})
    others = {
        "login_id": "second",
        "email": "second@example.com",
        "mobile": "010-5555-6666",
        "ci": "CI" + "Z" * 86,
    }
    before = _count(jikimi, subjects)
    with pytest.raises(Duplicate) as caught:
        jikimi.vault.collect("signup", {**MEMBER, **others, field: MEMBER[field]})
    assert caught.value.field == field
    assert _count(jikimi, subjects) == before


def test_a_guest_corrects_their_mobile_to_one_a_member_holds(jikimi: Jikimi, officer: Handler) -> None:
    member = jikimi.vault.collect("signup", MEMBER).subject_id
    guest = jikimi.vault.collect("guest_order", GUEST_ORDER).subject_id
    request = jikimi.rights.receive(
        guest, "correction", channel="web", actor=officer, items=["mobile"]
    ).request
    jikimi.rights.verify(request.id, method="handler", proof="주문 비밀번호 확인", actor=officer)
    done = jikimi.rights.apply_correction(request.id, {"mobile": MEMBER["mobile"]}, actor=officer)
    assert done.status == "answered"
    assert jikimi.vault.read(guest, ["mobile"], "order_fulfilment", officer) == {"mobile": MEMBER["mobile"]}
    assert jikimi.vault.find("mobile", MEMBER["mobile"], actor=officer) == member


CHILD = {**MEMBER, "birthdate": "2016-05-01", "guardian_name": "홍부모", "guardian_mobile": "010-7777-8888"}


def test_a_child_under_14_waits_for_the_guardian_holding_only_guardian_contact(
    jikimi: Jikimi, officer: Handler
) -> None:
    got = jikimi.vault.collect("signup", CHILD, {"marketing": True})
    assert got.status == "pending_guardian"
    assert got.stored_items == ("guardian_mobile", "guardian_name")
    assert got.consents_given == ()
    state = jikimi.vault.subject(got.subject_id)
    assert state["is_child"] is True and state["items"] == ["guardian_mobile", "guardian_name"]
    for purpose, items in [("guardian_consent", ["guardian_name"]), ("membership", ["name"])]:
        with pytest.raises(Denied) as caught:
            jikimi.vault.read(got.subject_id, items, purpose, officer)
        assert caught.value.reason == "pending_guardian"


def test_a_child_without_guardian_contact_is_refused(jikimi: Jikimi) -> None:
    _refused(jikimi, {k: v for k, v in CHILD.items() if k != "guardian_mobile"}, "guardian_mobile")


def test_guardian_consent_activates_the_child_and_completes_signup(jikimi: Jikimi, officer: Handler) -> None:
    sid = jikimi.vault.collect("signup", CHILD).subject_id
    jikimi.vault.record_guardian_consent(sid, method="guardian mobile verification")
    assert jikimi.vault.subject(sid)["status"] == "active"
    assert jikimi.vault.read(sid, ["guardian_name"], "guardian_consent", officer) == {
        "guardian_name": "홍부모"
    }
    done = jikimi.vault.collect("signup", CHILD, subject_id=sid)
    assert done.status == "active"
    assert jikimi.vault.read(sid, ["name", "birthdate"], "membership", officer) == {
        "name": "홍길동",
        "birthdate": "2016-05-01",
    }
    assert [(c["target_kind"], c["target_id"], c["granted"]) for c in jikimi.vault.consents_of(sid)] == [
        ("guardian", "guardian", True),
        ("purpose", "marketing", False),
    ]


def test_a_service_that_does_not_collect_childrens_data_refuses_under_14(jikimi: Jikimi) -> None:
    def not_collected(data: dict[str, Any]) -> None:
        data["children"] = {"policy": "not_collected", "age": 14}

    adults_only = build_jikimi(
        policy=policy_with(not_collected),
        engine=jikimi.core.engine,
        keys=jikimi.core.keys.ring,
        clock=jikimi.core.clock,
    )
    _refused(adults_only, {k: v for k, v in CHILD.items() if not k.startswith("guardian")}, "birthdate")
    assert adults_only.vault.collect("signup", MEMBER).status == "active"


GUEST = {
    "name": "비회원",
    "mobile": "010-3333-4444",
    "email": "guest@example.com",
    "order_password": "order-pass-1",
    "recipient_name": "받는이",
    "recipient_phone": "010-4444-5555",
    "delivery_address": "서울특별시 마포구 월드컵북로 396",
}


def test_a_guest_holds_only_what_the_guest_order_context_allows(jikimi: Jikimi, officer: Handler) -> None:
    got = jikimi.vault.collect("guest_order", GUEST)
    state = jikimi.vault.subject(got.subject_id)
    assert state["kind"] == "guest" and state["items"] == sorted(GUEST)
    _refused(jikimi, {**GUEST, "birthdate": "1990-01-01"}, "birthdate", context="guest_order")
    _refused(jikimi, {**GUEST, "login_id": "guest1"}, "login_id", context="guest_order")
    values = jikimi.vault.read(
        got.subject_id, ["recipient_name", "order_password"], "order_fulfilment", officer
    )
    assert values == {"recipient_name": "받는이"}, "password hashes never leave the vault"


def test_an_unknown_context_is_refused(jikimi: Jikimi) -> None:
    _refused(jikimi, MEMBER, "context", context="newsletter")
