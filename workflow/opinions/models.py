"""Rounds of opinions from above and below (lấy ý kiến đánh giá đa chiều) and what they collect.

- `OpinionRound`: one round for a track in a cycle — its window, its secretary, the rules copied
  in when it opened (criteria, scale, threshold, gap, peers), its state;
- `OpinionSubject`: a subject (`workflow.framework.Subject`) opinions are collected about;
- `Respondent` (người tham gia ý kiến): a person asked about a subject, as its direct superior
  (alone or for an agency, on the criteria of that agency's field), a direct subordinate, or a
  peer; `answered` says whether they have, and nothing else;
- `OpinionTally`: how many respondents of a relation gave each value of the scale on a criterion
  about a subject;
- `OpinionComments`: the comments of a relation about a subject, as one list.

Anonymity. Nothing ties an answer to its author: the respondent row keeps only that the person
answered (no answer id, no time); the answers themselves are not rows but counts, made when the
subject is added (all zero) so that no row is created by an answer. An answer adds one to the
counts it chose and rewrites every count of its subject in the same statement, so no row's
version says which counts the latest answer touched; its comment joins its relation's list,
which is shuffled on every answer, so no position says who wrote what. Nothing of an answer is
audited or logged, and the answer page is `unattributed` in the access log.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.core.models import CreatedAt, JSONType, Versioned, enum_column
from workflow.extensions import db

if TYPE_CHECKING:
    from workflow.accounts.models import Person
    from workflow.cycles.models import Cycle
    from workflow.framework.models import Subject, Track
    from workflow.units.models import Unit


class RoundState(enum.StrEnum):
    OPEN = "open"  # collecting answers within its window
    CLOSED = "closed"  # results shown to those who may see them


class Relation(enum.StrEnum):
    SUPERIOR = "superior"  # cấp trên trực tiếp
    SUBORDINATE = "subordinate"  # cấp dưới trực tiếp
    PEER = "peer"  # đồng cấp (off unless the track switches it on)


# Relations whose results are shown only as aggregates of at least `min_answers` answers.
ANONYMOUS = (Relation.SUBORDINATE, Relation.PEER)


class OpinionRound(CreatedAt, Versioned, db.Model):
    __tablename__ = "opinion_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    opens_on: Mapped[date]
    closes_on: Mapped[date]  # the last day answers are taken
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the cycle's [opinions] for the track, as it was when the round opened
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState), default=RoundState.OPEN)
    closed_at: Mapped[datetime | None]

    cycle: Mapped[Cycle] = relationship()
    track: Mapped[Track] = relationship()
    secretary: Mapped[Person | None] = relationship(foreign_keys=[secretary_id])
    subjects: Mapped[list[OpinionSubject]] = relationship(back_populates="round", order_by="OpinionSubject.id")

    @property
    def criteria(self) -> list[dict[str, str]]:
        return self.rules["criteria"]

    @property
    def criterion_codes(self) -> list[str]:
        return [c["code"] for c in self.rules["criteria"]]

    @property
    def scale_values(self) -> list[int]:
        return [level["value"] for level in self.rules["scale"]]

    @property
    def relations(self) -> list[Relation]:
        return [Relation.SUPERIOR, Relation.SUBORDINATE] + ([Relation.PEER] if self.rules.get("peers") else [])

    def __repr__(self) -> str:
        return f"<OpinionRound {self.id} {self.state}>"


class OpinionSubject(db.Model):
    __tablename__ = "opinion_subject"
    __table_args__ = (UniqueConstraint("round_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("opinion_round.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)

    round: Mapped[OpinionRound] = relationship(back_populates="subjects")
    subject: Mapped[Subject] = relationship()

    def name(self) -> str:
        subject = self.subject
        return subject.person.full_name if subject.person is not None else subject.unit.name


class Respondent(db.Model):
    """A person asked about a subject. `criteria`: the codes a superior agency answers on (its
    field; empty: every criterion of the round)."""

    __tablename__ = "opinion_respondent"
    __table_args__ = (UniqueConstraint("opinion_subject_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("opinion_round.id", ondelete="CASCADE"), index=True)
    opinion_subject_id: Mapped[int] = mapped_column(ForeignKey("opinion_subject.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))  # the superior agency the person answers for
    criteria: Mapped[list[str]] = mapped_column(JSONType, default=list)
    answered: Mapped[bool] = mapped_column(default=False)

    round: Mapped[OpinionRound] = relationship()
    opinion_subject: Mapped[OpinionSubject] = relationship()
    person: Mapped[Person] = relationship()
    on_behalf_of: Mapped[Unit | None] = relationship()

    def asked_on(self, round_: OpinionRound) -> list[str]:
        return list(self.criteria) or round_.criterion_codes


class OpinionTally(db.Model):
    __tablename__ = "opinion_tally"
    __table_args__ = (UniqueConstraint("opinion_subject_id", "relation", "criterion", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_subject_id: Mapped[int] = mapped_column(ForeignKey("opinion_subject.id", ondelete="CASCADE"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    criterion: Mapped[str] = mapped_column(String(32))
    value: Mapped[int]
    count: Mapped[int] = mapped_column(default=0)


class OpinionComments(db.Model):
    __tablename__ = "opinion_comments"
    __table_args__ = (UniqueConstraint("opinion_subject_id", "relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_subject_id: Mapped[int] = mapped_column(ForeignKey("opinion_subject.id", ondelete="CASCADE"), index=True)
    relation: Mapped[Relation] = mapped_column(enum_column(Relation))
    texts: Mapped[list[str]] = mapped_column(JSONType, default=list)
