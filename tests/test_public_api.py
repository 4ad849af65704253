"""The public API is small and pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

import jikimi


def test_public_api_is_pinned() -> None:
    assert jikimi.__all__ == [
        "JikimiError",
        "Policy",
        "PolicyError",
        "PolicyLoadError",
        "PolicyProblem",
        "load_policy",
    ]


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
