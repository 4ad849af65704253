"""One check of every string a request carries: no NUL, no lone surrogate, no non-finite number.

PostgreSQL's text columns cannot hold U+0000, a lone surrogate (U+D800–U+DFFF, which JSON's
``\\udc00`` escape can make) is not a character and cannot be encoded as UTF-8, and ``NaN`` or
``Infinity`` are not JSON numbers (the response could not be written). None of them is ever
valid input, so instead of a validator on each field, one app-wide dependency (``clean_request``)
walks the path parameters, the query parameters and the parsed JSON body — keys and values, at
any depth — and refuses the first bad one with a 422 in the error envelope, naming the field
(``data.name``, ``subject_ids.3``, ``month``), never its value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_NAMEABLE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
"""A key shown in a field path: an id, never a value someone used as a key."""

PROBLEMS = {
    "string_nul": "NUL characters (U+0000) are not allowed",
    "string_surrogate": "lone surrogates (U+D800-U+DFFF) are not allowed",
    "number_not_finite": "NaN and Infinity are not JSON numbers",
}


def text_problem(text: str) -> str | None:
    """``string_nul`` or ``string_surrogate`` when ``text`` holds one, else ``None``."""
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    return "string_nul" if found.group() == "\x00" else "string_surrogate"


def _problems(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        if (problem := text_problem(value)) is not None:
            yield path, problem
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path, "number_not_finite"
    elif isinstance(value, dict):
        for key, inner in value.items():
            key = str(key)
            if (problem := text_problem(key)) is not None:
                yield path, problem
            yield from _problems(inner, (*path, key) if _NAMEABLE.match(key) else path)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _problems(inner, (*path, index))


async def _body(request: Request) -> Any:
    """The request's JSON body when its route takes one (parsed once: FastAPI's parse is cached)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None or not await request.body():
        return None
    try:
        return await request.json()
    except ValueError:  # not JSON: the route's own validation answers
        return None


async def clean_request(request: Request) -> None:
    """Refuse a request whose path, query or body holds a NUL, a lone surrogate or a NaN (422)."""
    found = [
        *(
            problem
            for name, value in request.path_params.items()
            for problem in _problems(value, ("path", name))
        ),
        *(
            problem
            for name, value in request.query_params.multi_items()
            for problem in _problems(value, ("query", name if _NAMEABLE.match(name) else "query"))
        ),
    ]
    found = found or list(_problems(await _body(request), ("body",)))
    if found:
        loc, problem = found[0]
        raise RequestValidationError([{"type": problem, "loc": loc, "msg": PROBLEMS[problem], "input": None}])
