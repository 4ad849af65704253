"""When: the effective date (시행일), the announcement date (공고일) and the history of earlier versions."""

from __future__ import annotations

import re
from datetime import date

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import dates, placeholder_date

_EFFECTIVE = re.compile(
    r"시행\s*일자|시행일|시행\s*됩니다|시행합니다|부터\s*(?:시행|적용)|적용\s*됩니다|에\s*시행"
    r"|~[^~]*적용\s*\)?\s*$"
)
_PAST = re.compile(r"이전|변경\s*전|과거|종전|~")


def effective(units: list[Unit], found: Found) -> None:
    current: list[tuple[date, Unit]] = []
    past: list[tuple[date, Unit]] = []
    for unit in units:
        announced = re.search(r"공고\s*일자?\s*[:：]?\s*", unit.text)
        if announced and dates(unit.text[announced.end() :]):
            found.data["announced"] = Val(dates(unit.text[announced.end() :])[0], Src.of(unit))
            rest = re.search(r"시행\s*일자?\s*[:：]?\s*", unit.text)
            if rest is None or not dates(unit.text[rest.end() :]):
                continue
            unit = Unit(unit.line, unit.col + rest.start(), unit.text[rest.start() :])
        if not _EFFECTIVE.search(unit.text):
            continue
        blank = placeholder_date(unit.text)
        if blank and not current:
            found.data["effective"] = Val({"placeholder": blank}, Src.of(unit))
            found.missing("effective", f"시행일이 '{blank}'(으)로 비어 있습니다")
            return
        if re.search(r"시행\s*일자\s*[:：]\s*미기재", unit.text):
            break
        text = unit.text.split("~")[0] if "~" in unit.text else unit.text
        for day in dates(text):
            (past if _PAST.search(unit.text) else current).append((day, unit))
    if not current:
        found.missing("effective", "시행일을 찾지 못했습니다 (effective-date-missing)")
        return
    latest = max(current, key=lambda p: p[0])
    distinct = sorted({d for d, _ in current})
    review = None
    if len(distinct) > 1:
        review = f"시행일이 여럿 적혀 있어 가장 늦은 날({latest[0].isoformat()})을 시행일로 읽었습니다"
    found.data["effective"] = Val(latest[0], Src.near(latest[1], str(latest[0].year)), review=review)
    history = sorted({d for d, _ in past + current if d < latest[0]})
    if history:
        units_by_day = {d: u for d, u in past + current}
        found.data["history"] = [
            {
                "version": Val(d.isoformat(), Src.of(units_by_day[d])),
                "effective": Val(d, Src.of(units_by_day[d])),
            }
            for d in history
        ]
