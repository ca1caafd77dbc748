"""Pages of vote rounds: the organisers' round page (lists, attendance, steps, the paper count,
results, follow-ups, the printed papers) and the voters' ballot page.

The ballot page (`/vote/<round id>`) needs no account: the one-time code is the credential. It
keeps nothing of the voter — no session value, no flash message, no redirect carrying the
receipt, no audit entry — and answers a refusal on the page itself, so that what was marked goes
nowhere but back to the voter's own screen.
"""

from __future__ import annotations

from datetime import date
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from workflow import policy
from workflow.accounts.models import Person
from workflow.core.auth import public
from workflow.core.errors import DomainError, NotFound, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.core.logs import unattributed
from workflow.core.web import form_version, get_or_404
from workflow.extensions import db
from workflow.units.models import Unit
from workflow.votes import operations, pdf, queries
from workflow.votes.models import FollowUp, FollowUpState, Method, RoundState, VoteRound
from workflow.votes.results import percent, quorum_needed, share_of
from workflow.votes.rules import load_vote_rules
from workflow.votes.workflow import ROUND, STATE_TONES

bp = Blueprint("votes", __name__, url_prefix="/votes")
ballot_bp = Blueprint("ballot", __name__, url_prefix="/vote")


def _round(round_id: int, action: str = "vote.round.view") -> VoteRound:
    round_ = get_or_404(VoteRound, round_id)
    policy.require(current_user, action, round_)
    return round_


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/")
def index():
    policy.require(current_user, "vote.round.view")
    rounds = db.session.scalars(select(VoteRound).order_by(VoteRound.held_on.desc(), VoteRound.id.desc())).all()
    visible = [r for r in rounds if policy.can(current_user, "vote.round.view", r)]
    return render_template("votes/index.html", rounds=visible, tones=STATE_TONES, label=ROUND.label)


@bp.route("/new", methods=["GET", "POST"])
def new_round():
    """Set up a conference: its title, organising body, term, date, way of voting and rules."""
    policy.require(current_user, "vote.round.manage")
    profiles = load_vote_rules()["profiles"]
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    if request.method == "POST":
        organiser = db.session.get(Unit, whole_number(request.form.get("organiser_id", "")) or 0)
        errors: dict[str, list[str]] = {}
        if organiser is None:
            errors["organiser_id"] = [gettext("Please choose one.")]
        if request.form.get("profile") not in profiles:
            errors["profile"] = [gettext("Please choose one.")]
        if request.form.get("method") not in {m.value for m in Method}:
            errors["method"] = [gettext("Please choose one.")]
        held_on = _date(request.form.get("held_on", ""), "held_on", errors)
        if errors:
            raise ValidationFailed(errors)
        round_ = operations.create_round(actor=current_user, title=request.form.get("title", ""), organiser=organiser, term=request.form.get("term", ""),
                                         held_on=held_on, method=request.form["method"], profile=request.form["profile"])
        db.session.flush()
        return redirect(url_for("votes.round_page", round_id=round_.id))
    return render_template("votes/new.html", profiles=profiles, units=units, Method=Method)


