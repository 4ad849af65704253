"""From the bytes of a file to text: the size and binary checks, and the encoding (UTF-8, CP949/EUC-KR).

Korean policy texts saved by older tools are often CP949 (a superset of EUC-KR); newer ones UTF-8, with or
without a byte-order mark, and now and then UTF-16 with one. Anything else is refused with a message that
says so, never guessed: a wrong guess would import mojibake as if it were the policy.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from jikimi.errors import PolicyImportError

MAX_IMPORT_BYTES = 5_000_000
"""The largest text imported, in bytes (a long real policy is about 100 kB)."""


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "HWP/DOC (OLE)"),
    (b"HWP Document File", "HWP"),
    (b"PK\x03\x04", "DOCX/HWPX/ZIP"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode(raw: bytes, *, file: str) -> Decoded:
    """The text of ``raw``, or ``PolicyImportError`` saying in Korean and English why it has none."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise PolicyImportError(
            file,
            f"파일이 너무 큽니다 ({len(raw):,}바이트; 5 MB까지 가져옵니다)",
            f"the file is too large ({len(raw):,} bytes; at most 5 MB is imported)",
        )
    if not raw.strip():
        raise PolicyImportError(file, "파일이 비어 있습니다", "the file is empty")
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            raise PolicyImportError(
                file,
                f"{kind} 파일입니다: 처리방침을 텍스트나 HTML로 저장해서 가져오십시오",
                f"this is a {kind} file: save the policy as text or HTML first",
            )
    decoded = _with_bom(raw) or _utf8(raw) or _cp949(raw)
    if decoded is None:
        if _looks_binary(raw):
            raise PolicyImportError(
                file,
                "텍스트 파일이 아닙니다 (바이너리: PDF·HWP·DOCX 등은 텍스트나 HTML로 저장해서 가져오십시오)",
                "not a text file (binary data: save a PDF, HWP or DOCX as text or HTML first)",
            )
        raise PolicyImportError(
            file,
            "문자 인코딩을 알 수 없습니다 (UTF-8과 CP949/EUC-KR만 읽습니다)",
            "unknown character encoding (only UTF-8 and CP949/EUC-KR are read)",
        )
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text or _control_share(text) > 0.01:
        raise PolicyImportError(
            file,
            "텍스트 파일이 아닙니다 (제어 문자가 많습니다)",
            "not a text file (too many control characters)",
        )
    if not text.strip():
        raise PolicyImportError(file, "파일에 글자가 없습니다", "the file holds no text")
    return Decoded(text, decoded.encoding)


def _with_bom(raw: bytes) -> Decoded | None:
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(name), name)
            except UnicodeDecodeError:
                return None
    return None


def _utf8(raw: bytes) -> Decoded | None:
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return None


def _cp949(raw: bytes) -> Decoded | None:
    try:
        text = raw.decode("cp949")
    except UnicodeDecodeError:
        return None
    # Random bytes often decode as CP949 too; a Korean text is mostly Hangul syllables and ASCII.
    letters = [c for c in text if not c.isspace()]
    hangul_or_ascii = sum(1 for c in letters if c < "\x80" or "\uac00" <= c <= "\ud7a3")
    if not letters or hangul_or_ascii / len(letters) < 0.9:
        return None
    return Decoded(text, "cp949")


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    return b"\x00" in sample or sum(1 for b in sample if b < 9 or 13 < b < 32) > len(sample) // 100


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for c in sample if (c < " " and c not in "\n\t\f\v") or c == "\x7f")
    return controls / max(1, len(sample))
