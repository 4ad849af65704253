"""The reference docs keep up with the code: every policy field, statute preset and lint rule is
documented, and every YAML example in the docs loads (and triggers the rule it illustrates)."""

from __future__ import annotations

import inspect
import io
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

import jikimi.policy._model_base as model_base
import jikimi.policy._model_collection as model_collection
import jikimi.policy._model_disclosure as model_disclosure
import jikimi.policy.model as model
from jikimi.cli import run
from jikimi.policy.lint import RULES, lint
from jikimi.policy.statutes import statutes

from .policies import cached_policy_text as load_policy_text

DOCS = Path(__file__).resolve().parents[1] / "docs"
FORMAT_DOC = DOCS / "policy-format.md"
RULES_DOC = DOCS / "lint-rules.md"

MODEL_MODULES = (model_base, model_collection, model_disclosure, model)
"""``jikimi.policy.model`` and the modules its classes are defined in."""

MODEL_CLASSES: dict[str, type[BaseModel]] = {
    name: cls
    for module in MODEL_MODULES
    for name, cls in vars(module).items()
    if inspect.isclass(cls)
    and issubclass(cls, BaseModel)
    and cls.__module__ == module.__name__
    and not name.startswith("_")
}


# --- reading the docs -----------------------------------------------------------------------------


def _sections(text: str) -> list[tuple[str, str]]:
    """``(heading, body)`` for every ``## `` section; ``###`` sub-headings stay in the body."""
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    out = []
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        out.append((heading.strip(), body))
    return out


def _section_for(text: str, name: str) -> str:
    found = [body for heading, body in _sections(text) if f"`{name}`" in heading]
    assert len(found) == 1, f"expected one '## … `{name}`' section, found {len(found)}"
    return found[0]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def _tagged(text: str, tag: str) -> list[tuple[str, str]]:
    """``(value, block)`` for YAML blocks whose first line is ``# <tag>: <value>``."""
    out = []
    for block in _blocks(text, "yaml"):
        match = re.match(rf"# {tag}: (\S+)", block)
        if match:
            out.append((match.group(1), block))
    return out


def _literal_values(annotation: Any) -> set[Any]:
    """Every value of every ``Literal`` inside a type (through unions, tuples, Annotated)."""
    if typing.get_origin(annotation) is typing.Literal:
        return set(typing.get_args(annotation))
    values: set[Any] = set()
    for arg in typing.get_args(annotation):
        values |= _literal_values(arg)
    return values


def _field_keys(cls: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in cls.model_fields.items()]


_yaml = YAML(typ="safe", pure=True)


def _load_yaml(text: str) -> Any:
    return _yaml.load(text)


def _dump_yaml(data: Any) -> str:
    stream = io.StringIO()
    _yaml.dump(data, stream)
    return stream.getvalue()


def _merge(base: Any, patch: Any) -> Any:
    """Merge a lint-rules.md fragment into the base policy (the rule stated in that doc).

    Mappings merge key by key and ``null`` deletes a key; lists of mappings with ``id`` merge by
    id (a new id is appended); any other value replaces what was there.
    """
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = _merge(base[key], value) if key in base else value
        return out
    if _id_list(base) and _id_list(patch):
        merged = list(base)
        for entry in patch:
            index = next((i for i, old in enumerate(merged) if old["id"] == entry["id"]), None)
            if index is None:
                merged.append(entry)
            else:
                merged[index] = _merge(merged[index], entry)
        return merged
    return patch


def _id_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "id" in v for v in value)


@pytest.fixture(scope="module")
def format_doc() -> str:
    return FORMAT_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rules_doc() -> str:
    return RULES_DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base_policy(rules_doc: str) -> dict[str, Any]:
    (block,) = [b for name, b in _tagged(rules_doc, "example") if name == "base"]
    data: dict[str, Any] = _load_yaml(block)
    return data


# --- policy-format.md -----------------------------------------------------------------------------


@pytest.mark.parametrize("class_name", sorted(MODEL_CLASSES))
def test_every_field_of_every_class_is_documented_in_its_section(format_doc: str, class_name: str) -> None:
    section = _section_for(format_doc, class_name)
    missing = [key for key in _field_keys(MODEL_CLASSES[class_name]) if f"`{key}`" not in section]
    assert not missing, f"{class_name}: undocumented keys {missing}"


