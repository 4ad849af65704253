"""How long: retention rules and the statutes behind them, dormancy, destruction, change notice and dates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jikimi.periods import Duration
from jikimi.policy.importing._found import MAX_WORDS, Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import (
    clean,
    fields,
    normal,
    period,
    placeholder_period,
)
from jikimi.policy.model import Statute
from jikimi.policy.statutes import statutes, statutes_named_in

# --- retention ---------------------------------------------------------------------------------

_KEYS = re.compile(
    r"보존\s*항목|보유\s*항목|보존\s*근거|보유\s*근거|보존\s*이유|보유\s*이유|보존\s*사유|보존\s*기간|보유\s*기간|"
    r"근거\s*법령|관련\s*법령"
)
_FROM = (
    ("withdrawal", re.compile(r"탈퇴\s*(?:일|시|한\s*날|후)")),
    ("contract_end", re.compile(r"(?:계약|이용계약)\s*(?:해지|종료)\s*(?:일|시|후)")),
    ("record_date", re.compile(r"(?:작성|기록)\s*일")),
    ("collection", re.compile(r"수집\s*일")),
    ("last_activity", re.compile(r"(?:최종|마지막)\s*(?:이용|접속|로그인)")),
    ("consent_withdrawal", re.compile(r"동의\s*철회\s*(?:일|시)")),
)
_SKIP = re.compile(r"장기\s*미이용|휴면|미이용자|분리\s*보관\s*처리일")


@dataclass
class _Entry:
    what: str
    src: Src
    period: Duration | None = None
    placeholder: str | None = None
    period_src: Src | None = None
    start: str | None = None
    law: str | None = None
    reason: str | None = None
    words: list[str] = field(default_factory=list)


def _start(text: str) -> str | None:
    return next((name for name, pattern in _FROM if pattern.search(text)), None)


def _set_period(entry: _Entry, value: str, unit: Unit) -> bool:
    found = period(value)
    blank = placeholder_period(value)
    if found is None and blank is None:
        return False
    entry.period, entry.placeholder = found, None if found else blank
    entry.period_src = Src.of(unit)
    entry.start = entry.start or _start(value)
    return True


def _entries(units: list[Unit]) -> list[_Entry]:
    entries: list[_Entry] = []
    current: _Entry | None = None
    pending: tuple[str, Unit] | None = None
    context_law: str | None = None  # 「전자상거래법」에 따른 … (the law of the list that follows)
    for unit in units:
        if unit.cells or _SKIP.search(unit.text):
            continue
        if re.match(r"^(?:[가-하]\.|\d{1,2}[.)]|\(\d{1,2}\))", unit.text):
            cited = re.search(r"「([^」]+)」", unit.text)
            context_law = cited.group(1) if cited and statutes_named_in(cited.group(1)) else None
        head, got = fields(unit.text, _KEYS)
        body = re.sub(r"^[\s\-*o○•▶■]+|^\d{1,2}\)\s*|^[가-하]\.\s*", "", head).strip()
        if got:
            if pending is not None and not any(f.key in ("보존항목", "보유항목") for f in got[:1]):
                current = _Entry(pending[0], Src.of(pending[1]))
                entries.append(current)
            pending = None
            if body and not got[0].key.endswith("항목") and len(body) < 60 and not body.endswith("다."):
                current = _Entry(body, Src.of(unit))
                entries.append(current)
            for fld in got:
                key = fld.key
                if key.endswith("항목"):
                    current = _Entry(fld.value, Src.near(unit, fld.value))
                    entries.append(current)
                elif current is None:
                    continue
                elif key.endswith("기간"):
                    _set_period(current, fld.value, unit)
                    if current.period_src is not None and len(unit.text) > MAX_WORDS:
                        current.period_src = Src.near(unit, fld.value)
                elif statutes_named_in(fld.value) or "법" in fld.value[-6:] or key.endswith("법령"):
                    current.law = fld.value
                else:
                    current.reason = fld.value
                current.words.append(f"{fld.key}: {fld.value}")
            continue
        inline = list(_IN_PARENS.finditer(body))
        if inline:
            cited = re.search(r"「([^」]+)」", body)
            law = cited.group(1) if cited and statutes_named_in(cited.group(1)) else context_law
            for match in inline:
                what = re.sub(r"^.*(?:에\s*따른|따라|의한)\s+", "", match["what"]).strip(" ,")
                entry = _Entry(what, Src.near(unit, match["what"].strip(" ,")[-12:]))
                _set_period(entry, match["period"], unit)
                entry.law = law
                entries.append(entry)
            pending, current = None, None
            continue
        labelled = re.match(r"^(?P<what>[^:：]{2,60}?)\s*[:：]\s*(?P<rest>.+)$", body)
        if labelled and (period(labelled["rest"][:12]) or placeholder_period(labelled["rest"][:12])):
            current = _Entry(labelled["what"].strip(), Src.of(unit))
            _set_period(current, labelled["rest"], unit)
            law = re.search(r"\(([^)]*(?:법|령)[^)]*)\)", labelled["rest"]) or re.search(
                r"\(([^)]*(?:법|령)[^)]*)\)", labelled["what"]
            )
            if law:
                current.law = law.group(1).strip()
            elif context_law is not None:
                current.law = context_law
            entries.append(current)
            pending = None
            current = None
            continue
        sentence = _sentence_entry(body, unit)
        if sentence is not None:
            entries.append(sentence)
            pending, current = None, None
            continue
        listed = re.match(r"^[\s\-*o○•▶]+|^\d{1,2}\)", unit.text)
        if listed and len(body) <= 40 and ":" not in body and not body.endswith("다."):
            pending, current = (body, unit), None
        else:
            pending = None
    return [e for e in entries if e.period is not None or e.placeholder is not None or e.law]


_IN_PARENS = re.compile(
    r"(?P<what>[^,()·]{4,60}?기록[^,()]{0,10}?)\s*\(\s*(?P<period>\d{1,3}\s*(?:년|개월|일))\s*\)"
)
_KEEP_VERB = re.compile(r"(?:보유|보존|보관)(?:할 수 있습니다|합니다|하며|됩니다|한다)")


def _sentence_entry(text: str, unit: Unit) -> _Entry | None:
    """``이용계약 해지일로부터 oo년간 회원의 정보를 보유할 수 있습니다`` as one rule."""
    if not _KEEP_VERB.search(text):
        return None
    match = re.search(
        r"(?P<start>[가-힣\s]{0,12}(?:일로부터|후|시부터|부터))?\s*(?P<period>(?:\d{1,3}|oo|OO|00|○○)\s*(?:년|개월|일)간?)"
        r"\s*(?:동안\s*)?(?P<what>[^,.]{2,30}?)(?:을|를)\s*(?:보유|보존|보관)",
        text,
    )
    if not match:
        match = re.search(  # what first: "아이디는 부정 가입 방지를 위하여 탈퇴 후 30일간 보관합니다"
            r"(?P<what>[^,.\s]{1,15}(?:\s[^,.\s]{1,15})?)(?:은|는|을|를)\s+(?:[^,.]{0,30}?위하여\s*)?"
            r"(?P<start>[가-힣\s]{0,12}(?:일로부터|후|시부터|부터))?\s*"
            r"(?P<period>(?:\d{1,3}|oo|OO|00|○○)\s*(?:년|개월|일)간?)\s*(?:동안\s*)?(?:보유|보존|보관)",
            text,
        )
    if not match:
        return None
    entry = _Entry(re.sub(r"^(?:다만|단|또한|그리고),?\s*", "", match["what"].strip()), Src.of(unit))
    _set_period(entry, match["period"], unit)
    entry.start = _start(match["start"] or "")
    reason = re.search(r"(?P<reason>[^.]*?위하여)", text[: match.start()])
    if reason:
        entry.reason = reason["reason"].strip(" ,")
    return entry


def _bigrams(text: str) -> set[str]:
    plain = re.sub(r"에관한|기록|및|또는|등의|등", "", normal(text))
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def _several_presets(label: str, law_text: str, days: Duration | None) -> list[Statute]:
    """The presets a label lists together (``계약 또는 청약철회, 대금결제, 재화 등의 공급기록 : 5년``): each
    with most of its own words in the label and the period written."""
    words = _bigrams(label)
    hits = []
    for preset in statutes_named_in(law_text):
        own = _bigrams(preset.label)
        if own and len(words & own) / len(own) >= 0.5 and (days is None or preset.period == days):
            hits.append(preset)
    if len(hits) < 2:
        return []
    parts = [p for p in re.split(r",|및|또는", label) if p.strip()]
    return hits if len(parts) >= len(hits) else []


def preset_for(label: str, law_text: str, days: Duration | None) -> tuple[Statute | None, str | None]:
    """The statute preset a rule's law and label name, and a review note when the choice is unsure."""
    named = statutes_named_in(law_text)
    if not named:
        return None, None
    words = _bigrams(label)
    scored = sorted(((len(words & _bigrams(s.label)), s) for s in named), key=lambda p: -p[0])
    best_score, best = scored[0]
    if len(scored) > 1 and best_score == scored[1][0]:
        by_period = [
            s for score, s in scored if score == best_score and days is not None and s.period == days
        ]
        if len(by_period) == 1:
            return by_period[0], f"'{label}'에 맞는 법정 기록을 기간으로 골랐습니다 ({by_period[0].id})"
        return None, f"'{label}'이(가) {', '.join(s.id for _, s in scored)} 중 어느 기록인지 알 수 없습니다"
    if best_score == 0 and len(scored) > 1:
        return None, f"'{label}'이(가) {law_text}의 어느 기록인지 알 수 없습니다"
    if len(scored) == 1 and best_score == 0 and days is not None and best.period != days:
        return None, f"{law_text}를 근거로 들지만 '{label}'에 맞는 법정 보존기간 프리셋이 없습니다"
    if best.obsolete is None and days is not None and best.period != days:
        return (
            best,
            f"원문의 기간({days.korean()})이 {best.id}의 법정 기간({best.period.korean()})과 다릅니다",
        )
    if best.obsolete is not None and best_score == 0:
        return None, f"{law_text}를 근거로 들지만 '{label}'에 해당하는 법정 보존기간이 없습니다"
    return best, None


