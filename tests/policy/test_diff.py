"""`jikimi.policy.diff`: every change between two policy versions, and the notice it needs.

Material changes (new items or purposes, an item made required, new or changed third parties,
overseas transfers, longer retention, new processors…) need `notice.material_lead_days`; every
other change needs `notice.lead_days` (PIPA.md §1.6).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikimi.policy.diff import Change, PolicyDiff, diff_policies
from jikimi.policy.model import Policy

from ..policies import cached_policy as load_policy
from ..policies import cached_policy_text as load_policy_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"

BASE = """\
version: "2026-01"
controller: {name: 주식회사 예시, service: 예시몰}
officers:
  - {role: officer, name: 김보호, phone: 02-1234-5678, email: privacy@example.kr}
items:
  - {id: name, label: 이름}
  - {id: email, label: 이메일, format: email}
  - {id: mobile, label: 휴대전화번호, format: phone_kr}
contexts:
  - id: signup
    label: 회원가입
    required: [name, email]
    optional: [mobile]
    purposes: [membership]
purposes:
  - {id: membership, label: 회원 관리, basis: contract, items: [name, email, mobile]}
retention:
  - {id: member_data, what: [name, email, mobile], period: P1Y, from: withdrawal}
processors:
  announced: true
  processors:
    - {id: mailer, name: 메일발송(주), task: 이메일 발송, items: [email], country: KR}
notice: {lead_days: 7, material_lead_days: 30}
"""

THIRD_PARTY = """\
third_parties:
  announced: true
  recipients:
    - {id: partner_x, name: 파트너엑스, purpose: 제휴 서비스 제공, items: [name, mobile], retention: P1Y}
"""


def policy(text: str) -> Policy:
    return load_policy_text(text, filename="test.yaml")


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced once; fails loudly when ``old`` is not there."""
    assert old in text, f"test fixture does not contain {old!r}"
    return text.replace(old, new, 1)


def diff(old_text: str, new_text: str) -> PolicyDiff:
    return diff_policies(policy(old_text), policy(new_text))


def only(result: PolicyDiff) -> Change:
    assert len(result.changes) == 1, [c.key for c in result.changes]
    return result.changes[0]


def by_key(result: PolicyDiff, key: str) -> Change:
    found = [c for c in result.changes if c.key == key]
    assert found, f"no change {key!r} in {[c.key for c in result.changes]}"
    return found[0]


# --- the two promises of the acceptance criteria ------------------------------------------------


def test_adding_a_third_party_needs_30_days_notice() -> None:
    result = diff(BASE, BASE + THIRD_PARTY)

    change = by_key(result, "third_parties.recipients[partner_x]")
    assert change.kind == "added"
    assert change.material
    assert change.new is not None and "파트너엑스" in change.new
    assert result.material
    assert result.notice_days == 30


def test_changing_only_the_officer_phone_needs_7_days_notice() -> None:
    result = diff(BASE, edit(BASE, "phone: 02-1234-5678", "phone: 02-1234-9999"))

    change = only(result)
    assert (change.section, change.key, change.kind) == ("officers", "officers[officer].phone", "changed")
    assert (change.old, change.new) == ("02-1234-5678", "02-1234-9999")
    assert not change.material
    assert not result.material
    assert result.notice_days == 7


def test_identical_policies_have_no_changes_and_need_no_notice() -> None:
    result = diff(BASE, BASE)

    assert result.changes == ()
    assert not result.material
    assert result.notice_days == 0


def test_the_new_policys_notice_settings_apply() -> None:
    new = edit(
        BASE,
        "notice: {lead_days: 7, material_lead_days: 30}",
        "notice: {lead_days: 10, material_lead_days: 45}",
    )

    assert diff(BASE, edit(new, "02-1234-5678", "02-1234-0000")).notice_days == 10
    assert diff(BASE, new + THIRD_PARTY).notice_days == 45


# --- retention ----------------------------------------------------------------------------------


def test_longer_retention_is_material() -> None:
    result = diff(BASE, edit(BASE, "period: P1Y", "period: P3Y"))

    change = only(result)
    assert change.key == "retention[member_data].period"
    assert change.material
    assert change.old is not None and change.old.startswith("P1Y")
    assert change.new is not None and change.new.startswith("P3Y")
    assert result.notice_days == 30


