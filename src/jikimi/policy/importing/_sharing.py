"""To whom: processors (tables and sentences), third parties and overseas transfers, automatic collection
(cookies, device ids) and children under 14."""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import clean, normal, period, sentence, split_list, unmark

_ANNOUNCE = re.compile(r"아래와\s*같|다음과\s*같|아래\s*표|아래의\s*표|다음\s*표")
_DOMESTIC = {"대한민국", "한국", "국내", "-", ""}


def column(header: tuple[str, ...], *words: str) -> int | None:
    for index, cell in enumerate(header):
        if any(w in normal(cell) for w in words):
            return index
    return None


def _until(text: str) -> str | None:
    if re.search(r"위탁\s*계약\s*(?:종료|해지|만료)", text):
        return "contract_end"
    if re.search(r"회원\s*탈퇴|탈퇴\s*시", text):
        return "withdrawal"
    if re.search(r"목적\s*(?:달성|이\s*달성)", text):
        return "purpose_end"
    return None


def _country(text: str) -> str | None:
    text = text.strip()
    if not text or text in _DOMESTIC or text.startswith("-"):
        return None
    return text.split("\n")[0].split("(")[0].strip() or None


def processors(sections: list[Section], found: Found, ids: _Ids) -> None:
    units = [u for s in sections for u in s.units]
    text = " ".join(u.text for u in units)
    rows: list[dict[str, Any]] = []
    header: tuple[str, ...] | None = None
    for unit in units:
        if not unit.cells:
            continue
        name_at = column(unit.cells, "수탁", "위탁받는", "업체", "위탁기관")
        task_at = column(unit.cells, "위탁업무", "업무내용", "위탁내용", "업무")
        if name_at is not None and task_at is not None and name_at != task_at and header is None:
            header = unit.cells
            continue
        if header is None:
            continue
        name_at = column(header, "수탁", "위탁받는", "업체", "위탁기관")
        task_at = column(header, "위탁업무", "업무내용", "위탁내용", "업무")
        name_at = 0 if name_at is None else name_at
        task_at = (1 if name_at == 0 else 0) if task_at is None else task_at
        keep_at = column(header, "보유", "이용기간", "기간")
        country_at = column(header, "국가", "이전국가")
        items_at = column(header, "위탁항목", "항목")
        cells = unit.cells + ("",) * len(header)
        src = Src.of(unit)
        task_lines = [line.strip() for line in cells[task_at].split("\n") if line.strip()]
        task = task_lines[0] if task_lines else ""
        for name in _names(cells[name_at].split("\n")[0]):
            row: dict[str, Any] = {"name": Val(name, src), "task": Val(task, src)}
            for line in task_lines[1:]:
                if "광고" in line and "포함" in line:
                    row["marketing"] = Val(True, src)
                elif line.startswith("재위탁"):
                    row["sub_processors"] = Val(split_list(line.split(":", 1)[-1]), src)
                else:
                    row["note"] = Val(line, src)
            _keep(row, cells[keep_at] if keep_at is not None else "", src)
            if country_at is not None and _country(cells[country_at]):
                row["country"] = Val(_country(cells[country_at]), src)
            if items_at is not None and cells[items_at] not in ("", "-", "미기재"):
                row["note"] = Val(
                    f"위탁 항목: {cells[items_at]}", src, review="위탁 항목을 항목 id로 옮기십시오"
                )
            rows.append(row)
    if not rows:
        rows = _sentence_processors(units, found)
    for row in rows:
        row["id"] = Val(ids.make(row["name"].value, "processor"))
    data: dict[str, Any] = {}
    denied = re.search(r"위탁하지\s*않", text)
    announced = re.search(r"위탁한다고\s*밝히", text) or (_ANNOUNCE.search(text) and not denied)
    if units and (rows or announced):
        data["announced"] = Val(True, Src.of(units[0]))
    if rows:
        data["processors"] = rows
    elif data:
        found.missing("processors", "위탁 현황을 예고하지만 수탁자가 없습니다 (processors-announced-empty)")
    if data:
        found.data["processors"] = data


_SUFFIX = re.compile(r"^(?:Inc|Ltd|LLC|L\.L\.C|Corp|Co|GmbH|S\.A|Limited|Pte|B\.V)\.?$", re.I)


def _names(cell: str) -> list[str]:
    """The processors a cell names: ``KG이니시스, KG모빌리언스`` is two, ``Amazon Web Services, Inc.`` one."""
    parts = split_list(cell)
    if len(parts) > 1 and not any(_SUFFIX.match(p.strip()) for p in parts):
        return parts
    return [cell.strip()] if cell.strip() else []


