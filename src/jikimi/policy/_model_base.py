"""The base every policy class shares, and the values they hold: durations, ids, placeholders, citations."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from jikimi.periods import Duration


def _to_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 duration such as P5Y, got {type(value).__name__}")
    return Duration.parse(value)


DurationValue = Annotated[
    Duration,
    PlainValidator(_to_duration),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$"}),
]
"""An ISO 8601 duration (``P5Y``, ``P3M``, ``P30D``)."""

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A machine id: lower-case ASCII letters, digits and ``_``, starting with a letter."""


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        populate_by_name=True,
    )


class Placeholder(_Model):
    """A value the source policy left unfilled (``oo년간``, ``00``). Kept visible; lint flags it."""

    placeholder: str


class Citation(_Model):
    """A legal provision, as the policy cites it."""

    law: str
    article: str | None = None
    note: str | None = None

    def text(self) -> str:
        return f"{self.law} {self.article}" if self.article else self.law
