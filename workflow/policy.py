"""Who may do what: every permission rule of the application, in one table.

`can(actor, action, obj)` is asked by views, templates (to show or hide buttons), the API and
workflow steps alike; `require` raises PermissionDenied. A rule is a small function of the actor
and the object. Asking about an action without a rule is a programming error, not a refusal.
Rules answer *who*; whether the object's state allows the step is the workflow's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

from workflow.accounts.models import Person, Role
from workflow.core.errors import PermissionDenied

Rule = Callable[[Person, Any], bool]
_RULES: dict[str, Rule] = {}
# For some actions, why a person is refused when it is not simply their role (see `require`).
_WHY: dict[str, Callable[[Person, Any], str | None]] = {}


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES:
                raise ValueError(f"policy rule for {action!r} declared twice")
            _RULES[action] = fn
        return fn

    return register


class _System:
    """The operator at the server's command line (`kpi user create`, `kpi demo`, the benches),
    who may do anything: the operations' actor when no person acts. Audited with no person."""

    id = None
    is_authenticated = True
    is_active = True
    full_name = "system"

    def __repr__(self) -> str:
        return "<system>"


SYSTEM = _System()


def can(actor: Any, action: str, obj: Any = None) -> bool:
    try:
        check = _RULES[action]
    except KeyError:
        raise LookupError(f"no policy rule for action {action!r}") from None
    if actor is SYSTEM:
        return True
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return bool(check(actor, obj))


def require(actor: Any, action: str, obj: Any = None) -> None:
    if not can(actor, action, obj):
        why = _WHY[action](actor, obj) if action in _WHY and actor is not None and getattr(actor, "is_authenticated", False) else None
        raise PermissionDenied(why or gettext("You are not allowed to do this."))


def actions() -> list[str]:
    return sorted(_RULES)


# --- everyone signed in --------------------------------------------------------------------

@rule("dashboard.view", "unit.view", "track.view")
def _signed_in(actor: Person, obj: Any) -> bool:
    return True


@rule("account.tokens.manage", "account.profile.edit")
def _own_account(actor: Person, person: Any) -> bool:
    """`person`: whose tokens or profile (None: one's own, as the navigation asks)."""
    return person is None or person.id == actor.id


@rule("account.password.set", "account.sessions.end")
def _own_or_administered(actor: Person, person: Any) -> bool:
    """A person sets their own password and ends their own sessions; an administrator resets
    anyone's."""
    return actor.has_role(Role.ADMIN) or (person is not None and person.id == actor.id)


# --- administration --------------------------------------------------------------------------

# Quản trị: units and their groups, people and their roles, cycles and their phases, the audit
# log, and importing the organisation from the personnel records (directory.import). Refusals that depend on the object rather than the person (an administrator removing
# their own admin role, a unit that would become its own ancestor) are the operations' to
# explain.
@rule("admin.view", "admin.audit.view", "admin.accounts.manage", "admin.units.manage", "admin.cycles.manage", "directory.import")
def _admin(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.ADMIN)


# --- target registrations (workflow.targets) -------------------------------------------------
# A head works on their own unit's registration; staff review every registration (each
# follows some units more closely); the committee decides; council members read assigned
# registrations; administrators may read everything but decide nothing.

from workflow.targets.models import RegistrationState  # noqa: E402

_UNDER_REVIEW = (RegistrationState.SUBMITTED, RegistrationState.REVIEWED)
_HEAD_EDITS = (RegistrationState.DRAFT, RegistrationState.RETURNED)


def _leads(actor: Person, registration: Any) -> bool:
    """The plan is the actor's: they lead its unit, or they wrote it (a person evaluated in another
    track than the heads', such as a commune's key leader, writes their own)."""
    if registration is None:
        return False
    if registration.unit_id in actor.head_unit_ids:
        return True
    # Not a former head, though: a head's plan passes to whoever leads the unit now.
    return registration.head_id == actor.id and registration.track_id != _heads_track_id()