def _keep(row: dict[str, Any], text: str, src: Src) -> None:
    text = text.replace("\n", " ").strip()
    if not text or text in ("-", "미기재"):
        return
    until = _until(text)
    if until:
        row["until"] = Val(until, src)
    row["until_text"] = Val(text, src)


def _sentence_processors(units: list[Unit], found: Found) -> list[dict[str, Any]]:
    """``위탁업무 내용 수탁자 실명본인인증 : 드림시큐리티, KCB 결제서비스 : KG이니시스`` — a table pasted into
    one line, read as task ``:`` processors; or ``수탁자 : X / 위탁업무 : Y`` pairs."""
    rows: list[dict[str, Any]] = []
    for unit in units:
        text = unit.text
        head = re.search(r"위탁\s*업무\s*(?:내용)?\s*수탁\s*(?:자|업체)\s*", text)
        if head:
            rest = text[head.end() :]
            pieces = [p.strip() for p in re.split(r"\s*[:：]\s*", rest)]
            task = pieces[0]
            for piece in pieces[1:]:
                names = re.match(r"^([^\s,]+(?:\s*,\s*[^\s,]+)*)\s*(.*)$", piece)
                if not names or not task:
                    break
                for name in split_list(names.group(1)):
                    rows.append(
                        {"name": Val(name, Src.near(unit, name)), "task": Val(task, Src.near(unit, task))}
                    )
                task = names.group(2).strip()
                if re.search(r"\d{1,2}\.\s|[가-하]\.\s", task):
                    break
            if rows:
                found.review(
                    "processors",
                    "한 줄로 붙은 위탁 표를 '위탁업무 : 수탁자' 순서로 읽었습니다; "
                    "수탁자 이름을 확인하십시오",
                    Src.of(unit),
                )
                return rows
        named = re.match(
            r"^(?:\d{1,2}[.)]\s*)?(?:위탁받는\s*자|수탁자|수탁\s*업체)[^:：]{0,8}[:：]\s*(?P<v>.+)$", text
        )
        tasked = re.match(
            r"^(?:\d{1,2}[.)]\s*)?위탁(?:하는)?\s*업무(?:의\s*내용)?\s*[:：]\s*(?P<v>.+)$", text
        )
        if named:
            rows.append({"name": Val(clean(named["v"]), Src.of(unit)), "task": Val("", Src.of(unit))})
            continue
        if tasked and rows and not rows[-1]["task"].value:
            rows[-1]["task"] = Val(clean(tasked["v"]), Src.of(unit))
            continue
        bullet = re.match(r"^[-*•·]\s*(?P<name>[^:：]{2,40}?)\s*[:：]\s*(?P<task>.{2,80})$", text)
        if bullet and not re.search(r"위탁|수탁|업무|기간|항목|목적|보유", bullet["name"]):
            rows.append(
                {
                    "name": Val(bullet["name"].strip(), Src.of(unit)),
                    "task": Val(clean(bullet["task"]), Src.of(unit)),
                }
            )
            continue
        pair = re.search(
            r"(?:수탁자|수탁업체)\s*[:：]\s*(?P<name>[^/,]+?)\s*[/,]?\s*위탁\s*업무\s*[:：]\s*(?P<task>.+)",
            text,
        )
        if pair:
            rows.append(
                {
                    "name": Val(clean(pair["name"]), Src.of(unit)),
                    "task": Val(clean(pair["task"]), Src.of(unit)),
                }
            )
    return rows


# --- third parties -----------------------------------------------------------------------------


