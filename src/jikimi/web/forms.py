"""Form bodies (``application/x-www-form-urlencoded``) read without a multipart dependency: the
pages post only plain forms. A field sent twice keeps every value (``getall``); ``form[name]``
is the last one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import parse_qsl

from jikimi.errors import InvalidInput

MAX_FIELDS = 200


class Form(Mapping[str, str]):
    """The fields of a posted form."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._last = dict(pairs)

    def __getitem__(self, key: str) -> str:
        return self._last[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def getall(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name == key]

    def text(self, key: str, *, required: bool = False, max_length: int = 2000) -> str:
        """The field stripped; ``InvalidInput`` naming the field when it is required and empty or too
        long."""
        value = self._last.get(key, "").strip()
        if required and not value:
            raise InvalidInput(key, "입력해야 합니다", "this field is required")
        if len(value) > max_length:
            raise InvalidInput(key, f"{max_length}자 이하로 입력하십시오", f"at most {max_length} characters")
        return value


def parse_form(body: bytes) -> Form:
    """The fields of a urlencoded body (``InvalidInput`` for one that is not UTF-8 or too many fields)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("body", "UTF-8 양식이 아닙니다", "the form is not UTF-8") from exc
    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise InvalidInput(name, "허용되지 않는 문자(NUL)가 있습니다", "contains a NUL character")
    return Form(pairs)
