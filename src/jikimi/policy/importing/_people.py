"""Who: the controller and its service, the officers and desks, complaints, redress bodies and rights."""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import clean, emails, fields, phones, unmark, urls

_GENERIC = {
    "회사",
    "당사",
    "본",
    "이용자",
    "고객",
    "회원",
    "귀하",
    "사이트",
    "본사",
    "저희",
    "우리",
    "이",
    "본인",
}


def controller(units: list[Unit], found: Found) -> None:
    name: Val | None = None
    service: Val | None = None
    website: Val | None = None
    for unit in units[:40]:
        text = unit.text
        keyed = re.match(r"^[-*•]?\s*개인정보\s*처리자\s*[:：]\s*(?P<name>.+)$", text)
        if keyed and name is None:
            name = Val(clean(keyed["name"]), Src.of(unit))
            continue
        m = re.search(
            r"(?P<name>(?:\(주\)|㈜)?[^\s\"'“‘(][^\"'“‘(]{0,40}?)\s*(?:은|는|이|가)?\s*\(\s*이하\s*[\"'“‘]?",
            text,
        )
        if m and name is None:
            candidate = m["name"].strip()
            runs = re.match(r"^(?P<name>.+?)(?:에서|가|이|은|는)\s*운영하는\s+(?P<service>.+)$", candidate)
            if runs:
                candidate = runs["name"].strip()
                service = Val(runs["service"].strip(), Src.of(unit))
            if candidate and candidate not in _GENERIC:
                name = Val(candidate, Src.of(unit))
                after = text[m.end() :]
                svc = re.search(r"(?:가|이)\s*운영하는\s+(?P<service>[^(]{2,40}?)\s*\(\s*이하", after)
                if svc and service is None:
                    service = Val(svc["service"].strip(), Src.of(unit))
                elif runs and "(" in candidate:
                    pass
        site = urls(text)
        if site and website is None and ("홈페이지" in text or "운영하는" in text):
            website = Val(site[0].strip("<>"), Src.of(unit))
        if name is not None and website is not None:
            break
    if name is None:
        whole = " ".join(u.text for u in units)
        for unit in units[:20]:
            m = re.match(r"^(?P<name>[^\s,.]{1,20})(?:은|는)\s", unit.text)
            recurs = (
                m is not None
                and len(re.findall(re.escape(m["name"]) + r"\s?(?:은|는|의|이|가|에서)\s", whole)) >= 3
            )
            if m and recurs and m["name"] not in _GENERIC and not m["name"].startswith(("개인정보", "본")):
                name = Val(m["name"], Src.of(unit), review="처리자 이름을 첫 문장의 주어로 읽었습니다")
                break
    if name is None:
        name = Val("", missing="개인정보처리자(회사) 이름을 찾지 못했습니다")
        found.missing("controller.name", name.missing or "")
    if service is not None and service.value.startswith("<"):
        service = None
    data: dict[str, Any] = {"name": name}
    if service is not None:
        data["service"] = Val(re.sub(r"\(.*$", "", service.value).strip() or service.value, service.src)
    if website is not None:
        data["website"] = website
    found.data["controller"] = data


# --- officers ----------------------------------------------------------------------------------

_CONTACT_KEYS = re.compile(
    r"성\s*명|이\s*름|소속\s*/\s*직위|소속|직\s*위|직\s*책|직\s*급|부\s*서\s*명?|담당\s*부서|"
    r"전화\s*번호|문의\s*전화|연\s*락\s*처|전\s*화|대표\s*전화|팩\s*스\s*번호|팩\s*스|FAX|"
    r"e-?mail|이\s*메\s*일|전자\s*우편|메일|주\s*소|근무\s*시간|운영\s*시간|상담\s*시간",
    re.I,
)
_FIELD_OF = {
    "성명": "name", "이름": "name",
    "소속/직위": "title", "직위": "title", "직책": "title", "직급": "title",
    "소속": "department", "부서": "department", "부서명": "department", "담당부서": "department",
    "전화번호": "phone", "문의전화": "phone", "연락처": "phone", "전화": "phone", "대표전화": "phone",
    "팩스번호": "fax", "팩스": "fax", "fax": "fax",
    "e-mail": "email", "email": "email", "이메일": "email", "전자우편": "email", "메일": "email",
    "주소": "address", "근무시간": "hours", "운영시간": "hours", "상담시간": "hours",
}  # fmt: skip
_ROLE = (
    ("manager", re.compile(r"(?:보호|관리)?\s*담당자")),
    ("department", re.compile(r"담당\s*부서")),
    ("officer", re.compile(r"책임자")),
    ("help_desk", re.compile(r"고객\s*(?:만족)?\s*센터|고객\s*상담\s*창구|상담\s*센터")),
)