def test_every_allowed_value_of_every_literal_is_documented(format_doc: str) -> None:
    missing = {
        f"{name}.{field_name}={value!r}"
        for name, cls in MODEL_CLASSES.items()
        for field_name, field in cls.model_fields.items()
        for value in _literal_values(field.annotation)
        if f"`{value}`" not in format_doc
    }
    assert not missing, sorted(missing)


def test_every_statute_preset_is_in_the_table_with_its_period_and_article(format_doc: str) -> None:
    rows = {line.split("|")[1].strip(): line for line in format_doc.splitlines() if line.startswith("| `")}
    for preset_id, preset in statutes().items():
        row = rows.get(f"`{preset_id}`")
        assert row is not None, f"preset {preset_id} is not in the table of policy-format.md"
        assert f"`{preset.period.iso()}`" in row and preset.article.split(" (")[0] in row, row


def test_complete_examples_load_without_lint_errors(format_doc: str) -> None:
    blocks = [b for name, b in _tagged(format_doc, "example") if name == "complete"]
    assert blocks, "policy-format.md has no '# example: complete' block"
    for block in blocks:
        policy = load_policy_text(block, filename="policy-format.md")
        errors = [f"{f.rule} {f.key}" for f in lint(policy) if f.severity == "error"]
        assert not errors


def test_class_examples_validate_against_their_class(format_doc: str) -> None:
    examples = [(name, b) for name, b in _tagged(format_doc, "example") if name != "complete"]
    assert examples
    for name, block in examples:
        assert name in MODEL_CLASSES, f"'# example: {name}' names no model class"
        data = _load_yaml(block)
        for entry in data if isinstance(data, list) else [data]:
            MODEL_CLASSES[name].model_validate(entry)


# --- lint-rules.md --------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_a_section_with_its_severity_and_article(rules_doc: str, rule: Any) -> None:
    section = _section_for(rules_doc, rule.id)
    assert f"`{rule.severity}`" in section
    assert rule.article in section


def test_the_base_policy_of_the_examples_is_lint_clean(base_policy: dict[str, Any]) -> None:
    assert lint(load_policy_text(_dump_yaml(base_policy))) == []


def test_every_rule_has_exactly_one_example(rules_doc: str) -> None:
    examples = [name for name, _ in _tagged(rules_doc, "rule")]
    assert sorted(examples) == sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule_id, block", _tagged(RULES_DOC.read_text(encoding="utf-8"), "rule"))
def test_each_example_triggers_its_rule(base_policy: dict[str, Any], rule_id: str, block: str) -> None:
    policy = load_policy_text(_dump_yaml(_merge(base_policy, _load_yaml(block))), filename=rule_id)
    assert rule_id in {f.rule for f in lint(policy)}


def _documented_output_file(rules_doc: str, folder: Path) -> Path:
    """The file the output examples of lint-rules.md were made from: the base with no effective date."""
    (base,) = [b for name, b in _tagged(rules_doc, "example") if name == "base"]
    file = folder / "policy.yaml"
    file.write_text(base.replace("effective: 2026-01-01\n", "effective: null\n"), encoding="utf-8")
    return file


def test_documented_output_is_the_real_output(
    rules_doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _documented_output_file(rules_doc, tmp_path)
    monkeypatch.chdir(tmp_path)
    (documented_json,) = [json.loads(b) for b in _blocks(rules_doc, "json")]
    (documented_text,) = _blocks(rules_doc, "text")
    assert run(["policy", "lint", "--format", "json", "policy.yaml"]) == 1
    assert json.loads(capsys.readouterr().out) == documented_json
    assert run(["policy", "lint", "policy.yaml"]) == 1
    assert capsys.readouterr().out == documented_text


def test_documented_exit_codes_are_the_real_ones(base_policy: dict[str, Any], tmp_path: Path) -> None:
    clean, broken, unloadable = tmp_path / "clean.yaml", tmp_path / "broken.yaml", tmp_path / "bad.yaml"
    clean.write_text(_dump_yaml(base_policy), encoding="utf-8")
    broken.write_text(_dump_yaml(_merge(base_policy, {"effective": None})), encoding="utf-8")
    unloadable.write_text(_dump_yaml(_merge(base_policy, {"colour": "blue"})), encoding="utf-8")
    assert [run(["policy", "lint", str(f)]) for f in (clean, broken, unloadable)] == [0, 1, 2]


def test_every_doc_the_readme_links_exists_and_every_doc_is_linked() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)\)", readme))
    assert linked, "the README links no docs"
    for path in linked:
        assert (DOCS.parent / path).is_file(), path
    assert {f"docs/{p.name}" for p in DOCS.glob("*.md")} <= linked
