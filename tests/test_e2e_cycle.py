"""One whole evaluation cycle through the web UI only, in a real Chromium, in Vietnamese: each
person signs in in their own browser context and does their part as they would. (It runs once, to
keep the suite's time down; English is covered page by page by tests/test_e2e_pages.py.)

The starting world is made with factories (units, people with roles and passwords, a cycle in
registration, its advisory council with a member from the head's own unit, who is recused);
everything after that goes through the pages. Time moves with a clock the application reads
(`utcnow`), set between the steps; the scheduler's jobs run as of each moment through the CLI.

Screenshots of each main page are saved under tests/screenshots/<test name>/.
"""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

import factories as f
from browser import axe_violations, describe, sign_in_page
from files import pdf_bytes
from workflow.accounts.models import Role
from workflow.core import models as core_models
from workflow.council import operations as council_operations
from workflow.council.models import Position
from workflow.extensions import db

pytestmark = pytest.mark.real_commits

YEAR = 2030
SCREENSHOTS = Path(__file__).parent / "screenshots"

# What each person reads on the pages (in Vietnamese: the walk runs once, in the language of its
# users; the pages sweep, tests/test_e2e_pages.py, covers English on every main page).
TEXTS: dict[str, str] = {
    "hello": "Xin chào, {name}",
    "start_registration": "Bắt đầu đăng ký",
    "registration_created": "Đã tạo bản đăng ký cho {cycle}",
    "add_quantitative": "Thêm chỉ tiêu định lượng",
    "add_task": "Thêm nhiệm vụ",
    "save": "Lưu",
    "send": "Gửi",
    "submit_registration": "Gửi đăng ký",
    "awaiting_review": "Chờ thẩm định",
    "warning_plan": "Kế hoạch theo quý không tiến dần tới chỉ tiêu.",
    "warning_focal": "Chưa có chỉ tiêu, nhiệm vụ nào được đánh dấu là việc trọng điểm.",
    "propose_change": "Đề xuất điều chỉnh",
    "propose_drop": "Đề xuất loại bỏ",
    "proposal_filed": "Đã gửi đề xuất; Ban Thường vụ sẽ xem xét, quyết định.",
    "forward": "Trình Ban Thường vụ",
    "awaiting_committee": "Chờ Ban Thường vụ",
    "accept": "Chấp thuận",
    "reject": "Không chấp thuận",
    "accepted": "Đã chấp thuận",
    "rejected": "Không chấp thuận",
    "supplement": "Giao bổ sung chỉ tiêu, nhiệm vụ",
    "assign": "Giao chính thức",
    "assigned": "Đã giao chính thức",
    "compare": "So sánh phiên bản",
    "history": "Lịch sử",
    "start_execution": "Bắt đầu thực hiện",
    "my_reports": "Báo cáo của tôi",
    "registrations": "Đăng ký chỉ tiêu",
    "continue_report": "Tiếp tục báo cáo",
    "upload": "Tải lên",
    "send_request": "Gửi cơ quan tham mưu và Ban Thường vụ",
    "save_submit": "Lưu và gửi báo cáo",
    "report_submitted": "Báo cáo đã được gửi cơ quan tham mưu.",
    "return_report": "Trả lại người đứng đầu",
    "accept_report": "Tiếp nhận báo cáo",
    "report_accepted": "Đã tiếp nhận",
    "returned_to_you": "Báo cáo bị trả lại:",
    "give_direction": "Cho ý kiến chỉ đạo",
    "late": "Chậm {n} ngày",
    "monitoring": "Báo cáo quý",
    "open_scoring": "Mở chấm điểm",
    "recused": "Không chấm",
    "score": "Chấm điểm",
    "submit_scorecard": "Nộp phiếu chấm",
    "record_session": "Ghi nhận",
    "save_record": "Lưu biên bản",
    "quorum": "Đủ số lượng",
    "finalise": "Chốt danh sách đề xuất",
    "proposals": "Đề xuất",
    "record": "Ghi nhận",
    "record_exception": "Ghi nhận ngoại lệ",
    "publish": "Công bố kết quả xếp loại",
    "my_evaluation": "Kết quả của tôi",
    "decided_level": "Mức xếp loại do Ban Thường vụ quyết định",
    "departure_reason": "Lý do khác với đề xuất của Hội đồng",
    "breakdown": "Kết quả thực hiện từng chỉ tiêu, nhiệm vụ",
    "sheet": "Phiếu đánh giá để in (PDF)",
}


