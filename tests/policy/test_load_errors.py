"""A malformed policy never gives a traceback: exit 2 and `file:line: key: reason`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from jikimi import PolicyLoadError, load_policy
from jikimi.cli import run
from jikimi.policy.load import load_policy_text


def _problems(text: str) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_text(text, filename="policy.yaml")
    return [str(p) for p in caught.value.problems]


def test_clean_policy_loads_into_an_immutable_model(clean_policy_text: str) -> None:
    policy = load_policy_text(clean_policy_text)
    assert policy.controller.name == "주식회사 테스트몰"
    with pytest.raises(ValidationError):
        policy.title = "다른 제목"  # type: ignore[misc]


def test_bad_yaml_names_the_line() -> None:
    problems = _problems("controller:\n  name: x\nitems:\n  - {id: a, label: b\n")
    assert len(problems) == 1
    assert problems[0].startswith("policy.yaml:5: YAML:")


def test_unknown_key_names_file_line_and_key() -> None:
    problems = _problems("controller:\n  name: x\n  nmae: y\n")
    assert problems == ["policy.yaml:3: controller.nmae: unknown key"]


def test_dangling_item_reference_names_the_purpose() -> None:
    text = (
        "controller: {name: x}\n"
        "items:\n  - {id: name, label: 이름}\n"
        "purposes:\n"
        "  - {id: a, label: A, items: [name]}\n"
        "  - {id: b, label: B, items: [name]}\n"
        "  - {id: c, label: C, items: [name]}\n"
        "  - id: d\n    label: D\n    items:\n      - name\n      - phone\n"
    )
    assert _problems(text) == ["policy.yaml:12: purposes[3].items[1]: unknown item 'phone'"]


def test_bad_duration_is_reported_with_its_key() -> None:
    text = (
        "controller: {name: x}\nitems: [{id: a, label: A}]\nretention:\n  - {id: r, what: [a], period: P3X}\n"
    )
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0].startswith("policy.yaml:4: retention[0].period: 'P3X' is not an ISO 8601 duration")


@pytest.mark.parametrize("period", ["P9000Y", "P101Y", "P1201M", "P99Y12M1D", "P36525D", "P5218W"])
def test_a_duration_longer_than_a_hundred_years_is_a_load_error_naming_file_line_and_key(period: str) -> None:
    text = (
        "controller: {name: x}\nitems: [{id: a, label: A}]\n"
        f"retention:\n  - {{id: r, what: [a], period: {period}}}\n"
    )
    assert _problems(text) == [
        f"policy.yaml:4: retention[0].period: '{period}' is longer than 100 years (100년보다 긴 기간입니다)"
    ]


def test_a_hundred_years_is_the_longest_duration_that_loads() -> None:
    text = "controller: {name: x}\nitems: [{id: a, label: A}]\nretention:\n  - {id: r, what: [a], period: P100Y}\n"  # noqa: E501
    assert load_policy_text(text).retention[0].period is not None


def test_a_too_long_duration_is_found_wherever_a_duration_is_written() -> None:
    text = "controller: {name: x}\ndormancy:\n  notice_before: P30D\n  after: P9000Y\n"
    assert _problems(text) == [
        "policy.yaml:4: dormancy.after: 'P9000Y' is longer than 100 years (100년보다 긴 기간입니다)"
    ]


def test_unknown_statute_preset_is_a_dangling_reference() -> None:
    text = "controller: {name: x}\nrecords: [{id: pay, label: 결제}]\nretention:\n  - {id: r, what: [pay], basis: ecommerce.nope}\n"  # noqa: E501
    assert _problems(text) == ["policy.yaml:4: retention[0].basis: unknown statute preset 'ecommerce.nope'"]


def test_duplicate_ids_are_refused() -> None:
    text = "controller: {name: x}\nitems:\n  - {id: a, label: A}\n  - {id: a, label: B}\n"
    assert _problems(text) == ["policy.yaml:4: items[1].id: duplicate id 'a'"]


def test_duplicate_yaml_keys_are_refused() -> None:
    problems = _problems("controller: {name: x}\ncontroller: {name: y}\n")
    assert problems[0].startswith("policy.yaml:2: YAML:")


def test_bad_enum_value_lists_the_allowed_ones() -> None:
    problems = _problems("controller: {name: x}\nitems: [{id: a, label: A, format: phone}]\n")
    assert problems[0].startswith("policy.yaml:2: items[0].format: must be one of")


def test_missing_required_key_is_named() -> None:
    assert _problems("title: x\n") == ["policy.yaml:1: controller: required key is missing"]


def test_a_list_where_a_mapping_belongs_is_refused() -> None:
    problems = _problems("- a\n- b\n")
    assert problems == ["policy.yaml:1: the policy must be a YAML mapping"]


def test_statute_field_cannot_be_written_by_hand() -> None:
    text = "controller: {name: x}\nrecords: [{id: p, label: P}]\nretention:\n  - {id: r, what: [p], basis: ecommerce.payment, statute: {}}\n"  # noqa: E501
    assert _problems(text)[0].startswith("policy.yaml:4: retention[0].statute: filled in by jikimi")


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError) as caught:
        load_policy(tmp_path / "none.yaml")
    assert "cannot read the file" in str(caught.value.problems[0])


@pytest.mark.parametrize(
    "text",
    [
        "controller:\n  name: x\nitems:\n  - {id: a, label: b\n",
        "controller:\n  name: x\n  nmae: y\n",
        "controller: {name: x}\nitems: [{id: a, label: A}]\nretention:\n  - {id: r, what: [zzz], period: P3M}\n",  # noqa: E501
        "controller: {name: x}\nitems: [{id: a, label: A}]\nretention:\n  - {id: r, what: [a], period: 3 months}\n",  # noqa: E501
        "controller: {name: x}\nitems: [{id: a, label: A}]\nretention:\n  - {id: r, what: [a], period: P9000Y}\n",  # noqa: E501
        "\x00\x01 binary",
        "",
    ],
    ids=[
        "bad-yaml",
        "unknown-key",
        "dangling-reference",
        "bad-duration",
        "endless-duration",
        "garbage",
        "empty",
    ],
)
def test_cli_exits_2_with_a_located_message_and_no_traceback(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(text, encoding="utf-8")
    code = run(["policy", "lint", str(file)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    first = captured.err.strip().splitlines()[0]
    assert first.startswith(f"{file}:")
