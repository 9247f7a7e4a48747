"""The recognition flow in Chromium: grassroots nominates two members and its union → district
forwards → province takes the dossier, its council votes in a secret e-ballot (one candidate below
the 90 % threshold, one absent member's written vote entered by the secretary) → minutes .docx →
decision drafted from the session and issued → decision .docx with its annex and certificates PDF
→ the awards on the member's page → the published decision on the portal's honour roll.
axe-core and screenshots on the way."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document

from thidua.accounts.roles import Role
from thidua.core.text import fold
from thidua.members.models import Member
from thidua.recognition import council as council_services
from thidua.recognition import services
from thidua.recognition.catalogue import load
from thidua.recognition.models import (
    Award,
    AwardCouncilMember,
    AwardDecision,
    BallotItem,
    Candidate,
    CouncilSession,
    Nomination,
)
from thidua.testing import build_world, make_member, make_user

from .conftest import DESKTOP, PHONE, SCREENSHOTS, assert_accessible, no_horizontal_scroll, shoot
from .test_campaign_flow import login

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2025  # achievement year: the "Luật 2022" rule set applies
MEMBER_KIND = "Bằng khen của Liên đoàn Lao động tỉnh (cá nhân)"
UNIT_KIND = "Bằng khen của Liên đoàn Lao động tỉnh (tập thể)"
SEATS = ("Chủ tịch Hội đồng", "Thư ký Hội đồng", "Ủy viên Một", "Ủy viên Hai", "Ủy viên Vắng")


@pytest.fixture
def world(transactional_db):
    """The test tree, the award catalogue, two members with a 2025 record that meets the rules, and
    the province's 5-seat council passing at 90 % of all members (its last seat will be absent)."""
    world = build_world()  # first: after another live-server test's flush, it re-creates the unit kinds
    load()  # the awarding powers are given to the unit kinds that exist
    for name, gender in (("Hoàng Thị Lan", Member.Gender.FEMALE), ("Đặng Văn Hùng", Member.Gender.MALE)):
        member = make_member(world.G1, name, gender=gender, birth_year=1988)
        services.annual_record_save(year=YEAR, member=member, by=None, rating="excellent", months_worked=12)
    services.annual_record_save(year=YEAR, unit=world.G1, by=None, rating="excellent")
    council = council_services.council_save(
        unit=world.P, by=None, name="Hội đồng Thi đua – Khen thưởng LĐLĐ tỉnh Alpha", quorum="2/3", threshold="90%"
    )
    roles = [AwardCouncilMember.Role.CHAIR, AwardCouncilMember.Role.SECRETARY] + [AwardCouncilMember.Role.MEMBER] * 3
    for n, (full_name, role) in enumerate(zip(SEATS, roles, strict=True)):
        user = make_user(f"hoidong{n}", (world.P, Role.COUNCIL))
        council_services.council_member_add(council=council, by=None, full_name=full_name, role=role, user=user)
    return world


def check(page, name: str = "") -> None:
    """axe-core at desk and phone width, no page-wide horizontal scroll on the phone (wide tables
    scroll inside their wrapper), and the screenshots when ``name`` is given."""
    original = page.viewport_size
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert no_horizontal_scroll(page), f"{page.url} scrolls sideways at 360 px"
    page.set_viewport_size(original)
    if name:
        shoot(page, name)


