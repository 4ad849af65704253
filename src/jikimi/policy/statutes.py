"""Korean statutory retention periods as data (``statutes.yaml``), with their citations.

A retention rule may say ``basis: ecommerce.payment`` instead of spelling the period; the loader
fills in the preset. The data file is versioned and records, for each preset, the date the rule
was checked and how sure we are of it. Obsolete presets are kept so that lint can flag them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from jikimi.errors import StatuteError
from jikimi.policy.model import Statute


@lru_cache(maxsize=1)
def _load() -> tuple[str, dict[str, Statute]]:
    text = resources.files("jikimi.policy").joinpath("statutes.yaml").read_text(encoding="utf-8")
    data: Any = YAML(typ="safe").load(text)
    presets = {key: Statute.model_validate({"id": key, **value}) for key, value in data["presets"].items()}
    return str(data["version"]), presets


def statutes() -> dict[str, Statute]:
    """Every preset, by id (``ecommerce.payment``…)."""
    return dict(_load()[1])


def statutes_version() -> str:
    """The version of the preset data (the day it was last revised)."""
    return _load()[0]


def statute(preset_id: str) -> Statute:
    """One preset by id. Raises ``StatuteError`` when there is none."""
    found = _load()[1].get(preset_id)
    if found is None:
        known = ", ".join(sorted(_load()[1]))
        raise StatuteError(
            f"알 수 없는 법정 보존기간 '{preset_id}' (사용 가능: {known})",
            f"unknown statute preset '{preset_id}' (known: {known})",
        )
    return found


def _normalise(text: str) -> str:
    return "".join(text.split()).replace("·", "").replace("ㆍ", "")


def statutes_named_in(text: str) -> list[Statute]:
    """Presets whose law is named in free text such as ``통신비밀보호법`` or ``전자상거래법``."""
    haystack = _normalise(text)
    return [s for s in _load()[1].values() if any(_normalise(a) in haystack for a in s.aliases if a)]