_ROLE_PHRASE = re.compile(
    r"(?:개인정보\s*)?(?:보호|관리)?\s*(?:관리\s*)?(?:책임자|담당자|담당\s*부서)|고객\s*(?:만족)?\s*센터"
)
_TYPED = re.compile(
    r"(?:이\s*름|성\s*명)\s+(?=[가-힣]{2,4}(?:\s|$))|(?:e-?mail|이메일|전자우편)\s+(?=\S+@|\[email)"
    r"|(?:전\s*화(?:\s*번호)?|연락처)\s+(?=0\d)|부서명\s+(?=\S)|(?:FAX|팩스)\s+(?=0)",
    re.I,
)


_COLON_AFTER = re.compile(r"\s*[:：]")
_COLON_OR_END = re.compile(r"\s*(?:[:：]|$)")


def _keyed_at(text: str, at: int) -> bool:
    """Whether a contact key (with a colon, or typed by its value) starts at ``at``."""
    key = _CONTACT_KEYS.match(text, at)
    if key and _COLON_AFTER.match(text, key.end()):
        return True
    return bool(_TYPED.match(text, at))


def _pieces(unit: Unit) -> list[Unit]:
    """A unit cut before every contact key and every role that heads contact fields: in a text whose
    line breaks were removed, ``관리책임자 이름: 송의 직위: 본부장 E-mail a@b.kr 담당자 이름 정우승``
    is one unit."""
    text = unit.text
    cuts: set[int] = set()
    for match in _CONTACT_KEYS.finditer(text):
        if (match.start() == 0 or text[match.start() - 1] in " *-•▶(") and _keyed_at(text, match.start()):
            cuts.add(match.start())
    for match in _TYPED.finditer(text):
        if match.start() == 0 or text[match.start() - 1] == " ":
            cuts.add(match.start())
    for match in _ROLE_PHRASE.finditer(text):
        start = match.start()
        while start > 0 and match.start() - start < 20 and text[start - 1] not in " *-•▶":
            start -= 1
        nxt = _COLON_OR_END.match(text, match.end())
        near = any(_keyed_at(text, match.end() + i) for i in range(0, 9) if match.end() + i < len(text))
        if nxt or near:
            cuts.add(start)
    if not cuts:
        return [unit]
    points = sorted(cuts | {0})
    out = []
    for begin, end in zip(points, [*points[1:], len(text)], strict=True):
        piece = text[begin:end].strip()
        if piece:
            out.append(Unit(unit.line, unit.col + begin, piece))
    return out


_APPOINTS = re.compile(r"(?:를|을)\s*(?:아래|다음)[와과]?\s*같이\s*(?:지정|두고|운영)")


def _role_header(unit: Unit) -> tuple[str, str] | None:
    """``o 개인정보보호책임자`` → ("officer", ""); ``▶ 개인정보 관리책임자 : 이경수 대표`` → ("officer",
    "이경수 대표"); a sentence appointing one role (``… 관리책임자를 아래와 같이 지정합니다``) → that role."""
    text = re.sub(r"^[\s\-*o○•▶■□\[]+", "", unit.text).strip()
    appoints = _APPOINTS.search(text)
    if appoints is not None:
        before = text[: appoints.start()][-20:]
        named = {role for role, pattern in _ROLE if pattern.search(before)}
        if len(named) == 1 and "및" not in before:
            return named.pop(), ""
    head, _, rest = text.partition(":")
    if len(head) > 30 or re.search(r"(?:니다|습니다)\.?$|에게|으로|하여", head) or "및" in head:
        return None
    roles = [role for role, pattern in _ROLE if pattern.search(head)]
    if len(roles) != 1 or (rest and ":" in rest[:3]):
        return None
    if _CONTACT_KEYS.match(head.strip()):
        return None
    return roles[0], clean(rest)


