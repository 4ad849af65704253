"""Two policies unlike the five seeds.

``standard_style.txt``, in the style of the PIPC standard template (``제N조(…)`` articles, ``①``
paragraphs, ``「법령」에 따른`` lists, tab tables for recipients, processors and overseas transfers), was
written after the rules for the seeds; what it needed (the law named on the line above a list, two
statutory records on one line, overseas tables, a history range) was added for it, so it is a second
kind of text the importer reads, not a blind test. ``portal_euckr.html`` (EUC-KR HTML with tables) was
a blind test at first: see the note above its tests.
"""

from __future__ import annotations

from pathlib import Path

from jikimi.policy.importing import import_bytes
from jikimi.policy.load import load_policy_text
from jikimi.policy.model import Policy

TEXTS = Path(__file__).parent / "import_texts"


def _standard() -> tuple[Policy, object]:
    result = import_bytes((TEXTS / "standard_style.txt").read_bytes(), filename="standard_style.txt")
    assert result.report.loads, result.report.load_problems
    return load_policy_text(result.draft), result.report


def test_a_standard_style_policy_takes_the_law_of_a_list_from_the_line_that_names_it() -> None:
    policy, _ = _standard()
    kept = [(r.label, r.duration.iso() if r.duration else None, r.basis) for r in policy.retention]
    assert ("표시·광고에 관한 기록", "P6M", "ecommerce.advertising") in kept
    assert ("소비자 불만 또는 분쟁처리에 관한 기록", "P3Y", "ecommerce.complaint") in kept
    assert ("컴퓨터통신, 인터넷 로그기록자료, 접속지 추적자료", "P3M", "telecom.logs") in kept


def test_one_line_naming_two_statutory_records_becomes_one_rule_for_each_with_a_review_note() -> None:
    policy, report = _standard()
    both = [r.basis for r in policy.retention if r.label.startswith("계약 또는 청약철회, 대금결제")]
    assert both == ["ecommerce.contract", "ecommerce.payment"]
    assert any("법정 기록 2개" in n.message for n in report.of_kind("review"))  # type: ignore[attr-defined]


def test_a_standard_style_policy_imports_its_tables_of_recipients_processors_and_overseas_transfers() -> None:
    policy, _ = _standard()
    assert [
        (t.name, t.purpose, t.retention.iso() if t.retention else None)
        for t in policy.third_parties.recipients
    ] == [("(주)책배달", "주문 상품 배송", "P3M")]
    assert [(p.name, p.task, p.until) for p in policy.processors.processors] == [
        ("한결페이(주)", "결제 처리", "contract_end"),
        ("Cloudnine Inc.", "데이터 보관(클라우드)", "contract_end"),
    ]
    cloud = policy.processors.processors[1]
    assert cloud.country == "미국" and cloud.overseas is not None
    assert cloud.overseas.when_and_how == "서비스 이용 시 네트워크를 통한 전송"
    assert cloud.overseas.recipient_contact == "Cloudnine Inc. (privacy@cloudnine.example)"


def test_a_standard_style_policy_imports_its_officer_department_items_and_history() -> None:
    policy, report = _standard()
    assert [(c.role, c.name or c.department, c.phone, c.email) for c in policy.officers] == [
        ("officer", "정바름", "02-555-0192", "privacy@barun.example"),
        ("department", "정보보호팀", "02-555-0193", "security@barun.example"),
    ]
    signup = policy.contexts_by_id["signup"]
    assert [policy.label_of(i) for i in signup.required] == [
        "성명",
        "생년월일",
        "아이디",
        "비밀번호",
        "휴대전화번호",
        "이메일주소",
    ]
    assert [policy.label_of(i) for i in signup.optional] == ["주소", "관심분야"]
    generated = policy.contexts_by_id["service_use"]
    assert [policy.label_of(i) for i in generated.required] == [
        "IP주소",
        "쿠키",
        "서비스 이용기록",
        "방문기록",
    ]
    assert str(policy.effective) == "2025-07-01"
    assert [str(h.effective) for h in policy.history] == ["2023-01-01"]
    assert not policy.notice_declared  # the clause gives no number of days
    assert "notice" in {n.where for n in report.of_kind("placeholder")}  # type: ignore[attr-defined]