def _date(raw: str, field: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = [gettext("Please give a date.")]
        return None


def _people(raw: str, field: str) -> list[Person]:
    """The accounts named by user name, one per line or separated by commas (refused per name)."""
    names = [n.strip().lower() for n in raw.replace(",", "\n").splitlines() if n.strip()]
    found = {p.username.lower(): p for p in db.session.scalars(select(Person).where(func.lower(Person.username).in_(names)))}
    unknown = [n for n in names if n not in found]
    if unknown or not names:
        raise ValidationFailed({field: [gettext("No account with the user name %(names)s.", names=", ".join(unknown)) if unknown
                                        else gettext("Please fill this in.")]})
    return [found[n] for n in dict.fromkeys(names)]


@bp.post("/<int:round_id>/candidates")
def add_candidate(round_id: int):
    round_ = _round(round_id, "vote.round.manage")
    errors: dict[str, list[str]] = {}
    raw = request.form.get("appointed_on", "")
    appointed_on = _date(raw, "appointed_on", errors) if raw else None
    if errors:
        raise ValidationFailed(errors)
    person = _people(request.form.get("username", ""), "username")[0]
    operations.add_candidate(round_, person, actor=current_user, post=request.form.get("post", ""), appointed_on=appointed_on,
                             retirement_announced=request.form.get("retirement_announced") == "1")
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/voters")
def summon(round_id: int):
    round_ = _round(round_id, "vote.round.manage")
    added = operations.summon(round_, _people(request.form.get("usernames", ""), "usernames"), actor=current_user)
    flash(gettext("%(count)s people summoned.", count=added), "success")
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/board")
def board(round_id: int):
    round_ = _round(round_id, "vote.round.manage")
    operations.appoint_board(round_, _people(request.form.get("usernames", ""), "usernames"), actor=current_user)
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.get("/<int:round_id>")
def round_page(round_id: int):
    round_ = _round(round_id)
    summoned, attended = queries.summoned_count(round_), queries.attended_count(round_)
    results = queries.results_of(round_) if round_.state == RoundState.CLOSED and policy.can(current_user, "vote.results.view", round_) else []
    follow_ups = {fu.result_id: fu for fu in db.session.scalars(select(FollowUp).where(FollowUp.result_id.in_([r.id for r in results])))}
    levels = round_.rules["form"]["levels"]
    outcomes = {o["code"]: o["words"] for o in round_.rules["outcomes"]}
    return render_template(
        "votes/round.html", round=round_, summoned=summoned, attended=attended, needed=quorum_needed(round_.rules, summoned) if summoned else 0,
        steps=ROUND.available(round_, current_user), label=ROUND.label, tones=STATE_TONES, paper=queries.paper_count_of(round_),
        cast=queries.ballots_cast(round_) if round_.method == Method.ELECTRONIC else None, results=results, follow_ups=follow_ups,
        levels=levels, outcomes=outcomes, percent=percent, share=lambda r, code: share_of(r.counts, r.denominator, code), FollowUpState=FollowUpState,
        Method=Method, RoundState=RoundState,
    )


@bp.post("/<int:round_id>/attendance")
def attendance(round_id: int):
    round_ = _round(round_id, "vote.attendance.record")
    present = [n for n in (whole_number(v) for v in request.form.getlist("present")) if n is not None]
    operations.record_attendance(round_, present, actor=current_user)
    flash(gettext("Attendance recorded."), "success")
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/step")
def step(round_id: int):
    round_ = _round(round_id)
    operations.take_step(round_, request.form.get("step", ""), actor=current_user, version=form_version())
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.get("/<int:round_id>/ballots.pdf")
def ballots(round_id: int):
    """This round's blank paper ballots only: one sheet per person summoned, its people and levels."""
    round_ = _round(round_id, "vote.round.manage")
    if round_.method != Method.PAPER:
        raise NotFound(gettext("This round is voted electronically in the hall: it has no paper ballots to print."))
    return _pdf(pdf.ballots(round_, len(round_.voters)), f"phieu-{round_.id}.pdf")


@bp.post("/<int:round_id>/codes")
def codes(round_id: int):
    """Issue the codes still needed and hand them over as slips to print: they are shown once."""
    round_ = _round(round_id, "vote.attendance.record")
    issued = operations.issue_codes(round_, actor=current_user)
    return _pdf(pdf.code_slips(round_, issued, url_for("ballot.cast", round_id=round_.id, _external=True)), f"ma-bo-phieu-{round_.id}.pdf")


@bp.post("/<int:round_id>/paper")
def paper(round_id: int):
    round_ = _round(round_id, "vote.count")
    figures = {name: whole_number(request.form.get(name, "")) for name in ("issued", "collected", "invalid")}
    missing = {name: [gettext("Must be a whole number, 0 or more.")] for name, value in figures.items() if value is None}
    if missing:
        raise ValidationFailed(missing)
    tallies = {c.id: {level: whole_number(request.form.get(f"tally-{c.id}-{level}", "0") or "0") for level in round_.level_codes}
               for c in round_.eligible}
    count = queries.paper_count_of(round_)
    operations.enter_paper_count(round_, actor=current_user, tallies=tallies, version=form_version() if count else None, **figures)  # type: ignore[arg-type]
    flash(gettext("The count was saved; another member of the counting board must confirm it."), "success")
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/paper/confirm")
def confirm(round_id: int):
    round_ = _round(round_id, "vote.count")
    operations.confirm_paper_count(round_, actor=current_user, version=form_version())
    flash(gettext("The count is confirmed."), "success")
    return redirect(url_for("votes.round_page", round_id=round_.id))


@bp.get("/<int:round_id>/minutes.pdf")
def minutes(round_id: int):
    round_ = _round(round_id, "vote.results.view")
    if round_.state != RoundState.CLOSED:
        raise NotFound(gettext("The minutes are printed once the results are published."))
    totals, _ = queries.tallies(round_)
    return _pdf(pdf.minutes(round_, totals, queries.results_of(round_), round_.board), f"bien-ban-kiem-phieu-{round_.id}.pdf")


@bp.get("/<int:round_id>/dossier/<int:candidate_id>")
def dossier(round_id: int, candidate_id: int):
    round_ = get_or_404(VoteRound, round_id)
    candidate = operations.candidate_of(round_, candidate_id)
    policy.require(current_user, "vote.dossier.view", candidate)
    from workflow.council.presenters import level_names
    from workflow.scoring.rubric import rubric_from_rules

    names = level_names(rubric_from_rules({}))  # the national levels' codes, named as the rubric in force names them
    return render_template("votes/dossier.html", round=round_, dossier=queries.dossier(candidate), level_name=lambda code: names.get(code, code))


@bp.post("/follow-ups/<int:follow_up_id>")
def follow_up(follow_up_id: int):
    follow_up = get_or_404(FollowUp, follow_up_id)
    raw, errors = request.form.get("decided_on", ""), {}
    decided_on = _date(raw, "decided_on", errors) if raw else None
    if errors:
        raise ValidationFailed(errors)
    operations.record_follow_up(follow_up, actor=current_user, decision=request.form.get("decision", ""), decided_on=decided_on,
                                reason=request.form.get("reason", ""), version=form_version())
    flash(gettext("The decision was recorded."), "success")
    return redirect(url_for("votes.round_page", round_id=follow_up.result.round_id))


# --- the voters' ballot page -----------------------------------------------------------------

def _open_round(round_id: int) -> VoteRound:
    round_ = db.session.get(VoteRound, round_id)
    if round_ is None or round_.method != Method.ELECTRONIC:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return round_


@ballot_bp.route("/<int:round_id>", methods=["GET", "POST"])
@public
@unattributed
def cast(round_id: int):
    round_ = _open_round(round_id)
    error, errors, receipt = "", {}, None
    marks = {str(c.id): request.form.get(f"mark-{c.id}", "") for c in round_.eligible}
    if request.method == "POST":
        try:
            receipt = operations.cast_ballot(round_, request.form.get("code", ""), marks)
        except DomainError as exc:
            db.session.rollback()
            error, errors = exc.message, getattr(exc, "errors", {})
    status = 200 if not error else 422
    return render_template("votes/ballot.html", round=round_, receipt=receipt, error=error, errors=errors,
                           marks=marks if error else {}, levels=round_.rules["form"]["levels"], open=round_.state == RoundState.VOTING), status


@ballot_bp.route("/<int:round_id>/receipt", methods=["GET", "POST"])
@public
@unattributed
def verify(round_id: int):
    round_ = _open_round(round_id)
    found = None
    if request.method == "POST":
        found = queries.receipt_counted(round_, request.form.get("receipt", ""))
    return render_template("votes/receipt.html", round=round_, found=found)