def _heads_track_id() -> int | None:
    from flask import g

    from workflow.framework.queries import heads_track_id

    if "heads_track_id" not in g:
        g.heads_track_id = heads_track_id()
    return g.heads_track_id


@rule("registration.list")
def _list_registrations(actor: Person, obj: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.COUNCIL, Role.ADMIN})


@rule("registration.view")
def _view_registration(actor: Person, registration: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN} or _leads(actor, registration):
        return True
    return actor.has_role(Role.COUNCIL) and registration is not None and registration.state == RegistrationState.ASSIGNED


@rule("registration.create")
def _create_registration(actor: Person, unit: Any) -> bool:
    return bool(actor.head_unit_ids) if unit is None else unit.id in actor.head_unit_ids


@rule("registration.edit")
def _edit_registration(actor: Person, registration: Any) -> bool:
    if registration is None:
        return False
    if registration.state in _HEAD_EDITS:
        return _leads(actor, registration)
    return registration.state in _UNDER_REVIEW and actor.has_role(Role.COMMITTEE)


@rule("registration.submit")
def _submit_registration(actor: Person, registration: Any) -> bool:
    return _leads(actor, registration)


@rule("registration.review")
def _review(actor: Person, registration: Any) -> bool:
    return actor.has_role(Role.STAFF)


@rule("proposal.create")
def _propose(actor: Person, registration: Any) -> bool:
    return actor.has_role(Role.STAFF) and registration is not None and registration.state in _UNDER_REVIEW


@rule("registration.return")
def _return_registration(actor: Person, registration: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE})


@rule("registration.assign")
def _assign_registration(actor: Person, registration: Any) -> bool:
    return actor.has_role(Role.COMMITTEE)


@rule("target.supplement")
def _supplement(actor: Person, registration: Any) -> bool:
    return actor.has_role(Role.COMMITTEE) and registration is not None and registration.state in _UNDER_REVIEW


@rule("proposal.decide")
def _decide_proposal(actor: Person, proposal: Any) -> bool:
    if not actor.has_role(Role.COMMITTEE) or proposal is None:
        return False
    return proposal.registration.state in _UNDER_REVIEW


@rule("proposal.withdraw")
def _withdraw_proposal(actor: Person, proposal: Any) -> bool:
    return proposal is not None and proposal.author_id == actor.id and actor.has_role(Role.STAFF)


@rule("comment.create")
def _comment(actor: Person, registration: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE}) or _leads(actor, registration)


@rule("amendment.request")
def _request_amendment(actor: Person, registration: Any) -> bool:
    if registration is None or registration.state != RegistrationState.ASSIGNED:
        return False
    return actor.has_role(Role.COMMITTEE) or _leads(actor, registration)


@rule("amendment.decide")
def _decide_amendment(actor: Person, amendment: Any) -> bool:
    return actor.has_role(Role.COMMITTEE) and amendment is not None


# --- outbox and scheduler --------------------------------------------------------------------

@rule("notifications.view", "notifications.retry", "notifications.cancel", "notifications.test")
def _outbox_admin(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.ADMIN)


# --- quarterly reports (workflow.reports) ----------------------------------------------------
# A head writes and submits their own unit's reports; the staff agency accepts or returns them;
# staff or the committee reopen an accepted one. Staff and the committee answer requests for
# support with directions. Council members read reports that were submitted at least once;
# administrators read everything but decide nothing.

from workflow.reports.models import ReportState  # noqa: E402

_REPORT_EDITS = (ReportState.DRAFT, ReportState.RETURNED)


def _leads_report(actor: Person, report: Any) -> bool:
    return report is not None and _leads(actor, report.registration)


@rule("report.view", "evidence.download")
def _view_report(actor: Person, report: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN} or _leads_report(actor, report):
        return True
    return actor.has_role(Role.COUNCIL) and report is not None and report.first_submitted_at is not None


@rule("report.open")
def _open_report(actor: Person, registration: Any) -> bool:
    return _leads(actor, registration)


