"""Pages of rounds of opinions: the rounds, a round's subjects with who is asked and the response
rate (the secretary's page), opening a round, and the respondent's own list and answer form.

The answer page keeps nothing of the answer but the counts: no draft, no audit entry, no flash
naming the subject, and the access log names neither the person nor the address of its requests
(`unattributed`)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workflow import policy
from workflow.accounts.models import Person
from workflow.core.errors import DomainError, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.core.logs import unattributed
from workflow.core.web import form_version, get_or_404
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Subject, Track
from workflow.opinions import operations, queries
from workflow.opinions.models import OpinionRound, OpinionSubject, Relation, Respondent, RoundState
from workflow.units.models import Unit

bp = Blueprint("opinions", __name__, url_prefix="/opinions")


def relation_labels() -> dict[str, str]:
    return {Relation.SUPERIOR.value: gettext("Direct superior"), Relation.SUBORDINATE.value: gettext("Direct subordinates"),
            Relation.PEER.value: gettext("Peers")}


def state_labels() -> dict[str, str]:
    return {RoundState.OPEN.value: gettext("Collecting opinions"), RoundState.CLOSED.value: gettext("Closed")}


def _round(round_id: int, action: str = "opinions.round.view") -> OpinionRound:
    round_ = get_or_404(OpinionRound, round_id)
    policy.require(current_user, action, round_)
    return round_


@bp.get("/")
def index():
    policy.require(current_user, "opinions.round.view")
    rounds = db.session.scalars(select(OpinionRound).order_by(OpinionRound.opens_on.desc(), OpinionRound.id.desc())).all()
    return render_template("opinions/index.html", rounds=rounds, states=state_labels())


def _day(raw: str, field: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = [gettext("Please give a date.")]
        return None


@bp.route("/new", methods=["GET", "POST"])
def new_round():
    """Open a round for a track in a cycle: its title, first day, secretary."""
    policy.require(current_user, "opinions.round.manage")
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    tracks = db.session.scalars(select(Track).order_by(Track.position, Track.code)).all()
    if request.method == "POST":
        errors: dict[str, list[str]] = {}
        cycle = db.session.get(Cycle, whole_number(request.form.get("cycle_id", "")) or 0)
        track = db.session.get(Track, whole_number(request.form.get("track_id", "")) or 0)
        if cycle is None:
            errors["cycle_id"] = [gettext("Please choose one.")]
        if track is None:
            errors["track_id"] = [gettext("Please choose one.")]
        opens_on = _day(request.form.get("opens_on", ""), "opens_on", errors)
        secretary = None
        username = request.form.get("secretary", "").strip().lower()
        if username:
            secretary = db.session.scalar(select(Person).where(func.lower(Person.username) == username))
            if secretary is None:
                errors["secretary"] = [gettext("No account with the user name %(names)s.", names=username)]
        if errors:
            raise ValidationFailed(errors)
        round_ = operations.open_round(actor=current_user, cycle=cycle, track=track, title=request.form.get("title", ""), opens_on=opens_on,
                                       secretary=secretary)
        db.session.flush()
        return redirect(url_for("opinions.round_page", round_id=round_.id))
    return render_template("opinions/new.html", cycles=cycles, tracks=tracks)


@bp.get("/<int:round_id>")
def round_page(round_id: int):
    round_ = _round(round_id)
    items = queries.subjects_of(round_)
    rate = queries.rates([round_.id])
    visible = [i for i in items if policy.can(current_user, "opinions.results.view", i)]
    results = queries.results(round_, [i.id for i in visible]) if round_.state == RoundState.CLOSED and visible else {}
    taken = {i.subject_id for i in items}
    managing = round_.state == RoundState.OPEN and policy.can(current_user, "opinions.round.manage", round_)
    candidates = []
    if managing:
        candidates = [s for s in db.session.scalars(select(Subject).where(Subject.track_id == round_.track_id, Subject.active.is_(True))
                                                    .options(selectinload(Subject.person), selectinload(Subject.unit)).order_by(Subject.id))
                      if s.id not in taken]
    respondents = {}
    for r in db.session.scalars(select(Respondent).where(Respondent.round_id == round_.id)
                                .options(selectinload(Respondent.person), selectinload(Respondent.on_behalf_of)).order_by(Respondent.id)):
        respondents.setdefault(r.opinion_subject_id, []).append(r)
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all() if managing else []
    answered, asked = queries.round_rate(round_)
    return render_template("opinions/round.html", round=round_, items=items, rate=rate, results=results, candidates=candidates,
                           respondents=respondents, units=units, answered=answered, asked=asked, relations=relation_labels(),
                           states=state_labels(), locale=_locale())


def _locale() -> str:
    locale = get_locale()
    return locale.language if locale else "vi"


@bp.post("/<int:round_id>/subjects")
def add_subjects(round_id: int):
    round_ = _round(round_id, "opinions.round.manage")
    ids = [whole_number(v) for v in request.form.getlist("subject_id")]
    subjects = db.session.scalars(select(Subject).where(Subject.id.in_([i for i in ids if i]))).all()
    if not subjects:
        raise ValidationFailed({"subject_id": [gettext("Please choose one.")]})
    for subject in subjects:
        item = operations.add_subject(round_, subject, actor=current_user)
        if request.form.get("direct") == "1":
            operations.invite_direct(item, actor=current_user)
    return redirect(url_for("opinions.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/subjects/<int:item_id>/direct")
def invite_direct(round_id: int, item_id: int):
    round_ = _round(round_id, "opinions.round.manage")
    added = operations.invite_direct(operations.subject_of(round_, item_id), actor=current_user)
    flash(gettext("%(count)s people asked.", count=added), "success")
    return redirect(url_for("opinions.round_page", round_id=round_.id) + f"#subject-{item_id}")


@bp.post("/<int:round_id>/subjects/<int:item_id>/respondents")
def invite(round_id: int, item_id: int):
    round_ = _round(round_id, "opinions.round.manage")
    item = operations.subject_of(round_, item_id)
    username = request.form.get("username", "").strip().lower()
    person = db.session.scalar(select(Person).where(func.lower(Person.username) == username)) if username else None
    if person is None:
        raise ValidationFailed({"username": [gettext("No account with the user name %(names)s.", names=username) if username
                                             else gettext("Please fill this in.")]})
    if request.form.get("relation") not in {r.value for r in round_.relations}:
        raise ValidationFailed({"relation": [gettext("Please choose one.")]})
    agency = db.session.get(Unit, whole_number(request.form.get("on_behalf_of_id", "")) or 0)
    operations.invite(item, person, request.form["relation"], actor=current_user, criteria=request.form.getlist("criteria"), on_behalf_of=agency)
    return redirect(url_for("opinions.round_page", round_id=round_.id) + f"#subject-{item_id}")


@bp.post("/<int:round_id>/close")
def close(round_id: int):
    round_ = _round(round_id, "opinions.round.close")
    operations.close_round(round_, actor=current_user, version=form_version())
    flash(gettext("The round is closed; its results are shown to those who assess."), "success")
    return redirect(url_for("opinions.round_page", round_id=round_.id))


@bp.get("/mine")
def mine():
    """What the signed-in person is asked and has not answered yet."""
    return render_template("opinions/mine.html", pending=queries.pending_for(current_user.id), relations=relation_labels())


@bp.route("/answer/<int:respondent_id>", methods=["GET", "POST"])
@unattributed
def answer(respondent_id: int):
    respondent = get_or_404(Respondent, respondent_id)
    policy.require(current_user, "opinions.answer", respondent)
    round_ = respondent.round
    item: OpinionSubject = respondent.opinion_subject
    errors: dict[str, list[str]] = {}
    values = {}
    if request.method == "POST":
        values = {code: request.form.get(f"score-{code}", "") for code in respondent.asked_on(round_)}
        try:
            operations.answer(respondent, actor=current_user, scores=values, comment=request.form.get("comment", ""))
        except DomainError as exc:
            db.session.rollback()
            errors = getattr(exc, "errors", None) or {"": [exc.message]}
        else:
            flash(gettext("Thank you: your opinion was counted."), "success")
            return redirect(url_for("opinions.mine"))
    criteria = [c for c in round_.criteria if c["code"] in respondent.asked_on(round_)]
    status = 422 if errors else 200
    return render_template("opinions/answer.html", respondent=respondent, round=round_, item=item, criteria=criteria, scale=round_.rules["scale"],
                           values=values, errors=errors, relations=relation_labels(), locale=_locale(),
                           open=round_.state == RoundState.OPEN and not respondent.answered), status
