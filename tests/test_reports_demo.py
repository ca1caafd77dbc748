"""`kpi demo` reports the 2026 year through the real operations: the first three quarters, most
accepted, some late, one returned and resubmitted, third-quarter drafts and missing reports,
requests with and without directions, evidence files."""

import pytest
from sqlalchemy import func, select

from workflow.extensions import db
from workflow.reports import evidence as files
from workflow.reports.facts import year_end_facts
from workflow.reports.models import Evidence, QuarterlyReport, ReportState, ReportVersion, RequestState, SupportRequest, VersionKind
from workflow.targets.models import Registration
from workflow.units.models import Unit


@pytest.mark.demo
def test_demo_reports(demo):
    # The council's demo adds a fully reported 2025; these are the 2026 reports of this package.
    of_2026 = QuarterlyReport.registration.has(Registration.cycle.has(year=2026))
    counts = dict(db.session.execute(select(QuarterlyReport.quarter, func.count()).where(of_2026).group_by(QuarterlyReport.quarter)).all())
    assert counts == {1: 45, 2: 45, 3: 43}
    by_state = dict(db.session.execute(select(QuarterlyReport.state, func.count()).where(of_2026).group_by(QuarterlyReport.state)).all())
    assert by_state[ReportState.ACCEPTED] > 110 and by_state[ReportState.DRAFT] == 4 and by_state[ReportState.SUBMITTED] == 7
    late = db.session.scalar(select(func.count()).select_from(QuarterlyReport).where(of_2026, QuarterlyReport.days_late > 0))
    assert late == 9
    returned = db.session.scalar(select(func.count()).select_from(ReportVersion).where(ReportVersion.kind == VersionKind.RETURNED, ReportVersion.report_id.in_(select(QuarterlyReport.id).where(of_2026))))
    assert returned == 1
    requests = dict(db.session.execute(select(SupportRequest.state, func.count()).where(SupportRequest.report.has(of_2026)).group_by(SupportRequest.state)).all())
    assert requests == {RequestState.ANSWERED: 4, RequestState.OPEN: 2}
    items = db.session.scalars(select(Evidence)).all()
    assert {e.content_type for e in items} == {"application/pdf", "image/png"} and all(files.path_of(e.sha256).exists() for e in items)
    sxd = db.session.scalar(select(Registration).join(Unit, Registration.unit_id == Unit.id).where(Unit.code == "SXD", Registration.cycle.has(year=2026)))
    facts = year_end_facts(sxd)
    assert all(f.actual_quarter == 3 for f in facts.values() if f.kind.value == "quantitative")
