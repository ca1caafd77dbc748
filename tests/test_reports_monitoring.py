"""Monitoring: the matrix of heads × quarters with each state, filters, targets at risk, open
requests, a fixed number of statements at 10 and 1,000 heads (page, API, dashboard), the
Excel workbook cell by cell."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

import bulk
import factories as f
from workflow.accounts.models import Role
from workflow.calendar import window_for
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.reports import monitoring
from workflow.reports import operations as ops

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PAST = utcnow().year - 2


def states(page):
    return {row.registration.unit.name: [c.state for c in row.cells] for row in page.items}


def test_each_state_of_the_matrix_and_its_filters():
    staff = f.person(Role.STAFF)
    cycle = f.execution_cycle(2027)
    regs = {name: f.assigned_registration(2027) for name in ("none", "draft", "submitted", "returned", "accepted")}
    for name, reg in regs.items():
        reg.unit.name = name
    regs["accepted"].unit.staff_officer_id = staff.id
    morning = datetime(2027, 4, 5, 10, tzinfo=HCM)
    for name in ("draft", "submitted", "returned", "accepted"):
        report = ops.open_report(regs[name], 1, actor=f.head_of(regs[name]), now=morning)
        db.session.flush()
        if name != "draft":
            ops.save_entries(report, f.full_entries(regs[name]), actor=f.head_of(regs[name]), version=report.version, now=morning)
            db.session.flush()
            ops.submit(report, actor=f.head_of(regs[name]), version=report.version, now=morning)
            db.session.flush()
        if name in ("returned", "accepted"):
            ops.take_step(report, "return" if name == "returned" else "accept", actor=staff, version=report.version, reason="Bổ sung")
    db.session.flush()
    filters = monitoring.MatrixFilters()
    before_due = states(monitoring.matrix(cycle, filters, 1, 25, now=morning))
    assert before_due == {
        "accepted": ["accepted", "not_open", "not_open", "not_open"],
        "draft": ["draft", "not_open", "not_open", "not_open"],
        "none": ["draft", "not_open", "not_open", "not_open"],  # open, the job has not made it yet
        "returned": ["returned", "not_open", "not_open", "not_open"],
        "submitted": ["submitted", "not_open", "not_open", "not_open"],
    }
    after_due = states(monitoring.matrix(cycle, filters, 1, 25, now=datetime(2027, 4, 20, tzinfo=HCM)))
    assert after_due["none"][0] == after_due["draft"][0] == "late" and after_due["returned"][0] == "returned"

    def names(**kw):
        return sorted(states(monitoring.matrix(cycle, monitoring.MatrixFilters(**kw), 1, 25, now=datetime(2027, 4, 20, tzinfo=HCM))))

    assert names(state="late", quarter=1) == ["draft", "none"]
    assert names(state="accepted", quarter=1) == ["accepted"]
    assert names(state="not_open", quarter=2) == ["accepted", "draft", "none", "returned", "submitted"]
    assert names(state="draft", quarter=1) == []
    assert names(staff_id=staff.id) == ["accepted"]
    assert names(group_id=regs["draft"].unit.group_id) == ["draft"]
    assert names(q="turn") == ["returned"]
    counts = monitoring.state_counts(cycle, 1, now=datetime(2027, 4, 20, tzinfo=HCM))
    assert counts == {"not_open": 0, "draft": 0, "late": 2, "submitted": 1, "returned": 1, "accepted": 1}


def test_targets_at_risk_and_open_requests():
    cycle = f.execution_cycle(2027)
    reg = f.assigned_registration(2027)
    head = f.head_of(reg)
    morning = datetime(2027, 4, 5, 10, tzinfo=HCM)
    report = ops.open_report(reg, 1, actor=head, now=morning)
    db.session.flush()
    ops.save_entries(report, f.full_entries(reg, actual="200", percent="91.2"), actor=head, version=report.version, now=morning)
    db.session.flush()
    ops.submit(report, actor=head, version=report.version, now=morning)
    ops.raise_request(report, "obstacle", "Vướng mặt bằng", actor=head)
    db.session.flush()
    risks, total = monitoring.at_risk(cycle, 1)
    # Revenue 200 of 300 planned (66.67%): off track; the rate 91.2 of 92 from 90 (60%): off track.
    assert total == 2 and [r.line.target.id for r in risks] == [reg.targets[2].id, reg.targets[0].id]
    requests, n = monitoring.open_requests(cycle)
    assert n == 1 and requests[0].body == "Vướng mặt bằng"


@pytest.fixture
def big(app):
    """A past cycle (every window open and due) with `size` heads who reported the first quarter."""
    cycle = f.execution_cycle(PAST)
    staff = f.person(Role.STAFF)

    def grow(size, prefix):
        bulk.province(cycle, size, targets=3, staff_ids=[staff.id], prefix=prefix, report_quarter=1, due_on=date(PAST, 4, 12))
        db.session.commit()

    return cycle, staff, grow


def test_monitoring_runs_a_fixed_number_of_statements(as_person, count_statements, big):
    cycle, staff, grow = big
    committee = f.person(Role.COMMITTEE)
    grow(10, "A")
    client = as_person(staff)
    api = f.api_headers(staff)
    client.get("/api/v1/me", headers=api)  # the token's first use records it (once a minute), not counted below
    pages = {
        "page": lambda: client.get("/reports/monitor?quarter=1"),
        "filtered": lambda: client.get("/reports/monitor?quarter=1&state=submitted&per_page=100"),
        "api": lambda: client.get("/api/v1/reports/monitoring?per_page=100", headers=api),
        "staff home": lambda: client.get("/"),
        "committee home": lambda: as_person(committee).get("/"),
    }
    few = {}
    for name, get in pages.items():
        with count_statements() as counter:
            assert get().status_code == 200
        few[name] = counter.count
    grow(990, "B")
    for name, get in pages.items():
        with count_statements() as counter:
            response = get()
        assert response.status_code == 200
        assert counter.count == few[name], name
    body = client.get("/api/v1/reports/monitoring?per_page=100", headers=api).get_json()
    assert body["meta"]["total"] == 1000 and len(body["items"]) == 100
    assert body["items"][0]["cells"][0]["state"] == "submitted" and body["items"][0]["cells"][1]["state"] == "late"
    page = client.get("/reports/monitor?quarter=1").get_data(as_text=True)
    assert "Chỉ tiêu có nguy cơ trong quý 1" in page and "334" in page  # every third head is behind on one target


def test_the_quarter_as_an_excel_workbook(as_person):
    cycle = f.execution_cycle(PAST)
    window = window_for(cycle, 1)
    staff = f.person(Role.STAFF)
    on_time = f.assigned_registration(PAST)
    late = f.assigned_registration(PAST)
    never = f.assigned_registration(PAST)
    on_time.unit.name, late.unit.name, never.unit.name = "Sở Tài chính", "Sở Xây dựng", "Sở Y tế"
    for reg, moment in ((on_time, window.due_at - timedelta(days=3)), (late, window.due_at + timedelta(days=3))):
        head = f.head_of(reg)
        report = ops.open_report(reg, 1, actor=head, now=moment)
        db.session.flush()
        ops.save_entries(report, f.full_entries(reg, actual="310" if reg is on_time else "240"), actor=head, version=report.version, now=moment)
        db.session.flush()
        ops.submit(report, actor=head, version=report.version, now=moment)
    db.session.commit()
    response = as_person(staff).get(f"/reports/export?cycle_id={cycle.id}&quarter=1")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"filename=bao-cao-quy-1-{PAST}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tổng hợp", "Người đứng đầu và chỉ tiêu"]
    summary, detail = book["Tổng hợp"], book["Người đứng đầu và chỉ tiêu"]
    assert summary["A1"].value == f"Báo cáo quý 1/{PAST}" and summary["B2"].value == datetime.combine(window.due_on, datetime.min.time())
    rows = {r[0].value: r[1].value for r in summary.iter_rows(min_row=4) if len(r) > 1}
    assert rows["Chờ tiếp nhận"] == 2 and rows["Chậm"] == 1 and rows["Người đứng đầu"] == 3 and rows["Báo cáo chậm hạn"] == 2
    headings = [c.value for c in detail[1]]
    assert headings[:6] == ["Nhóm", "Đơn vị", "Người đứng đầu", "Báo cáo", "Số ngày chậm", "Chỉ tiêu, nhiệm vụ"]
    by_unit = {}
    for row in detail.iter_rows(min_row=2, values_only=True):
        by_unit.setdefault(row[1], []).append(row)
    assert len(detail["A"]) == 1 + 3 * 3
    revenue = by_unit["Sở Tài chính"][0]
    assert revenue[3:5] == ("Chờ tiếp nhận", None)
    assert revenue[5] == "Thu ngân sách nhà nước trên địa bàn" and revenue[6] == "Chỉ tiêu định lượng" and revenue[7] == "tỷ đồng"
    assert (revenue[8], revenue[9], revenue[10], revenue[11], revenue[12]) == (300, 310, 103.33, 25.83, "Đúng tiến độ")
    assert revenue[13] == "Kết quả thực hiện Thu ngân sách nhà nước trên địa bàn" and revenue[14] == 4
    task = by_unit["Sở Tài chính"][1]
    assert task[6] == "Nhiệm vụ" and task[8] == "Hoàn thành kiểm đếm" and task[9] == "Đang thực hiện, đúng tiến độ"
    late_revenue = by_unit["Sở Xây dựng"][0]
    assert late_revenue[4] == 3 and late_revenue[9] == 240 and late_revenue[12] == "Có nguy cơ"  # 240 of 300: 80%
    assert all(r[3] == "Chậm" and r[9] is None for r in by_unit["Sở Y tế"])
    api = as_person(staff).get("/api/v1/reports/export?quarter=1", headers=f.api_headers(staff))
    assert api.status_code == 200 and load_workbook(io.BytesIO(api.data)).sheetnames == book.sheetnames
    assert as_person(f.head_of(on_time)).get(f"/reports/export?cycle_id={cycle.id}&quarter=1").status_code == 403
    assert as_person(staff).get(f"/reports/export?cycle_id={cycle.id}&quarter=5").status_code == 404


def test_dashboards_show_reports_due_late_and_requests(as_person):
    cycle = f.execution_cycle(PAST)
    staff = f.person(Role.STAFF)
    reg = f.assigned_registration(PAST)
    reg.unit.staff_officer_id = staff.id
    head = f.head_of(reg)
    report = ops.open_report(reg, 1, actor=head)
    db.session.flush()
    request = ops.raise_request(report, "support", "Đề nghị bổ sung biên chế", actor=head)
    db.session.flush()
    ops.give_direction(request, "Giao Sở Nội vụ", actor=f.person(Role.COMMITTEE), version=request.version)
    ops.raise_request(report, "obstacle", "Thiếu vốn đối ứng", actor=head)
    db.session.commit()
    home = as_person(head).get("/").get_data(as_text=True)
    assert "Báo cáo của tôi" in home and "Giao Sở Nội vụ" in home and "Chậm" in home
    staff_home = as_person(staff).get("/").get_data(as_text=True)
    assert reg.unit.name in staff_home and "Thiếu vốn đối ứng" in staff_home
    committee_home = as_person(f.person(Role.COMMITTEE)).get("/").get_data(as_text=True)
    assert "Thiếu vốn đối ứng" in committee_home and cycle.name
