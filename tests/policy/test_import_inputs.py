"""What ``jikimi policy import`` reads and what it refuses: encodings, formats, and bad input.

A Korean policy text arrives as UTF-8 (with or without a byte-order mark), CP949/EUC-KR, HTML or
Markdown; each imports. Binary data, an empty file, 5 MB of text and an encoding that is neither answer
with a message in Korean and English and exit code 2, never a traceback, well within 10 seconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from jikimi.cli import run
from jikimi.errors import PolicyImportError
from jikimi.policy.importing import MAX_IMPORT_BYTES, import_bytes, import_text
from jikimi.policy.load import load_policy, load_policy_text

SAMPLE = """개인정보 처리방침
주식회사 예시상점(이하 "회사")은 이용자의 개인정보를 소중히 다룹니다.
제1조(개인정보의 보유 및 이용기간)
① 회사는 목적이 달성되면 지체 없이 파기합니다. 다만 다음의 정보는 아래의 기간 동안 보존합니다.
가. 대금결제 및 재화 등의 공급에 관한 기록 : 5년 (전자상거래 등에서의 소비자보호에 관한 법률)
나. 웹사이트 방문 기록 : 3개월 (통신비밀보호법)
제2조(개인정보 처리의 위탁)
회사는 다음과 같이 개인정보 처리업무를 위탁하고 있습니다.
수탁자\t위탁업무\t보유기간
주식회사 배달이\t상품 배송\t위탁계약 종료 시까지
제3조(개인정보 보호책임자)
■ 개인정보 보호책임자
성명 : 김보호
직위 : 이사
전화 : 02-123-4567
이메일 : privacy@example.kr
제4조(개인정보 처리방침의 변경)
이 처리방침은 2025년 1월 1일부터 시행됩니다.
변경 시 시행 7일 전부터 공지사항으로 알리고, 중요한 변경은 30일 전에 알립니다.
"""


def _draft(raw: bytes, name: str = "policy.txt") -> object:
    result = import_bytes(raw, filename=name)
    assert result.report.loads, result.report.load_problems
    return load_policy_text(result.draft)


def _check(policy: object) -> None:
    from jikimi.policy.model import Policy

    assert isinstance(policy, Policy)
    assert policy.controller.name == "주식회사 예시상점"
    assert {(r.basis, r.duration.iso() if r.duration else None) for r in policy.retention} == {
        ("ecommerce.payment", "P5Y"),
        ("telecom.logs", "P3M"),
    }
    assert [(p.name, p.task, p.until) for p in policy.processors.processors] == [
        ("주식회사 배달이", "상품 배송", "contract_end")
    ]
    officer = policy.officer
    assert officer is not None and (officer.name, officer.title, officer.phone, officer.email) == (
        "김보호",
        "이사",
        "02-123-4567",
        "privacy@example.kr",
    )
    assert str(policy.effective) == "2025-01-01"
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 30)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_a_policy_text_imports_from_utf8_and_from_cp949_and_euc_kr(encoding: str) -> None:
    result = import_bytes(SAMPLE.encode(encoding), filename="policy.txt")
    assert result.report.encoding == ("cp949" if encoding in ("cp949", "euc-kr") else encoding)
    _check(load_policy_text(result.draft))


def test_articles_numbered_je_n_jo_are_the_sections() -> None:
    result = import_bytes(SAMPLE.encode(), filename="policy.txt")
    titles = [s.title for s in result.report.sections]
    assert titles == [
        "개인정보의 보유 및 이용기간",
        "개인정보 처리의 위탁",
        "개인정보 보호책임자",
        "개인정보 처리방침의 변경",
    ]


def test_an_html_policy_with_a_table_imports() -> None:
    html = (
        "<html><body><h2>제1조(개인정보의 보유 및 이용기간)</h2><ul>"
        "<li>계약 또는 청약철회 등에 관한 기록 : 5년 (전자상거래 등에서의 소비자보호에 관한 법률)</li></ul>"
        "<h2>제2조(개인정보 처리의 위탁)</h2><p>회사는 아래와 같이 위탁합니다.</p><table>"
        "<tr><th>수탁자</th><th>위탁업무</th></tr><tr><td>페이주식회사</td><td>결제 처리</td></tr></table>"
        "<h2>제3조(개인정보 보호책임자)</h2><p>개인정보 보호책임자</p><p>성명 : 김보호</p>"
        "<p>전화 : 02-123-4567</p></body></html>"
    )
    policy = load_policy_text(import_bytes(html.encode(), filename="policy.html").draft)
    assert [(r.basis, r.duration.iso()) for r in policy.retention if r.duration] == [
        ("ecommerce.contract", "P5Y")
    ]
    assert [(p.name, p.task) for p in policy.processors.processors] == [("페이주식회사", "결제 처리")]
    assert policy.officer is not None and policy.officer.phone == "02-123-4567"


def test_a_markdown_policy_with_a_pipe_table_imports() -> None:
    md = (
        "# 개인정보 처리방침\n\n## 1. 개인정보 처리업무의 위탁\n\n| 수탁자 | 위탁업무 |\n| --- | --- |\n"
        "| **클라우드(주)** | 서버 운영 |\n\n## 2. 개인정보의 보유 및 이용기간\n\n"
        "- 소비자의 불만 또는 분쟁처리에 관한 기록 : 3년 (전자상거래법)\n"
    )
    result = import_bytes(md.encode(), filename="policy.md")
    assert result.report.format == "md"
    policy = load_policy_text(result.draft)
    assert [(p.name, p.task) for p in policy.processors.processors] == [("클라우드(주)", "서버 운영")]
    assert [r.basis for r in policy.retention] == ["ecommerce.complaint"]


def test_a_period_the_text_leaves_blank_is_a_placeholder_and_a_law_it_cannot_place_is_a_review_note() -> None:
    text = (
        "1. 개인정보의 보유 및 이용기간\n- 부정이용 기록 : oo년간\n"
        "- 거래 기록 : 5년 (전자상거래 등에서의 소비자보호에 관한 법률)\n"
        "2. 개인정보의 파기\n- 지체 없이 파기합니다.\n"
    )
    result = import_bytes(text.encode(), filename="policy.txt")
    policy = load_policy_text(result.draft)
    assert [getattr(r.period, "placeholder", None) for r in policy.retention] == ["oo년간", None]
    assert policy.retention[1].basis is None and policy.retention[1].law is not None
    assert any("어느 기록인지" in n.message for n in result.report.of_kind("review"))
    assert "# 원문 3행: " in result.draft and "review: " in result.draft


def test_nothing_the_text_does_not_say_is_invented() -> None:
    result = import_bytes(
        "개인정보 처리방침\n우리는 개인정보를 소중히 여깁니다.\n".encode(), filename="x.txt"
    )
    policy = load_policy_text(result.draft)
    assert policy.controller.name == "" and policy.effective is None and policy.officers == ()
    assert policy.retention == () and policy.dormancy is None and not policy.notice_declared
    assert {"controller.name", "effective", "officers"} <= {
        n.where for n in result.report.of_kind("placeholder")
    }
    rules = {f["rule"] for f in result.report.lint}
    assert {"effective-date-missing", "placeholder"} <= rules


BAD = {
    "binary": bytes(range(256)) * 40,
    "empty": b"",
    "blank": b" \n\t\n",
    "utf16 without a mark": "개인정보 처리방침 제1조".encode("utf-16-le"),
    "latin-1 mojibake": "Politique de confidentialité: données, sécurité, accès".encode("latin-1") * 3,
}


@pytest.mark.parametrize("kind", BAD)
def test_input_that_is_not_a_policy_text_is_refused_with_a_message_in_korean_and_english(kind: str) -> None:
    with pytest.raises(PolicyImportError) as refused:
        import_bytes(BAD[kind], filename="in.txt")
    assert refused.value.code == "policy.import"
    assert refused.value.message_ko.startswith("in.txt: ") and refused.value.message_en.startswith("in.txt: ")


@pytest.mark.parametrize("kind", [*BAD, "5 MB of text"])
def test_the_command_answers_bad_input_with_exit_2_and_no_traceback_within_10_seconds(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "in.txt"
    if kind == "5 MB of text":
        line = "개인정보 처리방침 제1조 보유기간은 5년입니다. " * 20 + "\n"
        bad.write_text(line * (5 * 1024 * 1024 // len(line.encode()) + 1), encoding="utf-8")
        assert bad.stat().st_size > MAX_IMPORT_BYTES
    else:
        bad.write_bytes(BAD[kind])
    started = time.monotonic()
    code = run(["policy", "import", str(bad), "-o", str(tmp_path / "draft.yaml")])
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 2 and elapsed < 10
    assert "error [policy.import]" in err and "Traceback" not in out + err
    assert not (tmp_path / "draft.yaml").exists()


def test_a_missing_file_is_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "import", str(tmp_path / "nope.txt")]) == 2
    assert "error [policy.import]" in capsys.readouterr().err


def test_the_command_writes_a_draft_that_loads_and_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "policy.txt"
    source.write_bytes(SAMPLE.encode("cp949"))
    draft, report = tmp_path / "draft.yaml", tmp_path / "report.json"
    assert run(["policy", "import", str(source), "-o", str(draft), "--report", str(report)]) == 0
    _check(load_policy(draft))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["encoding"] == "cp949" and data["summary"]["loads"] is True
    assert {"sections", "recognised", "placeholders", "review", "lint"} <= set(data)
    assert any("retention" in s["recognised"] for s in data["sections"])
    out = capsys.readouterr().out
    assert "인식" in out and "초안 검사 (lint of the draft)" in out and str(draft) in out
    assert run(["policy", "lint", str(draft)]) in (0, 1)


def test_the_draft_goes_to_stdout_and_the_summary_to_stderr_without_o(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "policy.md"
    source.write_text(SAMPLE, encoding="utf-8")
    assert run(["policy", "import", str(source), "--format", "text"]) == 0
    out, err = capsys.readouterr()
    assert load_policy_text(out).controller.name == "주식회사 예시상점"
    assert "인식" in err and "인식" not in out


def test_a_file_that_cannot_be_read_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A directory given as the file (root reads a file of mode 0, so the test does not rely on one)."""
    folder = tmp_path / "policy.txt"
    folder.mkdir()
    assert run(["policy", "import", str(folder)]) == 2
    assert "error [policy.import]" in capsys.readouterr().err