# --- the clock -------------------------------------------------------------------------------

class Clock:
    """The instant the application takes as now: set to a moment, it runs on from there (so
    that steps keep their order)."""

    def __init__(self) -> None:
        self.base: datetime | None = None
        self.set_at = 0.0

    def set(self, moment: datetime) -> None:
        self.base, self.set_at = moment, time.monotonic()

    def now(self) -> datetime:
        assert self.base is not None
        return self.base + timedelta(seconds=time.monotonic() - self.set_at)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every module of the application that reads `utcnow` reads this clock instead. (Timestamps
    that columns fill in by default, such as an evidence file's upload time, keep the real time.)"""
    original = core_models.utcnow
    clock = Clock()
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("workflow", "scheduler") and getattr(module, "utcnow", None) is original:
            monkeypatch.setattr(module, "utcnow", clock.now)
    return clock


def local(day: date, hour: int = 9) -> datetime:
    """`hour` o'clock in Viet Nam (UTC+7) on `day`, as an aware UTC instant."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


# --- the people ------------------------------------------------------------------------------

@dataclass
class Actor:
    """A person at their own browser."""

    page: Any
    texts: dict[str, str]
    shots: Path
    base_url: str
    counter: list[int] = field(default_factory=lambda: [0])

    def t(self, key: str, **kw: Any) -> str:
        return self.texts[key].format(**kw)

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def click(self, role: str, key: str, **kw: Any) -> None:
        # On a page still loading (its icon font, say) the target may move between the aim and
        # the click, which then lands beside it: wait for the page to have loaded.
        self.page.wait_for_load_state("load")
        self.page.get_by_role(role, name=self.t(key), **kw).click()

    def follow(self, link: Any) -> None:
        """Click a link once the page has loaded, and wait for the page it leads to."""
        self.page.wait_for_load_state("load")
        with self.page.expect_navigation():
            link.click()

    def open_registration(self, unit_name: str) -> None:
        """From the list of registrations in the navigation bar, the unit's registration."""
        self.nav("registrations")
        self.follow(self.page.get_by_role("main").get_by_role("link", name=unit_name, exact=True))

    def nav(self, key: str) -> None:
        """Follow an entry of the navigation bar."""
        self.follow(self.page.locator("#main-nav").get_by_role("link", name=self.t(key)))

    def check(self, step: str) -> None:
        """A screenshot of the page as it stands, and no serious accessibility violation."""
        self.counter[0] += 1
        self.page.screenshot(path=str(self.shots / f"{self.counter[0]:02d}-{step}.png"), full_page=True)
        violations = axe_violations(self.page)
        assert not violations, f"{step}: {describe(violations)}"


@dataclass
class World:
    cycle: Any
    unit: Any
    head: Any
    staff: Any
    committee: Any
    admin: Any
    seats: dict[str, Any]


def make_world() -> World:
    group = f.group(name="Các sở, ban, ngành tỉnh")
    unit = f.unit(name="Sở Kế hoạch và Đầu tư", group=group)
    other = f.unit(name="Ban Tổ chức Tỉnh ủy", group=group)
    head = f.person((Role.HEAD, unit), username="gd.skhdt", full_name="Trần Minh Đức", title="Giám đốc Sở")
    staff = f.person(Role.STAFF, username="chuyenvien", full_name="Lê Thị Hoa", title="Chuyên viên", unit=other)
    committee = f.person(Role.COMMITTEE, username="thuongvu", full_name="Nguyễn Văn Bình", title="Ủy viên Ban Thường vụ")
    admin = f.person(Role.ADMIN, username="quantri", full_name="Phạm Quản Trị")
    people = {
        "chair": f.person(Role.COUNCIL, username="hd.chutich", full_name="Hoàng Văn Chủ", unit=other),
        "secretary": f.person(Role.COUNCIL, username="hd.thuky", full_name="Đỗ Thị Thư", unit=other),
        "member": f.person(Role.COUNCIL, username="hd.uyvien", full_name="Vũ Văn Uy", unit=other),
        # From the head's own unit: recused from scoring them.
        "colleague": f.person(Role.COUNCIL, username="hd.dongnghiep", full_name="Bùi Thị Đồng", unit=unit),
    }
    cycle = f.cycle(YEAR, name=f"Năm {YEAR}")
    positions = {"chair": Position.CHAIR, "secretary": Position.SECRETARY, "member": Position.MEMBER, "colleague": Position.MEMBER}
    seats = {k: council_operations.appoint_member(cycle, p, positions[k], actor=admin) for k, p in people.items()}
    db.session.commit()
    return World(cycle, unit, head, staff, committee, admin, {k: s.person for k, s in seats.items()})


# --- the walk --------------------------------------------------------------------------------

QUANTITATIVE = [
    # title, field, measure, baseline, target, plan Q1–Q4, weight
    ("Thu ngân sách nhà nước trên địa bàn", "Tài chính - ngân sách", "tỷ đồng", "1000", "1200", ("300", "600", "900", "1200"), "30"),
    # A plan that does not climb steadily to its target: the staff will see the warning.
    ("Tỷ lệ hồ sơ giải quyết trước hạn", "Cải cách hành chính", "%", "90", "95", ("92", "91", "94", "96"), "20"),
    ("Số doanh nghiệp thành lập mới", "Phát triển doanh nghiệp", "doanh nghiệp", "800", "900", ("200", "450", "700", "900"), "10"),
]
TASKS = [
    # title, field, product, due, weight, bottleneck
    ("Hoàn thành giải phóng mặt bằng Khu công nghiệp Sơn Lôi", "Đầu tư", "Biên bản bàn giao mặt bằng sạch cho nhà đầu tư",
     date(YEAR, 9, 30), "20", False),
    ("Tháo gỡ vướng mắc thủ tục đầu tư các dự án ngoài ngân sách", "Đầu tư", "Báo cáo kết quả tháo gỡ được Ban Thường vụ thông qua",
     date(YEAR, 12, 15), "20", True),
]
SUPPLEMENTARY = ("Xây dựng đề án chuyển đổi số ngành kế hoạch", "Chuyển đổi số", "Đề án được UBND tỉnh phê duyệt", date(YEAR, 11, 30), "10")


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f'[id="f-{name}"]').fill(value)


