"""Every change to vote rounds. Each function takes the acting person, checks the policy and the
round's step, writes the audit entry; nothing here commits.

The exception is `cast_ballot`, which has no actor on purpose: the one-time code is the only
credential, and nothing about the voter, the code or the moment is kept with the ballot, written
to the audit log or logged (see `models`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import insert, select, update

from workflow import policy
from workflow.accounts.models import Person
from workflow.core import audit
from workflow.core.concurrency import check_version
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.units.models import Unit
from workflow.votes import queries
from workflow.votes.models import (
    BallotCode,
    BallotTally,
    Candidate,
    CountingMember,
    FollowUp,
    FollowUpState,
    Method,
    PaperCount,
    PaperTally,
    Receipt,
    RoundState,
    VoteResult,
    VoteRound,
    Voter,
)
from workflow.votes.results import compute
from workflow.votes.rules import profile as load_profile
from workflow.votes.workflow import ROUND

# Codes and receipts: no 0/O, 1/I/L, so that a code read off paper is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def _secret(length: int = CODE_LENGTH) -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"{raw[:length // 2]}-{raw[length // 2:]}"


def _preparing(round_: VoteRound) -> None:
    if round_.state != RoundState.PREPARING:
        raise TransitionRefused(gettext("The lists are fixed once voting has opened."))


# --- setting up a round ----------------------------------------------------------------------

def create_round(*, actor: Any, title: str, organiser: Unit, term: str, held_on: date, method: Method | str, profile: str,
                 secretary: Person | None = None, rules_file: str | None = None) -> VoteRound:
    """A conference to take a vote (lấy phiếu tín nhiệm, bỏ phiếu tín nhiệm, xếp loại), with the
    profile's rules copied in."""
    policy.require(actor, "vote.round.manage")
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [gettext("Please fill this in.")]
    if not (term or "").strip():
        errors["term"] = [gettext("Please fill this in.")]
    if errors:
        raise ValidationFailed(errors)
    rules = load_profile(profile, rules_file) if rules_file else load_profile(profile)
    round_ = VoteRound(title=title.strip(), organiser=organiser, term=term.strip(), held_on=held_on, method=Method(method), profile=profile,
                       rules=rules, secretary=secretary, created_by_id=getattr(actor, "id", None))
    db.session.add(round_)
    audit.record("vote.round.create", round_, actor=actor, summary=round_.title, data={"profile": profile, "method": round_.method.value})
    return round_