@rule("report.edit")
def _edit_report(actor: Person, report: Any) -> bool:
    return _leads_report(actor, report) and report.state in _REPORT_EDITS


@rule("report.submit")
def _submit_report(actor: Person, report: Any) -> bool:
    return _leads_report(actor, report)


@rule("report.accept", "report.return")
def _review_report(actor: Person, report: Any) -> bool:
    return actor.has_role(Role.STAFF)


@rule("report.reopen")
def _reopen_report(actor: Person, report: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE})


@rule("report.monitor")
def _monitor(actor: Person, obj: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN})


@rule("report.export")
def _export(actor: Person, obj: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE})


@rule("support.create")
def _raise_request(actor: Person, report: Any) -> bool:
    return _leads_report(actor, report) and report.state != ReportState.ACCEPTED


@rule("support.answer")
def _answer_request(actor: Person, request: Any) -> bool:
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE})


@rule("support.close")
def _close_request(actor: Person, request: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.COMMITTEE}:
        return True
    return request is not None and _leads_report(actor, request.report)


# --- the advisory council and the committee's classification (workflow.council) -------------
# Seats are per cycle: a person with the council role scores only in the cycles whose council
# they sit on, and never a head they are recused from (themself, the head of their own unit, a
# declared conflict). The secretary follows progress, reminds, reopens scorecards, records the
# session and discipline; the chair finalises the proposal list and reads the raters' figures;
# the committee decides, publishes and answers objections. A head sees their own result once
# published. Administrators appoint the council and may read everything but decide nothing.

def _council():
    from workflow.council import queries

    return queries


def _cycle_id(obj: Any) -> int | None:
    """The cycle of a council object: a cycle, a seat, a scorecard, a session, a proposal, a
    registration, a decision or an objection."""
    if obj is None:
        return None
    if getattr(obj, "__tablename__", None) == "cycle":
        return obj.id
    return getattr(obj, "cycle_id", None)


def _seat(actor: Person, obj: Any, *positions: Any) -> bool:
    member = _council().member_of(actor, _cycle_id(obj))
    return member is not None and (not positions or member.position in positions)


def _chair(actor: Person, obj: Any) -> bool:
    from workflow.council.models import Position

    return _seat(actor, obj, Position.CHAIR)


def _secretary(actor: Person, obj: Any) -> bool:
    from workflow.council.models import Position

    return _seat(actor, obj, Position.SECRETARY)


@rule("council.view")
def _view_council(actor: Person, cycle: Any) -> bool:
    """`cycle` None: whether the person may see some council (the navigation entry)."""
    if actor.role_set & {Role.COMMITTEE, Role.ADMIN, Role.STAFF}:
        return True
    return actor.has_role(Role.COUNCIL) if cycle is None else _seat(actor, cycle)


@rule("council.members.manage")
def _manage_council(actor: Person, cycle: Any) -> bool:
    return actor.has_role(Role.ADMIN)


@rule("council.settings.edit")
def _edit_settings(actor: Person, cycle: Any) -> bool:
    return actor.has_role(Role.ADMIN) or _secretary(actor, cycle)


@rule("council.member.declare_conflict")
def _declare_conflict(actor: Person, member: Any) -> bool:
    return member is not None and member.person_id == actor.id


@rule("council.member.score")
def _score(actor: Person, card: Any) -> bool:
    """`card`: a Scorecard, or a (member, registration) pair before the card exists."""
    if card is None:
        return False
    member, registration = (card.member, card.registration) if hasattr(card, "member") else card
    if member is None or member.person_id != actor.id or member.cycle_id != registration.cycle_id:
        return False
    return _council().recusal(member, registration) is None


@rule("council.member.scorecards")
def _my_scorecards(actor: Person, cycle: Any) -> bool:
    return _seat(actor, cycle)


@rule("council.secretary.progress")
def _progress(actor: Person, cycle: Any) -> bool:
    from workflow.council.models import Position

    return actor.has_role(Role.ADMIN) or _seat(actor, cycle, Position.SECRETARY, Position.CHAIR)