def register(head: Actor, world: World) -> None:
    page = head.page
    expect(page.get_by_role("heading", name=head.t("hello", name=world.head.full_name))).to_be_visible()
    head.check("head-dashboard")
    head.click("link", "start_registration")
    head.click("button", "start_registration")
    expect(page.get_by_role("status").filter(has_text=head.t("registration_created", cycle=world.cycle.name))).to_be_visible()
    for title, fld, measure, baseline, target, plan, weight in QUANTITATIVE:
        head.click("link", "add_quantitative")
        _fill(page, {"title": title, "field": fld, "weight": weight, "measure": measure, "baseline": baseline, "target_value": target,
                     **{f"plan_q{q}": v for q, v in enumerate(plan, 1)}})
        if title == QUANTITATIVE[0][0]:
            head.check("registration-form")
        head.click("button", "save", exact=True)
        expect(page.locator("#targets-h")).to_be_visible()
    for title, fld, product, due, weight, bottleneck in TASKS:
        head.click("link", "add_task")
        _fill(page, {"title": title, "field": fld, "weight": weight, "product": product, "due_date": due.isoformat(),
                     "milestone_q1": "Kiểm đếm, lập phương án", "milestone_q3": "Hoàn thành"})
        if bottleneck:
            page.locator("#f-is_bottleneck").check()
        head.click("button", "save", exact=True)
    table = page.locator("table.targets-table")
    for title, *_ in QUANTITATIVE + TASKS:
        expect(table).to_contain_text(title)
    expect(table.locator("tfoot")).to_contain_text("100")
    head.click("button", "submit_registration")
    expect(page.locator("h1 + div, .text-end .badge").filter(has_text=head.t("awaiting_review")).first).to_be_visible()


