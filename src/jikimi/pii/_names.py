"""Personal names, found through the words around them, the way a Korean reader does.

A bare Hangul word is never reported as a name: too many common words start with a
surname syllable. A name is reported when it

* stands right before an honorific, a title or a role (``홍길동님``, ``김철수 씨``,
  ``이영희 고객님``, ``박민수 과장``, ``박선영 주무관``), or
* follows a label (``data/name_labels.txt``: ``성명: 홍길동``, ``예금주 이수진``,
  ``피해자: 문선영``, ``이름은 최하늘입니다``) or a role (``data/name_roles.txt``:
  ``주무관 박선영``, ``과장 전결 김도현``, ``지도교수: 정명훈``), and the names listed after it
  (``참석자: 이민호, 박지은``), or
* is one of the names the service already knows (``known_names``), or
* stands right before another piece of personal data, as in a roster or a form line
  (``홍길동 010-1234-5678``, ``김영희, 900101-2345678``),

and in the first two cases starts with a surname from ``data/surnames.txt`` and is not a
role or kin word (``data/role_words.txt``). Particles may follow the name.

Where the cue alone leaves doubt — a role (``과장 이상의``), a bare title after a noun
(``상기 환자``), a two-syllable name, a rare surname (``사무실 02-…``) — kiwipiepy's analysis of
the candidate and a few words around it decides: a word of its dictionary other than a proper
noun (NNG, a verb, an adverb…) is not a name. The analyser is loaded on first such doubt, once
per process, and never sees more than a window of about twenty characters.

Foreign names are found next to the same cues: two to four words of ``data/foreign_names.txt``
in Hangul (``존 스미스 씨``, ``성명: 응우옌 반 안``), or two to four capitalised Latin words after
a label (``성명: John Smith``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import NamedTuple

from jikimi.pii._data import scan_words, trie_pattern, trie_patterns, word_list
from jikimi.pii._model import Candidate, PiiType
from jikimi.pii._name_analysis import _common_word, _confirmed, _name_shaped_words, _proper_words

# Honorifics written right after a name. Every alternative starts with a literal character, so
# the regex engine skips ahead to candidate characters in C; the name itself is then read
# backwards (or forwards) in Python. Labels (``data/name_labels.txt``) and roles
# (``data/name_roles.txt``, which may stand before or after a name) are read from data files.
_HONORIFIC_WORDS = (
    "고객님|회원님|선생님|교수님|대표님|원장님|사장님|이사님|부장님|과장님|차장님|팀장님|실장님|대리님|주임님"
    "|기사님|작가님|선배님|님|씨|고객|회원|선생|교수|대표|원장|사장|부장|과장|차장|팀장|실장|대리|주임|사원"
    "|기자|변호사|의원|학생|환자|보호자".split("|")
)
_AFTER_LABEL = re.compile(
    r"([ \t]{0,3}[:=][ \t]{0,3}|[ \t]?(?:은|는|이|가)[ \t]|[ \t]{0,2}\([ \t]?|[ \t]{1,3})([가-힣]{2,8})"
)
# A name in Latin letters after a label: `성명: John Smith`, `Name: HONG GILDONG`.
_LATIN_WORD = "(?:[A-Z][a-z]{1,15}|[A-Z]{2,15})"
# (then, perhaps, its Hangul spelling in parentheses: `Patient: Ali Hassan (알리 하산)`)
_LATIN_AFTER_LABEL = re.compile(
    r"(?:\((?:영문|영어|English)\))?[ \t]{0,3}[:=]?[ \t]{0,3}"
    rf"({_LATIN_WORD}(?:[ \t-]{_LATIN_WORD}){{1,3}})(?![A-Za-z0-9])"
    r"(?: ?\(([가-힣]{1,6}(?: [가-힣]{1,6}){0,3})\))?"
)
_IN_LATIN = ("(영문)", "(영어)", "(English)")
_HANGUL_RUN = re.compile(r"[가-힣]*")
_COLON_AFTER = re.compile(r"[ \t]{0,2}:")
_PARTICLES = frozenset(
    "이 가 은 는 을 를 의 에게 께 께서 한테 와 과 도 만 이고 이며 입니다 이다 이에요 예요 이요 요 이라고 라고"
    " 이랑 랑 에게서 한테서 으로 로 님 씨 님이 님은 님의 님께 님께서 씨가 씨는 씨의 씨에게 이나 나 이든"
    " 이었고 이었다 였다 였고 이세요 세요 입니다만 이니 외 이가 이는 이를 이도 이의 이한테 이에게"
    " 께도 께서도 께서는 에게도 에게는 한테도 한테는 님께도 님께서도".split()
)
# Surnames this far down data/surnames.txt are rare enough that a word starting with one is more
# often a common noun (사무실, 상기, 지도): such a candidate is confirmed by the analyser.
_COMMON_SURNAMES = 40


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


class _Words(NamedTuple):
    single: frozenset[str]  # one-syllable surnames
    double: frozenset[str]  # two-syllable surnames (남궁, 황보…)
    common: frozenset[str]  # the most common surnames
    roles: frozenset[str]  # role and kin words that are never names
    given: frozenset[str]  # syllables common in given names
    foreign: frozenset[str]  # foreign given names and surnames written in Hangul


@cache
def _words() -> _Words:
    surnames = word_list("surnames")
    return _Words(
        frozenset(w for w in surnames if len(w) == 1),
        frozenset(w for w in surnames if len(w) == 2),
        frozenset(surnames[:_COMMON_SURNAMES]),
        frozenset(word_list("role_words")),
        frozenset(" ".join(word_list("given_syllables")).split()),
        frozenset(" ".join(word_list("foreign_names")).split()),
    )


@cache
def _first_syllables() -> frozenset[str]:
    """The syllables a name may start with: a surname's first, or a listed foreign word's."""
    words = _words()
    return frozenset(w[0] for w in (*words.single, *words.double, *words.foreign))


# The decisions on a word alone are memoised (bounded): the same words come back, in a text and
# across texts (names, roles, the words after a label).
_MEMO = 8192


@lru_cache(maxsize=_MEMO)
def _plausible(name: str) -> bool:
    """A surname from the list, then one or two common given-name syllables; not a role word."""
    words = _words()
    head = name[:2]
    if name in words.roles:
        return False
    if head in words.roles and (len(name) == 2 or name[2:] in _PARTICLES or name in _name_shaped_words()):
        return False  # a role word and its particle (부장이), or a common word (이번주), not 이병철
    if len(name) == 3 and name[1:] in _VERB_ENDINGS:
        return False  # a verb and its ending (주세요, 하세요), not a surname and a given name
    surname = 2 if len(name) >= 3 and head in words.double else 1
    if surname == 1 and name[0] not in words.single:
        return False
    given = name[surname:]
    return 1 <= len(given) <= 2 and words.given.issuperset(given)


# Polite verb endings: a three-syllable word ending in one is a verb (주세요), not a name.
_VERB_ENDINGS = frozenset("세요 해요 어요 아요 네요 지요 군요 니다 셔요 래요 게요 과요".split())


@lru_cache(maxsize=_MEMO)
def _split_name(run: str, *, allow_two: bool) -> str | None:
    """The name at the start of a Hangul run such as ``홍길동입니다``, or ``None``."""
    for size in (3, 4, 2):
        name, rest = run[:size], run[size:]
        if size == 2 and not allow_two and rest not in _COPULAS:
            continue  # a two-syllable name needs `:` or a copula (이름은 염태입니다)
        if len(name) == size and _plausible(name) and (not rest or rest in _PARTICLES):
            return name
    return None


_COPULAS = frozenset("입니다 이에요 예요 이고 이며 이다 입니다만 이라고 라고".split())


# What may end a field after a two-syllable name (계장  방진    국장, 학과장 홍준 (인), 담당 이결⏎).
_FIELD_END = re.compile(r"\Z|\n|[ \t]{2}|\t|[ \t]?[:(),/|<\d+]")


def _field_end(text: str, at: int) -> bool:
    """Whether a field of a form or a signature line ends at ``at``."""
    return _FIELD_END.match(text, at) is not None


def _loose_name(run: str) -> str | None:
    """A three-syllable name at the start of ``run`` whose given name uses syllables outside the
    list (``조현뵨``): only after a label or a role, and only if the analyser agrees."""
    name, rest = run[:3], run[3:]
    words = _words()
    if len(name) < 3 or name[0] not in words.single or name in words.roles or name[:2] in words.roles:
        return None
    return name if not rest or rest in _PARTICLES else None


def _doubtful(name: str) -> bool:
    """Whether a plausible name is also often a common word: two syllables, or a rare surname."""
    return len(name) == 2 or name[0] not in _words().common


def _without_analysis(name: str) -> bool:
    """Whether a plausible name of three or four syllables, seen with a weaker cue (a cell, a
    particle), is taken without running the analyser: it is not one of the name-shaped common
    words (three syllables, or four with a two-syllable surname: 남궁민수, not 동방가련)."""
    return len(name) >= 3 and name not in _name_shaped_words()


# --- foreign names ------------------------------------------------------------------------------

_FOREIGN_WORD = re.compile(r"[가-힣]{1,6}")


def _foreign_after(text: str, pos: int) -> int | None:
    """The end of a foreign name in Hangul starting at ``pos`` (two to four listed words), or None."""
    foreign = _words().foreign
    count, end, at = 0, -1, pos
    while count < 4:
        m = _FOREIGN_WORD.match(text, at)
        if m is None or (m.end() < len(text) and _hangul(text[m.end()])):
            break
        word = m.group()
        if word not in foreign:
            stem = next((word[:i] for i in range(1, len(word)) if word[i:] in _PARTICLES), "")
            if count and stem in foreign:  # 존 스미스가
                return at + len(stem)
            break
        count += 1
        end = m.end()
        if not text.startswith(" ", end):
            break
        at = end + 1
    return end if count >= 2 else None


def _foreign_before(text: str, end: int) -> int | None:
    """The start of a foreign name in Hangul ending at ``end`` (two to four listed words), or None."""
    foreign = _words().foreign
    count, start, at = 0, None, end
    while count < 4:
        begin = at
        while begin > 0 and at - begin < 6 and _hangul(text[begin - 1]):
            begin -= 1
        if begin == at or (begin > 0 and _hangul(text[begin - 1])) or text[begin:at] not in foreign:
            break
        count += 1
        start = begin
        if begin < 2 or text[begin - 1] != " " or not _hangul(text[begin - 2]):
            break
        at = begin - 1
    return start if count >= 2 else None


# A field of two to four Hangul words after `label:` that ends the field (`한글 성명: 안나
# 콜레스니코바   국적: …`, `투숙객 성명: 마리아 가르시아⏎`).
_FIELD = re.compile(r"[가-힣]{1,6}(?: [가-힣]{1,6}){1,3}(?=[ \t]{2}|[ \t]*(?:[\n/(,|\t]|\Z))")


def _foreign_field(text: str, start: int, found: list[Candidate], cues: _Cues) -> bool:
    """A foreign name of several words filling the field after a name label and its colon, when
    no word is a cue (경위 도민, 김민수 고객) and the analyser reads each as a proper noun or an
    unknown word (not 홍길동 외)."""
    field = _FIELD.match(text, start)
    if field is None:
        return False
    words = field.group().split(" ")
    if any(w in cues.before or w in _HONORIFIC_SET for w in words):
        return False
    if not all(w in _words().foreign for w in words) and not _proper_words(field.group()):
        return False
    found.append(Candidate(PiiType.NAME, start, field.end(), 0.8, ("foreign-name", "label")))
    return True


_HONORIFIC_SET = frozenset(_HONORIFIC_WORDS)


# --- cues -----------------------------------------------------------------------------------------


class _Cues(NamedTuple):
    pattern: re.Pattern[str]  # labels, roles and honorifics in one pattern
    parts: tuple[re.Pattern[str], ...]  # the same words in patterns by first syllable
    before: frozenset[str]  # label and role words (a name may follow)
    strong: frozenset[str]  # label words proper (no analysis needed for a common name)
    both: dict[str, str]  # words a name may follow that also start with an honorific (고객명: 고객)
    risky: dict[str, tuple[tuple[int, bool, frozenset[str]], ...]]  # see _inside (상담원장: 원장)
    roles: frozenset[str]  # role words (a name beside them is always confirmed by the analyser)


@cache
def _cues() -> _Cues:
    """One pattern for the labels, roles and honorifics, so the text is scanned once; the words
    a name may follow that begin with an honorific (``고객명``, every role), where both readings
    are tried; and the words inside which another cue can start (``상담원`` and ``원장``), after
    which the cues starting inside the match are looked for too."""
    strong = frozenset(word_list("name_labels"))
    role_words = frozenset(word_list("name_roles"))
    honorific_words = frozenset(_HONORIFIC_WORDS) | role_words
    labels = strong | role_words
    words = labels | honorific_words
    honorific_re = re.compile(trie_pattern(honorific_words))
    risky = {a: inside for a in words if (inside := _inside(a, words))}
    # (the honorific at the start of such a word is the same wherever it stands: the scan takes
    # the longest word, and every honorific is one of the words)
    both = {w: h.group() for w in labels if (h := honorific_re.match(w)) is not None}
    return _Cues(
        re.compile(trie_pattern(words)),
        trie_patterns(words),
        labels,
        strong,
        both,
        risky,
        role_words - frozenset(_HONORIFIC_WORDS),
    )


def _inside(a: str, words: frozenset[str]) -> tuple[tuple[int, bool, frozenset[str]], ...]:
    """Where another cue can start inside the cue ``a`` (상담원장: 원장): the offset; whether a cue
    ends within ``a`` there (then one is always found); and the characters that, right after
    ``a``, would continue a longer cue started there (after any other, none is)."""
    inside = []
    for i in range(1, len(a)):
        rest = a[i:]
        contained = any(rest.startswith(b) for b in words)
        nexts = frozenset(b[len(rest)] for b in words if len(b) > len(rest) and b.startswith(rest))
        if contained or nexts:
            inside.append((i, contained, nexts))
    return tuple(inside)


def find_names(
    text: str, known: re.Pattern[str] | None, labels: list[tuple[int, int]] | None = None
) -> list[Candidate]:
    """Name findings in ``text`` (normalised); the spans of the label words met that may fill a
    cell by themselves are added to ``labels`` (the header cells of a table are among them)."""
    before: list[Candidate] = []
    after: list[Candidate] = []
    cues = _cues()
    pattern = cues.pattern
    strong = cues.strong
    risky = cues.risky
    label_words = cues.before
    both = cues.both
    for m in scan_words(text, cues.parts):
        word = m.group()
        start, end = m.span()
        following = text[end : end + 1]
        if word not in label_words:
            _before_honorific(text, start, word, before, cues)
        else:
            if labels is not None and word in strong and following in _HEADER_ENDS:  # a header cell?
                labels.append((start, end))
            if following in _AFTER_LABEL_STARTS:
                _after_label(text, m, after, cues)
            honorific = both.get(word)
            if honorific is not None:
                _before_honorific(text, start, honorific, before, cues)
        inside = risky.get(word)
        if inside is not None:
            for offset, contained, nexts in inside:
                if contained or following in nexts:
                    inner = pattern.match(text, start + offset)
                    if inner is not None:
                        _cue(text, inner, cues, before, after)
    before += after
    if known is not None:
        for m in known.finditer(text):
            before.append(Candidate(PiiType.NAME, m.start(), m.end(), 0.95, ("known-name",)))
    return before


def _cue(text: str, m: re.Match[str], cues: _Cues, before: list[Candidate], after: list[Candidate]) -> None:
    word = m.group()
    if word not in cues.before:
        _before_honorific(text, m.start(), word, before, cues)
        return
    _after_label(text, m, after, cues)
    honorific = cues.both.get(word)
    if honorific is not None:
        _before_honorific(text, m.start(), honorific, before, cues)


# What may end a label that fills a header cell ("" at the end of the text).
_HEADER_ENDS = frozenset(("", " ", "|", "\t", "\n"))


# Last syllables of the name of a team or an office, written between a name and a title.
_UNITS = ("팀", "부", "과", "실", "국", "처", "센터", "본부", "지점", "지사", "연구소", "사무소")


def _before_honorific(text: str, at: int, honorific: str, found: list[Candidate], cues: _Cues) -> None:
    """A name right before the honorific, title or role ``honorific`` found at ``at``."""
    end = at
    if end and text[end - 1] in " (":  # 김철수 씨, 박선영(주무관)
        end -= 1
    if not end or not "가" <= text[end - 1] <= "힣":
        return  # no word before the honorific
    start = end
    while start > 0 and end - start < 5 and "가" <= text[start - 1] <= "힣":
        start -= 1
    if honorific != "님" and honorific != "씨":
        tail = _HANGUL_RUN.match(text, at + len(honorific))
        rest = tail.group() if tail else ""
        if rest and rest not in _PARTICLES and not rest.startswith("님"):
            return  # a role word inside a longer word ("사장단"), not a title after a name
    if 2 <= end - start <= 4 and not (start > 0 and "가" <= text[start - 1] <= "힣"):
        name = text[start:end]  # the name must be a whole Hangul word of two to four syllables
        if len(name) == 2 and start >= 2 and text[start - 1] == " " and _hangul(text[start - 2]):
            foreign = _foreign_before(text, end)  # 알리 하산 님: a foreign name, not 하산
            if foreign is not None:
                found.append(Candidate(PiiType.NAME, foreign, end, 0.75, ("foreign-name", "honorific")))
                return
        if _plausible(name):
            # 님 and 씨 follow names and titles only; a bare title (환자, 교수) may follow a noun
            # (상기 환자, 지도교수), and a role (주무관, 결재) any word
            # (a three-syllable word is always looked up among the name-shaped common words)
            doubtful = honorific in cues.roles or (
                honorific[-1] not in "님씨" and (len(name) == 3 or _doubtful(name))
            )
            if _confirmed(text, start, end, doubtful):
                found.append(Candidate(PiiType.NAME, start, end, 0.75, ("surname", "honorific")))
            return
    unit = text[start:end]
    if 2 <= len(unit) <= 6 and unit.endswith(_UNITS) and start >= 4 and text[start - 1] == " ":
        # a name, then the team or office, then the title: 김민수 영업팀 과장, 박지은 인사팀장
        name_end = start - 1
        name_start = name_end
        while name_start > 0 and name_end - name_start < 5 and _hangul(text[name_start - 1]):
            name_start -= 1
        name = text[name_start:name_end]
        if (
            3 <= len(name) <= 4
            and not (name_start > 0 and _hangul(text[name_start - 1]))
            and _plausible(name)
            and _without_analysis(name)
        ):
            found.append(Candidate(PiiType.NAME, name_start, name_end, 0.7, ("surname", "unit", "honorific")))
            return
    if end < at:  # a foreign name needs the space: 존 스미스 씨, 마이클 조던 선수
        foreign = _foreign_before(text, end)
        if foreign is not None:
            found.append(Candidate(PiiType.NAME, foreign, end, 0.75, ("foreign-name", "honorific")))


# What may follow a label for a name to come after it (a separator, a particle and a space, or
# a mark in parentheses): after any other character :func:`_after_label` finds nothing.
_AFTER_LABEL_STARTS = frozenset(" \t:=(은는이가")


def _after_label(text: str, m: re.Match[str], found: list[Candidate], cues: _Cues) -> None:
    label_start, label_end = m.span()
    strong = m.group() in cues.strong
    # the label starts a word, or ends one before its colon (심사위원장: 맹지석); a role may end the
    # name of an office (총무과장 김빛나, 감사팀장 이유진)
    in_word = label_start > 0 and "가" <= text[label_start - 1] <= "힣"
    # 성명(영문): HONG GILDONG: the name in Latin letters follows the mark
    after = None if text.startswith(_IN_LATIN, label_end) else _AFTER_LABEL.match(text, label_end)
    if after is None:
        latin = _LATIN_AFTER_LABEL.match(text, label_end) if strong and not in_word else None
        if latin is not None and latin.start(1) > label_end:
            found.append(Candidate(PiiType.NAME, latin.start(1), latin.end(1), 0.8, ("latin-name", "label")))
            if latin.group(2) and latin.group(2) not in cues.before:  # Ali Hassan (알리 하산)
                found.append(
                    Candidate(PiiType.NAME, latin.start(2), latin.end(2), 0.8, ("foreign-name", "label"))
                )
        return
    separator, run = after.groups()
    if in_word and strong and ":" not in separator:
        return
    if run[0] not in _first_syllables():
        return  # no surname and no foreign name starts so (성명  생년월일: a header)
    start, run_end = after.span(2)
    colon = ":" in separator or "=" in separator
    if (
        colon
        and text.startswith(" ", run_end)  # a field of several words
        and strong
        and _foreign_field(text, start, found, cues)
    ):
        return
    name = _split_name(run, allow_two=colon or (len(run) == 2 and _field_end(text, run_end)))
    if name is not None:
        role = not strong
        if _confirmed(text, start, start + len(name), role or len(name) == 2):
            why = ("surname", "role") if role else ("surname", "label")
            found.append(Candidate(PiiType.NAME, start, start + len(name), 0.85 if not role else 0.8, why))
            if text[start + len(name) : start + len(name) + 2].lstrip(" \t")[:1] in _LIST_MARKS:
                _listed(text, start + len(name), found, 0.85 if not role else 0.8, why)
        return
    end = _foreign_after(text, start)
    if end is not None:
        found.append(Candidate(PiiType.NAME, start, end, 0.8, ("foreign-name", "label")))
        return
    name = _loose_name(run)
    if name is not None and _COLON_AFTER.match(text, start + 3):
        return  # a label after a label (대표 예약자: …), not a name
    if name is not None and not _common_word(text, start, start + 3):
        found.append(Candidate(PiiType.NAME, start, start + 3, 0.75, ("surname", "label", "analysis")))


_LIST_MARKS = frozenset(",·ㆍ")
_NEXT_IN_LIST = re.compile(r"[ \t]?[,·ㆍ][ \t]{0,2}([가-힣]{2,8})")
_MAX_LISTED = 30


def _listed(text: str, at: int, found: list[Candidate], confidence: float, why: tuple[str, ...]) -> None:
    """The names that follow a labelled one in a list: ``참석자: 이민호, 박지은, 최수진``."""
    for _ in range(_MAX_LISTED):
        m = _NEXT_IN_LIST.match(text, at)
        name = (
            _split_name(m.group(1), allow_two=len(m.group(1)) == 2 and _field_end(text, m.end(1)))
            if m is not None
            else None
        )
        if m is None or name is None:
            return
        start = m.start(1)
        if not _confirmed(text, start, start + len(name), _doubtful(name)):
            return
        found.append(Candidate(PiiType.NAME, start, start + len(name), confidence, (*why, "list")))
        at = start + len(name)