def test_shorter_retention_is_minor() -> None:
    result = diff(BASE, edit(BASE, "period: P1Y", "period: P6M"))

    assert not only(result).material
    assert result.notice_days == 7


def test_the_same_period_written_differently_is_minor() -> None:
    assert not only(diff(BASE, edit(BASE, "period: P1Y", "period: P12M"))).material


def test_a_placeholder_resolved_to_a_period_is_material() -> None:
    old = edit(BASE, "period: P1Y", "period: {placeholder: oo년간}")

    change = only(diff(old, BASE))
    assert change.material
    assert change.old is not None and "oo년간" in change.old


def test_a_new_retention_rule_is_material() -> None:
    rule = "  - {id: logs, what: [email], period: P3M, from: collection}\n"
    new = edit(BASE, "retention:\n", "retention:\n" + rule)

    change = only(diff(BASE, new))
    assert (change.key, change.kind, change.material) == ("retention[logs]", "added", True)


def test_a_later_retention_start_is_material_and_an_earlier_one_minor() -> None:
    earlier = edit(BASE, "from: withdrawal", "from: collection")

    assert only(diff(earlier, BASE)).material
    assert not only(diff(BASE, earlier)).material


def test_a_retention_start_left_out_is_compared_as_the_start_in_force() -> None:
    """An unset ``from`` is no start of its own: the rule counts from the statute's start, else from the
    end of the purpose (it used to fail with ``KeyError: None``)."""
    unset = edit(BASE, ", from: withdrawal", "")  # from the end of the purpose
    change = only(diff(unset, BASE))
    assert (change.key, change.kind, change.new, change.material) == (
        "retention[member_data].from",
        "added",
        "withdrawal",
        True,  # the end of the purpose → the withdrawal: may start later
    )
    assert only(diff(BASE, unset)).kind == "removed"

    # a statute preset counts from the record's date
    statute = edit(BASE, "period: P1Y, from: withdrawal", "basis: ecommerce.payment")
    written = edit(statute, "basis: ecommerce.payment", "basis: ecommerce.payment, from: record_date")
    assert not only(diff(statute, written)).material  # the same start, written out
    assert not only(diff(written, statute)).material


# --- items and collection contexts --------------------------------------------------------------


def test_a_new_item_is_material() -> None:
    new = edit(BASE, "items:\n", "items:\n  - {id: address, label: 주소, format: address}\n")

    change = only(diff(BASE, new))
    assert (change.key, change.kind, change.material) == ("items[address]", "added", True)
    assert change.new == "주소 (address)"


def test_removing_an_item_is_minor() -> None:
    new = edit(BASE, "items:\n", "items:\n  - {id: address, label: 주소}\n")

    change = only(diff(new, BASE))
    assert (change.kind, change.material) == ("removed", False)


def test_an_item_moved_from_optional_to_required_is_material() -> None:
    new = edit(
        edit(BASE, "required: [name, email]", "required: [name, email, mobile]"),
        "optional: [mobile]",
        "optional: []",
    )

    change = only(diff(BASE, new))
    assert change.key == "contexts[signup].items[mobile]"
    assert change.material
    assert change.old is not None and "optional" in change.old
    assert change.new is not None and "required" in change.new


def test_an_item_moved_from_required_to_optional_is_minor() -> None:
    new = edit(
        edit(BASE, "required: [name, email]", "required: [name]"),
        "optional: [mobile]",
        "optional: [mobile, email]",
    )

    assert not only(diff(BASE, new)).material


def test_an_item_becoming_sensitive_data_is_material() -> None:
    new = edit(
        BASE, "{id: name, label: 이름}", "{id: name, label: 이름, class: sensitive, sensitive_kind: health}"
    )

    result = diff(BASE, new)
    assert {c.key for c in result.changes} == {"items[name].class", "items[name].sensitive_kind"}
    assert all(c.material for c in result.changes)


def test_relabelling_an_item_is_minor() -> None:
    assert not only(diff(BASE, edit(BASE, "label: 이름}", "label: 성명}"))).material


# --- purposes -----------------------------------------------------------------------------------