def review(staff: Actor, world: World) -> None:
    page = staff.page
    expect(page.get_by_role("heading", name=staff.t("hello", name=world.staff.full_name))).to_be_visible()
    staff.check("staff-dashboard")
    staff.open_registration(world.unit.name)
    warnings = page.locator("#warnings")
    expect(warnings).to_contain_text(staff.t("warning_plan"))
    expect(warnings).to_contain_text(staff.t("warning_focal"))
    staff.check("review-with-warnings")
    # A steady plan ending at the target, and a lighter weight to make room for the committee.
    row = page.locator("tr", has_text=QUANTITATIVE[1][0])
    staff.follow(row.get_by_role("link", name=staff.t("propose_change")))
    _fill(page, {"plan_q2": "93", "plan_q4": "95", "weight": "10", "reason": "Kế hoạch quý phải tăng dần và quý IV bằng mục tiêu năm."})
    staff.click("button", "send", exact=True)
    expect(page.get_by_role("status").filter(has_text=staff.t("proposal_filed"))).to_be_visible()
    row = page.locator("tr", has_text=QUANTITATIVE[2][0])
    staff.follow(row.get_by_role("link", name=staff.t("propose_drop")))
    _fill(page, {"reason": "Chỉ tiêu do thị trường quyết định, không đo được sản phẩm của người đứng đầu."})
    staff.click("button", "send", exact=True)
    expect(page.locator("#proposals article")).to_have_count(2)
    page.get_by_role("button", name=staff.t("forward")).click()
    expect(page.locator(".badge", has_text=staff.t("awaiting_committee")).first).to_be_visible()


def decide_and_assign(committee: Actor, world: World) -> None:
    page = committee.page
    expect(page.get_by_role("heading", name=committee.t("hello", name=world.committee.full_name))).to_be_visible()
    committee.check("committee-dashboard")
    committee.open_registration(world.unit.name)
    def proposal(title: str):
        return page.locator("#proposals article", has_text=title)

    proposal(QUANTITATIVE[1][0]).get_by_role("button", name=committee.t("accept"), exact=True).click()
    expect(proposal(QUANTITATIVE[1][0]).locator(".badge")).to_have_text(committee.t("accepted"))
    proposal(QUANTITATIVE[2][0]).get_by_role("textbox").fill("Giữ chỉ tiêu: phản ánh môi trường đầu tư của tỉnh.")
    proposal(QUANTITATIVE[2][0]).get_by_role("button", name=committee.t("reject"), exact=True).click()
    expect(proposal(QUANTITATIVE[2][0]).locator(".badge")).to_have_text(committee.t("rejected"))
    committee.click("link", "supplement")
    title, fld, product, due, weight = SUPPLEMENTARY
    page.locator("#f-kind").select_option("task")
    _fill(page, {"title": title, "field": fld, "weight": weight, "product": product, "due_date": due.isoformat(),
                 "reason": "Nhiệm vụ trọng điểm của tỉnh năm " + str(YEAR)})
    page.locator("#f-is_focal").check()
    committee.click("button", "save", exact=True)
    expect(page.locator("#warnings")).not_to_contain_text(committee.t("warning_focal"))
    expect(page.locator("#warnings")).not_to_contain_text(committee.t("warning_plan"))
    committee.click("link", "assign")
    _fill(page, {"decision_number": "125-QĐ/TU", "decision_date": date(YEAR - 1, 11, 25).isoformat()})
    committee.click("button", "assign")
    expect(page.locator("#decision-h")).to_be_visible()
    expect(page.locator(".badge", has_text=committee.t("assigned")).first).to_be_visible()
    committee.click("link", "compare")
    expect(page.get_by_role("main")).to_contain_text(SUPPLEMENTARY[0])
    committee.check("registration-diff")
    committee.click("link", "history")
    expect(page.get_by_role("main")).to_contain_text("Kế hoạch quý phải tăng dần")
    committee.check("registration-history")



