"""The draft policy file: what was found, as YAML with every value's source as a comment beside it.

``# 원문 12행: "보존 기간 : 3개월"`` cites the line (and the column, in a text pasted as one line) and the
original words; ``# review: …`` names an ambiguity; ``# 미기재: …`` marks a placeholder for what the text
does not say. ruamel.yaml's round-trip types carry the comments.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from jikimi.policy.importing._found import Found, Note, Val
from jikimi.policy.importing._words import split_list

if TYPE_CHECKING:
    from jikimi.policy.importing._collection import Items

ORDER = (
    "format", "title", "version", "effective", "announced", "source", "preamble", "controller", "officers",
    "items", "contexts", "purposes", "records", "retention", "dormancy", "destruction", "children",
    "third_parties", "processors", "auto_collection", "security", "rights", "complaints", "notice",
    "sections", "history",
)  # fmt: skip


def _comment(val: Val) -> str:
    parts = []
    if val.src is not None:
        parts.append(val.src.cite())
    if val.missing:
        parts.append(f"미기재: {val.missing}")
    if val.review:
        parts.append(f"review: {val.review}")
    return " · ".join(parts).replace("\n", " ")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        m = CommentedMap()
        for key, item in value.items():
            m[key] = _plain(item)
        m.fa.set_flow_style()
        return m
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_plain(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    return value


def build(node: Any, notes: list[Note], where: str = "") -> Any:
    """``node`` (dicts, lists and ``Val`` leaves) as ruamel types with comments; notes collected."""
    if isinstance(node, dict):
        out = CommentedMap()
        for key, value in node.items():
            path = f"{where}.{key}" if where else key
            if isinstance(value, Val):
                out[key] = _plain(value.value)
                text = _comment(value)
                if text:
                    out.yaml_add_eol_comment(text, key)
                if value.review:
                    notes.append(Note("review", path, value.review, value.src))
                elif value.src is not None:
                    notes.append(Note("recognised", path, _short(value.value), value.src))
            else:
                out[key] = build(value, notes, path)
        return out
    if isinstance(node, list):
        seq = CommentedSeq()
        for index, value in enumerate(node):
            path = f"{where}[{index}]"
            if isinstance(value, Val):
                seq.append(_plain(value.value))
                text = _comment(value)
                if text:
                    seq.yaml_add_eol_comment(text, index)
                if value.src is not None:
                    notes.append(
                        Note("review" if value.review else "recognised", path, _short(value.value), value.src)
                    )
            else:
                seq.append(build(value, notes, path))
        return seq
    return node


def _short(value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


_RECORD_OF = {
    "ecommerce.advertising": "advertising",
    "ecommerce.contract": "contract",
    "ecommerce.payment": "payment",
    "ecommerce.complaint": "complaint",
    "telecom.logs": "access_logs",
    "tax.books": "tax_books",
    "commercial.books": "commercial_books",
    "commercial.vouchers": "vouchers",
    "efinance.transactions": "efinance",
    "efinance.small_transactions": "efinance_small",
    "itnet.identity_verification": "identity_verification",
}


def link_retention(found: Found, rules: list[dict[str, Any]], items: Items) -> None:
    """Each rule keeps what it names: the items, when its label lists items (``이름, 생년월일, 로그인ID``)
    or is the label of a collected item; else a record with the rule's label (the text names records and
    groups of items by words: "회원의 정보", "로그 기록")."""
    records: list[dict[str, Any]] = []
    used: set[str] = set()
    for index, rule in enumerate(rules, start=1):
        label_val: Val = rule["label"]
        parts = split_list(str(label_val.value))
        if "what" not in rule and label_val.src is not None and "basis" not in rule:
            if len(parts) >= 2 and all(len(p) <= 20 for p in parts):
                rule["what"] = Val([items.add(p, label_val.src, found) for p in parts], label_val.src)
            elif items.known(str(label_val.value)):
                rule["what"] = Val([items.known(str(label_val.value))], label_val.src)
        if "what" in rule:  # kept items the text names
            rule.setdefault("id", Val(f"kept_items_{index}"))
            rules[index - 1] = {"id": rule.pop("id"), **rule}
            continue
        basis = rule.get("basis")
        stem = _RECORD_OF.get(basis.value, "") if isinstance(basis, Val) else ""
        stem = stem or f"kept_{index}"
        ident = stem
        n = 2
        while ident in used:
            ident = f"{stem}_{n}"
            n += 1
        used.add(ident)
        label: Val = rule["label"]
        records.append({"id": Val(f"{ident}_record"), "label": Val(label.value or ident, label.src)})
        rule_out = {"id": Val(ident), "what": Val([f"{ident}_record"])}
        rule_out.update(rule)
        rules[index - 1] = rule_out
    if rules:
        found.data["retention"] = rules
    if records:
        found.data["records"] = records
        found.review(
            "records",
            "보존 규칙마다 원문이 이름 붙인 기록(record)을 하나씩 두었습니다: "
            "원문이 뜻하는 항목(items)이 있으면 what에 그 항목 id를 쓰십시오",
        )


def dump(found: Found, header: list[str]) -> tuple[str, list[Note]]:
    notes: list[Note] = []
    ordered = {key: found.data[key] for key in ORDER if key in found.data}
    tree = build(ordered, notes)
    buffer = io.StringIO()
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump(tree, buffer)
    body = buffer.getvalue()
    lines = ["# " + " ".join(line.split()) if line.strip() else "#" for line in header]
    return "\n".join(lines) + "\n" + body, notes