@rule("council.secretary.remind", "council.secretary.reopen", "council.secretary.session", "council.secretary.discipline")
def _secretary_acts(actor: Person, obj: Any) -> bool:
    return _secretary(actor, obj)


@rule("council.chair.finalise", "council.chair.reopen")
def _chair_acts(actor: Person, session: Any) -> bool:
    return _chair(actor, session)


# Who sees which scores. A head's scores and everything computed from them (the panel score,
# its spread, the proposed level and its flags, each member's deviation on the head) follow
# `council.scores.view`; its SQL counterpart, `queries.scores_seen_by`, filters lists. Figures
# computed across heads (the counts by level, the raters' figures, the what-if, the workbook)
# need every head's: `council.scores.view_all`. Pages, the API and the exports all ask these.

@rule("council.scores.view")
def _view_scores(actor: Person, registration: Any) -> bool:
    """The committee and administrators; a member of the cycle's council once their own card
    for the head is submitted or they are recused from the head, or for every head when the
    cycle does not hide scores or once the proposal list is final; the head once published."""
    return registration is not None and _council().sees_scores(actor, registration)


@rule("council.scores.view_all")
def _view_every_score(actor: Person, cycle: Any) -> bool:
    return cycle is not None and _council().sees_every_score(actor, cycle)


@rule("council.member_scores.view")
def _view_member_scores(actor: Person, registration: Any) -> bool:
    """Which member gave which score: the committee, administrators and the council's members
    who may see the head's scores; never the head."""
    if actor.role_set & {Role.COMMITTEE, Role.ADMIN}:
        return True
    return _seat(actor, registration) and can(actor, "council.scores.view", registration)


def _figures(*actions: str, positions: tuple[str, ...]) -> None:
    """Figures computed across heads: the committee, administrators and the council's officers
    in `positions`, once they may see every head's scores (and told so until then)."""

    def holds(actor: Person, cycle: Any) -> bool:
        return bool(actor.role_set & {Role.COMMITTEE, Role.ADMIN}) or _seat(actor, cycle, *positions)

    def check(actor: Person, cycle: Any) -> bool:
        return holds(actor, cycle) and can(actor, "council.scores.view_all", cycle)

    def why(actor: Person, cycle: Any) -> str | None:
        if not holds(actor, cycle):
            return None
        return gettext("These figures are computed from every head's scores: they are shown once you may see all of them "
                       "(your own scorecards submitted, or the proposal list final).")

    rule(*actions)(check)
    _WHY.update(dict.fromkeys(actions, why))


_figures("council.chair.raters", positions=("chair",))
_figures("council.what_if", "council.export", positions=("chair", "secretary"))


@rule("council.proposals.view")
def _view_proposals(actor: Person, cycle: Any) -> bool:
    # Council members see the rows of heads whose scores they may see (council.scores.view).
    return bool(actor.role_set & {Role.COMMITTEE, Role.ADMIN}) or _seat(actor, cycle)


@rule("council.decisions.view")
def _view_decisions(actor: Person, cycle: Any) -> bool:
    """The frozen proposal list with the decisions and the objections (rows of heads whose
    scores the person may see)."""
    return bool(actor.role_set & {Role.COMMITTEE, Role.ADMIN}) or _seat(actor, cycle, "chair", "secretary")


@rule("council.committee.decide", "council.committee.publish", "council.objection.decide", "council.committee.waive")
def _committee_decides(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.COMMITTEE)


@rule("council.result.view")
def _view_result(actor: Person, registration: Any) -> bool:
    """The full evaluation of a head: the committee, administrators and the council's chair and
    secretary at any time; the head once the decisions are published (checked by the view)."""
    from workflow.council.models import Position

    if actor.role_set & {Role.COMMITTEE, Role.ADMIN} or _seat(actor, registration, Position.CHAIR, Position.SECRETARY):
        return True
    return _leads(actor, registration)


