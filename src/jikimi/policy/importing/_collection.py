"""What and why: the items collected in each context (required or optional) and the purposes.

Korean policies list items as ``회원가입 시 : 이름, 생년월일`` or ``필수 항목 : …`` / ``선택 항목 : …``,
as ``[필수 수집 정보] …`` under a context line, or as a numbered list after a sentence that says they are
required; generated items in a sentence (``서비스 이용 과정에서 접속 로그, 쿠키가 생성되어 수집``).
Purposes are a heading (``o 회원 관리``, ``가. 이용자관리``) with a list of details, or ``목적 : 세부``.
An item label gets a machine id, format and class from a small table of common labels; any other
label keeps its words with a numbered id. Whether a list is required or optional is never guessed:
a list the text does not mark is imported as required with a review note.
"""

from __future__ import annotations

import re
from typing import Any

from jikimi.policy.importing._found import Found, Src, Val
from jikimi.policy.importing._sections import Section
from jikimi.policy.importing._units import Unit
from jikimi.policy.importing._words import period, split_list, unmark

# (pattern on the label, id, format, class, generated)
_KNOWN: tuple[tuple[str, str, str, str, bool], ...] = (
    (r"법정\s*대리인.*(?:CI|결과값)", "guardian_ci", "ci", "guardian", False),
    (r"법정\s*대리인", "guardian_info", "text", "guardian", False),
    (r"주민\s*등록\s*번호", "rrn", "rrn", "unique_id", False),
    (r"여권\s*번호", "passport", "passport", "unique_id", False),
    (r"운전\s*면허\s*번호", "driver_license", "driver_license", "unique_id", False),
    (r"외국인\s*등록\s*번호", "frn", "frn", "unique_id", False),
    (r"생년\s*월일", "birthdate", "date", "general", False),
    (r"^(?:이름|성명|실명|고객명)$", "name", "text", "general", False),
    (r"영문\s*(?:성명|이름)", "name_en", "text", "general", False),
    (r"^성별$", "gender", "text", "general", False),
    (r"비밀\s*번호", "password", "password", "credential", False),
    (r"(?:로그인|희망)\s*ID|^아이디|^ID$|로그인\s*아이디", "login_id", "login_id", "general", False),
    (r"휴대\s*(?:전화|폰)|핸드폰|이동\s*전화", "mobile", "phone_kr", "contact", False),
    (r"자택\s*전화", "home_phone", "phone_kr", "contact", False),
    (r"전화\s*번호|연락처", "phone", "phone_kr", "contact", False),
    (r"이메일|전자\s*우편|e-?mail|메일\s*주소", "email", "email", "contact", False),
    (r"배송지|배송.*주소|경품.*주소", "delivery_address", "address", "contact", False),
    (r"^주소$|^주소\s*\(", "address", "address", "contact", False),
    (r"(?<![A-Za-z])CI(?![A-Za-z])|연계\s*정보|본인\s*확인\s*기관.*결과", "ci", "ci", "identity", False),
    (r"쿠키|cookie", "cookie", "cookie", "auto_generated", True),
    (r"(?<![A-Za-z])IP(?![A-Za-z])|아이피", "ip", "ip", "auto_generated", True),
    (r"접속\s*로그|로그\s*기록|접속\s*기록", "access_log", "log", "auto_generated", True),
    (r"서비스\s*이용\s*기록|이용\s*기록|사용\s*이력", "service_log", "log", "auto_generated", True),
    (r"기기\s*식별|디바이스|IMEI|이용\s*기기|광고\s*식별", "device_id", "device_id", "auto_generated", True),
    (r"신용\s*카드|카드\s*번호", "card", "card", "financial", False),
    (r"계좌", "bank_account", "account", "financial", False),
    (r"결제", "payment_info", "text", "financial", False),
    (r"닉네임|필명|별명", "nickname", "text", "general", False),
    (r"회사명|직장명", "company", "text", "general", False),
)
_ONE_OF_A_KIND = frozenset(
    {"name", "email", "mobile", "login_id", "password", "birthdate", "gender", "ip", "cookie", "rrn"}
)
_HEALTH = re.compile(r"건강|병력|질병|장애|임신|출산")