# Each quarter's figures: the three quantitative targets, then each task's status (with the
# product and its date once done).
QUARTERS: dict[int, dict[str, Any]] = {
    1: {"actual": ("310", "92", "210"), "tasks": ("in_progress", "in_progress", "not_started")},
    2: {"actual": ("620", "93", "460"), "tasks": ("in_progress", "in_progress", "in_progress")},
    3: {"actual": ("930", "94", "710"), "tasks": ("done", "in_progress", "in_progress")},
    4: {"actual": ("1250", "95,5", "905"), "tasks": ("done", "done", "done")},
}
DELIVERED = {TASKS[0][0]: date(YEAR, 9, 25), TASKS[1][0]: date(YEAR, 12, 10), SUPPLEMENTARY[0]: date(YEAR, 11, 20)}


def fill_report(page, quarter: int, note: str = "") -> None:
    figures = QUARTERS[quarter]
    for (title, *_), actual in zip(QUANTITATIVE, figures["actual"], strict=True):
        line = page.locator("article.report-line", has_text=title)
        line.locator('[name$=".actual"]').fill(actual)
        line.locator('[name$=".narrative"]').fill(f"Quý {quarter}: đạt {actual}. {note}".strip())
        line.locator('[name$=".confidence"]').select_option("4")
    for title, status in zip([t[0] for t in TASKS] + [SUPPLEMENTARY[0]], figures["tasks"], strict=True):
        line = page.locator("article.report-line", has_text=title)
        line.locator('[name$=".milestone_status"]').select_option(status)
        if status == "done":
            line.locator('[name$=".delivered_on"]').fill(DELIVERED[title].isoformat())
            line.locator('[name$=".product_delivered"]').fill("Văn bản, biên bản kèm theo hồ sơ báo cáo")
        line.locator('[name$=".narrative"]').fill(f"Quý {quarter}: {title.lower()}. {note}".strip())
        line.locator('[name$=".confidence"]').select_option("4")


def submit_report(head: Actor, quarter: int, *, extra=None) -> str:
    """The head opens the quarter's report from "My reports", fills it and submits it; returns
    the report's address."""
    page = head.page
    head.nav("my_reports")
    card = page.locator(".quarter-card").nth(quarter - 1)
    head.follow(card.get_by_role("link", name=head.t("continue_report")))
    if extra:
        extra(page)
    fill_report(page, quarter)
    if quarter == 1:
        head.check("report-form")
    head.click("button", "save_submit")
    expect(page.get_by_role("status").filter(has_text=head.t("report_submitted"))).to_be_visible()
    return page.url


def evidence_and_request(head: Actor):
    def act(page) -> None:
        line = page.locator("article.report-line", has_text=QUANTITATIVE[0][0])
        line.locator("input[type=file]").set_input_files(
            files=[{"name": "bao-cao-thu-ngan-sach-quy-1.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Thu ngan sach quy I")}]
        )
        line.get_by_role("button", name=head.t("upload")).click()
        expect(page.locator("article.report-line", has_text=QUANTITATIVE[0][0]).get_by_role("link", name="bao-cao-thu-ngan-sach-quy-1.pdf")).to_be_visible()
        page.locator("#rq-kind").select_option("support")
        page.locator("#rq-body").fill("Đề nghị tỉnh hỗ trợ kinh phí giải phóng mặt bằng Khu công nghiệp Sơn Lôi.")
        head.click("button", "send_request")
        expect(page.locator("#requests article")).to_contain_text("Đề nghị tỉnh hỗ trợ kinh phí")

    return act


def accept(staff: Actor, url: str) -> None:
    staff.page.goto(url)
    staff.click("button", "accept_report")
    expect(staff.page.locator(".badge", has_text=staff.t("report_accepted")).first).to_be_visible()


def run_scheduler(app, moment: datetime) -> None:
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "--at", moment.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.remove()


