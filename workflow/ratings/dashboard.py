"""The home page's panel for a head whose unit has counters: the citizens not satisfied still
waiting for their answer, and the way to the unit's ratings and counters. Two statements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from workflow.accounts.models import Person, Role
from workflow.dashboard import panel
from workflow.extensions import db
from workflow.ratings.models import CaseState, Counter, RatingCase


@panel("ratings.head", "ratings/panel_head.html", roles={Role.HEAD}, order=60)
def head_panel(person: Person) -> dict[str, Any] | None:
    units = person.head_unit_ids
    if not db.session.scalar(select(func.count()).select_from(Counter).where(Counter.unit_id.in_(units))):
        return None
    cases = list(db.session.scalars(select(RatingCase).where(RatingCase.unit_id.in_(units), RatingCase.state == CaseState.OPEN,
                                                             RatingCase.official_id.is_distinct_from(person.id))
                                    .order_by(RatingCase.due_on, RatingCase.id).limit(5)))
    return {"cases": cases}