def retention(sections: list[Section], found: Found) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    units = [u for s in sections for u in s.units]
    table = _table_rules(units, found)
    entries = [] if table else _entries(units)
    for entry in entries:
        law_text = entry.law or entry.reason or ""
        several = _several_presets(entry.what, law_text, entry.period)
        if several:
            named = ", ".join(p.id for p in several)
            for one in several:
                split: dict[str, Any] = {"label": Val(entry.what, entry.src)}
                if entry.period is not None:
                    split["period"] = Val(entry.period.iso(), entry.period_src)
                split["basis"] = Val(
                    one.id, entry.src, review=f"한 줄이 법정 기록 {len(several)}개({named})를 함께 부릅니다"
                )
                split["law"] = Val(law_text, entry.src)
                rules.append(split)
            continue
        rule: dict[str, Any] = {"label": Val(entry.what, entry.src)}
        preset, note = preset_for(entry.what, law_text, entry.period)
        if entry.period is not None:
            rule["period"] = Val(entry.period.iso(), entry.period_src)
        elif entry.placeholder is not None:
            rule["period"] = Val({"placeholder": entry.placeholder}, entry.period_src)
        elif preset is None:
            rule["period"] = Val({"placeholder": "기간 미기재"}, missing="원문이 보존 기간을 밝히지 않습니다")
            found.missing(f"retention '{entry.what}'", "원문이 보존 기간을 밝히지 않습니다")
        if preset is not None:
            rule["basis"] = Val(preset.id, entry.src, review=note)
        elif note:
            found.review(f"retention '{entry.what}'", note, entry.src)
        if entry.law:
            rule["law"] = Val(entry.law, entry.src, review=None if preset else note)
        if entry.start:
            rule["from"] = Val(entry.start, entry.period_src or entry.src)
        if entry.reason and entry.reason != entry.law:
            rule["reason"] = Val(entry.reason, entry.src)
        rules.append(rule)
    return table or rules