def test_a_standard_style_policy_reads_how_to_refuse_cookies_apart_from_what_refusing_costs() -> None:
    policy, _ = _standard()
    (cookie,) = policy.auto_collection
    assert cookie.how_to_refuse is not None and "옵션 설정" in cookie.how_to_refuse
    assert cookie.refusal_consequence is not None and "어려움" in cookie.refusal_consequence
    assert "맞춤서비스" in cookie.purpose


def _portal() -> Policy:
    raw = (TEXTS / "portal_euckr.html").read_bytes()
    result = import_bytes(raw, filename="portal_euckr.html")
    assert (result.report.encoding, result.report.format, result.report.loads) == ("cp949", "html", True)
    return load_policy_text(result.draft)


# portal_euckr.html was written without looking at the rules and imported as it was. The first import
# had its retention table, recipients, processors, the officer's contacts, the effective date and the
# notice days right; it missed the "(주)" of the company's name, the collection table (구분 | 수집 항목 |
# 이용 목적 | 보유 기간), the passport number as a unique identifier and the officer's title in
# parentheses. Those were then added; the tests below hold both halves.


def test_an_euc_kr_html_policy_imports_its_retention_table_recipients_and_processors() -> None:
    policy = _portal()
    assert [(r.basis, r.duration.iso() if r.duration else None) for r in policy.retention[:3]] == [
        ("ecommerce.contract", "P5Y"),
        ("ecommerce.payment", "P5Y"),
        ("telecom.logs", "P3M"),
    ]
    assert [(t.name, t.purpose, t.retention_text) for t in policy.third_parties.recipients] == [
        ("각 항공사", "항공권 발권", "목적 달성 시까지")
    ]
    assert [(p.name, p.task) for p in policy.processors.processors] == [
        ("(주)콜센터원", "고객 상담 업무"),
        ("NHN KCP", "전자결제 대행"),
    ]
    officer = policy.officer
    assert officer is not None and (officer.name, officer.title, officer.phone, officer.email) == (
        "한여름",
        "고객지원본부장",
        "1588-0000",
        "privacy@hanul.example",
    )
    assert (str(policy.effective), policy.notice.lead_days) == ("2026-02-01", 7)


def test_a_collection_table_gives_contexts_purposes_with_their_items_and_a_period_per_row() -> None:
    policy = _portal()
    assert policy.controller.name == "(주)하늘여행"
    signup, booking = policy.contexts_by_id["signup"], policy.contexts_by_id["reservation"]
    assert [policy.label_of(i) for i in signup.required] == ["이메일", "비밀번호", "이름", "휴대폰번호"]
    assert [policy.label_of(i) for i in signup.optional] == ["생년월일", "성별"]
    assert policy.items_by_id["passport"].is_unique_id and "passport" in booking.required
    tied = {p.label: [policy.label_of(i) for i in p.items] for p in policy.purposes}
    assert tied["맞춤형 여행 상품 추천"] == ["생년월일", "성별"]
    kept = next(r for r in policy.retention if "passport" in r.what)
    assert kept.duration is not None and kept.duration.iso() == "P1Y" and kept.reason == "여행 종료 후 1년"


def test_the_standard_style_text_with_its_line_breaks_removed_imports_the_same_facts() -> None:
    from tests.policy.import_agreement import agreement, table

    raw = (TEXTS / "standard_style.txt").read_bytes()
    flat = raw.decode("utf-8").replace("\n", " ").encode("utf-8")
    lines, joined = _standard()[0], load_policy_text(import_bytes(flat, filename="one_line.txt").draft)
    rows = agreement(lines, joined)
    print("\n" + table("standard_style.txt as one line", rows))
    assert rows[-1].share == 1.0
    cloud = joined.processors.processors[1]
    assert cloud.name == "Cloudnine Inc." and cloud.overseas is not None and cloud.country == "미국"


# app_policy.txt (a small app's policy, plain text) was also written without looking at the rules. Its
# first import had the officer's contacts, the effective date, the notice days (7 and 30), the three
# retention periods, "no third parties", the rights channel and deadline and the redress bodies right;
# it missed the items section ("수집하는 개인정보"), the bases of the kept records whose law is in the
# label's parentheses, processors written "- 이름: 업무", the overseas sentence, the advertising-id
# section, "가입을 받지 않습니다" for children and the destruction sentence inside the retention section.
# Those were then added.


def _app() -> Policy:
    result = import_bytes((TEXTS / "app_policy.txt").read_bytes(), filename="app_policy.txt")
    assert result.report.loads, result.report.load_problems
    return load_policy_text(result.draft)