@rule("council.self_assessment.edit", "council.objection.file")
def _head_acts(actor: Person, obj: Any) -> bool:
    """`obj`: the registration, or its self-assessment."""
    return _leads(actor, getattr(obj, "registration", obj))


# --- the monthly products of civil servants (workflow.monthly) ------------------------------
# A servant proposes their month's products and assesses themself; their direct manager (the
# person's manager, else the head of their unit) assigns or approves the products and assesses
# the month; the head of the agency approves the month or returns it. Nobody assesses
# themself. An agency's head and administrators keep its product catalogue (shared templates:
# administrators). Administrators may read every month but decide nothing.

from workflow.monthly.models import MonthState  # noqa: E402


def _servant_of(actor: Person, subject: Any) -> bool:
    return subject is not None and subject.person_id == actor.id


def _manager_of(actor: Person, subject: Any) -> bool:
    if subject is None or subject.person_id == actor.id or subject.person is None:
        return False
    manager_id = subject.person.manager_id
    return manager_id == actor.id if manager_id is not None else subject.unit_id in actor.head_unit_ids


def _agency_head_of(actor: Person, subject: Any) -> bool:
    return subject is not None and subject.person_id != actor.id and subject.unit_id in actor.head_unit_ids


@rule("monthly.catalogue.manage")
def _manage_catalogue(actor: Person, unit_id: Any) -> bool:
    """`unit_id`: the agency whose catalogue (None: the shared templates)."""
    return actor.has_role(Role.ADMIN) or (unit_id is not None and unit_id in actor.head_unit_ids)


@rule("monthly.manager.set")
def _set_manager(actor: Person, person: Any) -> bool:
    """`person`: whose direct manager; administrators, and the head of the person's unit."""
    return actor.has_role(Role.ADMIN) or (person is not None and person.unit_id in actor.head_unit_ids)


@rule("monthly.deliveries.import")
def _import_deliveries(actor: Person, unit_id: Any) -> bool:
    """`unit_id`: the agency whose servants' deliveries (None: any agency the actor may import for)."""
    if actor.has_role(Role.ADMIN):
        return True
    return bool(actor.head_unit_ids) if unit_id is None else unit_id in actor.head_unit_ids


@rule("monthly.unit.export")
def _export_agency(actor: Person, unit_id: Any) -> bool:
    """`unit_id`: the agency whose month or year is exported: its head, and administrators."""
    return actor.has_role(Role.ADMIN) or (unit_id is not None and unit_id in actor.head_unit_ids)


@rule("monthly.dashboard.view")
def _monthly_dashboard(actor: Person, obj: Any) -> bool:
    """The dashboard of the months and levels: the province's to staff, the committee and
    administrators; a head of agency, their agency's."""
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}) or bool(actor.head_unit_ids)


@rule("monthly.province.view")
def _monthly_province(actor: Person, obj: Any) -> bool:
    """Every agency's months and levels (the navigation's entry)."""
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN})


@rule("monthly.catalogue.view", "monthly.team.view")
def _catalogue_readers(actor: Person, obj: Any) -> bool:
    return True


@rule("monthly.open")
def _open_month(actor: Person, subject: Any) -> bool:
    """`subject`: whose month is opened, by the servant themself or their direct manager."""
    return _servant_of(actor, subject) or _manager_of(actor, subject)


@rule("monthly.year.view")
def _view_months(actor: Person, subject: Any) -> bool:
    """`subject`: whose months and year."""
    return actor.has_role(Role.ADMIN) or _servant_of(actor, subject) or _manager_of(actor, subject) or _agency_head_of(actor, subject)


@rule("monthly.plan.view")
def _view_month(actor: Person, plan: Any) -> bool:
    return plan is not None and _view_months(actor, plan.subject)


@rule("monthly.plan.edit")
def _edit_month(actor: Person, plan: Any) -> bool:
    if plan is None:
        return False
    if _manager_of(actor, plan.subject):
        return plan.state in (MonthState.DRAFT, MonthState.PROPOSED)
    return _servant_of(actor, plan.subject) and plan.state == MonthState.DRAFT