def report_year(world: World, app, clock: Clock, head: Actor, staff: Actor, committee: Actor, admin: Actor) -> None:
    clock.set(local(date(YEAR, 1, 5)))
    admin.check("admin-dashboard")
    admin.go(f"/admin/cycles/{world.cycle.id}")
    admin.check("admin-cycle")
    admin.click("button", "start_execution")
    # Quarter 1: on time, with evidence and a request for support; returned once, resubmitted.
    run_scheduler(app, local(date(YEAR, 4, 1)))
    clock.set(local(date(YEAR, 4, 3)))
    q1 = submit_report(head, 1, extra=evidence_and_request(head))
    staff.page.goto(q1)
    staff.page.locator("#reason-return").fill("Bổ sung nguyên nhân chậm giải ngân trong phần thuyết minh.")
    staff.click("button", "return_report")
    head.page.goto(q1)
    expect(head.page.get_by_role("status").filter(has_text=head.t("returned_to_you"))).to_be_visible()
    fill_report(head.page, 1, note="Nguyên nhân: chậm bàn giao mặt bằng.")
    head.click("button", "save_submit")
    expect(head.page.get_by_role("status").filter(has_text=head.t("report_submitted"))).to_be_visible()
    accept(staff, q1)
    committee.page.goto(q1 + "#requests")
    committee.page.locator("#requests textarea[name=body]").fill("Giao Sở Tài chính bố trí kinh phí trong quý II.")
    committee.click("button", "give_direction")
    expect(committee.page.locator("#requests .direction")).to_contain_text("Giao Sở Tài chính")
    # Quarter 2: late (due 10/7).
    run_scheduler(app, local(date(YEAR, 7, 1)))
    clock.set(local(date(YEAR, 7, 22)))
    q2 = submit_report(head, 2)
    expect(head.page.locator(".badge", has_text=head.t("late", n=12)).first).to_be_visible()
    accept(staff, q2)
    # Quarters 3 and 4: on time.
    run_scheduler(app, local(date(YEAR, 10, 1)))
    clock.set(local(date(YEAR, 10, 6)))
    accept(staff, submit_report(head, 3))
    run_scheduler(app, local(date(YEAR + 1, 1, 2)))
    clock.set(local(date(YEAR + 1, 1, 6)))
    accept(staff, submit_report(head, 4))
    staff.nav("monitoring")
    matrix = staff.page.get_by_role("main")
    expect(matrix).to_contain_text(world.unit.name)
    expect(matrix).to_contain_text(staff.t("late", n=12))
    staff.check("monitoring-matrix")


def score(member: Actor, world: World, general: tuple[str, str, str], first: bool = False) -> None:
    page = member.page
    member.go(f"/council/{world.cycle.id}/mine")
    row = page.locator("tr", has_text=world.head.full_name)
    # Waits for the page's load event: its script must be listening before the member types.
    with page.expect_navigation():
        member.follow(row.get_by_role("link", name=member.t("score"), exact=True))
    # The page saves the draft by itself a few seconds after the last input; the member submits
    # once it has (as a person reading the "Saved at" line would).
    with page.expect_response(lambda response: response.url.endswith("/autosave") and response.ok):
        for code, value in zip(("political", "ethics", "discipline"), general, strict=True):
            page.locator(f'[id="f-general.{code}"]').fill(value)
    if first:
        member.check("scoring-form")
    member.click("button", "submit_scorecard")
    expect(page.locator('[id="f-general.political"]')).to_be_disabled()