def test_a_sentence_that_names_what_it_keeps_before_the_period_is_a_retention_rule() -> None:
    text = (
        "1. 개인정보의 보유 및 이용기간\n다만, 아이디는 부정 가입 방지를 위하여 탈퇴 후 30일간 보관합니다.\n"
    )
    policy = load_policy_text(import_bytes(text.encode(), filename="policy.txt").draft)
    (rule,) = policy.retention
    assert (rule.label, rule.duration.iso() if rule.duration else None, rule.from_) == (
        "아이디",
        "P30D",
        "withdrawal",
    )


def test_an_officer_table_reads_a_contact_cell_without_keys() -> None:
    md = (
        "## 개인정보 보호책임자\n\n| 구분 | 성명 | 직책 | 연락처 |\n| --- | --- | --- | --- |\n"
        "| 개인정보 보호책임자 | 김보호 | 이사 | 02-123-4567, privacy@example.kr |\n"
    )
    officer = load_policy_text(import_bytes(md.encode(), filename="p.md").draft).officer
    assert officer is not None
    assert (officer.name, officer.title, officer.phone, officer.email) == (
        "김보호",
        "이사",
        "02-123-4567",
        "privacy@example.kr",
    )


@pytest.mark.parametrize(
    "heads",
    [
        ("▣ ", "▣ ", "▣ ", ""),
        ("【", "【", "【", "】"),
        ("Ⅰ. ", "Ⅱ. ", "Ⅲ. ", ""),
        ("I. ", "II. ", "III. ", ""),
    ],
)
@pytest.mark.parametrize("one_line", [False, True])
def test_other_heading_styles_cut_the_text_into_its_sections(
    heads: tuple[str, str, str, str], one_line: bool
) -> None:
    first, second, third, close = heads
    text = (
        f"개인정보 처리방침\n{first}개인정보의 보유 및 이용기간{close}\n"
        "- 대금결제 및 재화 등의 공급에 관한 기록 : 5년 (전자상거래법)\n"
        f"{second}개인정보 처리의 위탁{close}\n수탁자\t위탁업무\n페이(주)\t결제\n"
        f"{third}개인정보 보호책임자{close}\n성명 : 김보호\n전화 : 02-123-4567\n"
    )
    result = import_text(text.replace("\n", " ") if one_line else text, filename="policy.txt")
    titles = [s.title for s in result.report.sections]
    assert titles[:2] == ["개인정보의 보유 및 이용기간", "개인정보 처리의 위탁"]
    if not one_line:
        assert titles == ["개인정보의 보유 및 이용기간", "개인정보 처리의 위탁", "개인정보 보호책임자"]
    policy = load_policy_text(result.draft)
    assert [(p.name, p.task) for p in policy.processors.processors] == [("페이(주)", "결제")]
    assert [r.basis for r in policy.retention] == ["ecommerce.payment"]
    assert policy.officer is not None and policy.officer.phone == "02-123-4567"