def test_an_app_policy_imports_what_its_first_import_already_had() -> None:
    policy = _app()
    officer = policy.officer
    assert officer is not None and (officer.name, officer.title, officer.phone, officer.email) == (
        "박하루",
        "CTO",
        "02-777-8888",
        "privacy@harulab.example",
    )
    assert str(policy.effective) == "2025-11-01"
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 30)
    assert policy.rights is not None and policy.rights.deadline_days == 10
    assert [b.name for b in policy.complaints.redress] == ["개인정보침해신고센터", "개인정보분쟁조정위원회"]  # type: ignore[union-attr]


def test_an_app_policy_imports_its_items_social_login_kept_records_processors_and_transfer() -> None:
    policy = _app()
    signup = policy.contexts_by_id["signup"]
    assert [policy.label_of(i) for i in signup.required] == ["이메일 주소", "비밀번호"]
    assert [policy.label_of(i) for i in signup.optional] == ["닉네임", "프로필 사진"]
    social = policy.contexts_by_id["social_login"]
    assert social.channels == ("partner",) and "email" in social.required
    kept = [(r.what, r.duration.iso() if r.duration else None, r.basis) for r in policy.retention]
    assert (("email",), "P30D", None) in kept
    assert {k[2] for k in kept} >= {"telecom.logs", "ecommerce.payment"}
    assert [(p.name, p.task) for p in policy.processors.processors] == [
        ("NHN클라우드", "서버 운영 및 데이터 보관"),
        ("(주)메일발송", "이메일 발송"),
    ]
    (google,) = policy.third_parties.recipients
    assert (google.name, google.country) == ("Google LLC", "미국") and google.overseas is not None
    assert google.overseas.when_and_how == "앱 실행 시, 네트워크 전송"
    assert policy.children is not None and policy.children.policy == "not_collected"
    (ad_id,) = policy.auto_collection
    assert (
        ad_id.kind == "device_id"
        and ad_id.how_to_refuse == "휴대폰 설정 > 개인정보 보호 > 광고 메뉴에서 수집을 거부할 수 있습니다."
    )
    assert policy.destruction is not None and "지체 없이 파기" in (policy.destruction.procedure or "")


# market.html (an HTML shop policy) was the third text written without looking at the rules. Its first
# import had the name, effective date, items per context, the recipient, both processors, the officer's
# contacts and the notice days right; it missed the retention rules written "기록(5년), 기록(3년)" after
# the law that names them, and kept "(필수)" in the context labels. Those were then added.


def test_an_html_shop_policy_reads_records_with_their_periods_in_parentheses_after_their_law() -> None:
    result = import_bytes((TEXTS / "market.html").read_bytes(), filename="market.html")
    policy = load_policy_text(result.draft)
    assert [(r.label, r.duration.iso() if r.duration else None, r.basis) for r in policy.retention] == [
        ("계약 또는 청약철회 등에 관한 기록", "P5Y", "ecommerce.contract"),
        ("대금결제 및 재화 등의 공급에 관한 기록", "P5Y", "ecommerce.payment"),
        ("소비자의 불만 또는 분쟁처리에 관한 기록", "P3Y", "ecommerce.complaint"),
        ("웹사이트 방문 기록", "P3M", "telecom.logs"),
    ]
    assert [c.label for c in policy.contexts] == ["회원가입", "주문", "결제"]
    assert (policy.controller.name, str(policy.effective)) == ("㈜푸른마켓", "2024-05-20")
    assert [(p.name, p.task) for p in policy.processors.processors] == [
        ("토스페이먼츠㈜", "결제 대행"),
        ("CJ대한통운㈜", "상품 배송"),
    ]
    assert [
        (t.name, t.retention.iso() if t.retention else None) for t in policy.third_parties.recipients
    ] == [("입점 판매자", "P3M")]
    officer = policy.officer
    assert officer is not None and (officer.name, officer.phone) == ("최푸름", "1577-0000")


# library.txt (a public library, in the public-sector style with a 개인정보파일 table) was the fourth text
# written without looking at the rules. Its first import had the name, the officer, the destruction, "no
# third parties", the effective date and one kept list right; it missed the file table (a "제34조" in a
# cell broke the row), the processor given as "위탁받는 자 : …" / "위탁하는 업무의 내용 : …" lines, the
# department's 담당자 (read as a second contact), a purpose with a single detail, and it kept the same
# period twice. Those were then added.


