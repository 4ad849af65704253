"""Korean personal names, found through the words around them.

A bare Hangul word is never reported as a name: too many common words start with a
surname syllable. A name is reported when it

* stands right before an honorific or a role (``홍길동님``, ``김철수 씨``, ``이영희 고객님``,
  ``박민수 과장``), or
* follows a label or role that introduces a name (``성명: 홍길동``, ``담당자 김민지``,
  ``예금주 이수진``, ``이름은 최하늘입니다``), or
* is one of the names the service already knows (``known_names``), or
* stands right before another piece of personal data, as in a roster or a form line
  (``홍길동 010-1234-5678``, ``김영희, 900101-2345678``),

and in the first two cases starts with a surname from ``data/surnames.txt`` and is not a
role or kin word (``data/role_words.txt``). Particles may follow the name.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from jikimi.pii._data import word_list
from jikimi.pii._model import Candidate, PiiType

# Every alternative starts with a literal character, so the regex engine skips ahead to
# candidate characters in C; the name itself is then read backwards (or forwards) in Python.
_HONORIFICS = re.compile(
    "고객님|회원님|선생님|교수님|대표님|원장님|사장님|이사님|부장님|과장님|차장님|팀장님|실장님|대리님|주임님"
    "|기사님|작가님|선배님|님|씨|고객|회원|선생|교수|대표|원장|사장|부장|과장|차장|팀장|실장|대리|주임|사원"
    "|기자|변호사|의원|학생|환자|보호자"
)
_LABELS = re.compile(
    "성명|이름|성함|고객명|회원명|환자명|담당자|작성자|신청인|신청자|수령인|수령자|수취인|받는 ?분"
    "|받는 ?사람|보내는 ?분|예금주|보호자|대표자|계약자|피보험자|주문자|구매자|가입자|명의자|상담원|상담사"
    "|의뢰인|민원인|세입자|임차인|임대인|Name|name"
)
_AFTER_LABEL = re.compile(r"( ?[:=] ?| ?(?:은|는|이|가) | )([가-힣]{2,8})")
_HANGUL_RUN = re.compile(r"[가-힣]*")
_PARTICLES = frozenset(
    "이 가 은 는 을 를 의 에게 께 께서 한테 와 과 도 만 이고 이며 입니다 이다 이에요 예요 이요 요 이라고 라고"
    " 이랑 랑 에게서 한테서 으로 로 님 씨 님이 님은 님의 님께 님께서 씨가 씨는 씨의 씨에게 이나 나 이든"
    " 이었고 이었다 였다 였고 이세요 세요 입니다만 이니 외".split()
)


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


class _Words(NamedTuple):
    single: frozenset[str]  # one-syllable surnames
    double: frozenset[str]  # two-syllable surnames (남궁, 황보…)
    roles: frozenset[str]  # role and kin words that are never names
    given: frozenset[str]  # syllables common in given names


@cache
def _words() -> _Words:
    surnames = word_list("surnames")
    return _Words(
        frozenset(w for w in surnames if len(w) == 1),
        frozenset(w for w in surnames if len(w) == 2),
        frozenset(word_list("role_words")),
        frozenset(" ".join(word_list("given_syllables")).split()),
    )


def _plausible(name: str) -> bool:
    """A surname from the list, then one or two common given-name syllables; not a role word."""
    words = _words()
    head = name[:2]
    if name in words.roles or head in words.roles:
        return False
    surname = 2 if len(name) >= 3 and head in words.double else 1
    if surname == 1 and name[0] not in words.single:
        return False
    given = name[surname:]
    return 1 <= len(given) <= 2 and all(ch in words.given for ch in given)


def _split_name(run: str, *, allow_two: bool) -> str | None:
    """The name at the start of a Hangul run such as ``홍길동입니다``, or ``None``."""
    for size in (3, 4, 2) if allow_two else (3, 4):
        name, rest = run[:size], run[size:]
        if len(name) == size and _plausible(name) and (not rest or rest in _PARTICLES):
            return name
    return None


def _literals(pattern: re.Pattern[str]) -> list[str]:
    """The words of an alternation of literals, where ``" ?"`` is an optional space."""
    words = pattern.pattern.split("|")
    return [v for w in words for v in ((w.replace(" ?", " "), w.replace(" ?", "")) if " ?" in w else (w,))]


@cache
def _cues() -> tuple[re.Pattern[str], frozenset[str], frozenset[str], frozenset[str]]:
    """One pattern for the labels and the honorifics, so the text is usually scanned once; the
    labels that begin with an honorific (``고객명``), where both readings are tried; and the words
    inside which a word of the other list can start (``상담원`` and ``원장``), which send the text
    to two separate scans, since one scan would miss the second word. The pattern has no group
    (a group in front would stop the regex engine from skipping ahead in C): a match is a label
    if it is in the label list, which the pattern tries first."""
    labels, honorifics = _literals(_LABELS), _literals(_HONORIFICS)
    risky = set()
    for label in labels:
        for honorific in honorifics:
            for a, b in ((label, honorific), (honorific, label)):
                if any(b.startswith(a[i:]) or a[i:].startswith(b) for i in range(1, len(a))):
                    risky.add(a)
            if honorific.startswith(label) and honorific != label:
                risky.add(label)
    both = frozenset(w for w in labels if _HONORIFICS.match(w))
    pattern = re.compile(f"{_LABELS.pattern}|{_HONORIFICS.pattern}")
    return pattern, frozenset(labels), both, frozenset(risky)


def find_names(text: str, known: re.Pattern[str] | None) -> list[Candidate]:
    """Name findings in ``text`` (normalised)."""
    before: list[Candidate] = []
    after: list[Candidate] = []
    pattern, labels, both, risky = _cues()
    for m in pattern.finditer(text):
        word = m.group()
        if word in risky:
            before, after = _apart(text)
            break
        if word not in labels:
            _before_honorific(text, m, before)
            continue
        _after_label(text, m, after)
        if word in both:
            honorific = _HONORIFICS.match(text, m.start())
            if honorific is not None:
                _before_honorific(text, honorific, before)
    before += after
    if known is not None:
        for m in known.finditer(text):
            before.append(Candidate(PiiType.NAME, m.start(), m.end(), 0.95, ("known-name",)))
    return before


def _apart(text: str) -> tuple[list[Candidate], list[Candidate]]:
    before: list[Candidate] = []
    after: list[Candidate] = []
    for m in _HONORIFICS.finditer(text):
        _before_honorific(text, m, before)
    for m in _LABELS.finditer(text):
        _after_label(text, m, after)
    return before, after


def _before_honorific(text: str, m: re.Match[str], found: list[Candidate]) -> None:
    end = m.start()
    if end and text[end - 1] == " ":
        end -= 1
    start = end
    while start > 0 and end - start < 5 and "가" <= text[start - 1] <= "힣":
        start -= 1
    if not 2 <= end - start <= 4 or (start > 0 and "가" <= text[start - 1] <= "힣"):
        return  # the name must be a whole Hangul word of two to four syllables
    if not _plausible(text[start:end]):
        return
    honorific = m.group()
    if honorific != "님" and honorific != "씨":
        tail = _HANGUL_RUN.match(text, m.end())
        rest = tail.group() if tail else ""
        if rest and rest not in _PARTICLES and not rest.startswith("님"):
            return  # a role word inside a longer word ("사장단"), not a title after a name
    found.append(Candidate(PiiType.NAME, start, end, 0.75, ("surname", "honorific")))


def _after_label(text: str, m: re.Match[str], found: list[Candidate]) -> None:
    if m.start() and _hangul(text[m.start() - 1]):
        return  # the label must start a word
    after = _AFTER_LABEL.match(text, m.end())
    if after is None:
        return
    separator = after.group(1)
    name = _split_name(after.group(2), allow_two=":" in separator or "=" in separator)
    if name is not None:
        start = after.start(2)
        found.append(Candidate(PiiType.NAME, start, start + len(name), 0.85, ("surname", "label")))


_BESIDE_GAP = frozenset(" \t,|/:()")


def names_beside(text: str, anchors: list[Candidate]) -> list[Candidate]:
    """Names written just before another finding (a phone, a registration number, an e-mail…):
    a whole Hangul word of three or four syllables, then one to three of `` \t,|/:()``."""
    found = []
    for anchor in anchors:
        # the separators may also end the line before: "홍길동 \n010-1234-5678"
        stop = anchor.start - 1 if anchor.start and text[anchor.start - 1] == "\n" else anchor.start
        end = stop
        while end > 0 and stop - end < 4 and text[end - 1] in _BESIDE_GAP:
            end -= 1
        if not 1 <= stop - end <= 3:
            continue
        start = end
        while start > 0 and end - start < 5 and "가" <= text[start - 1] <= "힣":
            start -= 1
        if 3 <= end - start <= 4 and _plausible(text[start:end]):
            found.append(Candidate(PiiType.NAME, start, end, 0.7, ("surname", "next-to-personal-data")))
    return found


@cache
def known_names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the names a service already knows; a name must not sit inside a longer word."""
    cleaned = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(n) for n in cleaned)
    particles = "|".join(sorted(_PARTICLES, key=len, reverse=True))
    return re.compile(rf"(?<![가-힣A-Za-z])(?:{alternatives})(?=(?:{particles})?(?![가-힣A-Za-z]))")
