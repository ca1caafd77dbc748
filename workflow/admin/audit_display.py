"""How the audit log reads: every action and every kind of object in words, the facts an entry
keeps in its data said in words (a level, a role, a position, a kind of change), and a link to
the object where a page shows it. The audit log page (`workflow.admin.views`) is its reader.

Operations record an action code and the names of what they touched (`workflow.core.audit`);
the words are chosen here, in the reader's language, when the page is read. An action without
words here is a mistake that tests/test_audit_words.py catches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import format_date, format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow.core.audit import AuditEntry
from workflow.extensions import db

ACTIONS: dict[str, Any] = {
    # accounts
    "account.login": _l("Signed in"),
    "account.login_failed": _l("Sign-in refused: wrong username or password"),
    "account.logout": _l("Signed out"),
    "account.create": _l("Account created"),
    "account.update": _l("Account details changed"),
    "account.deactivate": _l("Account deactivated"),
    "account.reactivate": _l("Account reactivated"),
    "account.sign_out_everywhere": _l("Signed out on every device"),
    "account.password": _l("Password changed by its owner"),
    "account.password_reset": _l("Password reset by an administrator"),
    "account.role_grant": _l("Role given"),
    "account.role_revoke": _l("Role taken away"),
    "account.token_create": _l("API token created"),
    "account.token_revoke": _l("API token revoked"),
    # units
    "unit_group.create": _l("Group of units created"),
    "unit_group.update": _l("Group of units changed"),
    "unit_group.delete": _l("Group of units deleted"),
    "unit.create": _l("Unit created"),
    "unit.update": _l("Unit changed"),
    "unit.activate": _l("Unit reactivated"),
    "unit.deactivate": _l("Unit deactivated"),
    "unit.delete": _l("Unit deleted"),
    # cycles
    "cycle.create": _l("Evaluation cycle created"),
    "cycle.update": _l("Evaluation cycle renamed"),
    "cycle.start_execution": _l("Execution of the cycle started"),
    "cycle.open_scoring": _l("Scoring opened"),
    "cycle.close": _l("Evaluation cycle closed"),
    "cycle.rules_update": _l("Rules of the cycle updated"),
    "cycle.rubric_snapshot": _l("Rubric fixed for the cycle"),
    "cycle.periods_open": _l("Periods of a track opened for the cycle"),
    # the organisation from the personnel records
    "directory.import": _l("Organisation imported from the personnel records"),
    # tracks and subjects
    "subject.create": _l("Subject placed in a track"),
    "subject.activate": _l("Subject enabled again in its track"),
    "subject.deactivate": _l("Subject taken out of its track"),
    # monthly products of civil servants
    "person.manager": _l("Direct manager named"),
    "monthly_product.create": _l("Product added to the catalogue"),
    "monthly_product.update": _l("Product of the catalogue changed"),
    "monthly_product.import": _l("Product catalogue imported from Excel"),
    "monthly_plan.create": _l("Month opened for a civil servant"),
    "monthly_plan.line_add": _l("Product added to the month"),
    "monthly_plan.line_remove": _l("Product removed from the month"),
    "monthly_plan.carry_over": _l("Recurring products carried over from last month"),
    "monthly_plan.propose": _l("Month's products proposed to the manager"),
    "monthly_plan.assign": _l("Month's products assigned"),
    "monthly_plan.return_plan": _l("Proposed products returned to the civil servant"),
    "monthly_plan.self_save": _l("Self-assessment saved"),
    "monthly_plan.import": _l("Products delivered imported from another system"),
    "monthly_plan.self_assess": _l("Self-assessment submitted"),
    "monthly_plan.assess": _l("Month assessed by the direct manager"),
    "monthly_plan.approve": _l("Month approved by the head of agency"),
    "monthly_plan.return": _l("Month's assessment returned to the manager"),
    "collective_self_score.save": _l("Collective's monthly self-score saved"),
    "collective_self_score.submit": _l("Collective's monthly self-score submitted for recognition"),
    "collective_self_score.recognise": _l("Collective's monthly self-score recognised by the committee above"),
    "collective_self_score.return": _l("Collective's monthly self-score returned with a reason"),
    "collective_self_score.withdraw": _l("Recognition of a collective's monthly self-score withdrawn with a reason"),
    "monthly_year.assess": _l("General criteria of the year scored by the direct manager"),
    "monthly_year.case": _l("Case of not completing tasks recorded for the year"),
    "monthly_year.decide": _l("Level of the year decided by the head of agency"),
    "monthly_year.objection.file": _l("Objection to the level of the year filed"),
    "monthly_year.objection.uphold": _l("Objection to the level of the year upheld"),
    "monthly_year.objection.reject": _l("Objection to the level of the year rejected"),
    # registrations of targets
    "registration.create": _l("Registration started"),
    "registration.submit": _l("Registration submitted for review"),
    "registration.forward": _l("Registration forwarded to the standing committee"),
    "registration.return": _l("Registration returned to the head"),
    "registration.assign": _l("Targets officially assigned"),
    "registration.weights": _l("Weights of the targets changed"),
    "target.create": _l("Target added"),
    "target.supplement": _l("Supplementary target assigned by the committee"),
    "target.update": _l("Target changed"),
    "target.drop": _l("Target dropped"),
    "proposal.create": _l("Adjustment proposed by the staff agency"),
    "proposal.accept": _l("Adjustment proposal accepted"),
    "proposal.reject": _l("Adjustment proposal rejected"),
    "proposal.withdraw": _l("Adjustment proposal withdrawn"),
    "comment.create": _l("Comment written"),
    "amendment.request": _l("Amendment requested"),
    "amendment.add_item": _l("Change added to an amendment request"),
    "amendment.approve": _l("Amendment approved by the committee"),
    "amendment.reject": _l("Amendment rejected by the committee"),
    # quarterly reports
    "report.open_window": _l("Report opened as its window opened"),
    "report.open": _l("Report opened"),
    "report.save": _l("Report draft saved"),
    "report.submit": _l("Report submitted by the head"),
    "report.accept": _l("Report accepted by the staff agency"),
    "report.return": _l("Report returned to the head"),
    "report.reopen": _l("Report reopened"),
    "evidence.add": _l("Evidence file added"),
    "evidence.remove": _l("Evidence file removed"),
    "support.create": _l("Request for support raised"),
    "support.answer": _l("Direction given on a request"),
    "support.close": _l("Request for support closed"),
    # the council and the committee's classification
    "council.member.appoint": _l("Appointed to the advisory council"),
    "council.member.remove": _l("Removed from the advisory council"),
    "council.member.declare_conflict": _l("Conflict of interest declared"),
    "council.settings": _l("Working rules of the council changed"),
    "council.scorecard.open": _l("Scorecard opened"),
    "council.scorecard.save": _l("Scorecard saved"),
    "council.scorecard.submit": _l("Scorecard submitted by a member"),
    "council.scorecard.reopen": _l("Scorecard reopened by the secretary"),
    "council.secretary.remind": _l("Council member reminded"),
    "council.discipline.record": _l("Discipline in the year recorded"),
    # citizens' ratings
    "ratings.counter.create": _l("Counter created"),
    "ratings.counter.duty": _l("Official on duty at a counter changed"),
    "ratings.device.register": _l("Rating device registered"),
    "ratings.device.revoke": _l("Rating device revoked"),
    "ratings.case.answer": _l("Unsatisfied rating answered by the head of the unit"),
    "ratings.import": _l("Ratings imported from a file"),
    "ratings.import_mapping.save": _l("Column mapping of imports saved"),
    "ratings.photo.set": _l("Photo of the official on duty uploaded"),
    "ratings.photo.remove": _l("Photo of the official on duty removed"),
    "ratings.receipt.print": _l("Rating slip of a dossier printed"),
    "council.discipline.remove": _l("Discipline record removed"),
    "council.self_assessment.save": _l("Self-assessment saved"),
    "council.self_assessment.submit": _l("Self-assessment submitted by the head"),
    "council.session.open": _l("Council session recorded"),
    "council.session.update": _l("Record of the council session changed"),
    "council.session.finalise": _l("Proposal list finalised by the chair"),
    "council.session.reopen": _l("Proposal list reopened"),
    "council.committee.decide": _l("The standing committee decided the level"),
    "council.committee.publish": _l("The standing committee published its decisions"),
    "council.quota.exception": _l("The standing committee recorded an exception to the quota"),
    "council.collective.waiver": _l("The standing committee decided leaders before their collective, with a reason"),
    "council.leader.recheck": _l("A leader's result recomputed after the decision on their collective; a new decision is needed"),
    "council.objection.file": _l("Objection filed"),
    "council.objection.uphold": _l("Objection upheld"),
    "council.objection.reject": _l("Objection rejected"),
    # confidence votes and secret-ballot classification
    "vote.round.create": _l("Vote conference set up"),
    "vote.candidate.add": _l("Person added to those voted on"),
    "vote.voters.summon": _l("People summoned to a vote conference"),
    "vote.board.appoint": _l("Counting board appointed"),
    "vote.attendance.record": _l("Attendance at a vote conference recorded"),
    "vote.round.open": _l("Voting opened"),
    "vote.round.close": _l("Voting closed"),
    "vote.round.publish": _l("Vote results published"),
    "vote.codes.issue": _l("One-time voting codes issued"),
    "vote.paper.enter": _l("Paper ballots counted"),
    "vote.paper.confirm": _l("Count of the paper ballots confirmed"),
    "vote.follow_up.record": _l("Decision on a vote result recorded"),
    # opinions from above and below
    "opinions.round.open": _l("Round of opinions opened"),
    "opinions.subject.add": _l("Subject added to a round of opinions"),
    "opinions.respondent.invite": _l("People asked for their opinion"),
    "opinions.round.close": _l("Round of opinions closed"),
    # mail and backups
    "notifications.retry": _l("Message sent again"),
    "notifications.cancel": _l("Message cancelled"),
    "notifications.test": _l("Test message sent"),
    "backup.create": _l("Backup made"),
    "backup.restore": _l("Backup restored"),
}

OBJECTS: dict[str, Any] = {
    "person": _l("Account"),
    "role_grant": _l("Role"),
    "api_token": _l("API token"),
    "unit": _l("Unit"),
    "unit_group": _l("Group of units"),
    "cycle": _l("Evaluation cycle"),
    "subject": _l("Subject of evaluation"),
    "directory_import": _l("Import of the organisation"),
    "position": _l("Position"),
    "track": _l("Evaluation track"),
    "period": _l("Period of a track"),
    "registration": _l("Registration of targets"),
    "monthly_product": _l("Product of the catalogue"),
    "monthly_plan": _l("Month of a civil servant"),
    "collective_self_score": _l("Month of a collective's self-scoring"),
    "monthly_line": _l("Product of a month"),
    "monthly_year": _l("Year of a civil servant"),
    "monthly_year_objection": _l("Objection to the level of a year"),
    "target": _l("Target"),
    "revision": _l("Version of a registration"),
    "proposal": _l("Adjustment proposal"),
    "registration_comment": _l("Comment"),
    "amendment": _l("Amendment request"),
    "quarterly_report": _l("Quarterly report"),
    "report_evidence": _l("Evidence file"),
    "support_request": _l("Request for support"),
    "support_direction": _l("Direction"),
    "notification": _l("E-mail message"),
    "backup": _l("Backup"),
    "council_member": _l("Seat on the council"),
    "council_conflict": _l("Conflict of interest"),
    "scorecard": _l("Scorecard"),
    "self_assessment": _l("Self-assessment"),
    "discipline_record": _l("Discipline record"),
    "rating_counter": _l("Counter"),
    "rating_device": _l("Rating device"),
    "rating": _l("Citizens' ratings"),
    "rating_case": _l("Unsatisfied rating"),
    "rating_import_mapping": _l("Column mapping of imports"),
    "rating_unit_month": _l("Ratings of a unit in a month"),
    "rating_official_month": _l("Ratings of an official in a month"),
    "person_photo": _l("Photo of an official"),
    "council_session": _l("Council session"),
    "council_proposal": _l("Proposal of the council"),
    "council_decision": _l("Decision on a level"),
    "quota_exception": _l("Exception to the quota"),
    "collective_waiver": _l("Leaders decided before their collective"),
    "leader_recheck": _l("Leader's result to be decided again"),
    "objection": _l("Objection"),
    "vote_round": _l("Vote conference"),
    "vote_candidate": _l("Person voted on"),
    "vote_voter": _l("Person summoned to vote"),
    "vote_counting_member": _l("Member of the counting board"),
    "vote_paper_count": _l("Count of the paper ballots"),
    "vote_paper_tally": _l("Count of one person's ballots"),
    "vote_ballot_code": _l("One-time voting code"),
    "vote_ballot_tally": _l("Count of electronic ballots"),
    "vote_receipt": _l("Ballot receipt"),
    "vote_result": _l("Vote result"),
    "vote_follow_up": _l("Follow-up of a vote result"),
    "opinion_round": _l("Round of opinions"),
    "opinion_subject": _l("Subject of a round of opinions"),
    "opinion_respondent": _l("Person asked for an opinion"),
    "opinion_tally": _l("Count of opinions"),
    "opinion_comments": _l("Comments of a round of opinions"),
}

# Where an object is shown: (column read from its table, the page for that value). A head's
# whole evaluation (scorecards, decisions, discipline) is the page of their result.
_result = ("registration_id", lambda v: url_for("council.result", registration_id=v))
_registration = ("registration_id", lambda v: url_for("targets.detail", registration_id=v))
_report = ("report_id", lambda v: url_for("reports.detail", report_id=v))
_council = ("cycle_id", lambda v: url_for("council.overview", cycle_id=v))
LINKS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "collective_self_score": ("id", lambda v: url_for("selfscoring.month", row_id=v)),
    "person": ("id", lambda v: url_for("admin.person", person_id=v)),
    "api_token": ("person_id", lambda v: url_for("admin.person", person_id=v)),
    "unit": ("id", lambda v: url_for("admin.unit_edit", unit_id=v)),
    "unit_group": ("id", lambda v: url_for("admin.group_edit", group_id=v)),
    "cycle": ("id", lambda v: url_for("admin.cycle", cycle_id=v)),
    "subject": ("track_id", lambda v: url_for("admin.track", track_id=v)),
    "directory_import": ("id", lambda v: url_for("directory.show", import_id=v)),
    "track": ("id", lambda v: url_for("admin.track", track_id=v)),
    "period": ("track_id", lambda v: url_for("admin.track", track_id=v)),
    "registration": ("id", lambda v: url_for("targets.detail", registration_id=v)),
    "target": _registration,
    "proposal": _registration,
    "registration_comment": _registration,
    "amendment": _registration,
    "quarterly_report": ("id", lambda v: url_for("reports.detail", report_id=v)),
    "report_evidence": _report,
    "support_request": _report,
    "notification": ("id", lambda v: url_for("outbox.detail", notification_id=v)),
    "council_member": _council,
    "council_conflict": _council,
    "council_session": ("cycle_id", lambda v: url_for("council.session_page", cycle_id=v)),
    "objection": ("cycle_id", lambda v: url_for("council.decisions", cycle_id=v) + "#objections"),
    "scorecard": _result,
    "self_assessment": _result,
    "discipline_record": _result,
    "council_decision": _result,
    "quota_exception": ("cycle_id", lambda v: url_for("council.decisions", cycle_id=v) + "#quota"),
    "opinion_round": ("id", lambda v: url_for("opinions.round_page", round_id=v)),
    "collective_waiver": ("cycle_id", lambda v: url_for("council.collectives", cycle_id=v)),
    "leader_recheck": ("registration_id", lambda v: url_for("council.result", registration_id=v)),
    "rating_counter": ("id", lambda v: url_for("ratings.counters")),
    "rating_device": ("id", lambda v: url_for("ratings.counters")),
    "rating_case": ("id", lambda v: url_for("ratings.case", case_id=v)),
    "rating_import_mapping": ("id", lambda v: url_for("ratings.import_ratings")),
}

# The areas of work the log can be narrowed to, with the actions of each.
AREAS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "accounts": (_l("Accounts and sign-in"), ("account.",)),
    "units": (_l("Units and their groups"), ("unit.", "unit_group.", "directory.")),
    "cycles": (_l("Evaluation cycles"), ("cycle.",)),
    "targets": (_l("Registrations of targets"), ("registration.", "target.", "proposal.", "comment.", "amendment.")),
    "reports": (_l("Quarterly reports"), ("report.", "evidence.", "support.")),
    "council": (_l("Council and the committee's decisions"), ("council.",)),
    "ratings": (_l("Citizens' ratings"), ("ratings.",)),
    "votes": (_l("Confidence votes"), ("vote.",)),
    "mail": (_l("Outbox"), ("notifications.",)),
    "backup": (_l("Backups"), ("backup.",)),
}


def action_label(action: str) -> str:
    return str(ACTIONS[action]) if action in ACTIONS else gettext("Other change")


def object_label(object_type: str) -> str:
    return str(OBJECTS[object_type]) if object_type in OBJECTS else gettext("Other object")


@dataclass
class Row:
    """One entry as the page shows it."""

    entry: AuditEntry
    action: str
    object: str
    link: str | None
    details: list[str] = field(default_factory=list)


def _linked_values(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], Any]:
    """For each object that still exists, the value its page is found by: one query per kind of
    object on the page, whatever the number of entries."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if e.object_type in LINKS and e.object_id is not None:
            wanted[e.object_type].add(e.object_id)
    found: dict[tuple[str, int], Any] = {}
    for object_type, ids in wanted.items():
        table = db.metadata.tables.get(object_type)
        column = LINKS[object_type][0]
        if table is None or column not in table.c:
            continue
        for object_id, value in db.session.execute(select(table.c.id, table.c[column]).where(table.c.id.in_(ids))):
            found[(object_type, object_id)] = value
    return found


