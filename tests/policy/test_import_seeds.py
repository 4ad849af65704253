"""The five seed policies, imported from their texts, agree with the hand-written transcriptions.

Each seed text (``examples/seeds/``, the texts of ``../shared/seeds/`` kept with the project so that
a clone tests them anywhere) imports to a draft that loads; the draft agrees with
``examples/policies/NAME.yaml`` on at least 90% of the facts of ``import_agreement`` (retention periods
and bases, processors and tasks, third parties, officers' contacts, the effective date, dormancy and
notice days), and the test prints the agreement table. The same holds for the text with its line
breaks removed (seed 001 already comes as one line).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jikimi.policy.importing import import_bytes
from jikimi.policy.load import load_policy_text
from tests.conftest import EXAMPLES, ROOT
from tests.policies import cached_policy
from tests.policy.import_agreement import agreement, table

SEED_TEXTS = ROOT / "examples" / "seeds"
SHARED = ROOT.parent / "shared" / "seeds"
SEED_OF = {
    "yeongsang": "000_a44127b10d898dc4.txt",
    "mecross": "001_af86f8a39da99416.txt",
    "shop": "002_b70bc0ec24a598ea.txt",
    "classpatra": "003_56b8b555a71aed3b.txt",
    "rsupport": "004_a8760cd6d064859a.txt",
}
AT_LEAST = 0.90


def test_the_seed_texts_kept_with_the_project_are_the_shared_ones_byte_for_byte() -> None:
    assert sorted(p.name for p in SEED_TEXTS.glob("*.txt")) == sorted(SEED_OF.values())
    if SHARED.is_dir():  # beside the workplace's copy: the same bytes
        for name in SEED_OF.values():
            assert (SEED_TEXTS / name).read_bytes() == (SHARED / name).read_bytes(), name


def _seed(name: str) -> bytes:
    return (SEED_TEXTS / SEED_OF[name]).read_bytes()


def _one_line(raw: bytes) -> bytes:
    return raw.decode("utf-8").replace("\n", " ").encode("utf-8")


def _agreement_of(name: str, raw: bytes, label: str) -> float:
    result = import_bytes(raw, filename=f"shared/seeds/{SEED_OF[name]}")
    assert result.report.loads, result.report.load_problems
    rows = agreement(cached_policy(EXAMPLES / f"{name}.yaml"), load_policy_text(result.draft))
    print("\n" + table(f"{name} ({label})", rows))
    return rows[-1].share


@pytest.mark.parametrize("name", SEED_OF)
def test_each_seed_imports_to_a_draft_that_agrees_with_its_hand_written_policy(name: str) -> None:
    assert _agreement_of(name, _seed(name), "as published") >= AT_LEAST


@pytest.mark.parametrize("name", SEED_OF)
def test_a_seed_with_its_line_breaks_removed_imports_as_well_as_the_original(name: str) -> None:
    original = _agreement_of(name, _seed(name), "as published")
    flat = _agreement_of(name, _one_line(_seed(name)), "one line")
    assert flat >= original >= AT_LEAST


def test_seed_001_is_one_line_already_and_is_cited_by_line_and_column() -> None:
    raw = _seed("mecross")
    assert max(len(line) for line in raw.decode().split("\n")) > 8000
    result = import_bytes(raw, filename="001.txt")
    assert result.report.one_line
    assert "# 원문 3행 " in result.draft and "열: " in result.draft


def test_the_shop_seed_imports_its_blanks_as_written_and_invents_no_officer() -> None:
    draft = load_policy_text(import_bytes(_seed("shop"), filename="002.txt").draft)
    officer = next(c for c in draft.officers if c.role == "officer")
    assert (officer.name, officer.email, officer.title, officer.phone) == ("000", "12345s@0000.co.kr", "", "")
    assert draft.effective is None and draft.retention == ()


def test_the_mecross_seed_imports_its_retention_periods_with_their_laws() -> None:
    draft = load_policy_text(import_bytes(_seed("mecross"), filename="001.txt").draft)
    kept = {(r.label, r.duration.iso() if r.duration else None, r.basis) for r in draft.retention}
    assert ("로그인ID", "P3M", None) in kept
    assert ("본인인증값", "P3D", None) in kept
    assert ("표시•광고에 관한 기록", "P6M", "ecommerce.advertising") in kept
    assert ("대금결제 및 재화 등의 공급에 관한 기록", "P5Y", "ecommerce.payment") in kept
    assert ("로그기록자료, 접속지의 추적자료", "P3M", "telecom.logs") in kept
    assert next(r for r in draft.retention if r.label == "본인인증값").from_ == "withdrawal"


def test_the_yeongsang_seed_keeps_its_oo_years_blank_as_a_placeholder_that_lint_reports() -> None:
    result = import_bytes(_seed("yeongsang"), filename="000.txt")
    draft = load_policy_text(result.draft)
    blank = next(r for r in draft.retention if r.label == "회원의 정보")
    assert blank.period is not None and getattr(blank.period, "placeholder", None) == "oo년간"
    assert blank.from_ == "contract_end"
    assert any(f["rule"] == "retention-placeholder" for f in result.report.lint)
    assert any(f["rule"] == "effective-date-missing" for f in result.report.lint)


def test_the_classpatra_seed_imports_its_obsolete_identity_record_for_lint_to_flag() -> None:
    result = import_bytes(_seed("classpatra"), filename="003.txt")
    draft = load_policy_text(result.draft)
    assert "itnet.identity_verification" in {r.basis for r in draft.retention}
    assert any(f["rule"] == "obsolete-citation" for f in result.report.lint)
    assert draft.dormancy is not None and draft.dormancy.after.iso() == "P1Y"  # type: ignore[union-attr]
    assert draft.notice.material_lead_days == 7
    assert any("중요 변경" in n.message for n in result.report.of_kind("review"))


def test_the_rsupport_seed_imports_its_processor_table_and_both_dates() -> None:
    draft = load_policy_text(import_bytes(_seed("rsupport"), filename="004.txt").draft)
    assert [(p.name, p.until) for p in draft.processors.processors] == [
        ("아마존", "contract_end"),
        ("한국사이버결제(KCP)", "contract_end"),
        ("금융결제원", "contract_end"),
        ("페이팔(Paypal)", "contract_end"),
    ]
    assert (str(draft.effective), str(draft.announced)) == ("2017-10-24", "2017-10-17")


@pytest.mark.parametrize("name", SEED_OF)
def test_every_imported_value_cites_its_source_line_and_words(name: str) -> None:
    result = import_bytes(_seed(name), filename=SEED_OF[name])
    recognised = result.report.of_kind("recognised")
    assert recognised and all(n.src is not None and n.src.line >= 1 and n.src.words for n in recognised)
    text = _seed(name).decode("utf-8").split("\n")
    for note in recognised:
        assert note.src is not None
        words = note.src.words[:20]
        assert words in " ".join(text[note.src.line - 1].split()), (note.where, note.src)


def test_the_seed_names_match_the_examples() -> None:
    assert sorted(SEED_OF) == sorted(p.stem for p in Path(EXAMPLES).glob("*.yaml") if p.stem != "reference")


@pytest.mark.parametrize("name", SEED_OF)
def test_the_security_measures_read_are_of_kinds_the_transcription_names_too(name: str) -> None:
    draft = load_policy_text(import_bytes(_seed(name), filename=SEED_OF[name]).draft)
    written = {m.kind for m in cached_policy(EXAMPLES / f"{name}.yaml").security}
    assert {m.kind for m in draft.security} <= written
    assert bool(draft.security) == bool(written)
