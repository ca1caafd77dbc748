"""Shared set-up of rounds of opinions: a head's plan in a cycle, their superior, subordinates and
the staff who open the round."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import factories as f
from workflow.accounts.models import Role
from workflow.core.models import utcnow
from workflow.core import formats
from workflow.extensions import db
from workflow.opinions import operations
from workflow.opinions.models import Relation


def today() -> date:
    return formats.local(utcnow()).date()


def opinion_round(*, subordinates: int = 4, opens_on: date | None = None, year: int | None = None, direct: bool = True) -> SimpleNamespace:
    """A round of the heads track about one head with a superior (the committee member heading the
    parent unit) and `subordinates` people of the head's unit, asked as the organisation records
    them. Opens today unless `opens_on` says otherwise."""
    opens_on = opens_on or today()
    cycle = f.year(year or opens_on.year)
    province = f.unit(name="Ủy ban nhân dân tỉnh")
    superior = f.person((Role.HEAD, province), full_name="Lê Văn Cấp Trên", locale="vi")
    unit = f.unit(name="Sở Nội vụ", parent_id=province.id)
    head = f.person((Role.HEAD, unit), full_name="Trần Thị Giám Đốc")
    people = [f.person(full_name=f"Chuyên viên {i + 1}", unit_id=unit.id, locale="en" if i == 0 else "vi") for i in range(subordinates)]
    registration = f.registration(cycle, unit=unit, head=head)
    staff = f.person(Role.STAFF, full_name="Đào Thị Tổ Chức")
    secretary = f.person(full_name="Thư Ký Đợt")
    track = registration.track
    round_ = operations.open_round(actor=staff, cycle=cycle, track=track, title="Lấy ý kiến cấp trên, cấp dưới trực tiếp", opens_on=opens_on,
                                   secretary=secretary)
    item = operations.add_subject(round_, registration.subject, actor=staff)
    if direct:
        operations.invite_direct(item, actor=staff)
    db.session.flush()
    return SimpleNamespace(round=round_, item=item, registration=registration, head=head, superior=superior, people=people, staff=staff,
                           secretary=secretary, unit=unit, cycle=cycle)


def respondent(ctx: SimpleNamespace, person):
    from sqlalchemy import select

    from workflow.opinions.models import Respondent

    return db.session.scalar(select(Respondent).where(Respondent.opinion_subject_id == ctx.item.id, Respondent.person_id == person.id))


def give(ctx: SimpleNamespace, person, values: tuple[int, ...], comment: str = "") -> None:
    r = respondent(ctx, person)
    operations.answer(r, actor=person, scores=dict(zip(ctx.round.criterion_codes, values, strict=True)), comment=comment)
    db.session.flush()


SUBORDINATE, SUPERIOR = Relation.SUBORDINATE, Relation.SUPERIOR