def test_a_new_purpose_is_material() -> None:
    new = edit(
        BASE,
        "purposes:\n",
        "purposes:\n  - {id: marketing, label: 광고, basis: consent, "
        "consent: optional, marketing: true, items: [email]}\n",
    )

    change = only(diff(BASE, new))
    assert (change.key, change.kind, change.material) == ("purposes[marketing]", "added", True)


def test_more_items_for_a_purpose_is_material_and_fewer_minor() -> None:
    fewer = edit(BASE, "items: [name, email, mobile]}", "items: [name, email]}")

    more = only(diff(fewer, BASE))
    assert (more.key, more.kind, more.material) == ("purposes[membership].items[mobile]", "added", True)
    assert not only(diff(BASE, fewer)).material


def test_a_basis_changed_to_consent_is_material() -> None:
    new = edit(BASE, "basis: contract, items", "basis: consent, consent: optional, items")

    result = diff(BASE, new)
    assert by_key(result, "purposes[membership].basis").material
    assert result.notice_days == 30


def test_a_consent_made_required_is_material() -> None:
    old = edit(BASE, "basis: contract, items", "basis: consent, consent: optional, items")
    new = edit(BASE, "basis: contract, items", "basis: consent, consent: required, items")

    assert only(diff(old, new)).material
    assert not only(diff(new, old)).material


# --- third parties and processors ---------------------------------------------------------------


def test_any_change_to_a_recipient_is_material() -> None:
    with_party = BASE + THIRD_PARTY
    shorter = edit(with_party, "retention: P1Y}", "retention: P6M}")
    fewer_items = edit(with_party, "items: [name, mobile]", "items: [name]")
    new_purpose = edit(with_party, "purpose: 제휴 서비스 제공", "purpose: 공동 마케팅")

    for new in (shorter, fewer_items, new_purpose):
        result = diff(with_party, new)
        assert result.material, result.to_text()
        assert result.notice_days == 30


def test_removing_a_recipient_is_minor() -> None:
    result = diff(BASE + THIRD_PARTY, BASE)  # also drops `announced: true`

    change = by_key(result, "third_parties.recipients[partner_x]")
    assert (change.kind, change.material) == ("removed", False)
    assert result.notice_days == 7


def test_a_recipient_moved_abroad_is_an_overseas_transfer() -> None:
    with_party = BASE + THIRD_PARTY
    abroad = edit(with_party, "retention: P1Y}", "retention: P1Y, country: US}")

    change = only(diff(with_party, abroad))
    assert change.material
    assert "overseas" in change.reason_en


def test_an_overseas_processor_added_is_material() -> None:
    cloud = "    - {id: cloud, name: Cloud Inc., task: 서버 운영, items: [name, email], country: US}\n"
    new = edit(BASE, "    - {id: mailer", cloud + "    - {id: mailer")

    result = diff(BASE, new)
    change = only(result)
    assert (change.key, change.kind, change.material) == ("processors.processors[cloud]", "added", True)
    assert "overseas" in change.reason_en
    assert result.notice_days == 30


def test_a_processor_given_more_items_is_material_and_a_new_task_wording_minor() -> None:
    more = edit(BASE, "items: [email], country: KR", "items: [email, mobile], country: KR")
    reworded = edit(BASE, "task: 이메일 발송", "task: 이메일·알림 발송")

    assert only(diff(BASE, more)).material
    assert not only(diff(BASE, reworded)).material


# --- other sections -----------------------------------------------------------------------------


def test_a_new_dormancy_policy_is_material_and_a_longer_dormancy_minor() -> None:
    with_dormancy = BASE + "dormancy: {after: P1Y}\n"

    assert only(diff(BASE, with_dormancy)).material
    assert not only(diff(with_dormancy, BASE + "dormancy: {after: P2Y}\n")).material


def test_a_new_security_measure_is_minor() -> None:
    new = BASE + "security:\n  - {kind: encryption_at_rest, description: 휴대전화번호 암호화 저장}\n"

    change = only(diff(BASE, new))
    assert change.section == "security"
    assert not change.material


