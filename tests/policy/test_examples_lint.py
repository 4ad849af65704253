"""Every example policy loads; the reference is lint-clean; each seed's real faults are found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jikimi.cli import run
from jikimi.policy.lint import lint
from jikimi.policy.load import load_policy_source

from ..conftest import EXAMPLES, SEEDS  # noqa: TID252


def _lint_json(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = run(["policy", "lint", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _rules(name: str) -> set[str]:
    source = load_policy_source(EXAMPLES / f"{name}.yaml")
    return {f.rule for f in lint(source.policy)}


def _keys(name: str, rule: str) -> set[str]:
    source = load_policy_source(EXAMPLES / f"{name}.yaml")
    return {f.key for f in lint(source.policy) if f.rule == rule}


def test_reference_policy_is_lint_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["policy", "lint", str(EXAMPLES / "reference.yaml")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 errors, 0 warnings" in out


@pytest.mark.parametrize("name", SEEDS)
def test_each_seed_loads_and_lints_with_exit_0_or_1(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, payload = _lint_json(EXAMPLES / f"{name}.yaml", capsys)
    assert code in (0, 1)
    findings = payload["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        assert finding["line"] is not None and finding["line"] >= 1
        assert finding["message_ko"] and finding["message_en"] and finding["article"]


def test_shop_collects_resident_registration_numbers_without_a_basis() -> None:
    assert {"rrn-without-basis", "rrn-required", "not-encrypted"} <= _rules("shop")


def test_shop_template_blanks_are_flagged() -> None:
    assert "placeholder" in _rules("shop")


def test_classpatra_announces_processors_and_third_parties_but_lists_none() -> None:
    assert {"processors-announced-empty", "third-parties-announced-empty"} <= _rules("classpatra")


def test_classpatra_holds_pregnancy_data_without_separate_consent_or_encryption() -> None:
    assert {"sensitive-without-consent", "not-encrypted"} <= _rules("classpatra")


def test_classpatra_cites_the_struck_down_identity_record_rule() -> None:
    assert "obsolete-citation" in _rules("classpatra")


def test_yeongsang_keeps_the_oo_years_placeholder() -> None:
    source = load_policy_source(EXAMPLES / "yeongsang.yaml")
    (finding,) = [f for f in lint(source.policy) if f.rule == "retention-placeholder"]
    assert "oo년간" in finding.message_ko


def test_mecross_uses_the_outdated_title() -> None:
    assert "outdated-title" in _rules("mecross")


def test_rsupport_gives_only_7_days_notice_for_material_changes() -> None:
    assert "change-notice" in _rules("rsupport")


def test_classpatra_still_calls_itself_취급방침_in_its_body_under_a_처리방침_title() -> None:
    assert _keys("classpatra", "outdated-name-in-text") == {
        "preamble",
        "security[7].description",
        "security[8].description",
        "notice.note",
    }


def test_mecross_calls_itself_취급방침_in_its_body_as_in_its_title() -> None:
    assert _keys("mecross", "outdated-name-in-text") == {
        "preamble",
        "security[5].description",
        "notice.note",
        "sections[0].body",
    }


@pytest.mark.parametrize("name", ["reference", "yeongsang", "shop", "rsupport"])
def test_the_other_examples_never_call_themselves_취급방침(name: str) -> None:
    assert "outdated-name-in-text" not in _rules(name)


def test_rsupport_entrusts_amazon_and_paypal_without_saying_the_data_goes_abroad() -> None:
    source = load_policy_source(EXAMPLES / "rsupport.yaml")
    found = {f.key: f.message_en for f in lint(source.policy) if f.rule == "foreign-company-without-country"}
    assert sorted(found) == ["processors.processors[0]", "processors.processors[3]"]
    assert "Amazon.com, Inc." in found["processors.processors[0]"]
    assert "PayPal" in found["processors.processors[3]"]


@pytest.mark.parametrize("name", ["reference", "yeongsang", "mecross", "shop", "classpatra"])
def test_the_other_examples_name_no_foreign_company_without_a_country(name: str) -> None:
    assert not {"foreign-company-without-country", "foreign-subsidiary-without-country"} & _rules(name)


@pytest.mark.parametrize("name", ["reference", *SEEDS])
def test_no_example_contradicts_its_promises_to_children(name: str) -> None:
    assert not {"children-marketing-contradicted", "children-not-collected-contradicted"} & _rules(name)


def test_lint_text_output_points_at_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["policy", "lint", str(EXAMPLES / "shop.yaml")])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert any(
        line.startswith(f"{EXAMPLES / 'shop.yaml'}:") and "[rrn-without-basis]" in line for line in lines
    )


def test_diff_cli_reports_30_days_for_a_new_third_party(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "policy",
            "diff",
            str(EXAMPLES / "reference.yaml"),
            str(EXAMPLES / "versions" / "reference-v2-third-party.yaml"),
            "--format",
            "json",
            "--notice-date",
            "2026-08-01",
        ]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["notice_days"] == 30
    assert payload["earliest_effective"] == "2026-08-31"


def test_diff_cli_reports_7_days_for_an_officer_phone_change(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "policy",
            "diff",
            str(EXAMPLES / "reference.yaml"),
            str(EXAMPLES / "versions" / "reference-v2-officer-phone.yaml"),
            "--format",
            "json",
        ]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["notice_days"] == 7
