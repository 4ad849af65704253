"""The public API is small and pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

import jikimi


def test_public_api_is_pinned() -> None:
    assert jikimi.__all__ == [
        "Denied",
        "Duplicate",
        "IndexKeyState",
        "InvalidInput",
        "Jikimi",
        "JikimiError",
        "KeyState",
        "LogPage",
        "NotFound",
        "Policy",
        "PolicyError",
        "PolicyLoadError",
        "PolicyProblem",
        "SeparatedHolding",
        "Settings",
        "StateConflict",
        "load_policy",
        "open_jikimi",
    ]


def test_the_facade_has_one_attribute_per_service() -> None:
    """Each operation has one way to be called: through one service of the façade."""
    import dataclasses

    assert [f.name for f in dataclasses.fields(jikimi.Jikimi)] == [
        "core",
        "vault",
        "lifecycle",
        "rights",
        "sharing",
        "audit",
        "justifications",
        "delivery",
        "incidents",
        "marketing",
        "complaints",
        "policy_changes",
        "policy_versions",
        "usage_notices",
        "events",
        "sessions",
        "passes",
    ]


def test_importing_the_package_loads_no_database_or_web_framework() -> None:
    """``import jikimi`` is cheap: the engine loads when ``open_jikimi`` is first used (PEP 562)."""
    import subprocess
    import sys

    code = (
        "import sys, jikimi; print(sorted(m for m in ('sqlalchemy', 'fastapi', 'typer') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_all_is_sorted_and_importable() -> None:
    assert jikimi.__all__ == sorted(jikimi.__all__)
    for name in jikimi.__all__:
        assert getattr(jikimi, name) is not None


def test_package_is_typed() -> None:
    from importlib import resources

    assert resources.files("jikimi").joinpath("py.typed").is_file()


def test_every_error_has_a_stable_code() -> None:
    from jikimi import errors

    classes = [
        obj for obj in vars(errors).values() if isinstance(obj, type) and issubclass(obj, errors.JikimiError)
    ]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    assert all(code and code == code.lower() for code in codes)