def test_contacts_of_one_role_are_matched_by_name_not_order() -> None:
    officer = "  - {role: officer, name: 김보호, phone: 02-1234-5678, email: privacy@example.kr}\n"
    lee = "  - {role: manager, name: 이담당, phone: 02-1}\n"
    park = "  - {role: manager, name: 박담당, phone: 02-2}\n"
    old = edit(BASE, officer, officer + lee + park)
    new = edit(BASE, officer, officer + park.replace("02-2", "02-3") + lee)

    change = only(diff(old, new))
    assert change.key == "officers[manager:박담당].phone"
    assert (change.old, change.new, change.material) == ("02-2", "02-3", False)


def test_controller_and_title_changes_are_minor() -> None:
    new = edit(
        edit(BASE, "service: 예시몰", "service: 예시몰 플러스"),
        'version: "2026-01"',
        'version: "2026-02"\ntitle: 예시몰 개인정보 처리방침',
    )

    result = diff(BASE, new)
    assert {c.key for c in result.changes} == {"controller.service", "version", "title"}
    assert result.notice_days == 7


# --- the report ---------------------------------------------------------------------------------


def test_the_earliest_effective_date_is_the_notice_date_plus_the_notice_days() -> None:
    material = diff(BASE, BASE + THIRD_PARTY)
    minor = diff(BASE, edit(BASE, "02-1234-5678", "02-1234-9999"))

    assert material.earliest_effective(date(2026, 11, 22)) == date(2026, 12, 22)
    assert minor.earliest_effective(date(2026, 12, 28)) == date(2027, 1, 4)
    assert diff(BASE, BASE).earliest_effective(date(2026, 3, 1)) == date(2026, 3, 1)


def test_to_dict_is_json_ready_with_notice_days_and_earliest_effective_date() -> None:
    result = diff(BASE, edit(BASE, 'version: "2026-01"', 'version: "2026-02"') + THIRD_PARTY)

    data = json.loads(json.dumps(result.to_dict(date(2026, 11, 22)), ensure_ascii=False))
    assert data["old_version"] == "2026-01"
    assert data["new_version"] == "2026-02"
    assert data["notice_days"] == 30
    assert data["material"] is True
    assert data["earliest_effective"] == "2026-12-22"
    assert set(data["changes"][0]) == {
        "section",
        "key",
        "kind",
        "old",
        "new",
        "material",
        "reason_ko",
        "reason_en",
    }
    added = next(c for c in data["changes"] if c["key"] == "third_parties.recipients[partner_x]")
    assert (added["kind"], added["old"], added["material"]) == ("added", None, True)
    assert "earliest_effective" not in result.to_dict()


def test_to_text_marks_material_changes_and_ends_with_the_notice_summary() -> None:
    result = diff(BASE, edit(BASE + THIRD_PARTY, "02-1234-5678", "02-1234-9999"))

    text = result.to_text(date(2026, 11, 22))
    lines = text.splitlines()
    assert any(line.startswith("!") and "third_parties.recipients[partner_x]" in line for line in lines)
    assert any(line.startswith(" ") and "officers[officer].phone" in line for line in lines)
    assert lines[-1] == "고지 기간: 30일 (material change) — 시행 가능일: 2026-12-22"
    assert diff(BASE, BASE).to_text().splitlines()[-1] == "고지 기간: 0일 (no change)"


def test_a_long_wording_change_is_shown_from_where_the_texts_differ() -> None:
    long = "회사는 정보주체의 개인정보를 처리 목적에서 밝힌 범위 내에서만 처리합니다. " * 4
    old = BASE + f"preamble: {long}끝.\n"
    new = BASE + f"preamble: {long}끝입니다.\n"

    change = only(diff(old, new))
    assert change.old != change.new
    assert change.new is not None and change.new.startswith("…") and change.new.endswith("끝입니다.")


