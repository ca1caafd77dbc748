"""The demo province's round of opinions (lấy ý kiến đánh giá đa chiều) before the 2026 evaluation
of heads: in November 2026 the Organisation Board asks, about the directors of Home Affairs and
Finance, their direct superior (a member of the standing committee) and their direct
subordinates (the department's civil servants). At Home Affairs four answer and the results
show, with a large gap on one criterion; at Finance only two of three answer, too few for their
view to be shown. The round is closed by its secretary."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from workflow.demo.steps import DemoContext, at, step
from workflow.extensions import db
from workflow.framework.models import Subject, Track
from workflow.opinions import operations
from workflow.opinions.models import Relation, Respondent

OPENS_ON = date(2026, 11, 2)
# (unit code, subordinates' usernames and their answers: political, ethics, discipline, results)
ANSWERS = {
    "SNV": [("cc.snv.lan", (3, 3, 2, 2), "Cần sâu sát hơn với các phòng chuyên môn."), ("cc.snv.duc", (3, 4, 2, 2), ""),
            ("cc.snv.hoa", (4, 3, 2, 3), "Điều hành quyết liệt, nhưng giao việc còn dồn vào cuối năm."), ("pgd.snv", (3, 3, 3, 2), "")],
    "STC": [("cc.stc.tuan", (4, 4, 3, 3), ""), ("cc.stc.ha", (3, 4, 3, 3), "")],
}
NOT_ANSWERING = {"STC": ["cc.stc.son"]}
SUPERIOR = ("thuongvu1", (4, 4, 4, 4))


@step(55, "a round of opinions from superiors and subordinates in November 2026 about two directors, closed with their results")
def opinions_round(ctx: DemoContext) -> None:
    staff, secretary = ctx.people["chuyenvien1"], ctx.people["chuyenvien3"]
    heads_track = db.session.scalar(select(Track).where(Track.code == "heads"))
    cycle = ctx.cycles[2026]
    with at(date(2026, 10, 28), 9):
        round_ = operations.open_round(actor=staff, cycle=cycle, track=heads_track, title="Lấy ý kiến cấp trên, cấp dưới trực tiếp năm 2026",
                                       opens_on=OPENS_ON, secretary=secretary)
        items = {}
        for code in ANSWERS:
            subject = db.session.scalar(select(Subject).where(Subject.track_id == heads_track.id, Subject.person_id == ctx.heads[code].id))
            items[code] = item = operations.add_subject(round_, subject, actor=staff)
            operations.invite(item, ctx.people[SUPERIOR[0]], Relation.SUPERIOR, actor=staff)
            for username in [a[0] for a in ANSWERS[code]] + NOT_ANSWERING.get(code, []):
                operations.invite(item, ctx.people[username], Relation.SUBORDINATE, actor=staff)
        db.session.flush()
    codes = round_.criterion_codes
    for day, (code, answers) in enumerate(ANSWERS.items()):
        item = items[code]
        respondents = {r.person_id: r for r in db.session.scalars(select(Respondent).where(Respondent.opinion_subject_id == item.id))}
        with at(date(2026, 11, 3 + day), 10):
            superior = respondents[ctx.people[SUPERIOR[0]].id]
            operations.answer(superior, actor=superior.person, scores=dict(zip(codes, SUPERIOR[1], strict=True)))
            for username, values, comment in answers:
                respondent = respondents[ctx.people[username].id]
                operations.answer(respondent, actor=respondent.person, scores=dict(zip(codes, values, strict=True)), comment=comment)
    with at(round_.closes_on + timedelta(days=1), 8):
        operations.close_round(round_, actor=secretary)
    db.session.flush()
    ctx.notes.append(f"Opinions: a round about two directors, closed on {round_.closes_on + timedelta(days=1):%d/%m/%Y}: Home Affairs' "
                     f"subordinates shown (4 answers), Finance's not (2 of 3, fewer than 3) (/opinions/{round_.id})")