@rule("monthly.plan.propose", "monthly.self_assess")
def _servant_acts(actor: Person, plan: Any) -> bool:
    return plan is not None and _servant_of(actor, plan.subject)


@rule("monthly.plan.assign", "monthly.assess")
def _manager_acts(actor: Person, plan: Any) -> bool:
    return plan is not None and _manager_of(actor, plan.subject)


@rule("monthly.approve")
def _agency_head_acts(actor: Person, plan: Any) -> bool:
    return plan is not None and _agency_head_of(actor, plan.subject)


# The year (Nghị định 335/2025 Điều 12, 20): the direct manager scores the general criteria once;
# the head of agency records the cases of Điều 20 k4 and decides the level. The proposed level and
# the points are for those who assess and decide; the servant sees their year's points and level
# once the head of agency has decided it (as a head sees the council's only once published).

@rule("monthly.year.assess")
def _assess_year(actor: Person, subject: Any) -> bool:
    return _manager_of(actor, subject)


@rule("monthly.year.decide")
def _decide_year(actor: Person, subject: Any) -> bool:
    return _agency_head_of(actor, subject)


@rule("monthly.year.proposal.view")
def _view_year_proposal(actor: Person, subject: Any) -> bool:
    """`subject`: whose proposed level, total and the sentence that explains them."""
    return actor.has_role(Role.ADMIN) or _manager_of(actor, subject) or _agency_head_of(actor, subject)


@rule("monthly.year.result.view")
def _view_year_result(actor: Person, result: Any) -> bool:
    """`result`: a servant's year (`YearResult`); its level and points once decided."""
    if result is None:
        return False
    return _view_year_proposal(actor, result.subject) or (_servant_of(actor, result.subject) and result.level is not None)


@rule("monthly.year.agency")
def _agency_year(actor: Person, obj: Any) -> bool:
    """The list of an agency's years: its head (and administrators, to read)."""
    return actor.has_role(Role.ADMIN) or bool(actor.head_unit_ids)


@rule("monthly.year.object")
def _object_to_year(actor: Person, result: Any) -> bool:
    """`result`: the servant's own decided year; only they object to it (the window and one
    objection at a time are the operation's)."""
    return result is not None and result.level is not None and _servant_of(actor, result.subject)


@rule("monthly.year.objection.decide")
def _answer_year_objection(actor: Person, objection: Any) -> bool:
    """`objection`: answered by the head of the servant's agency, who decided the level."""
    return objection is not None and _agency_head_of(actor, objection.result.subject)


# --- citizens' ratings at the counter (workflow.ratings) --------------------------------------
# Administrators register counters and devices; the head of a unit says who is on duty at its
# counters and answers the unsatisfied ratings of its officials (never one about themself: that
# goes to the head of the parent unit by escalation). Staff, the committee and administrators
# read every unit's figures; a head reads their own unit's. Citizens rate without signing in.

@rule("ratings.counters.manage", "ratings.import")
def _ratings_admin(actor: Person, obj: Any) -> bool:
    return actor.has_role(Role.ADMIN)


@rule("ratings.counter.duty")
def _put_on_duty(actor: Person, counter: Any) -> bool:
    return actor.has_role(Role.ADMIN) or (counter is not None and counter.unit_id in actor.head_unit_ids)


@rule("ratings.counters.view")
def _view_counters(actor: Person, obj: Any) -> bool:
    """The counters page: administrators see every unit's, a head their units' (to say who is
    on duty)."""
    return actor.has_role(Role.ADMIN) or bool(actor.head_unit_ids)


@rule("ratings.province.view")
def _view_every_unit(actor: Person, obj: Any) -> bool:
    """Every unit's figures and their ranking (the navigation's entry); a head reaches their
    unit's from the cases and their messages."""
    return bool(actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN})