def test_the_diff_module_imports_no_framework() -> None:
    code = (
        "import sys, jikimi.policy.diff; "
        "print(sorted(m for m in ('typer', 'rich', 'fastapi', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the reference policy's two published versions ----------------------------------------------


def _example(name: str) -> Path:
    return EXAMPLES / name


def test_the_reference_policy_adding_a_third_party_needs_30_days_notice() -> None:
    result = diff_policies(
        load_policy(_example("reference.yaml")),
        load_policy(_example("versions/reference-v2-third-party.yaml")),
    )
    assert any(c.key.startswith("third_parties.recipients[") and c.kind == "added" for c in result.changes)
    assert result.notice_days == 30


def test_the_reference_policy_changing_only_the_officer_phone_needs_7_days_notice() -> None:
    result = diff_policies(
        load_policy(_example("reference.yaml")),
        load_policy(_example("versions/reference-v2-officer-phone.yaml")),
    )
    assert not result.material, result.to_text()
    assert any(c.key == "officers[officer].phone" for c in result.changes)
    assert result.notice_days == 7


# --- properties ---------------------------------------------------------------------------------

ITEMS = ("name", "email", "mobile", "address", "birthdate")
SECTIONS = {  # diff key prefix → the ids of that section
    "items": lambda p: [i.id for i in p.items],
    "purposes": lambda p: [x.id for x in p.purposes],
    "retention": lambda p: [r.id for r in p.retention],
    "third_parties.recipients": lambda p: [t.id for t in p.third_parties.recipients],
    "processors.processors": lambda p: [x.id for x in p.processors.processors],
}


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, unique=True))
    some = st.lists(st.sampled_from(items), unique=True)
    some_nonempty = st.lists(st.sampled_from(items), min_size=1, unique=True)

    def ids(prefix: str) -> list[str]:
        return draw(st.lists(st.sampled_from([f"{prefix}_{n}" for n in range(3)]), unique=True))

    data: dict[str, Any] = {
        "controller": {"name": "주식회사 예시"},
        "officers": [{"role": "officer", "phone": draw(st.sampled_from(["02-1", "02-2"]))}],
        "items": [{"id": i, "label": f"항목 {i}"} for i in items],
        "purposes": [
            {
                "id": p,
                "label": f"목적 {p}",
                "basis": draw(st.sampled_from(["consent", "contract", "law"])),
                "items": draw(some),
            }
            for p in ids("purpose")
        ],
        "retention": [
            {"id": r, "what": draw(some_nonempty), "period": draw(st.sampled_from(["P3M", "P1Y", "P5Y"]))}
            for r in ids("rule")
        ],
        "third_parties": {
            "recipients": [
                {
                    "id": t,
                    "name": f"수령자 {t}",
                    "purpose": draw(st.sampled_from(["제휴", "배송"])),
                    "items": draw(some),
                    "country": draw(st.sampled_from(["KR", "US"])),
                }
                for t in ids("party")
            ]
        },
        "processors": {
            "processors": [
                {"id": x, "name": f"수탁자 {x}", "task": "위탁 업무", "items": draw(some)}
                for x in ids("proc")
            ]
        },
        "notice": {"lead_days": 7, "material_lead_days": 30},
    }
    return load_policy_text(json.dumps(data, ensure_ascii=False))


PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(policies())
def test_a_policy_compared_with_itself_has_no_changes(p: Policy) -> None:
    result = diff_policies(p, p)
    assert result.changes == ()
    assert result.notice_days == 0


@PROPERTY_SETTINGS
@given(policies(), policies())
def test_every_id_added_or_removed_is_listed(a: Policy, b: Policy) -> None:
    result = diff_policies(a, b)
    listed = {(c.key, c.kind) for c in result.changes}
    for prefix, ids_of in SECTIONS.items():
        before, after = set(ids_of(a)), set(ids_of(b))
        for ref in after - before:
            assert (f"{prefix}[{ref}]", "added") in listed
        for ref in before - after:
            assert (f"{prefix}[{ref}]", "removed") in listed
    if set(SECTIONS["items"](b)) - set(SECTIONS["items"](a)):
        assert result.material
    assert result.notice_days == (0 if not result.changes else 30 if result.material else 7)
    assert bool(result.changes) == (_by_id(a.model_dump()) != _by_id(b.model_dump()))


def _by_id(value: object) -> object:
    """A policy's data with every list of entries that have ids in id order: the diff compares
    entries by id, so two policies listing the same purposes in another order have no change."""
    if isinstance(value, dict):
        return {key: _by_id(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [_by_id(item) for item in value]
        if items and all(isinstance(item, dict) and "id" in item for item in items):
            return sorted(items, key=lambda item: str(item["id"]))  # type: ignore[index]
        return items
    return value