def test_dormancy_cited_as_the_deleted_validity_period_keeps_its_citation_for_lint_to_flag() -> None:
    text = (
        "5. 장기 미이용 회원의 개인정보 처리\n"
        "「정보통신망 이용촉진 및 정보보호 등에 관한 법률」 제29조에 따라 1년 동안 서비스를 이용하지 않은 "
        "회원의 개인정보는 다른 회원의 개인정보와 분리하여 저장합니다. 분리 30일 전까지 이메일로 알립니다.\n"
    )
    result = import_bytes(text.encode(), filename="policy.txt")
    dormancy = load_policy_text(result.draft).dormancy
    assert dormancy is not None and (dormancy.after.iso(), dormancy.action) == ("P1Y", "separate")  # type: ignore[union-attr]
    assert dormancy.notice_before is not None and dormancy.notice_before.iso() == "P30D"
    assert dormancy.law is not None and "제29조" in dormancy.law
    assert any(f["rule"] == "obsolete-citation" and f["key"] == "dormancy" for f in result.report.lint)


def test_officers_in_an_html_table_of_rows_and_a_definition_list_import_with_their_contacts() -> None:
    html = (
        "<h3>개인정보 보호책임자</h3><table><tr><th>성명</th><td>홍길동</td></tr>"
        "<tr><th>직위</th><td>개인정보보호팀장</td></tr><tr><th>전화</th><td>02-111-2222</td></tr>"
        "<tr><th>이메일</th><td>privacy@x.example</td></tr></table>"
        "<h3>개인정보 보호 담당자</h3><dl><dt>성명</dt><dd>김담당</dd>"
        "<dt>연락처</dt><dd>02-111-3333</dd></dl>"
        "<h3>개인정보 처리방침의 변경</h3><p>이 방침은 2026년 1월 2일부터 시행합니다.</p>"
    )
    policy = load_policy_text(import_text(html, filename="policy.html").draft)
    assert [(o.role, o.name, o.title, o.phone, o.email) for o in policy.officers] == [
        ("officer", "홍길동", "개인정보보호팀장", "02-111-2222", "privacy@x.example"),
        ("manager", "김담당", None, "02-111-3333", None),
    ]
    assert str(policy.effective) == "2026-01-02"


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04\x14\x00", "DOCX/HWPX/ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "HWP/DOC"),
    ],
)
def test_a_pdf_hwp_or_docx_file_is_named_as_such(start: bytes, kind: str) -> None:
    with pytest.raises(PolicyImportError) as refused:
        import_bytes(start + bytes(range(256)) * 4, filename="policy.bin")
    assert kind in refused.value.message_ko and "save the policy as text or HTML" in refused.value.message_en


