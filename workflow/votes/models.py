"""Vote rounds (hội nghị lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm, xếp loại bằng phiếu kín) and
what hangs on them.

- `VoteRound`: the conference — organising body, term, date, the rules copied in at creation
  (profile, ballot form, quorum, denominator, thresholds), its state;
- `Candidate` (người được lấy phiếu): a person and post voted on, or excluded with the reason the
  rules give (kept and shown, never on the ballot);
- `Voter` (người được triệu tập): who is summoned, and whether they attended;
- `CountingMember` (ban kiểm phiếu): who counts paper ballots;
- `PaperCount`, `PaperTally`: the board's figures for the paper ballots (the round's ballots
  issued, collected and invalid; each candidate's count per level), entered by one member and
  confirmed by another;
- `BallotCode`, `BallotTally`, `Receipt`: electronic voting in the hall (below);
- `VoteResult`: each candidate's published figures and outcome, fixed when the round closes;
- `FollowUp`: what a result calls for, until the competent body records its decision.

Secrecy of electronic ballots. A code is printed for each attending voter and handed out on
paper; the table keeps only its digest and whether it was spent — never a voter, a time or the
order it was printed in. Casting spends the code, adds the ballot's marks to the per-person
counts and writes a receipt, in one transaction. No ballot is stored as a row: a ballot table,
even with random keys and no time, keeps its rows in the order they were written, which a
database reader could match against the order people were seen to vote. The receipt row has a
random key, the receipt's digest and nothing else; nothing of the cast is audited, and the
access log names neither the person nor the address of the ballot page's requests. The receipt
tells its holder that their ballot was counted and says nothing of what it chose.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.units.models import Unit


class RoundState(enum.StrEnum):
    PREPARING = "preparing"  # lists, dossiers, attendance
    VOTING = "voting"  # opened with quorum: codes spent, ballots cast
    COUNTING = "counting"  # voting closed: the board counts and confirms
    CLOSED = "closed"  # results published and fixed


class Method(enum.StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


class FollowUpState(enum.StrEnum):
    OPEN = "open"
    RECORDED = "recorded"


# Why a person is left off the ballot (Candidate.excluded_code). The rule each one applies is in
# config/votes.toml (exclude_retirement_announced, min_months_in_post, exclude_elected_in_vote_year).
EXCLUSIONS = ("retirement_announced", "under_months_in_post", "elected_in_vote_year", "other")


def exclusion_words(code: str, note: str, rules: dict[str, Any]) -> str:
    """The words of an exclusion code in the current language ("" for none); "other" reads its note."""
    if not code:
        return ""
    if code == "retirement_announced":
        return gettext("Has announced retirement")
    if code == "under_months_in_post":
        return gettext("Elected or appointed less than %(months)s months before the vote", months=rules.get("min_months_in_post", 0))
    if code == "elected_in_vote_year":
        return gettext("Elected or approved in the year of the vote")
    return gettext("Other reason: %(note)s", note=note) if note else gettext("Other reason")


class VoteRound(CreatedAt, Versioned, db.Model):
    __tablename__ = "vote_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the organising body
    term: Mapped[str] = mapped_column(String(40))  # nhiệm kỳ, e.g. "2020–2025"
    held_on: Mapped[date]
    method: Mapped[Method] = mapped_column(enum_column(Method))
    profile: Mapped[str] = mapped_column(String(32))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the profile as it was when the round was created
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState), default=RoundState.PREPARING)
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    codes_issued: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]

    organiser: Mapped[Unit] = relationship()
    secretary: Mapped[Person | None] = relationship(foreign_keys=[secretary_id])
    candidates: Mapped[list[Candidate]] = relationship(back_populates="round", order_by="Candidate.position, Candidate.id")
    voters: Mapped[list[Voter]] = relationship(back_populates="round", order_by="Voter.id")
    board: Mapped[list[CountingMember]] = relationship(back_populates="round", order_by="CountingMember.id")

    @property
    def form(self) -> dict[str, Any]:
        return self.rules["form"]

    @property
    def level_codes(self) -> list[str]:
        return [level["code"] for level in self.form["levels"]]

    @property
    def eligible(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.excluded_code]

    def __repr__(self) -> str:
        return f"<VoteRound {self.id} {self.profile} {self.state}>"


class Candidate(db.Model):
    __tablename__ = "vote_candidate"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    post: Mapped[str] = mapped_column(String(200))  # chức vụ
    appointed_on: Mapped[date | None]
    retirement_announced: Mapped[bool] = mapped_column(default=False)
    # Why the rules leave them out, as a code of EXCLUSIONS ("" when voted on); the words are the
    # reader's language at display time (excluded_reason). The note is the free text of "other".
    excluded_code: Mapped[str] = mapped_column(String(32), default="", server_default="")
    excluded_note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[VoteRound] = relationship(back_populates="candidates")
    person: Mapped[Person] = relationship()

    @property
    def excluded_reason(self) -> str:
        """Why the person is not voted on, in the reader's language; "" when voted on."""
        return exclusion_words(self.excluded_code, self.excluded_note, self.round.rules if self.round else {})