def shoot_loaded(page, name: str) -> None:
    """Screenshots of a page loaded at each width: its charts lay themselves out on load (a resized
    window re-draws them only on the next frame, after Playwright's full-page capture)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.reload()
        page.wait_for_load_state("load")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def vote(browser, live_server, username, session_pk, reject=()):
    """A council member casts the secret ballot: approve everyone except ``reject``, review, send."""
    context, page = login(browser, live_server, username)
    page.goto(live_server.url + "/recognition/council/ballots/")
    if username == "hoidong2":
        check(page)
    page.get_by_role("link", name="Phiên xét khen thưởng năm 2025").click()
    page.wait_for_url(f"**/recognition/council/sessions/{session_pk}/ballot/")
    for fieldset in page.locator("fieldset").all():
        name = fieldset.locator("legend").inner_text()
        choice = "Không đồng ý" if any(r in name for r in reject) else "Đồng ý"
        fieldset.get_by_label(choice, exact=True).check()
    if username == "hoidong2":
        check(page, "recognition-ballot")
    page.get_by_role("button", name="Xem lại trước khi gửi").click()
    page.get_by_role("heading", name="Xác nhận phiếu").wait_for()
    page.get_by_role("button", name="Gửi phiếu").click()
    page.get_by_text("Bạn đã bỏ phiếu.").first.wait_for()
    context.close()


def test_nominate_forward_vote_decide_publish(browser, live_server, world, tmp_path):
    from playwright.sync_api import expect  # installed with the browser tests' dependencies

    base = live_server.url

    # 1. The grassroots officer opens a dossier, nominates two members and the union itself,
    #    attaches the achievement report and the minutes, and sends it up.
    context, page = login(browser, live_server, "grassroots")
    page.goto(base + "/recognition/nominations/")
    page.get_by_role("link", name="Lập hồ sơ đề nghị").click()
    check(page)
    page.get_by_label("Trích yếu").fill("Đề nghị khen thưởng năm 2025")
    page.get_by_label("Thành tích từ ngày").fill(f"01/01/{YEAR}")
    page.get_by_label("Thành tích đến ngày").fill(f"31/12/{YEAR}")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("heading", name="Đề nghị khen thưởng năm 2025").wait_for()
    nomination = Nomination.objects.get(proposer=world.G1)
    for name in ("Hoàng Thị Lan", "Đặng Văn Hùng", None):
        page.get_by_role("link", name="Thêm người, tập thể").click()
        if name:
            page.get_by_label("Danh hiệu, hình thức khen thưởng").select_option(label=MEMBER_KIND)
            # The picker narrows as one types, without diacritics ("dang van hung" finds "Đặng Văn Hùng").
            page.get_by_label("Tìm đoàn viên theo tên (không cần dấu)").fill(fold(name))
            expect(page.get_by_label("Đoàn viên", exact=True).locator("option")).to_have_count(2)
            page.get_by_label("Đoàn viên", exact=True).select_option(label=f"{name} (1988) – {world.G1.name}")
            page.get_by_label("Thành tích", exact=True).fill("Hoàn thành xuất sắc nhiệm vụ năm 2025")
        else:
            page.get_by_label("Danh hiệu, hình thức khen thưởng").select_option(label=UNIT_KIND)
            page.get_by_label("Tập thể", exact=True).select_option(label=world.G1.name)
        page.get_by_role("button", name="Kiểm tra và thêm").click()
        page.wait_for_url(f"**/recognition/nominations/{nomination.pk}/")
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == 3
    assert rows.filter(has_text="Đủ điều kiện").count() == 3, rows.all_inner_texts()
    for kind, file_name in (("report", "bao-cao-thanh-tich.pdf"), ("minutes", "bien-ban-hop-xet.pdf")):
        page.get_by_label("Loại tệp").select_option(kind)
        page.set_input_files(
            "input[type=file]", files=[{"name": file_name, "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.get_by_role("button", name="Đính kèm").click()
        page.get_by_role("link", name=file_name).wait_for()
    check(page, "recognition-dossier")
    page.get_by_role("button", name="Gửi cấp trên").click()
    page.get_by_text("Đã gửi").first.wait_for()
    context.close()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SUBMITTED and nomination.holder_id == world.D1.pk

    # 2. The district forwards it to the province.
    context, page = login(browser, live_server, "district")
    page.goto(base + "/recognition/nominations/?desk=1")
    check(page, "recognition-nominations")
    page.get_by_role("link", name="Đề nghị khen thưởng năm 2025").click()
    page.get_by_role("button", name="Chuyển lên cấp trên").click()
    page.get_by_role("heading", name="Đề nghị khen thưởng năm 2025").wait_for()
    context.close()
    nomination.refresh_from_db()
    assert nomination.holder_id == world.P.pk

    # 3. The province reads its board, takes the dossier and convenes the council.
    context, page = login(browser, live_server, "province")
    page.goto(base + "/recognition/nominations/board/")
    check(page, "recognition-board")
    page.goto(base + f"/recognition/nominations/{nomination.pk}/")
    page.get_by_role("button", name="Xét, quyết định tại cấp này").click()
    page.get_by_text("Đang trình hội đồng").first.wait_for()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.TAKEN
    page.goto(base + "/recognition/council/")
    check(page)
    page.get_by_role("link", name="Hội đồng Thi đua – Khen thưởng LĐLĐ tỉnh Alpha").click()
    check(page, "recognition-council")
    page.get_by_role("link", name="Lập phiên họp").click()
    page.get_by_label("Nội dung phiên họp").fill("Phiên xét khen thưởng năm 2025")
    page.get_by_label("Ngày họp").fill("20/01/2026")
    page.get_by_label("Địa điểm").fill("Hội trường tầng 3")
    for box in page.get_by_role("checkbox").all():
        box.check()
    check(page)
    page.get_by_role("button", name="Lập phiên họp").click()
    page.get_by_role("heading", name="Phiên xét khen thưởng năm 2025").wait_for()
    session = CouncilSession.objects.get()
    assert session.items.count() == 3
    page.get_by_label("Ủy viên Vắng").uncheck()
    page.get_by_role("button", name="Lưu danh sách có mặt").click()
    page.get_by_role("heading", name="Phiên xét khen thưởng năm 2025").wait_for()
    check(page, "recognition-session-draft")
    page.get_by_role("button", name="Mở bỏ phiếu kín").click()
    page.get_by_text("Đang bỏ phiếu kín").wait_for()
    check(page)
    context.close()

    # 4. Four members vote in the browser; one rejects Đặng Văn Hùng (4/5 = 80 % < 90 %).
    for username in ("hoidong0", "hoidong2", "hoidong3"):
        vote(browser, live_server, username, session.pk)
    # The secretary rejects one candidate, then enters the absent member's written ballot.
    vote(browser, live_server, "hoidong1", session.pk, reject=("Đặng Văn Hùng",))
    context, page = login(browser, live_server, "hoidong1")
    page.goto(base + f"/recognition/council/sessions/{session.pk}/")
    page.get_by_role("link", name="Nhập phiếu bằng văn bản Ủy viên Vắng").click()
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Đồng ý", exact=True).check()
    check(page)
    page.get_by_role("button", name="Ghi phiếu").click()
    page.get_by_text("Đã nhập phiếu bằng văn bản của Ủy viên Vắng").wait_for()
    context.close()

    # 5. The desk closes the ballot: the results show Đặng Văn Hùng failed; the minutes carry the tally.
    context, page = login(browser, live_server, "province")
    page.goto(base + f"/recognition/council/sessions/{session.pk}/")
    page.get_by_text("Đã bỏ phiếu 5/5 thành viên.").wait_for()
    page.get_by_role("button", name="Kết thúc bỏ phiếu và kiểm phiếu").click()
    page.get_by_role("heading", name="Kết quả bỏ phiếu").wait_for()
    results = {
        cells[0]: cells[4:]
        for cells in (
            [c.strip() for c in row.locator("td").all_inner_texts()]
            for row in page.locator("table").first.locator("tbody tr").all()
        )
    }
    assert results == {
        "Hoàng Thị Lan": ["5", "0", "Đạt"],
        "Đặng Văn Hùng": ["4", "1", "Không đạt"],
        world.G1.name: ["5", "0", "Đạt"],
    }, results
    assert BallotItem.objects.get(candidate__member__full_name="Đặng Văn Hùng").result == BallotItem.Result.FAILED
    assert set(BallotItem.objects.filter(result=BallotItem.Result.PASSED).values_list("approve", flat=True)) == {5}
    check(page, "recognition-session-results")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải biên bản (.docx)").click()
    minutes = tmp_path / "bien-ban.docx"
    caught.value.save_as(minutes)
    assert "BIÊN BẢN" in docx_text(minutes).upper()
    tally = {row[1].split(" (")[0]: row[4:7] for row in docx_rows(minutes) if len(row) == 7 and row[0].isdigit()}
    assert tally == {
        "Hoàng Thị Lan": ["5", "0", "Đạt"],
        "Đặng Văn Hùng": ["4", "1", "Không đạt"],
        world.G1.name: ["5", "0", "Đạt"],
    }, tally

    # 6. The province drafts the decision from the session, publishes it on the honour roll, issues it.
    page.goto(base + "/recognition/decisions/")
    check(page)
    page.goto(base + f"/recognition/council/sessions/{session.pk}/")
    page.get_by_role("link", name="Lập quyết định khen thưởng từ phiên họp này").click()
    # The draft starts from the session: its achievement period and the usual wording are filled in.
    assert page.get_by_label("Thành tích từ ngày").input_value() == f"01/01/{YEAR}"
    assert page.get_by_label("Trích yếu").input_value() == "Về việc khen thưởng thành tích năm 2025"
    check(page)
    page.get_by_label("Ngày ban hành").fill("15/01/2026")
    page.get_by_label("Địa danh").fill("Alpha")
    page.get_by_label("Họ tên người ký").fill("Nguyễn Văn Ký")
    page.get_by_label("Công bố trên Bảng vàng").check()
    page.get_by_role("button", name="Lập dự thảo").click()
    page.get_by_role("heading", name="Dự thảo quyết định").wait_for()
    decision = AwardDecision.objects.get()
    assert decision.publish and decision.lines.count() == 2
    page.get_by_label("Ngày ban hành").fill("20/01/2026")
    page.get_by_role("button", name="Ban hành quyết định").click()
    page.get_by_role("heading", name="Quyết định số").wait_for()
    decision.refresh_from_db()
    assert decision.status == AwardDecision.Status.ISSUED
    check(page, "recognition-decision")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải quyết định (.docx)").click()
    path = tmp_path / "quyet-dinh.docx"
    caught.value.save_as(path)
    text = docx_text(path)
    assert "Kèm theo Quyết định số" in text and "I. CÁ NHÂN" in text
    assert "Hoàng Thị Lan" in text and "Đặng Văn Hùng" not in text
    with page.expect_download() as caught:
        page.get_by_role("link", name="In giấy khen, bằng khen (PDF)").click()
    pdf = tmp_path / "bang-khen.pdf"
    caught.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        words = subprocess.run(  # noqa: S603 - our file
            [shutil.which("pdftotext") or "pdftotext", "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "Hoàng Thị Lan" in words and world.G1.name in words and "Đặng Văn Hùng" not in words

    # 7. The statistics page and the member's own page show the award.
    page.goto(base + "/recognition/statistics/")
    check(page)
    shoot_loaded(page, "recognition-statistics")
    lan = Member.objects.get(full_name="Hoàng Thị Lan")
    page.goto(base + f"/members/{lan.pk}/")
    awards = page.locator("section[aria-labelledby=awards-h]").inner_text()
    assert MEMBER_KIND in awards and decision.document_number in awards and "Đang có hiệu lực" in awards, awards
    check(page, "recognition-member-awards")
    assert Award.objects.filter(member=lan).count() == 1
    assert not Award.objects.filter(member__full_name="Đặng Văn Hùng").exists()
    assert Candidate.objects.get(member=lan).outcome == Candidate.Outcome.AWARDED
    context.close()

    # 8. The portal's honour roll, open to anyone, names the recipients and not the failed candidate.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(base + "/tin/bang-vang/")
    body = page.locator("main").inner_text()
    assert "Hoàng Thị Lan" in body and world.G1.name in body and "Đặng Văn Hùng" not in body
    check(page, "recognition-honour-roll")
    context.close()


def docx_rows(path) -> list[list[str]]:
    return [[cell.text.strip() for cell in row.cells] for table in Document(str(path)).tables for row in table.rows]


def docx_text(path) -> str:
    parts = [p.text for p in Document(str(path)).paragraphs]
    parts.extend(cell for row in docx_rows(path) for cell in row)
    return "\n".join(parts)
