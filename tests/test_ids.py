"""Ids are opaque, random, URL-safe, and can be typed as a command-line argument."""

from __future__ import annotations

import re
import secrets

import pytest

from jikimi.ids import new_id

URL_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{21}$")


def test_an_id_is_22_url_safe_characters_and_never_starts_like_an_option() -> None:
    ids = [new_id() for _ in range(4000)]
    assert all(URL_SAFE.match(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_draw_starting_with_a_dash_or_underscore_is_redrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter(["-dashFirst0123456789AB", "_underFirst123456789AB", "Ok0123456789abcdefghij"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda nbytes: next(draws))
    assert new_id() == "Ok0123456789abcdefghij"