def council_and_decision(world: World, clock: Clock, council: dict[str, Actor], committee: Actor, admin: Actor) -> None:
    clock.set(local(date(YEAR + 1, 1, 15)))
    admin.go(f"/admin/cycles/{world.cycle.id}")
    admin.click("button", "open_scoring")
    council["chair"].check("council-dashboard")
    colleague = council["colleague"]
    colleague.go(f"/council/{world.cycle.id}/mine")
    row = colleague.page.locator("tr", has_text=world.head.full_name)
    expect(row).to_contain_text(colleague.t("recused"))
    expect(row.get_by_role("link")).to_have_count(0)
    colleague.check("council-member-scorecards")
    score(council["member"], world, ("9", "9", "9"), first=True)
    score(council["chair"], world, ("9", "8", "9"))
    score(council["secretary"], world, ("8", "9", "9"))
    secretary = council["secretary"]
    secretary.go(f"/council/{world.cycle.id}/session")
    secretary.page.locator("#f-held_on").fill(date(YEAR + 1, 1, 20).isoformat())
    secretary.page.locator("#f-place").fill("Hội trường Tỉnh ủy")
    secretary.click("button", "record_session", exact=True)
    for box in secretary.page.locator("input[name=attendee_ids]").all():
        box.check()
    secretary.click("button", "save_record")
    expect(secretary.page.locator(".badge", has_text=secretary.t("quorum"))).to_be_visible()
    chair = council["chair"]
    chair.go(f"/council/{world.cycle.id}/proposals")
    expect(chair.page.get_by_role("main")).to_contain_text(world.head.full_name)
    chair.check("council-proposals")
    chair.go(f"/council/{world.cycle.id}/session")
    chair.click("button", "finalise")
    # The committee decides another level than proposed, says why, and publishes.
    page = committee.page
    committee.go(f"/council/{world.cycle.id}/decisions")
    row = page.locator("tr", has_text=world.head.full_name)
    level = row.locator("select[name=level]")
    other = level.locator("option").nth(1).get_attribute("value")
    level.select_option(other)
    row.locator("input[name=reason]").fill("Có đóng góp nổi bật trong tháo gỡ điểm nghẽn đầu tư của tỉnh.")
    row.get_by_role("button", name=committee.t("record"), exact=True).click()
    expect(page.locator("tr", has_text=world.head.full_name)).to_contain_text("Có đóng góp nổi bật")
    committee.check("committee-decisions")
    # The head is alone in the group, where the quota leaves no place at the top level: the
    # committee records why it goes beyond it before publishing.
    quota = page.locator("#quota")
    quota.locator("textarea[name=reason]").fill("Đóng góp nổi bật trong tháo gỡ điểm nghẽn đầu tư của tỉnh.")
    quota.locator("textarea[name=legal_basis]").fill("Khoản 3 Điều 19 Nghị định 335/2025/NĐ-CP")
    committee.click("button", "record_exception")
    committee.click("button", "publish")


def see_result(head: Actor, world: World) -> None:
    page = head.page
    head.nav("my_evaluation")
    expect(page.get_by_role("heading", name=head.t("decided_level"))).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text(head.t("departure_reason"))
    expect(main).to_contain_text("Có đóng góp nổi bật")
    expect(page.get_by_role("heading", name=head.t("breakdown"))).to_be_visible()
    for title in [t[0] for t in QUANTITATIVE + TASKS] + [SUPPLEMENTARY[0]]:
        expect(main).to_contain_text(title)
    head.check("result")
    with page.expect_download() as download:
        page.get_by_role("link", name=head.t("sheet")).click()
    content = Path(download.value.path()).read_bytes()
    assert content[:5] == b"%PDF-"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert world.head.full_name in text


# --- the test --------------------------------------------------------------------------------

def test_a_whole_cycle_through_the_web(request, app, live_server, browser_context, clock):
    clock.set(local(date(YEAR - 1, 12, 1)))
    world = make_world()
    shots = SCREENSHOTS / request.node.originalname
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    counter = [0]

    def person(someone) -> Actor:
        page = browser_context().new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # "Submit …?" and the like: yes
        actor = Actor(page, TEXTS, shots, live_server.url, counter)
        sign_in_page(page, live_server.url, someone.username, f.PASSWORD)
        expect(page.locator("html")).to_have_attribute("lang", "vi")  # every person's language, unless they choose another
        return actor

    head = person(world.head)
    register(head, world)
    registration = head.page.url.split("#")[0]
    staff = person(world.staff)
    review(staff, world)
    committee = person(world.committee)
    decide_and_assign(committee, world)
    head.page.goto(registration)
    expect(head.page.locator("#decision-h")).to_be_visible()
    admin = person(world.admin)
    report_year(world, app, clock, head, staff, committee, admin)
    council = {k: person(p) for k, p in world.seats.items()}
    council_and_decision(world, clock, council, committee, admin)
    see_result(head, world)
