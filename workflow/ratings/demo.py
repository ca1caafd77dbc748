"""The demo province's one-stop counters: the city of Vĩnh Yên's section (bộ phận một cửa) with
three counters, a kiosk at each, and a year of ratings (2026) — mostly satisfied, a few not,
their cases answered by the head of the unit, one found unjustified — as HCMC's District 1 does
with its tablets (000: 48,310 ratings in 2023)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from workflow import policy
from workflow.accounts import operations as accounts
from workflow.accounts.passwords import hash_password
from workflow.demo import province
from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.ratings import operations
from workflow.ratings.models import Channel, RatingCase, Verdict

UNIT = "UB-VY"
# (counter, username, full name, title)
COUNTERS = [
    ("Quầy 1 – Đất đai, xây dựng", "mc.vy.nam", "Ngô Văn Nam", "Công chức Bộ phận một cửa"),
    ("Quầy 2 – Hộ tịch, chứng thực", "mc.vy.thu", "Đinh Thị Thu", "Công chức Bộ phận một cửa"),
    ("Quầy 3 – Kinh doanh, đầu tư", "mc.vy.long", "Phan Hải Long", "Công chức Bộ phận một cửa"),
]
# Per counter: ratings a month, and the share of "không hài lòng" (out of a thousand).
PER_MONTH = (45, 30, 20)
UNHAPPY_PER_MILLE = (15, 40, 10)


@step(70, "ratings: a city's one-stop counters with their kiosks and a year of citizens' ratings")
def counters(ctx: DemoContext) -> None:
    unit = ctx.units.get(UNIT)
    if unit is None:
        return
    admin = ctx.admin
    password_hash = hash_password(province.DEMO_PASSWORD)
    chance = random.Random(14)
    made = []
    with at(date(2026, 1, 5), 8):
        for name, username, full_name, title in COUNTERS:
            official = accounts.create_person(actor=policy.SYSTEM, username=username, full_name=full_name, email=f"{username}@vinhphuc.demo",
                                              title=title, unit_id=unit.id, password_hash=password_hash)
            db.session.flush()
            ctx.people[username] = official
            counter = operations.create_counter(unit, name, actor=admin, official=official)
            db.session.flush()
            operations.register_device(name=f"Máy tính bảng {name.split(' –')[0]}", counter=counter, actor=admin)
            made.append(counter)
    db.session.flush()
    for month in range(1, 13):
        items = []
        for n, counter in enumerate(made):
            for i in range(PER_MONTH[n]):
                moment = datetime(2026, month, 1 + chance.randrange(27), 1 + chance.randrange(9), chance.randrange(60), tzinfo=UTC)
                roll = chance.randrange(1000)
                verdict = Verdict.UNSATISFIED if roll < UNHAPPY_PER_MILLE[n] else Verdict.SATISFIED if roll < 350 else Verdict.VERY_SATISFIED
                items.append({"key": f"demo-{counter.id}-{month}-{i}", "dossier": f"H29.VY-2026{month:02d}-{n + 1}{i:04d}", "verdict": verdict.value,
                              "scores": {"attitude": verdict.value}, "comment": "Chờ lâu, hướng dẫn chưa rõ" if verdict == Verdict.UNSATISFIED else "",
                              "rated_at": moment, "counter_id": counter.id, "official_id": None})
        with at(date(2026, month, 28), 17):
            operations.receive(items, channel=Channel.IMPORT)
    db.session.flush()
    head = operations.head_of(unit.id)
    if head is None:
        return
    cases = list(db.session.scalars(db.select(RatingCase).where(RatingCase.unit_id == unit.id).order_by(RatingCase.id)))
    for number, case in enumerate(cases[:-2]):  # the last two of December are still open
        unjustified = number == 3
        with at(case.due_on - timedelta(days=1), 10):
            operations.answer_case(case, justified=not unjustified, actor=head,
                                   action="Đã nhắc nhở, phê bình công chức và gọi điện xin lỗi người dân." if unjustified
                                   else "Đã xác minh: hồ sơ thiếu thành phần, công chức hướng dẫn đúng quy định; đã giải thích cho người dân.")
