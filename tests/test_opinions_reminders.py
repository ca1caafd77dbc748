"""A round of opinions over its window, with the scheduler run twice a day and a real SMTP server:
the request on the opening day, reminders 3 days and 1 day before the last day ([opinions]
remind_days_before) to those who have not answered, each once, in the person's language."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from opinion_support import give, opinion_round
from workflow.core.models import simulated_time
from workflow.extensions import db

OPENS_ON = date(2027, 11, 1)  # a Monday; ten days: answers taken until 10/11/2027


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_a_round_with_its_request_and_reminders_sent_once_each(app, smtp):
    ctx = opinion_round(subordinates=4, opens_on=OPENS_ON)
    assert ctx.round.closes_on == date(2027, 11, 10)
    addresses = {p.id: p.email for p in (ctx.superior, *ctx.people)}
    db.session.commit()
    runner = app.test_cli_runner()
    answers = {date(2027, 11, 3): [ctx.superior, ctx.people[1]], date(2027, 11, 8): [ctx.people[2]]}
    day = date(2027, 10, 28)
    while day <= date(2027, 11, 14):
        for hour in (8, 15):  # twice a day: the second run finds nothing new
            result = runner.invoke(args=["scheduler", "run-once", "--at", at(day, hour).isoformat()])
            assert result.exit_code == 0, result.output
        for person in answers.get(day, []):
            with simulated_time(at(day, 10)):
                give(ctx, person, (3, 3, 3, 3))
            db.session.commit()
        day += timedelta(days=1)

    got = Counter((m.message["X-KPI-Kind"], m.rcpt_tos[0]) for m in smtp.received)
    expected = Counter({("opinion_request", addresses[p.id]): 1 for p in (ctx.superior, *ctx.people)})
    # 7/11 (3 days before): people 0, 2 and 3 have not answered; 9/11 (1 day before): 0 and 3.
    expected.update({("opinion_reminder", addresses[p.id]): 1 for p in (ctx.people[0], ctx.people[2], ctx.people[3])})
    expected.update({("opinion_reminder", addresses[p.id]): 1 for p in (ctx.people[0], ctx.people[3])})
    assert got == expected
    # In the person's language: the first subordinate reads English.
    english = [m.message for m in smtp.received if m.rcpt_tos == [addresses[ctx.people[0].id]]]
    assert all("opinion" in m["Subject"] for m in english)
    vietnamese = next(m.message for m in smtp.received if m.rcpt_tos == [addresses[ctx.people[3].id]] and m.message["X-KPI-Kind"] == "opinion_reminder")
    assert "chưa cho ý kiến" in vietnamese["Subject"] and "10/11/2027" in vietnamese.get_body(("plain",)).get_content()
    assert "/opinions/mine" in vietnamese.get_body(("plain",)).get_content()
