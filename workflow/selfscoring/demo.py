"""The demo province's monthly self-scoring of collectives in 2026, told at the times it happened:
Sở Nội vụ self-scored and was recognised every month so far; Sở Tài chính never self-scored
August, so the year's end will leave it unclassified (the 12-month rule); UBND huyện Tam Đảo had
October returned for a missing record and recognised once corrected, and November waits for the
standing committee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.selfscoring import operations, queries

# unit code → (months skipped, month returned once, month left waiting for recognition)
STORIES = {"SNV": ((), None, None), "STC": ((8,), None, None), "UB-TD": ((), 10, 11)}
POINTS = [Decimal(p) for p in ("88", "90.5", "91", "87.25", "92", "89", "90", "93", "88.75", "91.5", "90")]


@step(36, "monthly self-scoring of collectives: 2026 recognised month by month, August missing at Sở Tài chính, a month returned at Tam Đảo")
def self_scoring(ctx: DemoContext) -> None:
    cycle = ctx.cycles[2026]
    committee = ctx.people["thuongvu1"]  # the units of the demo have no parent: the standing committee recognises
    for code, (skipped, returned, waiting) in STORIES.items():
        subject = queries.collective_of(ctx.units[code].id)
        head = ctx.heads[code]
        for month in range(1, 12):
            if month in skipped:
                continue
            with at(date(2026, month, 25), 15):
                row = operations.save(subject, cycle, month, actor=head, points=POINTS[month - 1],
                                      note=f"Sinh hoạt thường kỳ tháng {month} đầy đủ, đúng nội dung")
                db.session.flush()
                operations.take_step(row, "submit", actor=head, version=row.version)
                db.session.flush()
            if month == waiting:
                continue
            recognised_on = date(2026, month + 1, 3)
            if month == returned:
                with at(recognised_on, 10):
                    operations.take_step(row, "return", actor=committee, version=row.version,
                                         reason="Chưa kèm biên bản sinh hoạt chuyên đề quý IV; đề nghị bổ sung")
                    db.session.flush()
                with at(recognised_on, 16):
                    row = operations.save(subject, cycle, month, actor=head, points=row.points, note=row.note + "; đã bổ sung biên bản",
                                          version=row.version)
                    db.session.flush()
                    operations.take_step(row, "submit", actor=head, version=row.version)
                    db.session.flush()
                recognised_on = date(2026, month + 1, 5)
            with at(recognised_on, 11):
                operations.take_step(row, "recognise", actor=committee, version=row.version)
                db.session.flush()
    ctx.notes.append("Self-scoring: Sở Nội vụ 11/11 months recognised, Sở Tài chính without August, "
                     "UBND huyện Tam Đảo with October returned then recognised and November waiting (thuongvu1 recognises)")
