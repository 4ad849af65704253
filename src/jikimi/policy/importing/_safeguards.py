"""안전성 확보조치: each sentence of the security section that names a measure, with its kind.

A sentence is given the first kind whose words it uses (``SSL`` → ``encryption_in_transit``, ``백신`` →
``antivirus``…); a sentence that names none is left out rather than filed under ``other``. What each
measure covers is not read (an empty ``covers`` means every item), so each carries a review note.
"""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._words import unmark

_AT_REST = r"암호화하여\s*저장|암호화되어\s*저장|저장[^.]{0,20}암호화|파일[^.]{0,20}암호화"
_IN_TRANSIT = r"SSL|TLS|전송\s*구간|암호화\s*통신|전송[^.]{0,20}암호화|보안\s*장치"
_FEWEST = r"접근\s*권한|최소한의?\s*인원|최소한으로\s*제한|담당자에\s*한정|취급\s*직원[^.]{0,10}최소"
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("password_hashing", re.compile(r"비밀번호(?:는|가|를)?\s*[^.]{0,15}(?:일방향|암호화되어|암호화하여)")),
    ("encryption_at_rest", re.compile(_AT_REST)),
    ("encryption_in_transit", re.compile(_IN_TRANSIT, re.I)),
    ("firewall", re.compile(r"방화벽|침입\s*차단|침입\s*탐지")),
    ("antivirus", re.compile(r"백신|바이러스|보안\s*프로그램")),
    ("backup", re.compile(r"백업")),
    ("access_log", re.compile(r"접속\s*기록")),
    ("access_control", re.compile(r"접근\s*통제|무단\s*접근")),
    ("least_privilege", re.compile(_FEWEST)),
    ("training", re.compile(r"교육")),
    ("dedicated_org", re.compile(r"전담\s*기구|전담\s*조직|내부\s*관리\s*계획")),
    ("physical", re.compile(r"잠금\s*장치|출입\s*통제|물리적")),
    ("audit", re.compile(r"감사|점검|보안\s*진단|보안\s*서약")),
)
_SENTENCE = re.compile(r"(?<=다\.)\s+|(?<=있고,)\s+|(?<=있으며,)\s+|(?<=하며,)\s+")


def security(sections: list[Section], found: Found) -> None:
    measures: list[dict[str, Any]] = []
    seen: set[str] = set()
    for unit in (u for s in sections for u in s.units[1:]):
        if unit.cells:
            continue
        for sentence in _SENTENCE.split(unmark(unit.text)):
            sentence = sentence.strip()
            if len(sentence) < 25 and not sentence.endswith(("다.", ",")):
                continue  # a heading such as "비밀번호 암호화"
            if re.search(r"다음과\s*같|아래와\s*같", sentence):
                continue
            kind = next((k for k, pattern in _KINDS if pattern.search(sentence)), None)
            if kind is None or sentence in seen:
                continue
            seen.add(sentence)
            measures.append(
                {
                    "kind": Val(kind, Src.of(unit, sentence)),
                    "description": Val(sentence, Src.of(unit, sentence)),
                }
            )
    if measures:
        found.data["security"] = measures
        found.review(
            "security",
            "조치의 종류는 원문의 낱말로 골랐고, 적용 대상(covers)은 원문이 밝히지 않아 비워 두었습니다 "
            "(비어 있으면 모든 항목): 확인하십시오",
        )
