"""The demo province's mid-term confidence vote (lấy phiếu tín nhiệm giữa nhiệm kỳ, 96-QĐ/TW):
in October 2026, year three of the term, the provincial key officials vote electronically in the
hall on six department directors; two more are left out as the rules say (one appointed in March,
one who announced retirement). One director gets more than half low-confidence ballots: the
result calls for a decision of the standing committee, which is still open (the scheduler
reminds the committee of it)."""

from __future__ import annotations

import random
from datetime import date

from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.votes import operations

VOTED_ON = ("SKHDT", "STC", "SGTVT", "SXD", "SNNPTNT", "STNMT")
APPOINTED_IN_MARCH = "SCT"
RETIRING = "SYT"
LOW = "SGTVT"  # the director most ballots find wanting
HELD_ON = date(2026, 10, 20)


@step(50, "a mid-term confidence vote in October 2026, electronic, with a result awaiting the committee's decision")
def confidence_vote(ctx: DemoContext) -> None:
    staff, secretary = ctx.people["chuyenvien1"], ctx.people["chuyenvien3"]
    committee = [ctx.people[u] for u in ("thuongvu1", "thuongvu2", "thuongvu3")]
    with at(date(2026, 10, 5), 9):
        round_ = operations.create_round(actor=staff, title="Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ đối với Giám đốc các sở",
                                         organiser=ctx.units["BTCTU"], term="2024–2029", held_on=HELD_ON, method="electronic",
                                         profile="party", secretary=secretary)
        for code in VOTED_ON:
            operations.add_candidate(round_, ctx.heads[code], actor=staff, post=ctx.heads[code].title, appointed_on=date(2024, 11, 1))
        operations.add_candidate(round_, ctx.heads[APPOINTED_IN_MARCH], actor=staff, post=ctx.heads[APPOINTED_IN_MARCH].title,
                                 appointed_on=date(2026, 3, 1))
        operations.add_candidate(round_, ctx.heads[RETIRING], actor=staff, post=ctx.heads[RETIRING].title, appointed_on=date(2022, 6, 1),
                                 retirement_announced=True)
        voters = committee + [p for code, p in sorted(ctx.heads.items()) if code not in VOTED_ON]
        operations.summon(round_, voters, actor=staff)
        operations.appoint_board(round_, [ctx.people["hoidong1"], ctx.people["hoidong2"], ctx.people["hoidong3"]], actor=staff)
    absent = {voters[-1].id, voters[-2].id, voters[-3].id}
    with at(HELD_ON, 8, 15):
        operations.record_attendance(round_, [v.id for v in voters if v.id not in absent], actor=secretary)
    with at(HELD_ON, 8, 30):
        operations.take_step(round_, "open", actor=staff)
        codes = operations.issue_codes(round_, actor=secretary)
    with at(HELD_ON, 9, 30):
        rng = random.Random(2026)
        for i, code in enumerate(codes):
            marks = {}
            for candidate in round_.eligible:
                if candidate.person_id == ctx.heads[LOW].id:  # three ballots in five low: more than half, less than two thirds
                    marks[str(candidate.id)] = "low" if i % 5 < 3 else "confidence"
                    continue
                roll = rng.random()
                marks[str(candidate.id)] = "low" if roll < 0.06 else ("high" if roll < 0.65 else "confidence")
            operations.cast_ballot(round_, code, marks)
    with at(HELD_ON, 10, 30):
        operations.take_step(round_, "close", actor=staff)
    with at(HELD_ON, 11, 0):
        operations.take_step(round_, "publish", actor=staff)
    db.session.flush()
    ctx.notes.append(f"Confidence vote: {len(round_.voters)} summoned, {len(codes)} ballots cast electronically on {len(round_.eligible)} "
                     f"directors (2 left out by the rules); one result awaits the committee's decision (/votes/{round_.id})")
