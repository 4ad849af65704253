"""Parsed policies shared by the whole test session: a policy file is parsed once, not once per test.

Parsing keeps line numbers for error messages (ruamel's round-trip loader) and costs about a tenth
of a second for the reference policy, which most tests start from. A ``Policy`` is immutable, so one
parsed copy serves every test that loads the same file or text. Loader tests that check errors call
``jikimi.policy.load`` directly; failures are never cached.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from jikimi.policy.load import load_policy, load_policy_text
from jikimi.policy.model import Policy


@cache
def _file(path: Path, mtime_ns: int, size: int) -> Policy:
    return load_policy(path)


def cached_policy(path: Path | str) -> Policy:
    """``load_policy(path)``, parsed once per file (and again if the file changes: its time or size)."""
    resolved = Path(path).resolve()
    if not resolved.is_file():
        return load_policy(path)  # the loader's own error (file:line), never cached
    stat = resolved.stat()
    return _file(resolved, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def cached_policy_text(text: str, filename: str = "<policy>") -> Policy:
    """``load_policy_text(text, filename=…)``, parsed once per distinct text."""
    return load_policy_text(text, filename=filename)


REFERENCE = Path(__file__).resolve().parents[1] / "examples" / "policies" / "reference.yaml"


@lru_cache(maxsize=1)
def _reference_data() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(REFERENCE.read_text(encoding="utf-8"))
    return data


def reference_data() -> dict[str, Any]:
    """The reference policy as plain data (a fresh copy to edit), for tests that need a variant of it."""
    return copy.deepcopy(_reference_data())


_variants: dict[str, Policy] = {}


def policy_from(data: dict[str, Any]) -> Policy:
    """Load a policy from plain data through the real loader (schema and reference checks); the same
    data is parsed once per session."""
    key = json.dumps(data, ensure_ascii=False, sort_keys=True, default=repr)
    found = _variants.get(key)
    if found is None:
        stream = io.StringIO()
        yaml = YAML(typ="safe")
        yaml.default_flow_style = False
        yaml.dump(data, stream)
        found = _variants[key] = load_policy_text(stream.getvalue(), filename="<variant>")
    return found


def policy_with(edit: Callable[[dict[str, Any]], None]) -> Policy:
    """The reference policy with ``edit`` applied to its data."""
    data = reference_data()
    edit(data)
    return policy_from(data)