def test_an_officer_table_with_a_column_per_role_imports_each_role() -> None:
    md = (
        "## 개인정보 보호책임자\n\n| 구분 | 개인정보 보호책임자 | 개인정보 보호 담당부서 |\n"
        "| --- | --- | --- |\n"
        "| 성명 | 홍길동 | - |\n| 부서 | - | 정보보호팀 |\n| 직책 | 이사 | - |\n"
        "| 연락처 | 02-111-2222, boss@x.example | 02-111-3333 |\n"
    )
    policy = load_policy_text(import_text(md, filename="policy.md").draft)
    assert [(o.role, o.name, o.department, o.title, o.phone, o.email) for o in policy.officers] == [
        ("officer", "홍길동", None, "이사", "02-111-2222", "boss@x.example"),
        ("department", None, "정보보호팀", None, "02-111-3333", None),
    ]


@pytest.mark.parametrize(
    ("sentence", "hours", "business"),
    [
        ("접수된 민원은 24시간 이내에 답변드립니다.", 24, False),
        ("접수된 불만은 7일 이내에 처리 결과를 회신합니다.", 168, False),
        ("문의에는 3영업일 이내에 답변합니다.", 72, True),
    ],
)
def test_a_complaint_answer_time_given_in_hours_or_days_is_imported_and_days_are_flagged_for_review(
    sentence: str, hours: int, business: bool
) -> None:
    text = f"개인정보 처리방침\n1. 의견수렴 및 불만처리\n{sentence}\n2. 개인정보 보호책임자\n성명: 홍길동\n"
    result = import_text(text, filename="policy.txt")
    policy = load_policy_text(result.draft)
    assert policy.complaints is not None and policy.complaints.response_hours == hours
    assert policy.complaints.business_days is business
    reviewed = {n.where for n in result.report.of_kind("review")}
    assert ("complaints.response_hours" in reviewed) is ("일" in sentence)