def _level_names() -> Callable[[str | None], str]:
    """Level codes in words, as the rubric in force names them (the national levels' codes do
    not change from one rubric to the next)."""
    from workflow.council.presenters import level_names
    from workflow.scoring.rubric import rubric_from_rules

    names = level_names(rubric_from_rules({}))
    return lambda code: names.get(code or "", gettext("another level"))


_REPORT_OF = {"quarterly_report": "id", "report_evidence": "report_id", "support_request": "report_id"}


def _quarters(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], tuple[int, int]]:
    """The (quarter, year) of the report each entry about a report, its evidence or a request
    concerns: one query for the page."""
    wanted = {(e.object_type, e.object_id) for e in entries if e.object_type in _REPORT_OF and e.object_id is not None}
    if not wanted:
        return {}
    tables = db.metadata.tables
    report, registration, cycle = tables["quarterly_report"], tables["registration"], tables["cycle"]
    found: dict[tuple[str, int], tuple[int, int]] = {}
    for object_type, column in _REPORT_OF.items():
        ids = {i for t, i in wanted if t == object_type}
        if not ids:
            continue
        table = tables[object_type]
        stmt = select(table.c.id, report.c.quarter, cycle.c.year).select_from(table)
        if table is not report:
            stmt = stmt.join(report, report.c.id == table.c[column])
        stmt = (stmt.join(registration, registration.c.id == report.c.registration_id)
                .join(cycle, cycle.c.id == registration.c.cycle_id)
                .where(table.c.id.in_(ids)))
        for object_id, quarter, year in db.session.execute(stmt):
            found[(object_type, object_id)] = (quarter, year)
    return found