def _new_contact(role: str, unit: Unit, inline: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"role": Val(role, Src.of(unit))}
    if role == "help_desk":
        label = re.sub(r"^[\s\-*o○•▶■□\[]+|[\]\s:]+$", "", unit.text.split(":")[0])
        contact["name"] = Val(label.strip(), Src.of(unit))
    if inline:
        parts = inline.split()
        if re.fullmatch(r"[가-힣]{2,4}", parts[0]):
            contact["name"] = Val(parts[0], Src.of(unit))
            if len(parts) > 1:
                contact["title"] = Val(" ".join(parts[1:]).strip("()（） "), Src.of(unit))
        elif emails(inline):
            contact["email"] = Val(emails(inline)[0], Src.of(unit))
    return contact


def _fill(contact: dict[str, Any], unit: Unit) -> bool:
    """Fills ``contact`` from a unit of fields; whether the unit was about the contact. A key left empty
    (``이메일 :``) takes its value from the next unit when that is one (an address on a line of its own)."""
    _, got = fields(unit.text, _CONTACT_KEYS)
    used = False
    waiting = contact.pop("_waiting", None)
    if not got and waiting is not None and len(unit.text) < 60:
        value = (emails(unit.text) or [unit.text])[0] if waiting == "email" else clean(unit.text)
        if waiting != "email" or emails(unit.text):
            contact[waiting] = Val(value, Src.of(unit))
            return True
    for fld in got:
        name = _FIELD_OF.get(fld.key.lower()) or _FIELD_OF.get(fld.key)
        if name is None or (name in contact and contact[name].value):
            continue
        if not fld.value:
            contact["_waiting"] = name
        value = fld.value
        if name == "email":
            value = (emails(value) or [value])[0]
        if name == "phone" and emails(value) and "email" not in contact:
            contact["email"] = Val(emails(value)[0], Src.of(unit))
            value = phones(value)[0] if phones(value) else value
        if name == "phone" and phones(value) and len(value) > 20:
            value = phones(value)[0]
        if name == "name" and len(value) > 10 and re.match(r"^[가-힣]{2,4}(?:\s|$)", value):
            value = value.split()[0]
        contact[name] = Val(value, Src.of(unit))
        used = True
    if not got:
        mails = emails(unit.text)
        if mails and "email" not in contact and len(unit.text) < 60:
            contact["email"] = Val(mails[0], Src.of(unit))
            used = True
    return used


_TABLE_ROLE = (
    ("domestic_representative", re.compile(r"국내\s*대리인")),
    ("department", re.compile(r"담당\s*부서")),
    ("manager", re.compile(r"담당자")),
    ("officer", re.compile(r"책임자")),
    ("help_desk", re.compile(r"고객\s*센터|상담")),
)


def _column_contacts(units: list[Unit]) -> list[dict[str, Any]]:
    """A contacts table with a column per role (``구분 | 개인정보 보호책임자 | 개인정보 보호 담당자``) and a
    row per field (``성명 | 홍길동 | 김담당``)."""
    for index, unit in enumerate(units):
        roles = [next((r for r, p in _TABLE_ROLE if p.search(c)), None) for c in unit.cells[1:]]
        if len(unit.cells) < 2 or not any(roles):
            continue
        contacts: list[dict[str, Any] | None] = [
            {"role": Val(role, Src.of(unit))} if role else None for role in roles
        ]
        for row in units[index + 1 :]:
            if len(row.cells) != len(unit.cells):
                break
            key = re.sub(r"\s+", "", row.cells[0])
            name = _FIELD_OF.get(key.lower()) or _FIELD_OF.get(key)
            if name is None:
                continue
            for contact, cell in zip(contacts, row.cells[1:], strict=False):
                value = cell.strip()
                if contact is None or not value or value == "-":
                    continue
                if name == "phone" and emails(value):
                    contact.setdefault("email", Val(emails(value)[0], Src.of(row)))
                    value = phones(value)[0] if phones(value) else value
                contact.setdefault(name, Val(value, Src.of(row)))
        found = [c for c in contacts if c is not None and len(c) > 1]
        if found:
            return found
    return []