class Voter(db.Model):
    __tablename__ = "vote_voter"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    attended: Mapped[bool] = mapped_column(default=False)

    round: Mapped[VoteRound] = relationship(back_populates="voters")
    person: Mapped[Person] = relationship()


class CountingMember(db.Model):
    __tablename__ = "vote_counting_member"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    chair: Mapped[bool] = mapped_column(default=False)  # trưởng ban kiểm phiếu

    round: Mapped[VoteRound] = relationship(back_populates="board")
    person: Mapped[Person] = relationship()


class PaperCount(Versioned, db.Model):
    """The paper ballots of a round as the board counted them; confirmed by a second member."""

    __tablename__ = "vote_paper_count"
    __table_args__ = (CheckConstraint("invalid <= collected AND collected <= issued", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), unique=True)
    issued: Mapped[int] = mapped_column(default=0)  # số phiếu phát ra
    collected: Mapped[int] = mapped_column(default=0)  # số phiếu thu về
    invalid: Mapped[int] = mapped_column(default=0)  # số phiếu không hợp lệ
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    entered_by: Mapped[Person] = relationship(foreign_keys=[entered_by_id])
    confirmed_by: Mapped[Person | None] = relationship(foreign_keys=[confirmed_by_id])
    tallies: Mapped[list[PaperTally]] = relationship(back_populates="count", cascade="all, delete-orphan")


class PaperTally(db.Model):
    """One candidate's count per level on the valid paper ballots."""

    __tablename__ = "vote_paper_tally"
    __table_args__ = (UniqueConstraint("count_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("vote_paper_count.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("vote_candidate.id", ondelete="CASCADE"), index=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSONType)  # {level code: ballots}

    count: Mapped[PaperCount] = relationship(back_populates="tallies")


class BallotCode(db.Model):
    """A one-time code for the hall: its digest and whether it is spent, nothing else."""

    __tablename__ = "vote_ballot_code"
    __table_args__ = (UniqueConstraint("round_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    spent: Mapped[bool] = mapped_column(default=False)


class BallotTally(db.Model):
    """Electronic ballots as counts: how many ballots gave `level` to one person. A cast adds one
    to a row per person and keeps no ballot of its own, so there is no row, order or time that
    could stand for one voter's ballot."""

    __tablename__ = "vote_ballot_tally"
    __table_args__ = (UniqueConstraint("round_id", "candidate_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("vote_candidate.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(default=0)


class Receipt(db.Model):
    """A cast ballot's receipt: the digest of what the voter was shown, and nothing of the ballot."""

    __tablename__ = "vote_receipt"
    __table_args__ = (UniqueConstraint("round_id", "digest"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))


class VoteResult(db.Model):
    """A candidate's published result: the counts, the denominator and the outcome, fixed when the
    round closes so that later rules or recounts never change what was announced."""

    __tablename__ = "vote_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("vote_candidate.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSONType)
    denominator: Mapped[int]
    low_share: Mapped[str] = mapped_column(String(20), default="")  # the count of the level the outcomes read over the denominator, "26/39"
    outcome: Mapped[str] = mapped_column(String(32), default="")  # an outcome code of the rules, or the level decided (classification)

    candidate: Mapped[Candidate] = relationship()


class FollowUp(CreatedAt, Versioned, db.Model):
    """What a result calls for (theo dõi xử lý), open until the competent body records its decision."""

    __tablename__ = "vote_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("vote_result.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date | None]
    state: Mapped[FollowUpState] = mapped_column(enum_column(FollowUpState), default=FollowUpState.OPEN)
    decision: Mapped[str] = mapped_column(String(200), default="")  # số, ký hiệu văn bản
    decided_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    result: Mapped[VoteResult] = relationship()