def test_a_public_sector_policy_reads_its_file_table_processor_lines_and_department_contact() -> None:
    policy = load_policy_text(
        import_bytes((TEXTS / "library.txt").read_bytes(), filename="library.txt").draft
    )
    assert [(c.label, [policy.label_of(i) for i in c.required]) for c in policy.contexts] == [
        ("도서 대출회원 정보", ["성명", "생년월일", "주소", "휴대전화번호"]),
        ("문화강좌 수강생 명단", ["성명", "휴대전화번호"]),
    ]
    tied = {p.label: (p.details, [policy.label_of(i) for i in p.items]) for p in policy.purposes}
    assert tied["문화강좌 운영"] == (("수강 신청 접수 및 수강생 관리",), ["성명", "휴대전화번호"])
    assert [(r.what, r.duration.iso() if r.duration else None) for r in policy.retention] == [
        (("name", "mobile"), "P2Y")
    ]
    assert [(p.name, p.task) for p in policy.processors.processors] == [
        ("(주)도서관시스템", "도서관리시스템 유지보수")
    ]
    assert [(o.role, o.name, o.department, o.phone, o.email) for o in policy.officers] == [
        ("officer", "윤한빛", None, "031-000-1234", None),
        ("department", "서지원", "운영지원팀", "031-000-1235", "library@hanbit.example"),
    ]
    assert str(policy.effective) == "2024-09-01" and not policy.notice_declared


# saas.md (a Markdown policy of a SaaS) was the fifth text written without looking at the rules. Its first
# import had the officer, the kept records with their laws, the overseas table and the notice days
# right; it read the processor table with the task column first wrongly (name and task swapped, and
# "Amazon Web Services, Inc." cut at its comma), missed the effective date written after the
# announcement date on the same line, and named contexts "필수"/"선택" after a 구분 column that only says
# which. Those were then fixed.


def test_a_markdown_saas_policy_reads_a_task_first_processor_table_and_two_dates_on_one_line() -> None:
    result = import_bytes((TEXTS / "saas.md").read_bytes(), filename="saas.md")
    policy = load_policy_text(result.draft)
    assert [(p.name, p.task, p.until) for p in policy.processors.processors] == [
        ("Amazon Web Services, Inc.", "클라우드 서버 운영", "contract_end"),
        ("(주)케이지이니시스", "결제 처리", "contract_end"),
    ]
    aws = policy.processors.processors[0]
    assert aws.country == "미국" and aws.overseas is not None and aws.overseas.country == "미국"
    assert (str(policy.effective), str(policy.announced)) == ("2025-03-08", "2025-03-01")
    collected = policy.contexts[0]
    assert [policy.label_of(i) for i in collected.required] == ["이메일", "비밀번호", "회사명"]
    assert [policy.label_of(i) for i in collected.optional] == ["전화번호", "부서명"]
    assert policy.contexts[1].subjects == "any"
    assert {(r.duration.iso() if r.duration else None, r.basis) for r in policy.retention} == {
        ("P5Y", "ecommerce.payment"),
        ("P3M", "telecom.logs"),
        ("P6M", None),
    }
    assert (policy.notice.lead_days, policy.notice.material_lead_days) == (7, 30)


# game.html (an online game's HTML policy) was the sixth text written without looking at the rules. Its
# first import had the service name, the three kept records (the 전자금융거래법 one with a review note),
# the dormancy rule, the processor, the officer's contacts and the date right; it missed the collection
# table under "수집 항목 및 이용 목적" (the section was read as purposes only) and the reason of the
# internal rule in its own column. Those were then added.


def test_an_html_game_policy_reads_its_collection_table_under_a_heading_naming_items_and_purposes() -> None:
    policy = load_policy_text(import_bytes((TEXTS / "game.html").read_bytes(), filename="game.html").draft)
    assert [(c.label, [policy.label_of(i) for i in c.required]) for c in policy.contexts] == [
        ("게임 회원가입", ["아이디", "비밀번호", "생년월일"]),
        ("아이템 구매", ["결제 수단 정보", "결제 금액"]),
    ]
    assert [(r.basis, r.reason) for r in policy.retention] == [
        ("ecommerce.payment", None),
        ("efinance.transactions", None),
        (None, "게임 부정 이용 방지"),
    ]
    dormancy = policy.dormancy
    assert dormancy is not None and (dormancy.after.iso(), dormancy.reactivation) == ("P1Y", ("login",))  # type: ignore[union-attr]
    assert policy.controller.service == "별빛온라인" and str(policy.effective) == "2025-01-15"