_TABLE_HEAD = re.compile(r"보존\s*(?:항목|기록)|보유\s*항목")


def _table_rules(units: list[Unit], found: Found) -> list[dict[str, Any]]:
    """A retention table (``보존 항목·기록 | 보존 기간 | 기산점 | 근거 및 이유``) read by its header."""
    rules: list[dict[str, Any]] = []
    header: tuple[str, ...] | None = None
    for unit in units:
        if not unit.cells:
            header = None if header is None else header
            continue
        cells = unit.cells
        if any(_TABLE_HEAD.search(c) for c in cells) and any("기간" in c for c in cells):
            header = cells
            continue
        if header is None:
            continue
        row = dict(zip(header, cells, strict=False))
        what = next((v for k, v in row.items() if _TABLE_HEAD.search(k)), "")
        span = next((v for k, v in row.items() if "기간" in k), "")
        start = next((v for k, v in row.items() if "기산" in k), "")
        why = next((v for k, v in row.items() if "근거" in k or "이유" in k), "")
        label = what.split("\n")[0].strip()
        src = Src.of(unit)
        rule: dict[str, Any] = {"label": Val(label, src)}
        days = period(span)
        blank = (
            None
            if days
            else (span.replace("(미기재)", "").strip() if "미기재" in span else placeholder_period(span))
        )
        if days is not None:
            rule["period"] = Val(days.iso(), src)
        elif blank:
            rule["period"] = Val({"placeholder": blank}, src)
        cited = _cited_preset(why)
        law_text = why.split("—", 1)[-1] if "—" in why else why
        if cited is not None:
            rule["basis"] = Val(cited.id, src)
        elif not why.startswith("내부 방침"):
            preset, note = preset_for(label, law_text, days)
            if preset is not None:
                rule["basis"] = Val(preset.id, src, review=note)
        if "period" not in rule and "basis" not in rule:
            rule["period"] = Val({"placeholder": "기간 미기재"}, missing="원문이 보존 기간을 밝히지 않습니다")
            found.missing(f"retention '{label}'", "원문이 보존 기간을 밝히지 않습니다")
        begins = _start(start)
        if begins:
            rule["from"] = Val(begins, src)
        reason = why.split("—", 1)[1].strip() if "—" in why else ""
        if not reason and why and "basis" not in rule and not statutes_named_in(why):
            reason = why  # an internal rule's reason, in its own column
        if reason:
            rule["reason"] = Val(reason.split("\n")[0], src)
        rules.append(rule)
    return rules


