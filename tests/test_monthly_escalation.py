"""Escalation to the head of agency (issue 12: "escalation to the agency head after"): a direct
manager who has not assessed the month by the due working day + `escalate_after_days` working
days (the track's rule, 2 by default) is named to the head of the agency in one message, with the
servants waiting; through the real scheduler and a real SMTP server over a simulated month, once,
in the head's language, never about the months the head assesses themself."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm.attributes import flag_modified

import factories as f
from monthly_support import agency, planned, self_assessed  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Role
from workflow.calendar import WorkingCalendar, calendar_rules
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework import queries as framework_queries
from workflow.monthly import operations
from workflow.monthly.jobs import escalation_day

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("days", "expected"), [(1, date(2026, 4, 8)), (2, date(2026, 4, 9)), (3, date(2026, 4, 10)), (4, date(2026, 4, 13))])
def test_the_escalation_day_counts_working_days_after_the_due_day(agency, days, expected):
    # March 2026 is due on its 5th working day of April: 1, 2, 3, 6, 7 April (the weekend of 4–5 April is not counted).
    period = agency.month(3)
    assert period.due_on == date(2026, 4, 7)
    rules = agency.cycle.rules
    rules["tracks"]["civil_servants"]["escalate_after_days"] = days
    flag_modified(agency.cycle, "rules")
    db.session.flush()
    assert escalation_day(WorkingCalendar(calendar_rules(agency.cycle)), period) == expected


def _assess(plan, actor):
    operations.assess(plan, [{"line_id": ln.id, "assessed_quantity": Decimal(1)} for ln in plan.lines], actor=actor, version=plan.version)
    db.session.commit()


def test_a_simulated_month_escalates_the_late_managers_to_each_head_once_in_their_language(app, smtp, agency):
    agency.head.locale, agency.head.email = "en", "giamdoc@snv.gov.vn"
    planned(agency, "lan")  # never self-assessed, never assessed
    duc = self_assessed(planned(agency, "duc"), {1: ("4", date(2026, 3, 18)), 2: ("1", date(2026, 3, 27))})
    planned(agency, "hoa")  # the head is her direct manager: not escalated to the head
    # A second agency whose manager assesses a day late but before the escalation day.
    other = f.unit(code="STC", name="Sở Tài chính")
    other_head = f.person((Role.HEAD, other), full_name="Giám đốc Sở Tài chính", unit=other, email="gd@stc.gov.vn")
    chief = f.person(full_name="Trưởng phòng Ngân sách", unit=other)
    mai = f.person(full_name="Trần Thị Mai", unit=other, manager_id=chief.id)
    track = framework_queries.track("civil_servants")
    agency.subjects["mai"] = framework.add_subject(track, unit_id=other.id, person_id=mai.id, rules=agency.cycle.rules, actor=policy.SYSTEM)
    mai_month = planned(agency, "mai", lines=[{"product_id": agency.inspection.id, "quantity": Decimal(1)}])  # a shared template
    db.session.commit()
    runner = app.test_cli_runner()
    escalations: dict[date, int] = {}
    day = date(2026, 3, 25)
    while day <= date(2026, 4, 16):
        before = len(smtp.received)
        for hour in (9, 15):  # twice a day: the second run finds nothing new
            result = runner.invoke(args=["scheduler", "run-once", "--at", datetime.combine(day, time(hour), HCM).isoformat()])
            assert result.exit_code == 0, result.output
        smtp.wait_for(before)
        got = [m for m in smtp.received[before:] if m.message["X-KPI-Kind"] == "monthly_escalation"]
        if got:
            escalations[day] = len(got)
        if day == date(2026, 4, 8):
            _assess(mai_month, chief)  # late, but before the escalation day
        if day == date(2026, 4, 10):
            _assess(duc, agency.leader)  # after it: nothing more is sent
        day += timedelta(days=1)
    assert escalations == {date(2026, 4, 9): 1}
    kinds = Counter((m.message["X-KPI-Kind"], m.rcpt_tos[0]) for m in smtp.received)
    assert kinds[("monthly_escalation", "giamdoc@snv.gov.vn")] == 1 and kinds[("monthly_escalation", "gd@stc.gov.vn")] == 0
    message = next(m.message for m in smtp.received if m.message["X-KPI-Kind"] == "monthly_escalation")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "Month 03/2026: 2 civil servants still not assessed by their managers"
    assert "Trưởng phòng Công chức: Nguyễn Minh Đức, Phạm Thị Lan" in body and "Lê Thị Hòa" not in body
    assert "http://kpi.test/monthly/agency?period_id=" in body  # the agency's month: who is waiting, who is late