@rule("ratings.dashboard.view")
def _view_ratings(actor: Person, unit: Any) -> bool:
    """`unit`: the unit whose figures are read (None: the page itself, with the units the person
    may read)."""
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return True
    return bool(actor.head_unit_ids) if unit is None else unit.id in actor.head_unit_ids


@rule("ratings.case.view")
def _view_case(actor: Person, case: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.ADMIN}:
        return True
    return case is not None and (case.unit_id in actor.head_unit_ids or case.official_id == actor.id)


@rule("ratings.case.answer")
def _answer_case(actor: Person, case: Any) -> bool:
    return case is not None and case.unit_id in actor.head_unit_ids and case.official_id != actor.id
# --- confidence votes and secret-ballot classification (workflow.votes) ----------------------
# The staff agency (Ban Tổ chức) organises a round: the lists, the rules, the steps. The round's
# secretary and the staff record attendance and hand out codes. Members of the round's counting
# board (ban kiểm phiếu) enter and confirm the paper count (a second member confirms). The
# committee — the competent body — records the decision each result calls for. Those summoned
# read the dossiers of the people voted on before the day. Voters cast ballots with a one-time
# code, not as a signed-in person (no rule: `operations.cast_ballot`).

def _round_of(obj: Any) -> Any:
    """The round of a round, a candidate or a follow-up."""
    if obj is None:
        return None
    if getattr(obj, "__tablename__", None) == "vote_round":
        return obj
    if getattr(obj, "__tablename__", None) == "vote_follow_up":
        return obj.result.candidate.round
    return getattr(obj, "round", None)


def _in_round(actor: Person, round_: Any, *lists: str) -> bool:
    return round_ is not None and any(any(m.person_id == actor.id for m in getattr(round_, name)) for name in lists)


@rule("vote.round.manage")
def _manage_round(actor: Person, round_: Any) -> bool:
    return actor.has_role(Role.STAFF)


@rule("vote.round.view")
def _view_round(actor: Person, round_: Any) -> bool:
    """`round_` None: whether the person may see some round (the navigation entry)."""
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return True
    round_ = _round_of(round_)
    return round_ is not None and (round_.secretary_id == actor.id or _in_round(actor, round_, "board"))


@rule("vote.attendance.record")
def _record_attendance(actor: Person, round_: Any) -> bool:
    round_ = _round_of(round_)
    return actor.has_role(Role.STAFF) or (round_ is not None and round_.secretary_id == actor.id)


@rule("vote.count")
def _count(actor: Person, round_: Any) -> bool:
    return _in_round(actor, _round_of(round_), "board")


