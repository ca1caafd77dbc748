"""The report workflow as a table, the policy as a table, drafts, submission, lateness on the
reporting calendar, returns, acceptance, reopening, versions, requests and directions."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.notifications.models import Notification
from workflow.reports import operations as ops
from workflow.reports import queries
from workflow.reports.models import MilestoneStatus, ReportState, ReportVersion, RequestState, VersionKind
from workflow.reports.workflow import REPORT

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
APRIL_5 = datetime(2027, 4, 5, 9, 0, tzinfo=HCM)  # Q1's window is open, nothing due yet

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def reg():
    return f.assigned_registration()


@pytest.fixture
def head(reg):
    return f.head_of(reg)


@pytest.fixture
def staff():
    return f.person(Role.STAFF)


@pytest.fixture
def committee():
    return f.person(Role.COMMITTEE)


def filled(reg, head, quarter=1, **kw):
    report = ops.open_report(reg, quarter, actor=head, now=APRIL_5)
    db.session.flush()
    ops.save_entries(report, f.full_entries(reg, **kw), actor=head, version=report.version, now=APRIL_5)
    db.session.flush()
    return report


def submitted(reg, head, **kw):
    report = filled(reg, head, **kw)
    ops.submit(report, actor=head, version=report.version, now=APRIL_5)
    db.session.flush()
    return report


# --- the workflow, as a table -----------------------------------------------------------------

def test_the_declared_edges():
    edges = {(step, src.value, dst.value, action) for step, src, dst, action in REPORT.rows()}
    assert edges == {
        ("submit", "draft", "submitted", "report.submit"),
        ("submit", "returned", "submitted", "report.submit"),
        ("accept", "submitted", "accepted", "report.accept"),
        ("return", "submitted", "returned", "report.return"),
        ("reopen", "accepted", "returned", "report.reopen"),
    }


STATES = [s.value for s in ReportState]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("step, who, allowed_from", [
    ("submit", "head", {"draft", "returned"}),
    ("submit", "staff", set()),
    ("accept", "staff", {"submitted"}),
    ("accept", "head", set()),
    ("accept", "committee", set()),
    ("return", "staff", {"submitted"}),
    ("return", "head", set()),
    ("reopen", "staff", {"accepted"}),
    ("reopen", "committee", {"accepted"}),
    ("reopen", "head", set()),
])
def test_each_step_from_each_state(reg, head, staff, committee, state, step, who, allowed_from):
    report = filled(reg, head)
    report.state = ReportState(state)
    db.session.flush()
    actor = {"head": head, "staff": staff, "committee": committee}[who]
    if state in allowed_from:
        ops.take_step(report, step, actor=actor, version=report.version, reason="Lý do", now=APRIL_5)
        assert report.state == REPORT.get(step).target
    else:
        with pytest.raises((PermissionDenied, TransitionRefused)):
            ops.take_step(report, step, actor=actor, version=report.version, reason="Lý do", now=APRIL_5)
        assert report.state == ReportState(state)


# --- the policy, as a table -------------------------------------------------------------------

@pytest.mark.parametrize("action, state, expected", [
    # (action, report state) → who may: head, other head, staff, committee, council, admin
    ("report.view", "draft", {"head", "staff", "committee", "admin"}),
    ("report.view", "submitted", {"head", "staff", "committee", "council", "admin"}),
    ("evidence.download", "accepted", {"head", "staff", "committee", "council", "admin"}),
    ("report.edit", "draft", {"head"}),
    ("report.edit", "returned", {"head"}),
    ("report.edit", "submitted", set()),
    ("report.edit", "accepted", set()),
    ("report.submit", "draft", {"head"}),
    ("report.accept", "submitted", {"staff"}),
    ("report.return", "submitted", {"staff"}),
    ("report.reopen", "accepted", {"staff", "committee"}),
    ("report.monitor", None, {"staff", "committee", "admin"}),
    ("report.export", None, {"staff", "committee"}),
    ("support.create", "draft", {"head"}),
    ("support.create", "accepted", set()),
    ("support.answer", "submitted", {"staff", "committee"}),
])
def test_policy_table(reg, head, staff, committee, action, state, expected):
    people = {
        "head": head, "other head": f.person(Role.HEAD), "staff": staff, "committee": committee,
        "council": f.person(Role.COUNCIL), "admin": f.person(Role.ADMIN),
    }
    report = filled(reg, head)
    if state is not None:
        report.state = ReportState(state)
        if state != "draft":
            report.first_submitted_at = APRIL_5
    obj = None if state is None else report
    allowed = {name for name, person in people.items() if policy.can(person, action, obj)}
    assert allowed == expected


# --- opening ----------------------------------------------------------------------------------

def test_a_report_cannot_be_opened_before_its_window(reg, head):
    with pytest.raises(TransitionRefused, match="opens on 01/07/2027"):
        ops.open_report(reg, 2, actor=head, now=APRIL_5)
    report = ops.open_report(reg, 1, actor=head, now=APRIL_5)
    assert report.due_on.isoformat() == "2027-04-12"  # 10 April 2027 is a Saturday
    assert ops.open_report(reg, 1, actor=head, now=APRIL_5) is report


def test_only_assigned_registrations_in_execution_report():
    draft = f.complete_registration("submitted", cycle=f.execution_cycle())
    with pytest.raises(TransitionRefused, match="officially assigned"):
        ops.open_report(draft, 1, actor=f.head_of(draft), now=APRIL_5)
    with pytest.raises(PermissionDenied):
        ops.open_report(draft, 1, actor=f.person(Role.HEAD), now=APRIL_5)


# --- drafts and bad input ---------------------------------------------------------------------

def test_a_draft_is_saved_any_number_of_times(reg, head):
    report = ops.open_report(reg, 1, actor=head, now=APRIL_5)
    db.session.flush()
    revenue = reg.targets[0]
    ops.save_entries(report, [{"target_id": revenue.id, "actual": Decimal("150")}], actor=head, version=report.version, now=APRIL_5)
    db.session.flush()
    ops.save_entries(report, [{"target_id": revenue.id, "narrative": "Thu đạt khá"}], actor=head, version=report.version, now=APRIL_5)
    db.session.flush()
    entry = report.entry_for(revenue.id)
    assert (entry.actual, entry.narrative, report.state) == (Decimal("150"), "Thu đạt khá", ReportState.DRAFT)
    assert report.version == 3
    with pytest.raises(StaleObject):
        ops.save_entries(report, [{"target_id": revenue.id, "actual": Decimal("1")}], actor=head, version=1, now=APRIL_5)


def test_bad_entries_are_refused_field_by_field_and_nothing_saved_is_lost(reg, head):
    report = filled(reg, head)
    revenue, task, rate = reg.targets
    other = f.complete_registration("assigned", cycle=reg.cycle)
    before = report.version
    with pytest.raises(ValidationFailed) as exc:
        ops.save_entries(report, [
            {"target_id": revenue.id, "actual": Decimal("999"), "milestone_status": "done"},  # a task's field on a number
            {"target_id": task.id, "actual": Decimal("5")},  # a number on a task
            {"target_id": rate.id, "confidence": 9},  # off the 1–5 scale
            {"target_id": other.targets[0].id, "actual": Decimal("1")},  # another registration's target
            {"target_id": task.id, "delivered_on": datetime(2030, 1, 1).date()},  # twice, and in the future
        ], actor=head, version=report.version, now=APRIL_5)
    errors = exc.value.errors
    assert set(errors) == {"entries.0.milestone_status", "entries.1.actual", "entries.2.confidence", "entries.3.target_id",
                           "entries.4.target_id", "entries.4.delivered_on"}
    assert "not in force" in errors["entries.3.target_id"][0]
    db.session.refresh(report)
    assert report.version == before and report.entry_for(revenue.id).actual == Decimal("310")


def test_a_dropped_target_is_not_in_force(reg, head):
    report = filled(reg, head)
    rate = reg.targets[2]
    rate.dropped = True
    db.session.flush()
    with pytest.raises(ValidationFailed) as exc:
        ops.save_entries(report, [{"target_id": rate.id, "actual": Decimal("93")}], actor=head, version=report.version, now=APRIL_5)
    assert list(exc.value.errors) == ["entries.0.target_id"]
    assert rate.id not in queries.missing_entries(report)


# --- submitting -------------------------------------------------------------------------------

def test_an_empty_report_is_refused_with_an_error_for_each_target(reg, head):
    report = ops.open_report(reg, 1, actor=head, now=APRIL_5)
    db.session.flush()
    with pytest.raises(ValidationFailed) as exc:
        ops.submit(report, actor=head, version=report.version, now=APRIL_5)
    revenue, task, rate = reg.targets
    assert exc.value.errors == {
        f"targets.{revenue.id}.actual": ["Required before submitting."],
        f"targets.{revenue.id}.narrative": ["Required before submitting."],
        f"targets.{revenue.id}.confidence": ["Required before submitting."],
        f"targets.{task.id}.milestone_status": ["Required before submitting."],
        f"targets.{task.id}.narrative": ["Required before submitting."],
        f"targets.{task.id}.confidence": ["Required before submitting."],
        f"targets.{rate.id}.actual": ["Required before submitting."],
        f"targets.{rate.id}.narrative": ["Required before submitting."],
        f"targets.{rate.id}.confidence": ["Required before submitting."],
    }
    assert "3 targets" in exc.value.message
    assert report.state == ReportState.DRAFT


def test_a_task_reported_done_needs_its_product_and_date(reg, head):
    report = filled(reg, head, task_status="done")
    task = reg.targets[1]
    with pytest.raises(ValidationFailed) as exc:
        ops.submit(report, actor=head, version=report.version, now=APRIL_5)
    assert set(exc.value.errors) == {f"targets.{task.id}.product_delivered", f"targets.{task.id}.delivered_on"}
    ops.save_entries(report, [{"target_id": task.id, "product_delivered": "Biên bản bàn giao", "delivered_on": APRIL_5.date()}],
                     actor=head, version=report.version, now=APRIL_5)
    db.session.flush()
    ops.submit(report, actor=head, version=report.version, now=APRIL_5)
    assert report.state == ReportState.SUBMITTED


def test_a_second_submit_is_refused_clearly(reg, head):
    report = submitted(reg, head)
    with pytest.raises(TransitionRefused, match="already submitted"):
        ops.submit(report, actor=head, version=report.version, now=APRIL_5)
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        ops.save_entries(report, [{"target_id": reg.targets[0].id, "actual": Decimal("1")}], actor=head, version=report.version)


@pytest.mark.parametrize("local, late", [
    (datetime(2027, 4, 9, 10, 0), 0),  # Friday before the nominal date
    (datetime(2027, 4, 12, 16, 59), 0),  # 10 April is a Saturday: due Monday 12 April, 17:00
    (datetime(2027, 4, 12, 17, 1), 1),  # that evening: one day late
    (datetime(2027, 4, 15, 8, 0), 3),
])
def test_lateness_follows_the_reporting_calendar(reg, head, local, late):
    report = filled(reg, head)
    ops.submit(report, actor=head, version=report.version, now=local.replace(tzinfo=HCM))
    assert report.days_late == late and report.is_late == bool(late)


def test_a_holiday_moves_the_due_date(head, reg):
    # Q2 is due 10 July 2027, a Saturday; Q3 on 10 October, a Sunday: both move to Monday.
    assert queries.window_of(reg, 2).due_on.isoformat() == "2027-07-12"
    assert queries.window_of(reg, 3).due_on.isoformat() == "2027-10-11"
    rules = dict(reg.cycle.rules)
    rules["calendar"] = {**rules["calendar"], "extra_holidays": ["2027-04-12", "2027-04-13"]}
    reg.cycle.rules = rules
    db.session.flush()
    assert queries.window_of(reg, 1).due_on.isoformat() == "2027-04-14"


# --- returns, acceptance, reopening, versions -------------------------------------------------

def test_return_resubmit_accept_reopen_keeps_every_version(reg, head, staff, committee):
    report = submitted(reg, head)
    with pytest.raises(ValidationFailed):
        ops.take_step(report, "return", actor=staff, version=report.version, reason="  ")
    ops.take_step(report, "return", actor=staff, version=report.version, reason="Thiếu số liệu thu tháng 3")
    db.session.flush()
    assert report.state == ReportState.RETURNED and report.returned_reason == "Thiếu số liệu thu tháng 3"
    ops.save_entries(report, [{"target_id": reg.targets[0].id, "actual": Decimal("330")}], actor=head, version=report.version)
    db.session.flush()
    late = datetime(2027, 4, 20, 9, tzinfo=HCM)
    ops.submit(report, actor=head, version=report.version, now=late)
    db.session.flush()
    assert report.days_late == 0  # lateness is measured at the first submission
    ops.take_step(report, "accept", actor=staff, version=report.version)
    db.session.flush()
    assert report.accepted_by_id == staff.id and report.state == ReportState.ACCEPTED
    ops.take_step(report, "reopen", actor=committee, version=report.version, reason="Số liệu thu cần đối chiếu với Kho bạc")
    db.session.flush()
    assert (report.state, report.reopened, report.accepted_at) == (ReportState.RETURNED, 1, None)
    versions = db.session.scalars(select(ReportVersion).where(ReportVersion.report_id == report.id).order_by(ReportVersion.number)).all()
    assert [(v.number, v.kind) for v in versions] == [
        (1, VersionKind.SUBMITTED), (2, VersionKind.RETURNED), (3, VersionKind.SUBMITTED), (4, VersionKind.ACCEPTED), (5, VersionKind.REOPENED),
    ]
    revenue_v1 = versions[0].snapshot["entries"][0]
    revenue_v3 = versions[2].snapshot["entries"][0]
    assert (revenue_v1["actual"], revenue_v3["actual"]) == ("310", "330")
    assert revenue_v1["progress_vs_plan"] == "103.33" and revenue_v1["status"] == "on_track"
    assert versions[4].reason == "Số liệu thu cần đối chiếu với Kho bạc" and versions[4].actor_id == committee.id
    kinds = sorted(n.kind for n in db.session.scalars(select(Notification).where(Notification.recipient_id == head.id, Notification.kind.startswith("report_"))))
    assert kinds == ["report_accepted", "report_reopened", "report_returned"]


# --- requests for support and directions ------------------------------------------------------

def test_a_request_is_answered_with_a_direction_the_head_is_told_of(reg, head, staff, committee):
    report = filled(reg, head)
    request = ops.raise_request(report, "support", "Đề nghị tỉnh hỗ trợ vốn đối ứng giải phóng mặt bằng", actor=head,
                                target_id=reg.targets[1].id)
    db.session.flush()
    with pytest.raises(PermissionDenied):
        ops.give_direction(request, "Tự giải quyết", actor=head, version=request.version)
    direction = ops.give_direction(request, "Giao Sở Tài chính cân đối 50 tỷ đồng trong quý III", actor=committee, version=request.version)
    db.session.flush()
    assert request.state == RequestState.ANSWERED and direction.author_id == committee.id
    ops.give_direction(request, "Sở Tài chính báo cáo kết quả trước 15/7", actor=staff, version=request.version)
    db.session.flush()
    assert [d.body[:7] for d in request.directions] == ["Giao Sở", "Sở Tài "]
    mails = db.session.scalars(select(Notification).where(Notification.kind == "direction_given")).all()
    assert [m.recipient_id for m in mails] == [head.id, head.id]
    assert "Giao Sở Tài chính cân đối 50 tỷ đồng" in mails[0].body_text
    ops.close_request(request, actor=head, version=request.version)
    assert request.state == RequestState.CLOSED
    with pytest.raises(TransitionRefused):
        ops.give_direction(request, "x", actor=staff, version=request.version)
    with pytest.raises(ValidationFailed):
        ops.raise_request(report, "obstacle", "  ", actor=head)


def test_milestone_status_is_an_enum(reg, head):
    report = filled(reg, head, task_status="behind")
    assert report.entry_for(reg.targets[1].id).milestone_status == MilestoneStatus.BEHIND
