"""The scanner: normalise once, run every finder, keep the best of overlapping candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from jikimi.errors import InputTooLarge
from jikimi.pii._addresses import find_addresses
from jikimi.pii._context import Cues
from jikimi.pii._model import ALL_TYPES, Candidate, Finding, PiiType
from jikimi.pii._name_known import known_names_pattern, names_again
from jikimi.pii._name_layout import (
    chat_speakers,
    holders_after,
    names_beside,
    names_in_cells,
    names_in_columns,
)
from jikimi.pii._names import find_names
from jikimi.pii._normalize import normalize
from jikimi.pii._numbers import find_numbers
from jikimi.pii._tokens import find_tokens

DEFAULT_MAX_CHARS = 1_000_000
DEFAULT_MIN_CONFIDENCE = 0.5
# Above this many overlapping candidates in one cluster, resolution falls back to first-come.
_MAX_CLUSTER = 64


@dataclass(frozen=True)
class Scanner:
    """A configured detector. Build one and reuse it; it holds no per-text state.

    ``types`` limits what is looked for; ``known_names`` are names the service already
    holds (members, staff) and are found wherever they stand alone; findings below
    ``min_confidence`` are dropped; texts longer than ``max_chars`` raise
    :class:`jikimi.errors.InputTooLarge`.
    """

    types: frozenset[PiiType] = ALL_TYPES
    known_names: tuple[str, ...] = field(default=())
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_chars: int = DEFAULT_MAX_CHARS

    @cached_property
    def _known(self) -> re.Pattern[str] | None:
        return known_names_pattern(self.known_names)

    @cached_property
    def _every_type(self) -> bool:
        return self.types == ALL_TYPES

    def scan(self, text: str) -> list[Finding]:
        """Every piece of personal data in ``text``, in order, with offsets into ``text``."""
        if len(text) > self.max_chars:
            raise InputTooLarge(
                f"텍스트가 너무 깁니다: {len(text):,}자 (한도 {self.max_chars:,}자)",
                f"text too long: {len(text):,} characters (limit {self.max_chars:,})",
            )
        norm = normalize(text)
        folded = norm.text
        cues = Cues(folded)
        raw = find_numbers(folded, cues)
        raw += find_tokens(folded, cues)
        wanted = self.types
        floor = self.min_confidence
        if _NAME in wanted:
            anchors = [c for c in raw if c.confidence >= floor]
            labels: list[tuple[int, int]] = []
            names = find_names(folded, self._known, labels)
            names += names_in_cells(folded)
            if labels:
                names += names_in_columns(folded, labels)
            if "[" in folded:
                names += chat_speakers(folded)
            if anchors:
                names += names_beside(folded, anchors, {c.start for c in names})
                names += holders_after(folded, anchors)
            if names:
                names += names_again(folded, names)
                raw += _distinct(names) if len(names) > 1 else names
        if _ADDRESS in wanted:
            raw += find_addresses(folded)
        if not raw:
            return []
        every = self._every_type
        candidates = _resolve([c for c in raw if c.confidence >= floor and (every or c.type in wanted)])
        if norm.starts is None:  # the text was used as it is: offsets are the same
            return [
                Finding(c.type, c.start, c.end, c.confidence if c.confidence < 0.99 else 0.99, c.why)
                for c in candidates
            ]
        findings = []
        for c in candidates:
            start, end = norm.original_span(c.start, c.end)
            findings.append(Finding(c.type, start, end, c.confidence if c.confidence < 0.99 else 0.99, c.why))
        return findings


_NAME = PiiType.NAME
_ADDRESS = PiiType.ADDRESS


def _distinct(names: list[Candidate]) -> list[Candidate]:
    """One candidate per span, the most confident (the first of equals): several cues often find
    the same name, and the overlap resolution need not sort them all."""
    best: dict[tuple[int, int], Candidate] = {}
    for c in names:
        key = (c.start, c.end)
        kept = best.get(key)
        if kept is None or c.confidence > kept.confidence:
            best[key] = c
    return list(best.values())


def _order(c: Candidate) -> tuple[int, int]:
    return c.start, -c.end


def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the most confident (then longest) candidate of every group of overlapping ones."""
    if len(candidates) < 2:
        return candidates
    end = -1
    for c in candidates:  # most often they come in order and apart: nothing to do
        if c.start < end:
            break
        end = c.end
    else:
        return candidates
    candidates.sort(key=_order)
    end = -1
    for c in candidates:
        if c.start < end:
            break
        end = c.end
    else:
        return candidates
    kept: list[Candidate] = []
    cluster: list[Candidate] = []
    cluster_end = -1
    for c in candidates:
        if cluster and c.start >= cluster_end:
            kept.extend(_pick(cluster))
            cluster = []
        cluster.append(c)
        cluster_end = max(cluster_end, c.end) if len(cluster) > 1 else c.end
    if cluster:
        kept.extend(_pick(cluster))
    return kept


def _pick(cluster: list[Candidate]) -> list[Candidate]:
    if len(cluster) == 1:
        return cluster
    if len(cluster) > _MAX_CLUSTER:
        ordered = cluster
    else:
        ordered = sorted(cluster, key=lambda c: (-c.confidence, -(c.end - c.start), c.start))
    chosen: list[Candidate] = []
    for c in ordered:
        if all(c.end <= k.start or c.start >= k.end for k in chosen):
            chosen.append(c)
            if len(chosen) > _MAX_CLUSTER:
                break
    return sorted(chosen, key=lambda c: c.start)