def _table_contacts(units: list[Unit]) -> list[dict[str, Any]]:
    """A contacts table (``구분 | 성명·부서 | 직책 | 연락처``) read by its header, or one with a column
    per role."""
    by_column = _column_contacts(units)
    if by_column:
        return by_column
    contacts: list[dict[str, Any]] = []
    header: tuple[str, ...] | None = None
    for unit in units:
        if not unit.cells:
            continue
        if header is None:
            if any("구분" in c for c in unit.cells) and any(
                re.search(r"성명|이름|연락처", c) for c in unit.cells
            ):
                header = unit.cells
            continue
        row = dict(zip(header, unit.cells, strict=False))
        kind = next((v for k, v in row.items() if "구분" in k), "")
        role = next((r for r, pattern in _TABLE_ROLE if pattern.search(kind)), None)
        if role is None:
            continue
        src = Src.of(unit)
        contact: dict[str, Any] = {"role": Val(role, src)}
        who = next((v for k, v in row.items() if re.search(r"성명|이름", k)), "")
        if who and who != "-":
            contact["department" if role == "department" else "name"] = Val(who, src)
        title = next((v for k, v in row.items() if re.search(r"직책|직위", k)), "")
        for line in (t for t in title.split("\n") if t.strip() not in ("", "-")):
            contact.setdefault(
                "title", Val(line.strip(), src, review="직책 칸의 값입니다: 직위인지 부서인지 확인하십시오")
            )
        reach = next((v for k, v in row.items() if "연락처" in k), "")
        for line in reach.split("\n"):
            _, got = fields(line, _CONTACT_KEYS)
            for fld in got:
                name = _FIELD_OF.get(fld.key.lower()) or _FIELD_OF.get(fld.key)
                if name and fld.value and name not in contact:
                    contact[name] = Val(fld.value, src)
        if "phone" not in contact and phones(reach):
            contact["phone"] = Val(phones(reach)[0], src)
        if "email" not in contact and emails(reach):
            contact["email"] = Val(emails(reach)[0], src)
        contacts.append(contact)
    return contacts


def officers(units: list[Unit], found: Found) -> None:
    contacts: list[dict[str, Any]] = _table_contacts(units)
    current: dict[str, Any] | None = None
    pieces = [] if contacts else [piece for whole in units for piece in _pieces(whole)]
    for unit in pieces:
        header = _role_header(unit)
        if header is not None:
            role, inline = header
            if current is not None and current["role"].value == "department" and role == "manager" and inline:
                current.setdefault("name", Val(inline, Src.of(unit)))  # the department's 담당자
                continue
            if current is not None and current["role"].value == role and len(current) == 1:
                current = _new_contact(role, unit, inline)
                contacts[-1] = current
            else:
                current = _new_contact(role, unit, inline)
                contacts.append(current)
            if inline:
                _fill(current, unit)
            continue
        if current is not None and not _fill(current, unit) and len(unit.text) > 60:
            current = None
    for contact in contacts:
        contact.pop("_waiting", None)
    kept = [c for c in contacts if len(c) > 1]
    if not any(c["role"].value == "officer" for c in kept):
        found.missing("officers", "개인정보 보호책임자를 찾지 못했습니다 (PIPA 30①6)")
    found.data["officers"] = kept


# --- complaints and redress --------------------------------------------------------------------

_AGENCY = re.compile(
    r"(?P<name>[가-힣A-Za-z()\s]*?(?:분쟁\s*조정\s*위원회|침해\s*신고\s*센터|대검찰청[가-힣\s]*|경찰청[가-힣\s]*|"
    r"인증\s*위원회|수사\s*(?:센터|단|과|국)|안전국|대응\s*센터))"
)