def _details(entry: AuditEntry, level: Callable[[str | None], str], quarter: tuple[int, int] | None = None) -> list[str]:
    """The facts an entry keeps in its data, in words."""
    from workflow.accounts.models import ROLE_LABELS, Role
    from workflow.council.models import Position
    from workflow.council.operations import position_label
    from workflow.notifications.display import kind_label
    from workflow.targets.display import change_labels

    data = entry.data or {}
    out: list[str] = []
    if "role" in data and data["role"] in {r.value for r in Role}:
        out.append(gettext("Role: %(role)s", role=ROLE_LABELS[Role(data["role"])]))
    if "position" in data and data["position"] in {p.value for p in Position}:
        out.append(gettext("Position: %(position)s", position=position_label(Position(data["position"]))))
    if data.get("level"):
        out.append(gettext("Level: %(level)s", level=level(data["level"])))
    if data.get("proposed_level"):
        out.append(gettext("Level proposed by the head: %(level)s", level=level(data["proposed_level"])))
    if data.get("kind") in change_labels():
        out.append(change_labels()[data["kind"]])
    if entry.action.startswith("notifications.") and data.get("kind"):
        out.append(kind_label(data["kind"]))
    if quarter is None and "quarter" in data and "year" in data:
        quarter = (data["quarter"], data["year"])
    if quarter is not None:
        out.append(gettext("Quarter %(quarter)s/%(year)s", quarter=quarter[0], year=quarter[1]))
    if entry.action == "directory.import":
        out.append(gettext("Rows changed: %(num)s", num=len(data.get("rows") or [])))
        if data.get("skipped"):
            out.append(gettext("Rows in error left as they were: %(num)s", num=len({(s[0], s[1]) for s in data["skipped"]})))
    if entry.action == "report.open_window" and data.get("count"):
        out.append(gettext("Reports opened: %(num)s", num=data["count"]))
    if entry.action == "notifications.retry" and data.get("count"):
        out.append(gettext("Messages: %(num)s", num=data["count"]))
    if entry.action == "amendment.request" and data.get("items"):
        out.append(gettext("Changes requested: %(num)s", num=data["items"]))
    if entry.action == "council.session.finalise" and "heads" in data:
        out.append(gettext("Heads on the list: %(num)s", num=data["heads"]))
    if entry.action == "council.secretary.remind" and "left" in data:
        out.append(gettext("Heads left to score: %(num)s", num=data["left"]))
    if data.get("held_on"):
        out.append(gettext("Held on %(day)s", day=format_date(date.fromisoformat(data["held_on"]), "dd/MM/yyyy")))
    if entry.action == "council.scorecard.submit" and data.get("total"):
        out.append(gettext("Total: %(points)s points", points=format_decimal(Decimal(data["total"]), "#,##0.00")))
    if data.get("decision_number"):
        out.append(gettext("Decision no. %(number)s", number=data["decision_number"]))
    if "old_version" in data and "new_version" in data:
        out.append(gettext("Rules: version %(old)s replaced by version %(new)s", old=data["old_version"], new=data["new_version"]))
    if entry.action == "cycle.create" and data.get("rules_version"):
        out.append(gettext("Rules: version %(version)s", version=data["rules_version"]))
    if data.get("rubric_version"):
        out.append(gettext("Rubric: version %(version)s", version=data["rubric_version"]))
    return out


def rows(entries: list[AuditEntry]) -> list[Row]:
    linked = _linked_values(entries)
    quarters = _quarters(entries)
    level = _level_names() if any((e.data or {}).get("level") or (e.data or {}).get("proposed_level") for e in entries) else (lambda c: c or "")
    result = []
    for e in entries:
        value = linked.get((e.object_type, e.object_id)) if e.object_id is not None else None
        link = LINKS[e.object_type][1](value) if value is not None else None
        result.append(Row(entry=e, action=action_label(e.action), object=object_label(e.object_type), link=link, details=_details(e, level, quarters.get((e.object_type, e.object_id)))))
    return result


def area_prefixes(area: str) -> tuple[str, ...]:
    return AREAS[area][1] if area in AREAS else ()