class Items:
    """The items of the draft: one id per label, the same label always the same id."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._by_label: dict[str, str] = {}
        self._used: set[str] = set()

    def known(self, label: str) -> str | None:
        """The id of an item already named ``label`` (spaces aside)."""
        return self._by_label.get(re.sub(r"\s+", "", label))

    def add(self, label: str, src: Src, found: Found) -> str:
        key = re.sub(r"\s+", "", label)
        if key in self._by_label:
            return self._by_label[key]
        ident, fmt, klass, generated = f"item_{len(self.entries) + 1}", "text", "general", False
        for pattern, known, known_fmt, known_class, known_generated in _KNOWN:
            if re.search(pattern, label, re.I):
                ident, fmt, klass, generated = known, known_fmt, known_class, known_generated
                break
        if ident in self._used and ident in _ONE_OF_A_KIND:
            self._by_label[key] = ident  # "이메일" and "이메일 주소" are one item
            return ident
        base, n = ident, 2
        while ident in self._used:
            ident = f"{base}_{n}"
            n += 1
        self._used.add(ident)
        self._by_label[key] = ident
        entry: dict[str, Any] = {"id": Val(ident), "label": Val(label, src)}
        if fmt != "text":
            entry["format"] = Val(fmt)
        if klass != "general":
            entry["class"] = Val(klass)
        if _HEALTH.search(label):
            entry["class"] = Val(
                "sensitive", review="건강에 관한 정보로 보아 민감정보(PIPA 23)로 두었습니다: 확인하십시오"
            )
            entry["sensitive_kind"] = Val("health")
            found.review(f"items '{label}'", "민감정보(건강)로 보았습니다 (PIPA 23)", src)
        if generated:
            entry["generated"] = Val(True)
        self.entries.append(entry)
        return ident


_LIST_LINE = re.compile(r"^(?P<label>[^:：\[\]]{1,40}?)\s*[:：]\s*(?P<list>.+)$")
_BRACKET = re.compile(r"^\[(?P<label>[^\]]{1,20})\]\s*(?P<list>.+)$")
_GENERATED = re.compile(
    r"^(?P<ctx>.{2,40}?)(?:에서|중에|시)\s+(?P<list>[^.]+?)(?:이|가|을|를|등이|등의 정보가)?\s*"
    r"(?:자동으로\s*)?(?:생성되어|생성)\s*(?:수집|될)"
)
_PARTNER = re.compile(
    r"^(?P<ctx>[^,.]{2,40}?)\s*(?:경우|시에?)\s*,?\s*(?P<from>\S{1,20}?)(?:로|으로)부터\s*(?P<list>[^.]+?)(?:을|를)\s*"
    r"(?:제공\s*받|전달\s*받|수집)"
)
_CONTEXT_ID = (
    (r"카카오|네이버|구글|애플|페이스북|소셜|간편\s*로그인|계정으로", "social_login"),
    (r"회원\s*가입", "signup"),
    (r"구매|주문|결제", "purchase"),
    (r"문의|상담|고객\s*지원", "support"),
    (r"이벤트|경품", "event"),
    (r"서비스\s*이용|사업\s*처리|자동|생성", "service_use"),
    (r"홈페이지\s*이용|방문", "site_visit"),
    (r"신청", "service_application"),
    (r"예약", "reservation"),
)


def _kind(label: str) -> str | None:
    if re.search(r"필수", label):
        return "required"
    if re.search(r"선택|추가", label):
        return "optional"
    return None


def collection(sections: list[Section], found: Found, items: Items) -> None:
    contexts: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    following_required: Src | None = None
    used: set[str] = set()

    def context(label: str, src: Src) -> dict[str, Any]:
        label = re.sub(r"\s*\((?:필수|선택)\)\s*$", "", label).strip()
        label = re.sub(r"\s*(?:시에?|의\s*경우|할\s*때)$", "", label).strip()
        ident = next((i for p, i in _CONTEXT_ID if re.search(p, label)), f"context_{len(contexts) + 1}")
        base, n = ident, 2
        while ident in used:
            ident = f"{base}_{n}"
            n += 1
        used.add(ident)
        made: dict[str, Any] = {"id": Val(ident), "label": Val(label, src), "_required": [], "_optional": []}
        contexts.append(made)
        return made

    def add(target: dict[str, Any], kind: str | None, listed: str, unit: Unit, marked: bool) -> None:
        src = Src.of(unit)
        for label in split_list(listed):
            if len(label) > 40 or re.search(r"다음|아래|같은\s*정보", label):
                continue
            ident = items.add(label, src, found)
            bucket = target["_optional" if kind == "optional" else "_required"]
            if ident not in bucket:
                bucket.append(ident)
        if not marked:
            target["_unmarked"] = src

    announced_list: dict[str, Any] | None = None
    for unit in (u for s in sections for u in s.units[1:] or s.units):
        if unit.cells:
            continue
        text = unmark(unit.text)
        if announced_list is not None and "," in text and ":" not in text and not text.endswith("다."):
            add(announced_list, None, text, unit, True)
            announced_list = None
            continue
        announced_list = None
        partner = _PARTNER.search(text)
        if partner:
            made = context(re.sub(r"\s*(?:하는|한)$", "", partner["ctx"].strip()), Src.of(unit))
            add(made, None, partner["list"], unit, True)
            made["channels"] = Val(["partner"], Src.of(unit))
            continue
        bracket = _BRACKET.match(text)
        listed = _LIST_LINE.match(text)
        generated = _GENERATED.match(text)
        if bracket and _kind(bracket["label"]):
            current = current or context("수집 항목", Src.of(unit))
            add(current, _kind(bracket["label"]), bracket["list"], unit, True)
        elif listed and "," in listed["list"] + "," and not listed["list"].rstrip().endswith("다."):
            label = listed["label"].strip()
            kind = _kind(label)
            if kind and re.fullmatch(
                r"(?:필수|선택|추가)\s*(?:입력\s*)?(?:수집\s*)?(?:항목|정보|사항)?", label
            ):
                current = current or context(
                    "회원가입" if "회원" in found_text(sections) else "수집 항목", Src.of(unit)
                )
                add(current, kind, listed["list"], unit, True)
            elif not re.search(r"방법|목적|이유|근거|기간", label):
                automatic = re.search(r"자동|생성", label)
                name = re.sub(r"\s*(?:수집\s*)?(?:항목|정보)$", "", label).rstrip(" /·,")
                name = re.sub(r"\s*(?:중\s*)?자동으로\s*수집되는$|\s*(?:중|에서)$", "", name).strip()
                current = context(
                    re.sub(r"(?:에서|중)?\s*(?:생성|수집)$", "", name).rstrip(" /·,"), Src.of(unit)
                )
                add(current, kind, listed["list"], unit, kind is not None or bool(automatic))
                if automatic:
                    current["subjects"] = Val("any", Src.of(unit))
        elif generated:
            made = context(re.sub(r"^\d{1,2}[.)]\s*", "", generated["ctx"]).strip(), Src.of(unit))
            add(made, None, generated["list"], unit, True)
            made["subjects"] = Val("any", Src.of(unit))
            current = made if re.search(r"아래|다음", generated["list"]) else current
            announced_list = made if re.search(r"아래|다음", generated["list"]) else None
            continue
        elif re.search(r"필수로\s*하고|필수\s*(?:항목|정보)는?\s*(?:다음|아래)", text):
            following_required = Src.of(unit)
            current = context("수집 항목", following_required)
        elif following_required is not None and current is not None and re.match(r"^\d{1,2}[.)]", unit.text):
            add(current, "required", re.sub(r"\s*\(.*\)$", "", text), unit, True)
        elif re.search(r"(?:^|\s)(?:시|시에|경우)$", text) and len(text) <= 30:
            current = context(text, Src.of(unit))
        else:
            following_required = None if len(text) > 40 else following_required
    _table(sections, found, items, context)
    out: list[dict[str, Any]] = []
    for made in contexts:
        required, optional = made.pop("_required"), made.pop("_optional")
        unmarked = made.pop("_unmarked", None)
        if not required and not optional:
            continue
        if required:
            made["required"] = Val(
                required,
                unmarked,
                review="원문이 필수인지 선택인지 밝히지 않아 필수로 두었습니다" if unmarked else None,
            )
        if optional:
            made["optional"] = Val([i for i in optional if i not in required])
        out.append(made)
    if items.entries:
        found.data["items"] = items.entries
    if out:
        found.data["contexts"] = out


def _table(sections: list[Section], found: Found, items: Items, context: Any) -> None:
    """A collection table (``구분 | 수집 항목 | 이용 목적 | 보유 기간``): a context per 구분 (``(필수)``,
    ``(선택)``), the items of each row, the purpose the row ties them to, and a period the row states."""
    header: tuple[str, ...] | None = None
    by_label: dict[str, dict[str, Any]] = {}
    for unit in (u for s in sections for u in s.units):
        if not unit.cells:
            continue
        cells = unit.cells
        if header is None:
            if any("항목" in c for c in cells) and any(re.search(r"구분|목적|파일", c) for c in cells):
                header = cells
            continue
        row = dict(zip(header, cells, strict=False))
        kind_cell = next((v for k, v in row.items() if re.search(r"구분|파일|상황", k)), "")
        listed = next((v for k, v in row.items() if "항목" in k), "")
        why = next((v for k, v in row.items() if "목적" in k), "")
        keep = next((v for k, v in row.items() if re.search(r"보유|보존|기간", k)), "")
        src = Src.of(unit)
        label = re.sub(r"\s*\((?:필수|선택)\)\s*", "", kind_cell).strip() or "수집 항목"
        if re.fullmatch(r"(?:필수|선택|추가)\s*(?:항목|정보|사항)?", label):
            label = "수집 항목"  # the 구분 column says which, not where
        target = by_label.get(label) or context(label, src)
        by_label[label] = target
        if re.search(r"자동|생성", label):
            target["subjects"] = Val("any", src)
        kind = _kind(kind_cell) or _kind(listed)
        before = set(target["_required"]) | set(target["_optional"])
        target_kind = kind or "required"
        for name in split_list(listed.replace("\n", ", ")):
            ident = items.add(name, src, found)
            bucket = target["_optional" if target_kind == "optional" else "_required"]
            if ident not in bucket:
                bucket.append(ident)
        if kind is None:
            target["_unmarked"] = src
        row_items = [i for i in target["_required"] + target["_optional"] if i not in before]
        if why:
            found.data.setdefault("purposes", []).append({"_label": why, "_items": row_items, "_src": src})
        days = period(keep)
        if days is not None and row_items:
            found.data.setdefault("_item_rules", []).append(
                {
                    "what": Val(row_items, src),
                    "label": Val(f"{label}: {listed}", src),
                    "period": Val(
                        days.iso(), src, review=f"보유 기간 '{keep}'이(가) 언제부터인지 확인하십시오"
                    ),
                    "reason": Val(keep, src),
                }
            )


def _merged(made: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A purpose named twice — a table's ``대출회원 관리`` and the section's ``도서 대출회원 관리`` — is one:
    the longer label, its details, and the items of both."""
    out: list[dict[str, Any]] = []
    for entry in made:
        key = re.sub(r"\s+", "", str(entry["label"].value))
        twin = next(
            (
                o
                for o in out
                if key in re.sub(r"\s+", "", str(o["label"].value))
                or re.sub(r"\s+", "", str(o["label"].value)) in key
            ),
            None,
        )
        if twin is None:
            out.append(entry)
            continue
        longer, shorter = (
            (entry, twin) if len(key) > len(re.sub(r"\s+", "", str(twin["label"].value))) else (twin, entry)
        )
        twin["label"] = longer["label"]
        for key_name in ("details", "marketing"):
            if key_name in longer:
                twin[key_name] = longer[key_name]
        tied: Val | None = shorter.get("items") or longer.get("items")
        items = [*(shorter.get("items") or Val([])).value, *(longer.get("items") or Val([])).value]
        if items and tied is not None:
            twin["items"] = Val(list(dict.fromkeys(items)), tied.src)
    return out