def third_parties(sections: list[Section], found: Found, ids: _Ids) -> None:
    units = [u for s in sections for u in s.units]
    if not units:
        return
    data: dict[str, Any] = {}
    recipients: list[dict[str, Any]] = []
    header: tuple[str, ...] | None = None
    for unit in units:
        if not unit.cells:
            continue
        if header is None and column(unit.cells, "제공받는", "받는자") is not None:
            header = unit.cells
            continue
        if header is None:
            continue
        cells = unit.cells + ("",) * len(header)

        def get(*words: str, cells: tuple[str, ...] = cells, header: tuple[str, ...] = header) -> str:
            at = column(header, *words)
            return cells[at] if at is not None else ""

        src = Src.of(unit)
        name, _, contact = get("제공받는", "받는자").partition("\n")
        row: dict[str, Any] = {"name": Val(name.strip(), src), "purpose": Val(get("목적"), src)}
        if contact.strip():
            row["contact"] = Val(contact.strip(), src)
        basis = get("근거")
        if re.search(r"제17조제1항제2호|법률의\s*특별한|법령", basis):
            row["basis"] = Val("law", src)
        elif re.search(r"제17조제1항제1호|동의", basis):
            row["basis"] = Val("consent", src)
        keep = get("보유", "기간")
        if period(keep):
            row["retention"] = Val(period(keep).iso(), src)  # type: ignore[union-attr]
        elif keep and keep not in ("-", "미기재"):
            row["retention_text"] = Val(keep, src)
        country = _country(get("국가"))
        if country and country not in ("국외 이전",):
            row["country"] = Val(country, src)
        recipients.append(row)
    exceptions: list[Val] = []
    in_exceptions = False
    for unit in units:
        if unit.cells:
            continue
        if re.search(r"예외로\s*합니다|예외로\s*한다|다음\s*경우에\s*한하여|경우에는\s*예외", unit.text):
            in_exceptions = True
            continue
        listed = re.match(r"^(?:[\-*o○•]|\d{1,2}[.)]|[①-⑳])\s*(?P<body>.+)$", unit.text)
        if in_exceptions and listed:
            body = listed["body"].strip()
            exceptions.append(Val(body, Src.of(unit)))
            named = re.search(
                r"(?:업무상\s*)?(?P<name>[가-힣A-Za-z]{2,20}?)(?:에게|에)\s[^()]*\((?P<items>[^)]+)\)", body
            )
            known = {r["name"].value for r in recipients}
            if named and not re.search(r"제\s*3\s*자|수사기관", named["name"]) and named["name"] not in known:
                recipients.append(
                    {
                        "name": Val(named["name"], Src.of(unit)),
                        "purpose": Val(body, Src.of(unit)),
                        "note": Val(
                            f"제공 항목(원문): {named['items']}",
                            Src.of(unit),
                            review="동의 없이 제공한다는 근거가 동의도 법령도 아닙니다: basis를 정하십시오",
                        ),
                    }
                )
        elif in_exceptions and not listed and len(unit.text) > 20:
            in_exceptions = False
    announced = any(
        (
            _ANNOUNCE.search(u.text)
            and re.search(r"제공|제휴사", u.text)
            and not re.search(r"예외|제공하지\s*않", u.text)
        )
        or re.search(r"제공한다고\s*밝히", u.text)
        for u in units
        if not u.cells
    )
    for row in recipients:
        row["id"] = Val(ids.make(row["name"].value, "recipient"))
    data["announced"] = Val(bool(announced), Src.of(units[0]))
    if recipients:
        data["recipients"] = recipients
    elif announced:
        found.missing(
            "third_parties", "제3자 제공 현황을 예고하지만 받는 자가 없습니다 (third-parties-announced-empty)"
        )
    if exceptions:
        data["exceptions"] = exceptions
    found.data["third_parties"] = data


# --- automatic collection ----------------------------------------------------------------------


def auto_collection(sections: list[Section], units: list[Unit], found: Found) -> None:
    pool = [u for s in sections for u in s.units] or [
        u for u in units if re.search(r"쿠키|cookie", u.text, re.I)
    ]
    text = " ".join(u.text for u in pool)
    devices: list[dict[str, Any]] = []
    if re.search(r"쿠키|cookie", text, re.I):
        cookie: dict[str, Any] = {
            "id": Val("cookie"),
            "kind": Val("cookie"),
            "label": Val("쿠키", Src.of(pool[0])),
        }
        purpose = _after(pool, r"사용\s*목적|이용\s*목적|목적을\s*위해|위하여\s*(?:Cookie|쿠키)")
        if purpose is None:
            why = next(
                (
                    u
                    for u in pool
                    if re.search(r"쿠키|cookie", u.text, re.I) and re.search(r"위해|위하여", u.text)
                ),
                None,
            )
            purpose = Val(unmark(why.text), Src.of(why)) if why is not None else None
        cookie["purpose"] = purpose or Val("", missing="쿠키의 사용 목적을 찾지 못했습니다")
        consequences = re.compile(r"거부(?:하였을|할|하는|하실)\s*경우")
        how = [
            u for u in pool if re.search(r"브라우저|옵션|설정", u.text) and not consequences.search(u.text)
        ]
        refuse = (
            Val(unmark(how[0].text), Src.of(how[0]))
            if how and len(how[0].text) > 30 and re.search(r"거부|차단|허용", how[0].text)
            else _after(pool, r"거부\s*방법|설정\s*거부|거부하는\s*방법|허용\s*여부를\s*지정")
        )
        if refuse is not None:
            cookie["how_to_refuse"] = refuse
        else:
            found.missing(
                "auto_collection.cookie",
                "쿠키를 거부하는 방법을 찾지 못했습니다 (auto-collection-no-refusal)",
            )
        consequence = next((u for u in pool if re.search(r"거부(?:하였을|할|하는)\s*경우", u.text)), None)
        if consequence is not None:
            cookie["refusal_consequence"] = Val(clean(consequence.text), Src.of(consequence))
        devices.append(cookie)
    identifiers = re.compile(r"기기\s*식별|디바이스\s*아이디|IMEI|광고\s*(?:식별자|ID)")
    candidates = [u for u in pool if identifiers.search(u.text)] or [
        u for u in units if identifiers.search(u.text)
    ]
    device = next((u for u in candidates if re.search(r"위해|위하여|목적", u.text)), None)
    device = device or next(iter(candidates), None)
    if device is not None:
        said = Src.near(device, "위해") if "위해" in device.text else Src.of(device)
        entry: dict[str, Any] = {
            "id": Val("device_id"),
            "kind": Val("device_id"),
            "label": Val(
                "광고식별자" if re.search(r"광고\s*식별자|ADID|IDFA", device.text) else "기기식별번호", said
            ),
            "purpose": Val(
                unmark(sentence(device.text, "위해") if "위해" in device.text else device.text), said
            ),
        }
        refused = next(
            (
                u
                for u in units
                if re.search(r"수집하는\s*것을\s*거부|거부하는\s*경우", u.text) and "기기" in u.text
            ),
            None,
        )
        if refused is not None:
            entry["refusal_consequence"] = Val(clean(refused.text), Src.of(refused))
        refusing = next(
            (
                u
                for u in units
                if re.search(r"거부할\s*수\s*있|끄실\s*수|해제할\s*수", u.text)
                and re.search(r"설정|메뉴", u.text)
            ),
            None,
        )
        if refusing is not None and re.search(r"광고|기기|식별", refusing.text):
            where = Src.near(refusing, "거부") if "거부" in refusing.text else Src.of(refusing)
            entry["how_to_refuse"] = Val(
                sentence(refusing.text, "거부") if "거부" in refusing.text else refusing.text, where
            )
        devices.append(entry)
    if devices:
        found.data["auto_collection"] = devices


