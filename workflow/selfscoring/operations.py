"""Every change to a collective's months of self-scoring (tự chấm điểm hằng tháng).

Each function takes the acting person, checks the policy and the step, checks the version the
person edited (a concurrent edit is refused, never overwritten), writes the audit entry and
queues the mail to the other party, in the caller's transaction. Nothing here commits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import audit, formats
from workflow.core.concurrency import check_version
from workflow.core.errors import TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db
from workflow.framework.models import Subject, SubjectKind
from workflow.selfscoring import mail
from workflow.selfscoring.models import CollectiveSelfScore, SelfScoreState
from workflow.selfscoring.standing import rule_of
from workflow.selfscoring.workflow import SELF_SCORE

NOTE_MAX = 2000
EDITABLE = (SelfScoreState.DRAFT, SelfScoreState.RETURNED)


def month_of(subject: Subject, cycle: Cycle, month: int) -> CollectiveSelfScore | None:
    return db.session.scalar(select(CollectiveSelfScore).where(
        CollectiveSelfScore.subject_id == subject.id, CollectiveSelfScore.cycle_id == cycle.id, CollectiveSelfScore.month == month))


def today() -> date:
    return formats.local(utcnow()).date()


def open_reason(subject: Subject, cycle: Cycle, month: int, on: date) -> str | None:
    """Why the collective cannot self-score `month` of `cycle` now, or None."""
    if subject.kind != SubjectKind.COLLECTIVE or rule_of(cycle.rules, subject.track.code) is None:
        return gettext("This track has no monthly self-scoring.")
    if cycle.state == CycleState.CLOSED:
        return gettext("The cycle is closed.")
    if date(cycle.year, month, 1) > on:
        return gettext("The self-scoring of %(month)s opens on its first day.", month=formats.month(month, cycle.year))
    return None


def _summary(row: CollectiveSelfScore) -> str:
    return f"{row.subject.unit.name}: {formats.month(row.month, row.cycle.year)}"


def save(subject: Subject, cycle: Cycle, month: int, *, actor: Person, points: Decimal | None, note: str = "",
         version: int | None = None, on: date | None = None) -> CollectiveSelfScore:
    """Save the month's self-score as a draft (points may stay empty until it is submitted). The
    month's row is made on its first save; afterwards the version the person edited is checked."""
    policy.require(actor, "selfscoring.score", subject)
    if not 1 <= month <= 12:
        raise ValidationFailed({"month": [gettext("Must be between %(min)s and %(max)s.", min=1, max=12)]})
    reason = open_reason(subject, cycle, month, on or today())
    if reason:
        raise TransitionRefused(reason)
    row = month_of(subject, cycle, month)
    if row is not None and row.state not in EDITABLE:
        raise TransitionRefused(gettext("This month is %(state)s; it can no longer be changed.", state=SELF_SCORE.label(row.state).lower()))
    errors: dict[str, list[str]] = {}
    if points is not None and not Decimal(0) <= points <= Decimal(100):
        errors["points"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=100)]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [gettext("At most %(max)s characters (this has %(length)s).", max=NOTE_MAX, length=len(note))]
    if row is not None:
        check_version(row, version)
    if errors:
        raise ValidationFailed(errors)
    if row is None:
        row = CollectiveSelfScore(subject=subject, cycle=cycle, month=month, state=SelfScoreState.DRAFT, note="", returned_reason="")
        db.session.add(row)
    changed = audit.apply_changes(row, {"points": points, "note": note})
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("collective_self_score.save", row, actor=actor, summary=_summary(row),
                 data={k: [str(v) if v is not None else None for v in pair] for k, pair in changed.items()})
    return row


def take_step(row: CollectiveSelfScore, step: str, *, actor: Person, version: int | None, reason: str = "") -> None:
    """Submit the month (the collective's head), recognise it or return it with a reason (the
    committee above), or withdraw a recognition with a reason (the committee above, while the
    year is open: `workflow.year_open`)."""
    refusal = SELF_SCORE.refusal(row, step, actor=actor)
    if refusal is not None and not refusal.forbidden and step == "submit" and row.state in EDITABLE:
        raise ValidationFailed({"points": [refusal.reason]}, refusal.reason)  # the one guard: said beside the field
    SELF_SCORE.check(row, step, actor=actor)
    if len((reason or "").strip()) > NOTE_MAX:
        raise ValidationFailed({"reason": [gettext("At most %(max)s characters (this has %(length)s).", max=NOTE_MAX, length=len(reason.strip()))]})
    check_version(row, version)
    old, new = SELF_SCORE.fire(row, step, actor=actor, reason=reason)
    reason = (reason or "").strip()
    at = utcnow()
    if step == "submit":
        row.submitted_at, row.submitted_by_id = at, actor.id
    else:
        row.reviewed_at, row.reviewed_by_id = at, actor.id
        row.returned_reason = reason if step in ("return", "withdraw") else ""
    db.session.flush()
    mail.month_step(row, step, row.version)
    data: dict[str, Any] = {"from": old.value, "to": new.value, "points": str(row.points) if row.points is not None else None}
    if step == "submit":
        audit.record("collective_self_score.submit", row, actor=actor, summary=_summary(row), data=data)
    elif step == "recognise":
        audit.record("collective_self_score.recognise", row, actor=actor, summary=_summary(row), data=data)
    elif step == "withdraw":
        audit.record("collective_self_score.withdraw", row, actor=actor, summary=_summary(row), reason=reason, data=data)
    else:
        audit.record("collective_self_score.return", row, actor=actor, summary=_summary(row), reason=reason, data=data)