def found_text(sections: list[Section]) -> str:
    return " ".join(u.text for s in sections for u in s.units)


# --- purposes ----------------------------------------------------------------------------------

_TEMPLATE_PURPOSES = re.compile(
    r"^(?P<label>서비스\s*제공에\s*관한\s*계약\s*이행\s*및\s*서비스\s*제공에\s*따른\s*요금\s*정산|"
    r"(?:통합\s*)?회원\s*관리|이용자\s*관리|마케팅\s*및\s*광고(?:에|에의)?\s*활용|신규\s*서비스\s*개발)\s+(?P<rest>.+)$"
)
_PURPOSE_ID = (
    (r"마케팅|광고", "marketing"),
    (r"회원\s*관리|이용자\s*관리|회원\s*가입|회원\s*자격", "membership"),
    (r"계약\s*이행|요금\s*정산|서비스\s*제공", "service"),
    (r"개발|개선", "development"),
)
_HEAD = re.compile(r"^(?:o\s+|[가-하]\.\s*|\d{1,2}[.)]\s*|[-*•]\s*)(?P<body>.+)$")


def purposes(sections: list[Section], found: Found) -> None:
    made: list[dict[str, Any]] = []
    used: set[str] = set()
    from_table = found.data.pop("purposes", [])

    def purpose(label: str, details: list[str], unit: Unit | None, src: Src | None = None) -> dict[str, Any]:
        label = label.strip(" :")
        ident = next((i for p, i in _PURPOSE_ID if re.search(p, label)), f"purpose_{len(made) + 1}")
        base, n = ident, 2
        while ident in used:
            ident = f"{base}_{n}"
            n += 1
        used.add(ident)
        where = src if src is not None else (Src.of(unit) if unit is not None else None)
        entry: dict[str, Any] = {"id": Val(ident), "label": Val(label, where)}
        if details:
            entry["details"] = Val(details, where)
        if ident.startswith("marketing"):
            entry["marketing"] = Val(True, where)
        made.append(entry)
        return entry

    for row in from_table:
        same = next((e for e in made if e["label"].value == row["_label"]), None)
        entry = same or purpose(row["_label"], [], None, row["_src"])
        tied = [*entry["items"].value] if "items" in entry else []
        entry["items"] = Val(tied + [i for i in row["_items"] if i not in tied], row["_src"])

    units = [u for s in sections for u in s.units[1:]]
    pending: Unit | None = None
    for unit in units:
        if unit.cells:
            continue
        head = _HEAD.match(unit.text)
        body = head["body"].strip() if head else unit.text
        keyed = re.match(r"^(?P<label>[^:：]{2,50}?)\s*[:：]\s*(?P<rest>.+)$", body)
        template = _TEMPLATE_PURPOSES.match(body)
        if (
            head
            and keyed
            and ("," in keyed["rest"] or len(keyed["label"]) <= 30)
            and not re.search(r"위탁|항목", keyed["label"])
        ):
            purpose(keyed["label"], split_list(keyed["rest"]), unit)
            pending = None
        elif head and template and "," in template["rest"]:
            purpose(template["label"], split_list(template["rest"]), unit)
            pending = None
        elif head and len(body) <= 40 and not body.endswith("다."):
            if pending is not None:
                purpose(unmark(pending.text), [], pending)
            pending = unit
        elif pending is not None and not head and "," in unit.text:
            purpose(unmark(pending.text), split_list(unit.text), pending)
            pending = None
    if pending is not None:
        purpose(unmark(pending.text), [], pending)
    made = _merged(made)
    if made:
        found.data["purposes"] = made
        found.review(
            "purposes",
            "원문은 목적마다 법적 근거(basis)와 쓰는 항목(items)을 밝히지 않습니다: 채우십시오 (PIPA 15①)",
        )