def _cited_preset(text: str) -> Statute | None:
    """A preset cited by its law and article, as jikimi's own documents print it."""
    plain = normal(text)
    for preset in statutes().values():
        if normal(preset.citation()) in plain:
            return preset
    return None


# --- dormancy ----------------------------------------------------------------------------------

_DORMANT = re.compile(r"장기\s*미이용|휴면")
_NEXT_HEAD = re.compile(r"^(?:[■□]|\d{1,2}[.)]|[가-하]\.|제\s?\d+\s?조|\(\d{1,2}\))")


def dormancy(units: list[Unit], found: Found) -> None:
    for index, unit in enumerate(units):
        if not _DORMANT.search(unit.text) or unit.cells:
            continue
        block = [unit]
        for following in units[index + 1 : index + 12]:
            if following.heading or _NEXT_HEAD.match(following.text) or following.cells:
                break
            block.append(following)
        text = " ".join(u.text for u in block)
        after = re.search(r"(?<!\d)(\d{1,2})\s*(년|개월)\s*(?:동안|간|이상)?", text)
        if after is None:
            continue
        src = Src.of(next(u for u in block if after.group(0) in u.text))
        data: dict[str, Any] = {
            "after": Val(f"P{after.group(1)}{'Y' if after.group(2) == '년' else 'M'}", src)
        }
        notice = re.search(r"(\d{1,3})\s*일\s*(?:이전|전)", text)
        if notice:
            nsrc = Src.of(next(u for u in block if notice.group(0) in u.text))
            data["notice_before"] = Val(f"P{notice.group(1)}D", nsrc)
            channels = [
                c for c, w in (("email", "이메일"), ("email", "전자우편"), ("letter", "서면")) if w in text
            ]
            channels += [
                c for c, w in (("phone", "문자"), ("phone", "전화")) if w in text and c not in channels
            ]
            if channels:
                data["notice_channels"] = Val(list(dict.fromkeys(channels)), nsrc)
        data["action"] = Val(
            "destroy" if re.search(r"파기", text) and "분리" not in text else "separate", src
        )
        back = [r for r, w in (("login", "로그인"), ("request", "요청")) if w in text]
        if back:
            data["reactivation"] = Val(back, src)
        cited = re.search(
            r"「[^」]*(?:정보통신망|개인정보\s*보호법)[^」]*」\s*(?:제\s*\d+조(?:의\d+)?(?:제\d+항)?)?"
            r"|개인정보\s*유효\s*기간\s*제|유효\s*기간\s*제",
            text,
        )
        if cited:
            data["law"] = Val(
                cited.group(0).strip(),
                Src.near(next(u for u in block if cited.group(0)[:6] in u.text), cited.group(0)[:6]),
                review="휴면을 법령상 의무로 인용합니다 (유효기간제는 2023-09-15 삭제): 검사가 알립니다",
            )
        found.data["dormancy"] = data
        return


