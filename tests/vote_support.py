"""Shared set-up of vote rounds for the votes tests: a round of a profile with people summoned, a
counting board and people voted on."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import factories as f
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.votes import operations


def vote_round(profile: str = "party", method: str = "paper", *, summoned: int = 9, attend: int | None = None, candidates: int = 2,
               held_on: date = date(2028, 9, 26), open_voting: bool = False) -> SimpleNamespace:
    """A round with `summoned` voters, `candidates` people voted on (in post since 2021), a board
    of two, and `attend` of the voters attending (all by default)."""
    staff = f.person(Role.STAFF, full_name="Đào Thị Tổ Chức")
    organiser = f.unit(name="Tỉnh ủy Quảng Ninh")
    round_ = operations.create_round(actor=staff, title="Hội nghị lấy phiếu tín nhiệm giữa nhiệm kỳ", organiser=organiser,
                                     term="2025–2030", held_on=held_on, method=method, profile=profile)
    voters = [f.person(full_name=f"Đại biểu {i + 1}") for i in range(summoned)]
    operations.summon(round_, voters, actor=staff)
    people = []
    for i in range(candidates):
        head = f.person((Role.HEAD, f.unit()), full_name=f"Người được lấy phiếu {i + 1}")
        people.append(operations.add_candidate(round_, head, actor=staff, post=f"Giám đốc Sở {i + 1}", appointed_on=date(2021, 3, 1)))
    board = [f.person(full_name="Trưởng ban kiểm phiếu"), f.person(full_name="Ủy viên ban kiểm phiếu")]
    operations.appoint_board(round_, board, actor=staff)
    db.session.flush()
    operations.record_attendance(round_, [v.id for v in voters[: summoned if attend is None else attend]], actor=staff)
    if open_voting:
        operations.take_step(round_, "open", actor=staff)
    db.session.flush()
    return SimpleNamespace(round=round_, staff=staff, voters=voters, candidates=people, board=board)


def count_paper(ctx: SimpleNamespace, tallies: dict[int, dict[str, int]], *, collected: int, invalid: int = 0, issued: int | None = None) -> None:
    """Close voting, enter the paper count as the board's chair and confirm it as its member."""
    operations.take_step(ctx.round, "close", actor=ctx.staff)
    count = operations.enter_paper_count(ctx.round, actor=ctx.board[0], issued=collected if issued is None else issued, collected=collected,
                                         invalid=invalid, tallies=tallies)
    db.session.flush()
    operations.confirm_paper_count(ctx.round, actor=ctx.board[1], version=count.version)