def _after(units: list[Unit], heading: str) -> Val | None:
    """The words a heading such as ``쿠키 설정 거부 방법`` introduces: the rest of its unit, else the list
    items under it."""
    for index, unit in enumerate(units):
        match = re.search(heading, unit.text, re.I)
        if not match:
            continue
        rest = clean(unit.text[match.end() :])
        if len(rest) > 15 and not _is_label(unit.text):
            return Val(unmark(unit.text), Src.of(unit))
        following: list[Unit] = []
        for later in units[index + 1 : index + 5]:
            if _is_label(later.text) or later.heading:
                break
            if len(later.text) > 15:
                following.append(later)
            if len(following) == 2:
                break
        if following:
            return Val(" ".join(unmark(u.text) for u in following), Src.of(following[0]))
    return None


def _is_label(text: str) -> bool:
    return len(text) <= 30 and bool(re.search(r"(?:방법|목적|거부)\s*$", text))


# --- children ----------------------------------------------------------------------------------


def children(units: list[Unit], found: Found) -> None:
    related = [u for u in units if re.search(r"(?:만\s*)?14\s*세\s*미만|어린이", u.text)]
    if not related:
        return
    text = " ".join(u.text for u in related)
    first = Src.of(related[0])
    if re.search(
        r"14\s*세\s*미만[^.]{0,30}(?:수집하고\s*있지\s*않|수집하지\s*않|가입을\s*(?:받지|허용하지)\s*않|가입할\s*수\s*없)",
        text,
    ):
        found.data["children"] = {"policy": Val("not_collected", first)}
        return
    if not re.search(r"법정\s*대리인", text):
        return
    data: dict[str, Any] = {"policy": Val("guardian_consent", first)}
    if re.search(r"광고\S*\s*(?:을|를)?\s*(?:발송|전송|보내)지\s*않", text):
        data["no_marketing"] = Val(True, first)
    if re.search(r"(?:공유|제공)하지\s*않", text):
        data["no_third_party"] = Val(True, first)
    found.data["children"] = data


class _Ids:
    """Machine ids for names: ASCII letters when the name has them (``KCB`` → ``kcb``), else numbered."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._counts: dict[str, int] = {}

    def make(self, name: str, kind: str) -> str:
        ascii_part = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if not re.match(r"^[a-z][a-z0-9_]{1,}$", ascii_part or ""):
            self._counts[kind] = self._counts.get(kind, 0) + 1
            ascii_part = f"{kind}_{self._counts[kind]}"
        ident = ascii_part[:60]
        n = 2
        while ident in self._used:
            ident = f"{ascii_part[:56]}_{n}"
            n += 1
        self._used.add(ident)
        return ident


Ids = _Ids
