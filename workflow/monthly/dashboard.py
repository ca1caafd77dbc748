"""The head's home-page panel of the monthly round: the months of the civil servants they
manage or whose agency they head, by state, for the month due now, with a link to the team's
grid (two statements)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from workflow.accounts.models import Person, Role
from workflow.core import formats
from workflow.core.models import utcnow
from workflow.dashboard import panel
from workflow.extensions import db
from workflow.framework.models import Subject
from workflow.monthly import queries
from workflow.monthly.models import MonthlyPlan


@panel("monthly.head", "monthly/panel_head.html", roles={Role.HEAD}, order=25)
def head_panel(person: Person) -> dict[str, Any] | None:
    # The month whose assessment falls due next: last month until its due day, then this one.
    today = formats.local(utcnow()).date()
    period = queries.current_month(today.replace(day=1) - timedelta(days=1))
    if period is None or period.due_on < today:
        period = queries.current_month(today)
    if period is None:
        return None
    rows = db.session.execute(
        select(MonthlyPlan.state, func.count()).join(Subject, MonthlyPlan.subject_id == Subject.id)
        .join(Person, Subject.person_id == Person.id)
        .where(MonthlyPlan.period_id == period.id, or_(queries.team_condition(person), Subject.unit_id.in_(sorted(person.head_unit_ids))))
        .group_by(MonthlyPlan.state)).all()
    if not rows:
        return None
    return {"period": period, "states": Counter({state: count for state, count in rows})}