def redress(units: list[Unit], found: Found) -> None:
    bodies: list[dict[str, Any]] = []
    seen: set[str] = set()
    for unit in units:
        text = re.sub(r"^[\s\-*o○•▶+\d.]+", "", unit.text)
        match = _AGENCY.match(text)
        if not match or len(text) > 160 or re.search(r"(?:니다|바랍니다)\.?\s*$", text):
            continue
        name = " ".join(match["name"].split()).strip(" (")
        rest = text[match.end() :]
        if not name or name in seen:
            continue
        seen.add(name)
        body: dict[str, Any] = {"name": Val(name, Src.of(unit))}
        site = urls(rest)
        if site:
            body["url"] = Val(site[0].strip("<>"), Src.of(unit))
        phone_text = rest
        for s in site:
            phone_text = phone_text.replace(s, " ")
        number = re.search(
            r"(?:\(?국번\s*없이\)?\s*|지역번호\s*\+\s*|신고번호\s*)?[\d\-~]{3,}(?:\s*\(ARS[^)]*\))?",
            phone_text,
        )
        if number:
            body["phone"] = Val(number.group(0).strip(), Src.of(unit))
        bodies.append(body)
    if bodies:
        found.data.setdefault("complaints", {})["redress"] = bodies


def complaints(sections: list[Section], found: Found) -> None:
    for section in sections:
        for unit in section.units:
            hours = re.search(r"(\d{1,3})\s*시간\s*(?:내|이내)", unit.text)
            if hours and "답변" in unit.text:
                data = found.data.setdefault("complaints", {})
                data["response_hours"] = Val(int(hours.group(1)), Src.of(unit))
                if re.search(r"공휴일|주말", unit.text) and re.search(r"익일|다음\s*(?:영업)?일", unit.text):
                    data["business_days"] = Val(True, Src.of(unit))
                return
            days = re.search(r"(\d{1,2})\s*(영업)?\s*일\s*(?:내|이내)", unit.text)
            if days and re.search(r"답변|회신|처리", unit.text):
                data = found.data.setdefault("complaints", {})
                count = int(days.group(1))
                data["response_hours"] = Val(count * 24, Src.of(unit))
                business = days.group(2) is not None
                if business:
                    data["business_days"] = Val(True, Src.of(unit))
                found.review(
                    "complaints.response_hours",
                    f"원문은 {count}{'영업' if business else ''}일입니다: 시간({count * 24})으로 적었습니다 "
                    f"(the text says {count} {'business ' if business else ''}days, written as hours)",
                    Src.of(unit),
                )
                return


# --- rights ------------------------------------------------------------------------------------

_CHANNELS = (
    ("web", re.compile(r"클릭|홈페이지|웹사이트|사이트|온라인")),
    ("letter", re.compile(r"서면|우편")),
    ("phone", re.compile(r"전화")),
    ("email", re.compile(r"이메일|E-?mail|전자우편", re.I)),
    ("fax", re.compile(r"팩스|FAX", re.I)),
    ("board", re.compile(r"게시판")),
    ("in_person", re.compile(r"방문")),
)


def rights(sections: list[Section], found: Found) -> None:
    units = [u for s in sections for u in s.units[1:] or s.units]
    if not units:
        found.missing("rights", "권리 행사 방법 조항을 찾지 못했습니다 (PIPA 30①5)")
        return
    text = " ".join(u.text for u in units)
    first = Src.of(units[0])
    data: dict[str, Any] = {}
    channels = [name for name, pattern in _CHANNELS if pattern.search(text)]
    if channels:
        data["channels"] = Val(
            channels, first, review="권리 행사 방법은 원문의 낱말(서면, 전화, 이메일…)로 읽었습니다"
        )
    data["procedure"] = [Val(unmark(u.text), Src.of(u)) for u in units[:12] if len(u.text) > 15]
    deadline = re.search(r"(\d{1,2})\s*일\s*이내", text)
    if deadline:
        data["deadline_days"] = Val(int(deadline.group(1)), first)
    if any("법정대리인" in s.title.replace(" ", "") for s in sections) or "법정 대리인" in text:
        data["guardian"] = Val(True, first)
    if re.search(r"정정을\s*완료하기\s*전까지", text):
        data["correction_hold"] = Val(True, first)
    if re.search(r"제\s*3\s*자에게\s*(?:지체\s*없이\s*)?통지", text):
        data["notify_recipients_on_correction"] = Val(True, first)
    found.data["rights"] = data
