"""API: a collective's months of self-scoring, saving and submitting a month, recognising or
returning it, under /api/v1/self-scoring.

Edits of a month that exists carry its version: `If-Match` with the ETag received, or `version`
in the body; without either the answer is 428, with a stale one 412.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.web import get_or_404
from workflow.extensions import db
from workflow.selfscoring import operations, queries
from workflow.selfscoring.models import CollectiveSelfScore
from workflow.selfscoring.schemas import CollectiveYearSchema, MonthSchema, NotClassifiedSchema, SelfScoreSaveSchema, SelfScoreStepSchema
from workflow.selfscoring.standing import not_classified_named, recognised_months, rule_of
from workflow.selfscoring.workflow import SELF_SCORE

blp = Blueprint("selfscoring_api", __name__, url_prefix=f"{API_PREFIX}/self-scoring",
                description="Monthly self-scoring of collectives and its recognition by the committee above (the 12-month rule).")




def _month(row: CollectiveSelfScore) -> dict[str, Any]:
    return queries.month_payload(row.month, row, SELF_SCORE.label(row.state))


@blp.get("/<int:year>/units/<int:unit_id>")
@blp.response(200, CollectiveYearSchema)
def get_year(year: int, unit_id: int):
    """The collective's twelve months of the cycle `year`, with the months recognised and the
    number the rule requires (0 when the cycle's rules have no such rule)."""
    from flask_babel import gettext

    cycle = queries.cycle_of_year(year)
    subject = queries.collective_for(unit_id, current_user)
    rows = queries.months_of(subject, cycle)
    rule = rule_of(cycle.rules, subject.track.code) or {}
    return {
        "unit_id": subject.unit_id, "unit_name": subject.unit.name, "year": cycle.year,
        "required_months": rule.get("required_months", 0), "recognised_months": recognised_months(subject.id, cycle.id),
        "regime": rule.get("regime", ""),
        "months": [queries.month_payload(n, rows.get(n), SELF_SCORE.label(rows[n].state) if n in rows else gettext("Not started"))
                   for n in range(1, 13)],
    }


@blp.put("/<int:year>/units/<int:unit_id>/months/<int:month>")
@blp.arguments(SelfScoreSaveSchema)
@blp.response(200, MonthSchema)
def save_month(data, year: int, unit_id: int, month: int):
    """Save the month's self-score as a draft (`points` may be null). `?submit=true` submits it
    too. A month that exists needs its version (If-Match or `version`)."""
    cycle = queries.cycle_of_year(year)
    subject = queries.collective_for(unit_id, current_user)
    existing = operations.month_of(subject, cycle, month) if 1 <= month <= 12 else None
    version = claimed_version(existing, data.get("version")) if existing is not None else None
    row = operations.save(subject, cycle, month, actor=current_user, points=data["points"], note=data["note"], version=version)
    if request.args.get("submit") in ("true", "1"):
        operations.take_step(row, "submit", actor=current_user, version=row.version)
    db.session.flush()
    return with_etag(_month(row), row)


@blp.post("/months/<int:row_id>/transitions")
@blp.arguments(SelfScoreStepSchema)
@blp.response(200, MonthSchema)
def take_step(data, row_id: int):
    """submit (the collective's head), recognise or return with a `reason` (the committee above),
    or withdraw a recognition with a `reason` (the committee above, until the council's list is final)."""
    row = get_or_404(CollectiveSelfScore, row_id)
    policy.require(current_user, "selfscoring.view", row)
    version = claimed_version(row, data.get("version"))
    operations.take_step(row, data["step"], actor=current_user, version=version, reason=data["reason"])
    db.session.flush()
    return with_etag(_month(row), row)


@blp.get("/<int:year>/not-classified")
@blp.response(200, NotClassifiedSchema(many=True))
def not_classified(year: int):
    """The collectives the 12-month rule leaves without a classification in the cycle `year` (no
    proposed level, no place in the quota, nothing for the committee to decide), for those who
    read the council's proposals."""
    cycle = queries.cycle_of_year(year)
    policy.require(current_user, "council.proposals.view", cycle)
    return [{"registration_id": r, "unit": name, "recognised_months": s.recognised, "required_months": s.required, "sentence": s.sentence()}
            for r, name, s in not_classified_named(cycle)]