def exclusion(rules: Mapping[str, Any], held_on: date, appointed_on: date | None, retirement_announced: bool) -> str:
    """The code of why the rules leave a person out of the vote (models.EXCLUSIONS), or "".

    96-QĐ/TW and NQ 96/2023/QH15 leave out those who have announced their retirement; 96-QĐ/TW those
    in the post under a year (min_months_in_post), NQ 96 those elected or approved in the year of
    the vote (exclude_elected_in_vote_year). See config/votes.toml for what of this is verified."""
    if retirement_announced and rules["exclude_retirement_announced"]:
        return "retirement_announced"
    if appointed_on is not None and rules.get("exclude_elected_in_vote_year") and appointed_on.year == held_on.year:
        return "elected_in_vote_year"
    months = rules["min_months_in_post"]
    if months and appointed_on is not None:
        # Exactly `months` months in the post on the day counts as long enough.
        y, m = divmod(appointed_on.month - 1 + months, 12)
        try:
            enough = appointed_on.replace(year=appointed_on.year + y, month=m + 1)
        except ValueError:  # 29–31 of a month the later one lacks: the first of the month after
            enough = date(appointed_on.year + y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
        if held_on < enough:
            return "under_months_in_post"
    return ""


def add_candidate(round_: VoteRound, person: Person, *, actor: Any, post: str, appointed_on: date | None = None,
                  retirement_announced: bool = False) -> Candidate:
    policy.require(actor, "vote.round.manage", round_)
    _preparing(round_)
    if not (post or "").strip():
        raise ValidationFailed({"post": [gettext("Please fill this in.")]})
    candidate = Candidate(round=round_, person=person, post=post.strip(), appointed_on=appointed_on, retirement_announced=retirement_announced,
                          excluded_code=exclusion(round_.rules, round_.held_on, appointed_on, retirement_announced),
                          position=len(round_.candidates))
    db.session.add(candidate)
    audit.record("vote.candidate.add", round_, actor=actor, summary=f"{person.full_name} — {candidate.post}",
                 data={"person_id": person.id, "excluded": candidate.excluded_code})
    return candidate


def summon(round_: VoteRound, people: Iterable[Person], *, actor: Any) -> int:
    """Add people to the list of those summoned (danh sách triệu tập); returns how many were new."""
    policy.require(actor, "vote.round.manage", round_)
    _preparing(round_)
    known = {v.person_id for v in round_.voters}
    added = 0
    for person in people:
        if person.id not in known:
            db.session.add(Voter(round=round_, person_id=person.id))
            known.add(person.id)
            added += 1
    audit.record("vote.voters.summon", round_, actor=actor, summary=round_.title, data={"added": added})
    return added


def appoint_board(round_: VoteRound, people: Iterable[Person], *, actor: Any) -> None:
    """The counting board (ban kiểm phiếu); the first named chairs it."""
    policy.require(actor, "vote.round.manage", round_)
    if round_.state not in (RoundState.PREPARING, RoundState.VOTING):
        raise TransitionRefused(gettext("The counting board is appointed before the count."))
    for member in list(round_.board):
        db.session.delete(member)
    db.session.flush()
    names = []
    for i, person in enumerate(people):
        db.session.add(CountingMember(round=round_, person_id=person.id, chair=i == 0))
        names.append(person.full_name)
    audit.record("vote.board.appoint", round_, actor=actor, summary=", ".join(names)[:500])


def record_attendance(round_: VoteRound, present: Iterable[int], *, actor: Any) -> int:
    """Mark who attends among those summoned (by person id); returns how many attend. Attendance
    may grow while voting is open (someone late), never shrink then."""
    policy.require(actor, "vote.attendance.record", round_)
    if round_.state not in (RoundState.PREPARING, RoundState.VOTING):
        raise TransitionRefused(gettext("Attendance is recorded before the ballots are counted."))
    wanted = set(present)
    unknown = wanted - {v.person_id for v in round_.voters}
    if unknown:
        raise ValidationFailed({"present": [gettext("Only people summoned to this conference can attend it.")]})
    for voter in round_.voters:
        if round_.state == RoundState.VOTING and voter.attended and voter.person_id not in wanted:
            raise TransitionRefused(gettext("Voting is open: no one can be struck off the attendance list now."))
        voter.attended = voter.person_id in wanted
    attended = sum(1 for v in round_.voters if v.attended)
    audit.record("vote.attendance.record", round_, actor=actor, summary=round_.title, data={"attended": attended, "summoned": len(round_.voters)})
    return attended


def take_step(round_: VoteRound, step: str, *, actor: Any, version: int | None = None) -> None:
    """Open voting (refused without quorum), close it, or publish the results."""
    ROUND.check(round_, step, actor=actor)
    if version is not None:
        check_version(round_, version)
    if step == "publish":
        publish(round_, actor=actor)
        return
    old, new = ROUND.fire(round_, step, actor=actor)
    if step == "open" and round_.method == Method.ELECTRONIC:
        db.session.execute(insert(BallotTally), [{"round_id": round_.id, "candidate_id": c.id, "level": level, "count": 0}
                                                 for c in round_.eligible for level in round_.level_codes])
    action = "vote.round.open" if step == "open" else "vote.round.close"
    audit.record(action, round_, actor=actor, summary=round_.title, data={"from": old.value, "to": new.value,
                 "attended": queries.attended_count(round_), "summoned": queries.summoned_count(round_)})


# --- electronic ballots ----------------------------------------------------------------------

def issue_codes(round_: VoteRound, *, actor: Any) -> list[str]:
    """One-time codes for the attending voters who have none yet, to print and hand out on paper.
    Returned once: only their digests are kept, so they cannot be printed again."""
    policy.require(actor, "vote.attendance.record", round_)
    if round_.method != Method.ELECTRONIC:
        raise TransitionRefused(gettext("This conference votes on paper."))
    if round_.state != RoundState.VOTING:
        raise TransitionRefused(gettext("Codes are issued once voting is open."))
    needed = queries.attended_count(round_) - round_.codes_issued
    codes: list[str] = []
    while len(codes) < needed:
        code = _secret()
        if code not in codes:
            codes.append(code)
    if codes:
        db.session.execute(insert(BallotCode), [{"round_id": round_.id, "digest": queries.digest(round_.id, c), "spent": False} for c in codes])
        round_.codes_issued += len(codes)
    audit.record("vote.codes.issue", round_, actor=actor, summary=round_.title, data={"count": len(codes)})
    return codes


def check_marks(round_: VoteRound, marks: Mapping[str, str]) -> dict[str, str]:
    """A mark of one of the form's levels for every person voted on, or the fields to correct."""
    levels = set(round_.level_codes)
    marks = {str(k): v for k, v in marks.items()}
    clean: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for candidate in round_.eligible:
        level = marks.get(str(candidate.id))
        if level not in levels:
            errors[f"marks.{candidate.id}"] = [gettext("Choose one level for %(name)s.", name=candidate.person.full_name)]
        else:
            clean[str(candidate.id)] = level
    extra = set(marks) - {str(c.id) for c in round_.eligible}
    if extra:
        errors["marks"] = [gettext("The ballot names someone who is not voted on.")]
    if errors:
        raise ValidationFailed(errors)
    return clean


class CodeRefused(TransitionRefused):
    status_code = 403


def cast_ballot(round_: VoteRound, code: str, marks: Mapping[str, str]) -> str:
    """Spend `code` and count the ballot, in one transaction; returns the voter's receipt.

    The marks are added to the per-person counts (no row of the ballot itself); the receipt row
    has a random key and the receipt's digest only. A spent or unknown code is refused, nothing
    counted."""
    if round_.state != RoundState.VOTING:
        raise TransitionRefused(gettext("Voting is not open."))
    clean = check_marks(round_, marks)
    spent = db.session.execute(
        update(BallotCode).where(BallotCode.round_id == round_.id, BallotCode.digest == queries.digest(round_.id, code or ""),
                                 BallotCode.spent.is_(False)).values(spent=True)
    ).rowcount
    if spent != 1:
        raise CodeRefused(gettext("This code is not valid for this conference, or has already been used."))
    receipt = _secret(12)
    # One row per person, in the order of their ids: concurrent casts lock rows in the same order.
    for candidate_id in sorted(clean, key=int):
        db.session.execute(update(BallotTally).where(BallotTally.round_id == round_.id, BallotTally.candidate_id == int(candidate_id),
                                                     BallotTally.level == clean[candidate_id]).values(count=BallotTally.count + 1))
    db.session.execute(insert(Receipt).values(id=secrets.token_hex(16), round_id=round_.id, digest=queries.digest(round_.id, receipt)))
    return receipt


# --- paper ballots ---------------------------------------------------------------------------

def _on_board(round_: VoteRound, actor: Any) -> None:
    policy.require(actor, "vote.count", round_)


def enter_paper_count(round_: VoteRound, *, actor: Any, issued: int, collected: int, invalid: int,
                      tallies: Mapping[int, Mapping[str, int]], version: int | None = None) -> PaperCount:
    """The counting board's figures for the paper ballots: issued, collected, invalid, and each
    person's count per level on the valid ballots. Entering again replaces them and clears a
    confirmation; a confirmed count is final."""
    _on_board(round_, actor)
    if round_.method != Method.PAPER:
        raise TransitionRefused(gettext("This conference votes electronically: its ballots are counted by the system."))
    if round_.state != RoundState.COUNTING:
        raise TransitionRefused(gettext("The ballots are counted once voting is closed."))
    count = queries.paper_count_of(round_)
    if count is not None:
        if version is not None:
            check_version(count, version)
        if count.confirmed_by_id is not None:
            raise TransitionRefused(gettext("The count was confirmed; it can no longer be changed."))
    errors: dict[str, list[str]] = {}
    attended = queries.attended_count(round_)
    figures = {"issued": issued, "collected": collected, "invalid": invalid}
    for name, value in figures.items():
        if not isinstance(value, int) or value < 0:
            errors[name] = [gettext("Must be a whole number, 0 or more.")]
    if not errors:
        if issued > attended:
            errors["issued"] = [gettext("More ballots issued (%(issued)s) than people attending (%(attended)s).", issued=issued, attended=attended)]
        if collected > issued:
            errors["collected"] = [gettext("More ballots collected than issued.")]
        if invalid > collected:
            errors["invalid"] = [gettext("More invalid ballots than ballots collected.")]
    valid = collected - invalid
    levels = round_.level_codes
    clean: dict[int, dict[str, int]] = {}
    for candidate in round_.eligible:
        given = tallies.get(candidate.id) or {}
        row = {level: given.get(level, 0) for level in levels}
        if any(not isinstance(n, int) or n < 0 for n in row.values()):
            errors[f"tallies.{candidate.id}"] = [gettext("Must be a whole number, 0 or more.")]
        elif not errors and sum(row.values()) > valid:
            errors[f"tallies.{candidate.id}"] = [gettext("%(name)s: %(sum)s marks on %(valid)s valid ballots.", name=candidate.person.full_name,
                                                        sum=sum(row.values()), valid=valid)]
        clean[candidate.id] = row
    if errors:
        raise ValidationFailed(errors)
    if count is None:
        count = PaperCount(round_id=round_.id, entered_by_id=actor.id)
        db.session.add(count)
    count.issued, count.collected, count.invalid, count.entered_by_id = issued, collected, invalid, actor.id
    count.tallies = [PaperTally(candidate_id=candidate_id, counts=row) for candidate_id, row in clean.items()]
    audit.record("vote.paper.enter", round_, actor=actor, summary=round_.title, data=figures)
    return count


def confirm_paper_count(round_: VoteRound, *, actor: Any, version: int | None) -> PaperCount:
    """A second member of the board confirms the figures another entered, as they saw them
    (`version`: a count changed meanwhile is refused)."""
    _on_board(round_, actor)
    count = queries.paper_count_of(round_)
    if count is None:
        raise TransitionRefused(gettext("The counting board has not entered the paper ballots yet."))
    check_version(count, version)
    if count.confirmed_by_id is not None:
        raise TransitionRefused(gettext("The count is already confirmed."))
    if count.entered_by_id == actor.id:
        raise TransitionRefused(gettext("Another member of the counting board must confirm the figures you entered."))
    count.confirmed_by_id = actor.id
    audit.record("vote.paper.confirm", round_, actor=actor, summary=round_.title)
    return count


# --- results and what they call for ----------------------------------------------------------

def publish(round_: VoteRound, *, actor: Any) -> list[VoteResult]:
    """Fix each person's result and open a follow-up for each result that calls for an action."""
    old, new = ROUND.fire(round_, "publish", actor=actor)
    totals, counts = queries.tallies(round_)
    results = []
    for computed in compute(round_.rules, totals, counts):
        candidate = next(c for c in round_.eligible if c.id == computed.candidate_id)
        outcome = computed.level or (computed.outcome["code"] if computed.outcome else "")
        # The share as counted ("26/39", not reduced), of the level the outcomes read.
        read = round_.rules["outcomes"][0]["level"] if round_.rules["outcomes"] else None
        share = f"{computed.counts.get(read, 0)}/{computed.denominator}" if read and computed.denominator else ""
        result = VoteResult(round_id=round_.id, candidate_id=candidate.id, person_id=candidate.person_id, counts=computed.counts,
                            denominator=computed.denominator, low_share=share, outcome=outcome)
        db.session.add(result)
        results.append(result)
        if computed.outcome and computed.outcome["follow_up"]:
            days = computed.outcome["deadline_days"]
            db.session.add(FollowUp(result=result, outcome=outcome, due_on=round_.held_on + timedelta(days=days) if days else None))
    round_.closed_at = utcnow()
    audit.record("vote.round.publish", round_, actor=actor, summary=round_.title,
                 data={"from": old.value, "to": new.value, "cast": totals.cast, "valid": totals.valid, "summoned": totals.summoned})
    return results


def record_follow_up(follow_up: FollowUp, *, actor: Any, decision: str, decided_on: date | None, reason: str = "",
                     version: int | None = None) -> None:
    """The competent body's decision on a result (số quyết định, ngày, lý do); reminders stop."""
    policy.require(actor, "vote.follow_up.record", follow_up)
    if version is not None:
        check_version(follow_up, version)
    if follow_up.state != FollowUpState.OPEN:
        raise TransitionRefused(gettext("The decision on this result was already recorded."))
    errors: dict[str, list[str]] = {}
    if not (decision or "").strip():
        errors["decision"] = [gettext("Please fill this in.")]
    if decided_on is None:
        errors["decided_on"] = [gettext("Please fill this in.")]
    if errors:
        raise ValidationFailed(errors)
    follow_up.state, follow_up.decision, follow_up.decided_on = FollowUpState.RECORDED, decision.strip(), decided_on
    follow_up.reason, follow_up.recorded_by_id = (reason or "").strip(), actor.id
    audit.record("vote.follow_up.record", follow_up, actor=actor, summary=follow_up.result.candidate.person.full_name, reason=reason,
                 data={"outcome": follow_up.outcome, "decision": follow_up.decision})


def candidate_of(round_: VoteRound, candidate_id: int) -> Candidate:
    found = db.session.scalar(select(Candidate).where(Candidate.round_id == round_.id, Candidate.id == candidate_id))
    if found is None:
        raise PermissionDenied(gettext("You are not allowed to do this."))
    return found
