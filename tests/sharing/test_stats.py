"""가명처리 통계: direct identifiers removed, quasi-identifiers generalised, groups under k suppressed,
every export logged with its reason."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from jikimi.bootstrap import Jikimi
from jikimi.errors import Denied, InvalidInput
from jikimi.handlers import Handler
from jikimi.sharing import Sharing
from jikimi.sharing.deidentify import age_band, generalise, k_anonymous, region, treatment
from jikimi.store.tables import access_log, exports

from .conftest import member_data

REASON = "2026년 1분기 회원 연령대·성별 통계 (경영 보고)"


def test_every_item_of_the_reference_policy_gets_the_treatment_its_class_and_format_call_for(
    jikimi: Jikimi,
) -> None:
    got = {i.id: treatment(i) for i in jikimi.policy.items}
    assert got["birthdate"] == "age_band"
    assert got["address"] == got["delivery_address"] == "region"
    assert got["gender"] == got["interests"] == "kept"
    removed = {
        "name",
        "login_id",
        "password",
        "mobile",
        "email",
        "ci",
        "guardian_name",
        "guardian_mobile",
        "recipient_name",
        "recipient_phone",
        "order_password",
        "refund_account",
        "ip",
        "cookie",
        "service_log",
    }
    assert {i for i, t in got.items() if t == "removed"} == removed


@pytest.mark.parametrize(
    "birth, band",
    [
        ("1990-03-03", "30-39"),
        ("1990-03-02", "30-39"),
        ("1996-03-03", "20-29"),
        ("1930-01-01", "90+"),
        ("2030-01-01", "알 수 없음"),
        ("bad", "알 수 없음"),
    ],
)
def test_birth_dates_become_ten_year_age_bands_at_the_export_date(birth: str, band: str) -> None:
    assert age_band(birth, date(2026, 3, 2)) == band


@pytest.mark.parametrize(
    "address, sido",
    [
        ("서울특별시 마포구 월드컵북로 396", "서울"),
        ("경기 성남시 분당구", "경기"),
        ("강원도 춘천시", "강원"),
        ("전북특별자치도 전주시", "전북"),
        ("제주시 연동", "제주"),
        ("Somewhere abroad", "기타"),
    ],
)
def test_addresses_become_their_province(address: str, sido: str) -> None:
    assert region(address) == sido


def test_missing_values_form_their_own_group() -> None:
    assert (
        generalise("kept", None, date(2026, 3, 2)) == generalise("region", " ", date(2026, 3, 2)) == "(없음)"
    )


def test_groups_smaller_than_k_are_suppressed_and_counted() -> None:
    rows = [("30-39", "남")] * 5 + [("30-39", "여")] * 4 + [("20-29", "여")]
    groups = k_anonymous(rows, 5)
    assert groups.kept == {("30-39", "남"): 5}
    assert (groups.suppressed_groups, groups.suppressed_rows) == (2, 5)


@pytest.fixture
def population(jikimi: Jikimi) -> list[str]:
    """6 men born 1990, 5 women born 1985, 2 women born 2000 (too few to show at k=5)."""
    people = [("1990-06-01", "남")] * 6 + [("1985-06-01", "여")] * 5 + [("2000-06-01", "여")] * 2
    return [
        jikimi.vault.collect(
            "signup", member_data(n, birthdate=birth, gender=gender), {"marketing": False}
        ).subject_id
        for n, (birth, gender) in enumerate(people, start=100)
    ]


def test_an_aggregate_shows_only_groups_of_at_least_k_and_removes_names(
    jikimi: Jikimi, sharing: Sharing, marketer: Handler, population: list[str]
) -> None:
    result = sharing.export_stats(["name", "birthdate", "gender"], reason=REASON, actor=marketer)
    assert result.removed == ("name",) and result.columns == ("birthdate", "gender")
    assert result.rows == [
        {"birthdate": "30-39", "gender": "남", "count": 6},
        {"birthdate": "40-49", "gender": "여", "count": 5},
    ]
    assert (result.subjects_read, result.suppressed_groups, result.suppressed_rows) == (13, 1, 2)
    with jikimi.core.engine.connect() as conn:
        row = conn.execute(select(exports)).one()
        entry = conn.execute(select(access_log).where(access_log.c.action == "export")).one()
    assert (row.kind, row.k, row.rows_out, row.suppressed, row.actor) == ("aggregate", 5, 2, 2, "mk-lee")
    assert json.loads(row.params)["reason"] == REASON
    assert (entry.outcome, entry.count, entry.subject_id) == ("allowed", 13, None)
    assert REASON in entry.reason and result.id in entry.reason


def test_a_larger_k_suppresses_more(sharing: Sharing, marketer: Handler, population: list[str]) -> None:
    result = sharing.export_stats(["birthdate", "gender"], k=6, reason=REASON, actor=marketer)
    assert [r["count"] for r in result.rows] == [6]
    assert result.suppressed_rows == 7


def test_an_extract_has_fresh_random_pseudonyms_and_nothing_that_links_back(
    jikimi: Jikimi, sharing: Sharing, marketer: Handler, population: list[str]
) -> None:
    first = sharing.export_stats(["birthdate", "gender"], mode="extract", reason=REASON, actor=marketer)
    second = sharing.export_stats(["birthdate", "gender"], mode="extract", reason=REASON, actor=marketer)
    assert len(first.rows) == 11 and first.suppressed_rows == 2
    pseudonyms = {r["pseudonym"] for r in first.rows}
    assert len(pseudonyms) == 11 and not pseudonyms & {r["pseudonym"] for r in second.rows}
    assert {tuple(sorted(r)) for r in first.rows} == {("birthdate", "gender", "pseudonym")}
    dumped = json.dumps(first.rows, ensure_ascii=False)
    assert not any(sid in dumped for sid in population)
    with jikimi.core.engine.connect() as conn:
        stored = json.dumps(
            [dict(r._mapping) for r in conn.execute(select(exports))], default=str, ensure_ascii=False
        )
    assert not any(str(p) in stored for p in pseudonyms)


def test_an_export_without_a_reason_is_refused_and_logged(
    jikimi: Jikimi, sharing: Sharing, marketer: Handler, population: list[str]
) -> None:
    with pytest.raises(Denied) as refused:
        sharing.export_stats(["birthdate"], reason="  ", actor=marketer)
    assert refused.value.reason == "reason_required"
    with jikimi.core.engine.connect() as conn:
        outcomes = [
            r.outcome for r in conn.execute(select(access_log).where(access_log.c.action == "export"))
        ]
        assert conn.execute(select(exports)).first() is None
    assert outcomes == ["denied:reason_required"]


def test_a_role_without_export_may_not_export(sharing: Sharing, support_agent: Handler) -> None:
    with pytest.raises(Denied) as refused:
        sharing.export_stats(["birthdate"], reason=REASON, actor=support_agent)
    assert refused.value.reason == "action_not_allowed"


def test_asking_only_for_direct_identifiers_or_unknown_items_is_invalid(
    sharing: Sharing, marketer: Handler
) -> None:
    with pytest.raises(InvalidInput):
        sharing.export_stats(["name", "mobile"], reason=REASON, actor=marketer)
    with pytest.raises(InvalidInput):
        sharing.export_stats(["shoe_size"], reason=REASON, actor=marketer)
    with pytest.raises(InvalidInput):
        sharing.export_stats(["birthdate"], k=1, reason=REASON, actor=marketer)