@rule("vote.results.view")
def _view_results(actor: Person, round_: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return True
    return _in_round(actor, _round_of(round_), "board")


@rule("vote.dossier.view")
def _view_dossier(actor: Person, candidate: Any) -> bool:
    """`candidate`: a Candidate. Those summoned to its round, the person themself, staff and the committee."""
    if actor.role_set & {Role.STAFF, Role.COMMITTEE}:
        return True
    return candidate is not None and (candidate.person_id == actor.id or _in_round(actor, candidate.round, "voters"))


@rule("vote.follow_up.record")
def _record_follow_up(actor: Person, follow_up: Any) -> bool:
    return actor.has_role(Role.COMMITTEE)


# --- opinions from above and below (workflow.opinions) ----------------------------------------
# The staff agency (Ban Tổ chức) opens a round, chooses the subjects and who is asked; the round's
# secretary follows the response rate and closes it with the staff. A respondent answers only
# what they are asked. The results — aggregates only, never an answer — are an input of those who
# assess the subject: the council of the cycle, the subject's direct manager or agency head, the
# staff, the committee and administrators; never the subject themself. No rule shows an answer:
# none is stored with its author (see `workflow.opinions.models`).

def _opinion_round_of(obj: Any) -> Any:
    if obj is None or getattr(obj, "__tablename__", None) == "opinion_round":
        return obj
    return getattr(obj, "round", None)


@rule("opinions.round.manage")
def _manage_opinions(actor: Person, round_: Any) -> bool:
    return actor.has_role(Role.STAFF)


@rule("opinions.round.view")
def _view_opinion_round(actor: Person, round_: Any) -> bool:
    """The round and its response rate; `round_` None: the navigation entry."""
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return True
    round_ = _opinion_round_of(round_)
    return round_ is not None and round_.secretary_id == actor.id


@rule("opinions.round.close")
def _close_opinion_round(actor: Person, round_: Any) -> bool:
    round_ = _opinion_round_of(round_)
    return actor.has_role(Role.STAFF) or (round_ is not None and round_.secretary_id == actor.id)


@rule("opinions.answer")
def _answer_opinion(actor: Person, respondent: Any) -> bool:
    return respondent is not None and respondent.person_id == actor.id


@rule("opinions.results.view")
def _view_opinion_results(actor: Person, item: Any) -> bool:
    """`item`: an OpinionSubject (a subject in a round)."""
    if actor.role_set & {Role.COMMITTEE, Role.ADMIN}:
        return True
    if item is None or item.subject.person_id == actor.id:
        return False
    if actor.has_role(Role.STAFF) or _seat(actor, item.round):
        return True
    return _manager_of(actor, item.subject) or _agency_head_of(actor, item.subject)


# --- monthly self-scoring of collectives (workflow.selfscoring) ------------------------------
# The collective's head (người đứng đầu of its unit) self-scores each month and submits it; the
# committee above recognises it (công nhận) or returns it: the head of the parent unit, or the
# standing committee for a unit with no parent — never the collective's own head. Staff, the
# committee and administrators read every collective's months; administrators decide nothing.
# `obj`: a month (CollectiveSelfScore) or the collective's Subject before its month exists.

def _collective_unit(obj: Any) -> Any:
    subject = getattr(obj, "subject", obj)
    return None if subject is None else subject.unit


def _recognises(actor: Person, unit: Any) -> bool:
    if unit is None or unit.id in actor.head_unit_ids:
        return False
    if unit.parent_id is None:
        return actor.has_role(Role.COMMITTEE)
    return unit.parent_id in actor.head_unit_ids


def _collectives_exist(units: Any) -> bool:
    """Whether some active collective subject belongs to the units `units` selects (a condition on
    Unit): the navigation's entries show only where there is something to self-score."""
    from sqlalchemy import select

    from workflow.extensions import db
    from workflow.framework.models import Subject, SubjectKind
    from workflow.units.models import Unit

    return db.session.scalar(select(Subject.id).join(Unit, Subject.unit_id == Unit.id).where(
        Subject.kind == SubjectKind.COLLECTIVE, Subject.active.is_(True), units).limit(1)) is not None


@rule("selfscoring.score")
def _self_score(actor: Person, obj: Any) -> bool:
    """`obj` None: whether the person heads a unit evaluated as a collective (the navigation entry)."""
    if obj is None:
        from workflow.units.models import Unit

        return bool(actor.head_unit_ids) and _collectives_exist(Unit.id.in_(actor.head_unit_ids))
    unit = _collective_unit(obj)
    return unit is not None and unit.id in actor.head_unit_ids


@rule("selfscoring.recognise")
def _recognise_self_score(actor: Person, obj: Any) -> bool:
    """`obj` None: whether the person may recognise some collective's months (the navigation
    entry: the committee, or the head of a unit with collectives directly under it)."""
    if obj is None:
        if actor.has_role(Role.COMMITTEE):
            return True
        from workflow.units.models import Unit

        return bool(actor.head_unit_ids) and _collectives_exist(Unit.parent_id.in_(actor.head_unit_ids))
    return _recognises(actor, _collective_unit(obj))


@rule("selfscoring.view")
def _view_self_scores(actor: Person, obj: Any) -> bool:
    if actor.role_set & {Role.STAFF, Role.COMMITTEE, Role.ADMIN}:
        return True
    unit = _collective_unit(obj)
    return unit is not None and (unit.id in actor.head_unit_ids or _recognises(actor, unit))