# --- destruction -------------------------------------------------------------------------------


def destruction(sections: list[Section], found: Found) -> None:
    units = [u for s in sections for u in (s.units[1:] or s.units if s.head else s.units)]
    if not units:
        found.missing("destruction", "파기 절차 및 방법 조항을 찾지 못했습니다 (PIPA 30①3의2)")
        return
    text = " ".join(u.text for u in units)
    methods = [
        m
        for m, pattern in (
            ("electronic_irrecoverable", r"재생할\s*수\s*없|복구(?:할)?\s*(?:수\s*)?(?:없|불가)|영구\s*삭제"),
            ("paper_shred", r"분쇄"),
            ("paper_incinerate", r"소각"),
        )
        if re.search(pattern, text)
    ]
    procedure = next(
        (u for u in units if re.search(r"목적이\s*달성|파기\s*절차|파기됩니다|파기되어", u.text)), units[0]
    )
    data: dict[str, Any] = {"procedure": Val(clean(procedure.text), Src.of(procedure))}
    if re.search(r"별도의?\s*DB|별도로\s*분리|분리하여\s*저장", text):
        data["separate_store"] = Val(True, Src.of(procedure))
    if methods:
        data["methods"] = Val(methods, Src.of(units[-1]))
    found.data["destruction"] = data


# --- change notice -----------------------------------------------------------------------------

_DAYS = re.compile(r"(\d{1,3})\s*일\s*(?:이?\s*전)")


def notice(sections: list[Section], units: list[Unit], found: Found) -> None:
    pool = [u for s in sections for u in s.units] or [
        u for u in units if re.search(r"고지|공지|알리", u.text) and re.search(r"변경|개정|수정", u.text)
    ]
    text = " ".join(u.text for u in pool)
    if re.search(r"고지\s*기간\s*[:：]\s*미기재", text):
        found.missing("notice", "변경 고지 기간이 적혀 있지 않습니다")
        return
    lead: tuple[int, Unit] | None = None
    material: tuple[int, Unit] | None = None
    for unit in pool:
        for match in _DAYS.finditer(unit.text):
            days = int(match.group(1))
            clause = re.split(r"다\.|다만|[고며나],|;", unit.text[: match.start()])[-1]
            if "중요" in clause:
                material = material or (days, unit)
            else:
                lead = lead or (days, unit)
    if lead is None and material is None:
        found.missing("notice", "처리방침 변경을 며칠 전에 알리는지 찾지 못했습니다 (PIPA 30②)")
        return
    data: dict[str, Any] = {}
    if lead is not None:
        data["lead_days"] = Val(lead[0], Src.near(lead[1], f"{lead[0]}일"))
    if material is not None:
        data["material_lead_days"] = Val(material[0], Src.near(material[1], f"{material[0]}일 전"))
    elif lead is not None:
        data["material_lead_days"] = Val(
            lead[0],
            Src.near(lead[1], f"{lead[0]}일"),
            review="중요 변경의 고지 기간을 따로 밝히지 않아, 모든 변경에 적힌 기간을 썼습니다",
        )
    channel = re.search(r"(홈페이지|사이트|웹사이트|앱)[의\s]*[\"'“‘]?(공지사항)", text)
    if channel:
        data["channels"] = Val([f"{channel.group(1)} {channel.group(2)}"], Src.of(pool[0]))
    found.data["notice"] = data
