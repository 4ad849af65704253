"""The machinery of a policy diff: the ``Change`` record, how values are shown, comparison by shape."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from jikimi.periods import Duration
from jikimi.policy.model import Citation, Contact, Placeholder, Policy

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a policy, and whether subjects need 30 days' notice."""

    section: str
    key: str
    kind: ChangeKind
    old: str | None
    new: str | None
    material: bool
    reason_ko: str
    reason_en: str


@dataclass(frozen=True)
class Why:
    material: bool
    ko: str
    en: str


# --- the reasons every comparison falls back on ---------------------------------------------

MINOR = Why(False, "문구·세부 사항 변경", "wording or detail")
REMOVED = Why(False, "삭제·축소: 처리 범위가 넓어지지 않음", "removal: processing does not widen")
ORDER = Why(False, "순서만 변경", "order only")

Rule = Callable[[str, str, Any, Any], Iterator[Change]]
M = TypeVar("M", bound=BaseModel)


# --- display ----------------------------------------------------------------------------------


def short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(value: Any) -> str:
    """A short, readable form of a policy value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "예(yes)" if value else "아니오(no)"
    if isinstance(value, Duration):
        return f"{value.iso()} ({value.korean()})"
    if isinstance(value, Placeholder):
        return f"미정(placeholder) '{value.placeholder}'"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Citation):
        return value.text()
    if isinstance(value, BaseModel):
        return short(_entity_name(value) or _fields_text(value))
    if isinstance(value, tuple | list):
        return short(", ".join(show(v) for v in value)) or "—"
    if isinstance(value, dict):
        return short(", ".join(f"{k}: {show(v)}" for k, v in value.items())) or "—"
    return short(str(value))


def _entity_name(model: BaseModel) -> str:
    name = getattr(model, "name", None) or getattr(model, "label", None) or getattr(model, "title", None)
    ident = getattr(model, "id", None)
    if isinstance(name, str) and isinstance(ident, str):
        return f"{name} ({ident})"
    return name if isinstance(name, str) and not isinstance(model, Contact) else ""


def _fields_text(model: BaseModel) -> str:
    fields = type(model).model_fields
    return "; ".join(
        f"{info.alias or name}={show(getattr(model, name))}"
        for name, info in fields.items()
        if getattr(model, name) != info.default
    )


def _absent(value: Any) -> bool:
    return value is None or value == () or value == {}


def _from_difference(old: str, new: str) -> tuple[str, str]:
    """Two long texts shown from a little before where they first differ."""
    old, new = " ".join(old.split()), " ".join(new.split())
    pairs = enumerate(zip(old, new, strict=False))
    first = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
    start = max(0, first - 20)
    return short("…" + old[start:]), short("…" + new[start:])


def change(section: str, key: str, old: Any, new: Any, why: Why) -> Change:
    kind: ChangeKind = "added" if _absent(old) else "removed" if _absent(new) else "changed"
    before, after = (None if _absent(old) else show(old)), (None if _absent(new) else show(new))
    if before == after and isinstance(old, str) and isinstance(new, str):
        before, after = _from_difference(old, new)
    return Change(section, key, kind, before, after, why.material, why.ko, why.en)


# --- rules for one field ----------------------------------------------------------------------


def fixed(why: Why) -> Rule:
    def rule(section: str, key: str, old: Any, new: Any) -> Iterator[Change]:
        yield change(section, key, old, new, why)

    return rule


def when(test: Callable[[Any, Any], bool], yes: Why, no: Why = MINOR) -> Rule:
    def rule(section: str, key: str, old: Any, new: Any) -> Iterator[Change]:
        yield change(section, key, old, new, yes if test(old, new) else no)

    return rule


def skip(section: str, key: str, old: Any, new: Any) -> Iterator[Change]:
    return iter(())


class Differ:
    """Compares two policies by shape: fields, lists of ids, entities matched by id, optional sections."""

    def __init__(self, old: Policy, new: Policy) -> None:
        self.old = old
        self.new = new

    def label(self, ref: str) -> str:
        text = (
            self.new.label_of(ref)
            if ref in self.new.items_by_id or ref in self.new.records_by_id
            else self.old.label_of(ref)
        )
        return ref if text == ref else f"{text} ({ref})"

    def ids(self, on_add: Why, on_remove: Why = REMOVED) -> Rule:
        """Per-element comparison of a list of ids (or names): each one added or removed."""

        def rule(section: str, key: str, old: Any, new: Any) -> Iterator[Change]:
            before, after = tuple(old or ()), tuple(new or ())
            for ref in after:
                if ref not in before:
                    yield Change(
                        section,
                        f"{key}[{ref}]",
                        "added",
                        None,
                        self.label(ref),
                        on_add.material,
                        on_add.ko,
                        on_add.en,
                    )
            for ref in before:
                if ref not in after:
                    yield Change(
                        section,
                        f"{key}[{ref}]",
                        "removed",
                        self.label(ref),
                        None,
                        on_remove.material,
                        on_remove.ko,
                        on_remove.en,
                    )
            if set(before) == set(after):
                yield change(section, key, old, new, ORDER)

        return rule

    # -- generic shapes --

    def fields(
        self,
        section: str,
        key: str,
        old: BaseModel,
        new: BaseModel,
        rules: Mapping[str, Rule],
        default: Why = MINOR,
    ) -> Iterator[Change]:
        for name, info in type(new).model_fields.items():
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                rule = rules.get(name, fixed(default))
                yield from rule(section, f"{key}.{info.alias or name}", before, after)

    def entities(
        self,
        section: str,
        key: str,
        old: Sequence[M],
        new: Sequence[M],
        ident: Callable[[M], str],
        *,
        added: Why | Callable[[M], Why],
        removed: Why = REMOVED,
        rules: Mapping[str, Rule] | None = None,
        default: Why = MINOR,
        extra: Callable[[str, M, M], Iterator[Change]] | None = None,
    ) -> Iterator[Change]:
        before = {ident(x): x for x in old}
        after = {ident(x): x for x in new}
        for ref, entity in after.items():
            where = f"{key}[{ref}]"
            if ref not in before:
                why = added(entity) if callable(added) else added
                yield change(section, where, None, entity, why)
            elif before[ref] != entity:
                yield from self.fields(section, where, before[ref], entity, rules or {}, default)
                if extra is not None:
                    yield from extra(where, before[ref], entity)
        for ref, entity in before.items():
            if ref not in after:
                yield change(section, f"{key}[{ref}]", entity, None, removed)

    def optional(
        self,
        section: str,
        old: M | None,
        new: M | None,
        *,
        added: Why = MINOR,
        removed: Why = REMOVED,
        rules: Mapping[str, Rule] | None = None,
        default: Why = MINOR,
    ) -> Iterator[Change]:
        if old is None or new is None:
            yield change(section, section, old, new, added if old is None else removed)
        else:
            yield from self.fields(section, section, old, new, rules or {}, default)
