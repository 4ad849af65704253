"""Consents to receive advertising given at collection: ``ad:<channel>`` and ``ad:night`` among a
collection's consent answers (정보통신망법 50①·③), next to the purposes' own.

A context takes them only for the channels its marketing purposes declare (``Purpose.ad_channels``)
and, when any does, for night-time sends. They are stored per channel (``store.marketing``); the
send gate that reads them is ``notices.marketing``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from jikimi.errors import InvalidInput
from jikimi.policy.model import Purpose
from jikimi.states import NIGHT

KEY_PREFIX = "ad:"
"""How a collection's consents name advertising answers: ``ad:sms``, ``ad:night``."""

T = TypeVar("T")


def split_answers(
    purposes: Sequence[Purpose], answers: Mapping[str, T]
) -> tuple[dict[str, T], tuple[tuple[str, bool], ...]]:
    """A collection's consent answers split into the purposes' and the advertising ones,
    ``(channel or night, granted)``. ``InvalidInput`` naming ``consents.<key>`` for a channel the
    context's marketing purposes do not declare, or an answer that is not ``true``/``false``."""
    declared = {c for p in purposes if p.marketing for c in p.ad_channels}
    plain: dict[str, T] = {}
    ads: list[tuple[str, bool]] = []
    for key, answer in answers.items():
        if not key.startswith(KEY_PREFIX):
            plain[key] = answer
            continue
        target = key.removeprefix(KEY_PREFIX)
        if target not in declared and not (target == NIGHT and declared):
            raise InvalidInput(
                f"consents.{key}",
                "이 수집 상황에서 수신동의를 받는 광고 전송매체가 아닙니다",
                "is not an advertising channel this context asks consent for",
            )
        if not isinstance(answer, bool):
            raise InvalidInput(f"consents.{key}", "true 또는 false여야 합니다", "must be true or false")
        ads.append((target, answer))
    return plain, tuple(ads)
