"""Reminders of the monthly self-scoring of collectives (the 12-month rule of Hòa Bình: Hướng dẫn
số 12 và Quy định số 31 của BTV Tỉnh ủy Hòa Bình, 2018 — a collective whose self-scoring the
committee above has not recognised for 12 months is not classified).

On the last two working days of each month, the head of each collective with months not yet
submitted is told which, with the rule; whoever recognises months still waiting is told which.
Each once a month however often the job runs, in the person's language, sent through the outbox
to a real SMTP server on loopback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

import factories as f
from test_selfscoring import YEAR, World
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.notifications.dispatch import send_due
from workflow.notifications.models import Notification
from workflow.selfscoring import operations
from workflow.selfscoring.jobs import remind
from workflow.selfscoring.queries import months_of

CITATION = "Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình"


def _month(w: World, subject, month: int, actor, *, to: str = "submit", reviewer=None) -> None:
    row = operations.save(subject, w.cycle, month, actor=actor, points=Decimal(90), version=None)
    db.session.flush()
    operations.take_step(row, "submit", actor=actor, version=row.version)
    db.session.flush()
    if to != "submit":
        operations.take_step(row, to, actor=reviewer, version=row.version, reason="Thiếu biên bản" if to == "return" else "")
        db.session.flush()


def _runs(first: date, last: date) -> dict[date, dict[str, int]]:
    """The job twice a day (the second run finds nothing new); the days it queued something."""
    sent, day = {}, first
    while day <= last:
        for hour in (1, 8):  # 08:00 and 15:00 in Hà Nội
            counts = remind(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
            if any(counts.values()):
                assert day not in sent, f"queued twice on {day}"
                sent[day] = counts
        day += timedelta(days=1)
    return sent


def test_the_last_two_working_days_remind_the_collectives_and_their_recognisers_once(smtp):
    w = World()
    framework.subject_of(w.track, unit_id=w.commune.id, person_id=None)  # a collective that self-scores nothing
    w.commune_head.locale = "en"
    other = f.unit(name="Đảng ủy xã Tân Lập", parent=w.district)
    framework.subject_of(w.track, unit_id=other.id, person_id=None)
    f.person((Role.HEAD, other), active=False)  # its head has left: nobody to remind
    _month(w, w.collective, 1, w.head, to="recognise", reviewer=w.above)
    _month(w, w.collective, 2, w.head)  # waits for Quách Thị Hòa, who heads the province
    for month in (1, 2, 3):  # the province's own months wait for the standing committee
        _month(w, w.top, month, w.above)
    db.session.commit()

    # 31/3/2026 is a Tuesday: the last two working days of March are 30 and 31 March.
    assert _runs(date(YEAR, 3, 20), date(YEAR, 4, 2)) == {date(YEAR, 3, 30): {"collectives": 2, "recognisers": 2}}
    messages = {(n.kind, n.recipient_id): n for n in db.session.scalars(
        select(Notification).where(Notification.kind.in_(("self_score_reminder", "self_score_waiting"))))}
    assert set(messages) == {("self_score_reminder", w.head.id), ("self_score_reminder", w.commune_head.id),
                             ("self_score_waiting", w.above.id), ("self_score_waiting", w.committee.id)}
    to_head = messages["self_score_reminder", w.head.id]
    assert to_head.subject == "Huyện ủy Lạc Sơn: 1 tháng chưa gửi kết quả tự chấm điểm"
    assert "- Tháng 3/2026\n" in to_head.body_text and "- Tháng 1/2026" not in to_head.body_text and "- Tháng 2/2026" not in to_head.body_text
    assert f"12 tháng trong năm thì không được xếp loại ({CITATION})" in to_head.body_text
    assert f"/self-scoring/{YEAR}?unit_id={w.district.id}&month=3" in to_head.body_text
    to_commune = messages["self_score_reminder", w.commune_head.id]
    assert to_commune.locale == "en" and to_commune.subject == "Đảng ủy xã Ân Nghĩa: 3 months of self-scoring not submitted"
    assert all(f"- Month {m}/2026\n" in to_commune.body_text for m in (1, 2, 3))
    to_above = messages["self_score_waiting", w.above.id]
    assert "Huyện ủy Lạc Sơn: Tháng 2/2026" in to_above.body_text and "Tỉnh ủy Hòa Bình: Tháng" not in to_above.body_text
    to_committee = messages["self_score_waiting", w.committee.id]
    assert to_committee.subject == "3 tháng tự chấm điểm đang chờ đồng chí công nhận"
    assert all(f"Tỉnh ủy Hòa Bình: Tháng {m}/2026" in to_committee.body_text for m in (1, 2, 3))

    # Sent through the outbox to the SMTP server, each once.
    send_due(datetime(YEAR, 3, 30, 9, tzinfo=UTC))
    received = sorted((r.rcpt_tos[0], r.message["Subject"]) for r in smtp.received)
    assert [(n.to_address, n.subject) for n in sorted(messages.values(), key=lambda n: n.to_address)] == [
        item for item in received if item[1] in {n.subject for n in messages.values()}]

    # April: the district submits March; Hòa recognises February and returns March. A returned
    # month is not submitted: the head is reminded of it. 30/4 and 1/5 are public holidays, so
    # April's last two working days are 28 and 29 April.
    rows = months_of(w.collective, w.cycle)
    operations.take_step(rows[2], "recognise", actor=w.above, version=rows[2].version)
    _month(w, w.collective, 3, w.head, to="return", reviewer=w.above)
    _month(w, w.collective, 4, w.head)
    db.session.commit()
    # The province, its months 1–3 submitted, has not submitted April: its head is reminded too.
    assert _runs(date(YEAR, 4, 20), date(YEAR, 5, 3)) == {date(YEAR, 4, 28): {"collectives": 3, "recognisers": 2}}
    province = db.session.scalars(select(Notification).where(Notification.kind == "self_score_reminder", Notification.recipient_id == w.above.id)).one()
    assert province.subject == "Tỉnh ủy Hòa Bình: 1 tháng chưa gửi kết quả tự chấm điểm" and "- Tháng 4/2026\n" in province.body_text
    april = db.session.scalars(select(Notification).where(Notification.kind == "self_score_reminder", Notification.recipient_id == w.head.id)
                               .order_by(Notification.id)).all()
    assert len(april) == 2 and april[1].subject == "Huyện ủy Lạc Sơn: 1 tháng chưa gửi kết quả tự chấm điểm"
    assert "- Tháng 3/2026\n" in april[1].body_text and "- Tháng 4/2026\n" not in april[1].body_text
    waiting = db.session.scalars(select(Notification).where(Notification.kind == "self_score_waiting", Notification.recipient_id == w.above.id)
                                 .order_by(Notification.id)).all()
    assert len(waiting) == 2 and "Huyện ủy Lạc Sơn: Tháng 4/2026" in waiting[1].body_text and "Tháng 2/2026" not in waiting[1].body_text
