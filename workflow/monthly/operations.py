"""Every change to the catalogue and to the months of civil servants.

Each function takes the acting person, checks the policy and the workflow, checks the version
the person edited, and writes the audit entry; points come from the engine
(`workflow.monthly.scoring`). Nothing here commits: the request, job or command does.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from workflow import policy
from workflow.accounts.queries import heads_of
from workflow.core import audit, formats
from workflow.core.concurrency import check_version, lock
from workflow.core.errors import DomainError, PermissionDenied, TransitionRefused, ValidationFailed
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject
from workflow.framework.rules import tracks_of
from workflow.monthly import queries, scoring, year
from workflow.monthly.catalogue import read_products
from workflow.monthly.models import (LineOrigin, MonthlyPlan, MonthState, ObjectionState, PlanLine, Product, YearCase, YearObjection,
                                     YearResult)
from workflow.monthly.workflow import ASSESSING, MONTH, PLANNING, YEAR_OBJECTION
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify, recipient_locale
from workflow.scoring.engine import total

# --- the catalogue -----------------------------------------------------------------------------


def save_product(unit_id: int | None, values: dict[str, Any], *, actor: Any, product: Product | None = None,
                 version: int | None = None) -> Product:
    """Add a product to an agency's catalogue (None: a shared template), or change one."""
    policy.require(actor, "monthly.catalogue.manage", unit_id)
    if product is not None:
        check_version(product, version)
    clash = db.session.scalar(select(Product.id).where(
        Product.code == values["code"], Product.unit_id.is_(None) if unit_id is None else Product.unit_id == unit_id))
    if clash is not None and (product is None or clash != product.id):
        raise ValidationFailed({"code": [gettext("The catalogue already has a product with this code.")]})
    if product is None:
        product = Product(unit_id=unit_id, **values)
        db.session.add(product)
        audit.record("monthly_product.create", product, actor=actor, summary=f"{product.code} — {product.name}")
        return product
    changed = audit.apply_changes(product, values)
    if changed:
        audit.record("monthly_product.update", product, actor=actor, summary=f"{product.code} — {product.name}",
                     data={k: [str(v) for v in pair] for k, pair in changed.items()})
    return product


def import_products(unit_id: int | None, data: bytes, *, actor: Any, filename: str = "") -> dict[str, int]:
    """Products from an Excel workbook into a catalogue: new codes added, known codes updated.
    Nothing is written while any row is wrong: the error names each (line, column, why)."""
    policy.require(actor, "monthly.catalogue.manage", unit_id)
    rows, problems = read_products(data)
    if problems:
        messages = [str(p) for p in problems]
        raise ValidationFailed({"file": messages}, gettext("%(count)s problems in the file; nothing was imported.", count=len(problems)))
    known = queries.product_codes(unit_id)
    created = updated = 0
    for row in rows:
        product = known.get(row["code"])
        if product is None:
            db.session.add(Product(unit_id=unit_id, active=True, **row))
            created += 1
        elif audit.apply_changes(product, {**row, "active": True}):
            updated += 1
    audit.record("monthly_product.import", None, actor=actor, summary=filename or gettext("Excel workbook"), object_type="unit",
                 object_id=unit_id, data={"created": created, "updated": updated})
    return {"created": created, "updated": updated}


# --- direct managers -----------------------------------------------------------------------------


def set_manager(person: Any, manager: Any | None, *, actor: Any, version: Any = ...) -> None:
    """Name a person's direct manager (lãnh đạo trực tiếp); None: the head of their unit. An API
    client's edit carries the person's `version` it was based on (the page's form does not)."""
    policy.require(actor, "monthly.manager.set", person)
    if version is not ...:
        check_version(person, version)
    if manager is not None and manager.id == person.id:
        raise ValidationFailed({"manager_id": [gettext("Nobody is their own direct manager.")]})
    if manager is not None and not manager.active:
        raise ValidationFailed({"manager_id": [gettext("%(name)s no longer works here.", name=manager.full_name)]})
    new = manager.id if manager is not None else None
    if person.manager_id != new:
        old, person.manager_id = person.manager_id, new
        audit.record("person.manager", person, actor=actor, summary=person.full_name, data={"manager_id": [old, new]})


# --- months --------------------------------------------------------------------------------------


def _label(plan: MonthlyPlan) -> str:
    person = plan.subject.person
    return f"{person.full_name if person else plan.subject_id} — {plan.period.number:02d}/{plan.period.cycle.year}"


def open_month(subject: Subject, period: Period, *, actor: Any) -> MonthlyPlan:
    """The subject's month, made empty if it is new (by the servant or their direct manager)."""
    policy.require(actor, "monthly.open", subject)
    if period.track_id != subject.track_id or period.kind != PeriodKind.MONTH:
        raise ValidationFailed({"period_id": [gettext("This is not a month of the subject's track.")]})
    if not subject.active:
        raise DomainError(gettext("This person is no longer evaluated in this track."))
    plan = queries.plan_of(subject.id, period.id)
    if plan is not None:
        return plan
    plan = MonthlyPlan(subject=subject, period=period, state=MonthState.DRAFT)
    db.session.add(plan)
    audit.record("monthly_plan.create", plan, actor=actor, summary=_label(plan))
    return plan


def _editing(plan: MonthlyPlan, actor: Any, version: int | None) -> LineOrigin:
    """Lock the month, check the person may change its lines now; the origin their lines get."""
    lock(plan)
    if not policy.can(actor, "monthly.plan.edit", plan):
        if policy.can(actor, "monthly.plan.view", plan):
            raise TransitionRefused(gettext("The month's products can no longer be changed: it is %(state)s.",
                                            state=MONTH.label(plan.state).lower()))
        raise PermissionDenied(gettext("You are not allowed to do this."))
    check_version(plan, version)
    return LineOrigin.PROPOSED if plan.subject.person_id == getattr(actor, "id", None) else LineOrigin.ASSIGNED


def _month_end(period: Period) -> date:
    return period.ends_on


def add_line(plan: MonthlyPlan, values: dict[str, Any], *, actor: Any, version: int | None) -> PlanLine:
    """A product of the month: from the agency's catalogue or its shared templates, or ad hoc."""
    origin = _editing(plan, actor, version)
    values = dict(values)
    product_id = values.pop("product_id", None)
    if product_id is not None:
        product = db.session.get(Product, product_id)
        if product is None or not product.active or product.unit_id not in (None, plan.subject.unit_id):
            raise ValidationFailed({"product_id": [gettext("Not a product of the agency's catalogue.")]})
        values.update(name=product.name, measure=product.measure, coefficient=product.coefficient)
    else:
        errors = {}
        if not values.get("name"):
            errors["name"] = [gettext("Name the product, or choose one from the catalogue.")]
        if not values.get("measure"):
            errors["measure"] = [gettext("This field is required.")]
        if errors:
            raise ValidationFailed(errors)
        values["coefficient"] = values.get("coefficient") or Decimal(1)
    due = values.get("due_on") or _month_end(plan.period)
    if not plan.period.starts_on <= due <= plan.period.due_on:
        raise ValidationFailed({"due_on": [gettext("The due date must fall in the month (or before its assessment is due).")]})
    values["due_on"] = due
    line = PlanLine(plan=plan, product_id=product_id, origin=origin, position=max((ln.position for ln in plan.lines), default=0) + 1, **values)
    db.session.add(line)
    _touch(plan)
    audit.record("monthly_plan.line_add", plan, actor=actor, summary=f"{_label(plan)}: {line.name}",
                 data={"quantity": str(line.quantity), "measure": line.measure, "origin": origin.value})
    return line


def _touch(plan: MonthlyPlan) -> None:
    """Mark the month changed (its version goes up at the flush), so that a second tab editing
    from the version before is refused."""
    flag_modified(plan, "state")


def remove_line(plan: MonthlyPlan, line: PlanLine, *, actor: Any, version: int | None) -> None:
    _editing(plan, actor, version)
    if line.plan_id != plan.id:
        raise ValidationFailed({"line_id": [gettext("Not a product of this month.")]})
    plan.lines.remove(line)
    _touch(plan)
    audit.record("monthly_plan.line_remove", plan, actor=actor, summary=f"{_label(plan)}: {line.name}")


def _shifted(day: date, period: Period) -> date:
    """The same day of the month in `period` (its last day when the month is shorter)."""
    last = calendar.monthrange(period.starts_on.year, period.starts_on.month)[1]
    return period.starts_on.replace(day=min(day.day, last))


def carry_over(plan: MonthlyPlan, *, actor: Any, version: int | None) -> int:
    """Copy last month's recurring products into this month, once (a second call adds nothing)."""
    origin = _editing(plan, actor, version)
    previous = queries.previous_plan(plan)
    if previous is None:
        raise DomainError(gettext("There is no plan of the month before to carry over from."))
    present = {(ln.product_id, ln.name) for ln in plan.lines}
    position = max((ln.position for ln in plan.lines), default=0)
    carried = 0
    for old in previous.lines:
        if not old.recurring or (old.product_id, old.name) in present:
            continue
        position += 1
        db.session.add(PlanLine(plan=plan, position=position, product_id=old.product_id, origin=LineOrigin.CARRIED if origin == LineOrigin.ASSIGNED
                                else LineOrigin.PROPOSED, name=old.name, measure=old.measure, coefficient=old.coefficient,
                                quantity=old.quantity, quality_standard=old.quality_standard, due_on=_shifted(old.due_on, plan.period),
                                recurring=True))
        carried += 1
    if carried:
        _touch(plan)
        audit.record("monthly_plan.carry_over", plan, actor=actor, summary=_label(plan), data={"lines": carried, "from": previous.id})
    return carried


def take_step(plan: MonthlyPlan, step: str, *, actor: Any, version: int | None, reason: str = "") -> None:
    """Propose, assign (or approve the proposal), return the proposal, submit the
    self-assessment, approve the month or return it to the manager. Assessing is `assess`."""
    if step == "assess":
        raise ValidationFailed({"step": [gettext("Assess the month with its figures.")]})
    lock(plan)
    MONTH.check(plan, step, actor=actor)
    check_version(plan, version)
    old, new = MONTH.fire(plan, step, actor=actor, reason=reason)
    now = utcnow()
    if step == "assign":
        plan.agreed_at = now
        plan.returned_reason = ""
    elif step in ("return_plan", "return"):
        plan.returned_reason = reason.strip()
    elif step == "self_assess":
        plan.self_assessed_at = now
        plan.self_points = scoring.month_figures(plan.lines, scoring.rubric_of(plan.period.cycle), scoring.SELF).points.points
    elif step == "approve":
        plan.approved_at, plan.approved_by_id, plan.returned_reason = now, actor.id, ""
    audit.record(f"monthly_plan.{step}", plan, actor=actor, summary=_label(plan), reason=reason or None,
                 data={"from": old.value, "to": new.value})


def save_self_assessment(plan: MonthlyPlan, entries: list[dict[str, Any]], *, actor: Any, version: int | None,
                         note: str | None = None) -> None:
    """What the servant delivered: quantity, date, evidence link, a note, product by product."""
    lock(plan)
    policy.require(actor, "monthly.self_assess", plan)
    if plan.state != MonthState.AGREED:
        raise TransitionRefused(gettext("The self-assessment can only be changed while the month is %(state)s.",
                                        state=MONTH.label(MonthState.AGREED).lower()))
    check_version(plan, version)
    _apply(plan, entries, ("delivered_quantity", "delivered_on", "evidence_link", "note"))
    if note is not None:
        plan.self_note = note
    _touch(plan)
    audit.record("monthly_plan.self_save", plan, actor=actor, summary=_label(plan))


def _apply(plan: MonthlyPlan, entries: list[dict[str, Any]], names: tuple[str, ...]) -> None:
    by_id = {ln.id: ln for ln in plan.lines}
    errors = {f"entries.{e['line_id']}": [gettext("Not a product of this month.")] for e in entries if e["line_id"] not in by_id}
    if errors:
        raise ValidationFailed(errors)
    for entry in entries:
        line = by_id[entry["line_id"]]
        for name in names:
            if name in entry:
                setattr(line, name, entry[name])


def assess(plan: MonthlyPlan, entries: list[dict[str, Any]], *, actor: Any, version: int | None, note: str | None = None) -> None:
    """The direct manager's assessment of the month: for each product the quantity that counts,
    when it was delivered, the errors and delays found (each left out: the servant's figure, no
    error, no delay). The points are the engine's, by the cycle's rubric; a month the servant did
    not self-assess is assessed by the manager alone and flagged."""
    lock(plan)
    MONTH.check(plan, "assess", actor=actor)
    check_version(plan, version)
    _apply(plan, entries, ("assessed_quantity", "assessed_on", "errors", "delays"))
    for line in plan.lines:
        if line.assessed_quantity is None:
            line.assessed_quantity = line.delivered_quantity if line.delivered_quantity is not None else Decimal(0)
        if line.assessed_on is None:
            line.assessed_on = line.delivered_on
    was = plan.state
    old, new = MONTH.fire(plan, "assess", actor=actor)
    if was == MonthState.AGREED:
        plan.without_self_assessment = True
    rubric = scoring.snapshot_rubric(plan.period.cycle, actor=actor)
    figures = scoring.month_figures(plan.lines, rubric, scoring.MANAGER)
    for line, result in zip(plan.lines, figures.results, strict=True):
        line.result_percent = result.result_percent
    plan.points, plan.rubric_version = figures.points.points, rubric.version
    plan.assessed_at, plan.assessed_by_id = utcnow(), actor.id
    if note is not None:
        plan.manager_note = note
    audit.record("monthly_plan.assess", plan, actor=actor, summary=_label(plan),
                 data={"from": old.value, "to": new.value, "points": str(plan.points), "without_self_assessment": plan.without_self_assessment})


def approve_month(plans: list[MonthlyPlan], *, actor: Any) -> int:
    """The head of agency approves every assessed month among `plans` they may approve."""
    approved = 0
    for plan in plans:
        if plan.state == MonthState.ASSESSED and MONTH.refusal(plan, "approve", actor=actor) is None:
            take_step(plan, "approve", actor=actor, version=plan.version)
            approved += 1
    return approved


__all__ = ["ASSESSING", "PLANNING", "add_line", "approve_month", "assess", "carry_over", "import_products", "open_month",
           "remove_line", "save_product", "save_self_assessment", "take_step", "assess_year", "record_year_case", "decide_years",
           "file_year_objection", "decide_year_objection"]


# --- the year ----------------------------------------------------------------------------------

def _year_label(subject: Subject, cycle: Any) -> str:
    return f"{subject.person.full_name if subject.person else subject.unit.name} — {cycle.name}"


def _year_result(subject: Subject, cycle: Any) -> YearResult:
    """The subject's year row, created on the first write."""
    result = year.results_of(cycle.id, [subject.id]).get(subject.id)
    if result is None:
        result = YearResult(subject=subject, cycle=cycle, general={}, trace={})
        db.session.add(result)
        db.session.flush()
    return result


def _editing_year(subject: Subject, cycle: Any, action: str, actor: Any, version: int | None, edited_before: Any) -> YearResult:
    """The year row to change by `action`: allowed, not decided yet, and (once `edited_before`
    of it says it was saved) at the version the person edited."""
    policy.require(actor, action, subject)
    result = _year_result(subject, cycle)
    lock(result)
    if result.decided:
        raise TransitionRefused(gettext("The level of this year was decided; it can no longer be changed here."))
    if edited_before(result):
        check_version(result, version)
    return result


TASK_COUNTS = ("targets", "done", "on_time", "exceeded")


def _checked_tasks(tasks: dict[str, Any] | None, rubric: Any) -> dict[str, Any]:
    """The year's task results as the direct manager gives them where there are no monthly
    plans: the points (0 to the rubric's task points) and the counts of targets the levels'
    conditions look at (done ≤ targets, on time ≤ done, exceeded ≤ targets)."""
    tasks = tasks or {}
    errors: dict[str, list[str]] = {}
    points = tasks.get("points")
    if points is None:
        errors["tasks.points"] = [gettext("This field is required.")]
    elif not Decimal(0) <= Decimal(points) <= rubric.tasks.max_points:
        errors["tasks.points"] = [gettext("Must be between %(min)s and %(max)s.", min=0, max=formats.number(rubric.tasks.max_points))]
    counts = {name: int(tasks.get(name) or 0) for name in TASK_COUNTS}
    if counts["done"] > counts["targets"]:
        errors["tasks.done"] = [gettext("At most the number of targets.")]
    if counts["on_time"] > counts["done"]:
        errors["tasks.on_time"] = [gettext("At most the number of targets done.")]
    if counts["exceeded"] > counts["targets"]:
        errors["tasks.exceeded"] = [gettext("At most the number of targets.")]
    if errors:
        raise ValidationFailed(errors)
    return {"points": str(Decimal(points)), **counts}


def assess_year(subject: Subject, cycle: Any, general: dict[str, Any], *, actor: Any, version: int | None, note: str | None = None,
                tasks: dict[str, Any] | None = None) -> YearResult:
    """The direct manager scores the general criteria once, at the year's end (Nghị định 335/2025
    Điều 12 k2). Every criterion is required, within its points (the engine checks). In a track
    whose year has no monthly plans (deputies, public employees), the manager also gives the
    year's task results (`tasks`: points and counts of targets)."""
    result = _editing_year(subject, cycle, "monthly.year.assess", actor, version, lambda r: r.assessed_at is not None)
    track = subject.track.code
    rubric = scoring.snapshot_rubric(cycle, actor=actor, track=track)
    errors: dict[str, list[str]] = {}
    try:
        total({code: Decimal(v) for code, v in general.items() if v is not None}, Decimal(0), (), rubric)  # a missing or out-of-range criterion
    except ValidationFailed as exc:
        errors.update(exc.errors)
    checked = None
    if not year.monthly(cycle, track):
        try:
            checked = _checked_tasks(tasks, rubric)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    result.general = {c.code: str(Decimal(general[c.code])) for c in rubric.general}
    if checked is not None:
        result.tasks = checked
        flag_modified(result, "tasks")
    if note is not None:
        result.general_note = note
    result.assessed_at, result.assessed_by_id = utcnow(), actor.id
    flag_modified(result, "general")
    audit.record("monthly_year.assess", result, actor=actor, summary=_year_label(subject, cycle), data={"general": result.general, "tasks": result.tasks})
    return result


def record_year_case(subject: Subject, cycle: Any, case: YearCase | None, reference: str, *, actor: Any, version: int | None) -> YearResult:
    """The head of agency records (or clears) a case of Điều 20 k4 b–d with the decision or
    conclusion it rests on; the rubric makes it "không hoàn thành nhiệm vụ"."""
    result = _editing_year(subject, cycle, "monthly.year.decide", actor, version, lambda r: r.case is not None)
    reference = (reference or "").strip()
    if case is not None and not reference:
        raise ValidationFailed({"case_reference": [gettext("Give the number and date of the decision or conclusion.")]})
    result.case, result.case_reference = case, reference if case is not None else ""
    audit.record("monthly_year.case", result, actor=actor, summary=_year_label(subject, cycle),
                 data={"case": case.value if case else None, "reference": result.case_reference})
    return result


def _within_quota(panel: year.YearPanel, chosen: dict[int, str], field: str) -> None:
    """Refuse (on `field`) levels that would exceed the quota (Điều 20 k5) as they would stand."""
    exceeded = [q for q in panel.quota_now(chosen) if q.exceeded]
    if exceeded:
        q = exceeded[0]
        raise ValidationFailed({field: [gettext(
            "%(count)s would be rated %(level)s where the quota allows %(allowance)s (%(percent)s%% of the %(base)s rated at the base levels); "
            "nothing was saved.", count=q.count, level=year.level_name(panel.rubric, q.level) or q.level, allowance=q.allowance,
            percent=formats.number(q.percent), base=q.base)]})


def decide_years(panel: year.YearPanel, decisions: list[dict[str, Any]], *, actor: Any) -> int:
    """The head of agency decides the level of each servant named (`decisions`: subject_id,
    level, reason). A level other than the proposal needs a reason; a servant not yet scored by
    their manager cannot be decided; the quota (Điều 20 k5) is checked on the levels as they
    would stand, per agency and group, and nothing is saved while it is exceeded."""
    rubric = panel.rubric
    errors: dict[str, list[str]] = {}
    chosen: dict[int, str] = {}
    for entry in decisions:
        subject_id, level, reason = entry["subject_id"], entry.get("level"), (entry.get("reason") or "").strip()
        key = f"decisions.{subject_id}"
        try:
            row = panel.row(subject_id)
        except KeyError:
            errors[key] = [gettext("This civil servant is not in the list.")]
            continue
        policy.require(actor, "monthly.year.decide", row.subject)
        if row.result is not None and row.result.decided:
            continue
        if row.total is None:
            errors[key] = [gettext("The direct manager has not scored the general criteria yet.")]
            continue
        if level not in rubric.level_codes:
            errors[key] = [gettext("Choose a level.")]
            continue
        proposal = panel.proposal(subject_id)
        options = proposal.quota.options if proposal.level is None else (proposal.level,)
        if level not in options and not reason:
            errors[key] = [gettext("Give the reason for deciding another level than the one proposed.")]
            continue
        chosen[subject_id] = level
    if errors:
        raise ValidationFailed(errors)
    levels = {lv.code: lv for lv in rubric.levels}
    _within_quota(panel, chosen, "quota")
    reasons = {e["subject_id"]: (e.get("reason") or "").strip() for e in decisions}
    now = utcnow()
    for subject_id, level in chosen.items():
        row = panel.row(subject_id)
        result = row.result or _year_result(row.subject, panel.cycle)
        lock(result)
        proposal = panel.proposal(subject_id)
        result.level, result.proposed_level = level, proposal.level
        result.reason = reasons.get(subject_id, "") if level != proposal.level else ""
        result.decided_at, result.decided_by_id = now, actor.id
        result.task_points, result.total = row.year.points, row.total.total if row.total else None
        result.trace, result.rubric_version = year.freeze(panel, subject_id), rubric.version
        audit.record("monthly_year.decide", result, actor=actor, summary=_year_label(row.subject, panel.cycle),
                     data={"level": level, "proposed": proposal.level, "reason": result.reason, "total": str(result.total)})
        person = row.subject.person
        if person is not None and person.active:
            notify(person, "monthly_year_decided", event_key("monthly_year", result, recipient=person), "monthly_year_decided",
                   {"year": panel.cycle.year, "level": levels[level].name.get(recipient_locale(person)), "path": f"/monthly/year/{subject_id}?cycle_id={panel.cycle.id}"},
                   cycle=panel.cycle.id)
    return len(chosen)


# --- objections to the year's level ------------------------------------------------------------

DEFAULT_OBJECTION_DAYS = 10


def objection_deadline(result: YearResult) -> date | None:
    """The last day (the province's) on which the servant may object to their decided level:
    the track's `objection_days` calendar days after the decision; None before a decision."""
    if result.decided_at is None:
        return None
    days = tracks_of(result.cycle.rules).get(result.subject.track.code, {}).get("objection_days", DEFAULT_OBJECTION_DAYS)
    return formats.local(result.decided_at).date() + timedelta(days=int(days))


def pending_objection(result: YearResult) -> YearObjection | None:
    return db.session.scalar(select(YearObjection).where(YearObjection.result_id == result.id, YearObjection.state == ObjectionState.FILED))


def objections_of(result: YearResult | None) -> list[YearObjection]:
    if result is None:
        return []
    return list(db.session.scalars(select(YearObjection).where(YearObjection.result_id == result.id).order_by(YearObjection.id)))


def file_year_objection(result: YearResult, text: str, *, actor: Any, now: datetime | None = None) -> YearObjection:
    """The servant objects to the level of their year the head of agency decided, within the
    track's window; one objection waits at a time. The heads of the agency are told."""
    policy.require(actor, "monthly.year.object", result)
    now = now or utcnow()
    deadline = objection_deadline(result)
    if deadline is not None and formats.local(now).date() > deadline:
        raise TransitionRefused(gettext("The time for objections ended on %(day)s.", day=formats.day(deadline)))
    if not (text or "").strip():
        raise ValidationFailed({"text": [gettext("Write what you object to and why.")]})
    if pending_objection(result) is not None:
        raise TransitionRefused(gettext("Your objection is waiting for the head of agency; you can file another once it is answered."))
    objection = YearObjection(result=result, filed_by_id=actor.id, text=text.strip(), filed_at=now, level_before=result.level)
    db.session.add(objection)
    db.session.flush()
    subject = result.subject
    audit.record("monthly_year.objection.file", objection, actor=actor, summary=_year_label(subject, result.cycle), data={"level": result.level})
    path = f"/monthly/year/{subject.id}?cycle_id={result.cycle_id}"
    for head in heads_of([subject.unit_id]):
        if head.id != actor.id:
            notify(head, "monthly_year_objection", event_key("monthly_year_objection", objection, recipient=head), "monthly_year_objection",
                   {"year": result.cycle.year, "name": subject.person.full_name, "text": objection.text, "path": path}, cycle=result.cycle_id)
    return objection


def decide_year_objection(objection: YearObjection, step: str, *, actor: Any, version: int | None, outcome: str,
                          level: str | None = None) -> YearObjection:
    """The head of agency upholds the objection (the year gets `level`, the answer as its reason,
    within the quota) or rejects it (the level stands); the answer is written and the servant told."""
    YEAR_OBJECTION.check(objection, step, actor=actor)
    check_version(objection, version)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationFailed({"outcome": [gettext("Write the answer to the objection.")]})
    result = objection.result
    subject = result.subject
    if step == "uphold":
        panel = year.of_subject(subject, result.cycle)
        if level not in panel.rubric.level_codes or level == result.level:
            raise ValidationFailed({"level": [gettext("Upholding an objection records a different level: choose it.")]})
        _within_quota(panel, {subject.id: level}, "level")
        lock(result)
        result.level, result.reason = level, outcome
        result.decided_at, result.decided_by_id = utcnow(), actor.id
        objection.level_after = level
    YEAR_OBJECTION.fire(objection, step, actor=actor, reason=outcome)
    objection.outcome, objection.decided_by_id, objection.decided_at = outcome, actor.id, utcnow()
    action = "monthly_year.objection.uphold" if step == "uphold" else "monthly_year.objection.reject"
    audit.record(action, objection, actor=actor, summary=_year_label(subject, result.cycle), reason=outcome,
                 data={"before": objection.level_before, "after": objection.level_after})
    person = subject.person
    if person is not None and person.active:
        rubric_levels = {lv.code: lv for lv in scoring.rubric_of(result.cycle, subject.track.code).levels}
        shown = rubric_levels.get(result.level)
        notify(person, "monthly_year_objection_answered", event_key("monthly_year_objection_answered", objection, recipient=person),
               "monthly_year_objection_answered",
               {"year": result.cycle.year, "upheld": step == "uphold", "outcome": outcome,
                "level": shown.name.get(recipient_locale(person)) if shown else result.level,
                "path": f"/monthly/year/{subject.id}?cycle_id={result.cycle_id}"}, cycle=result.cycle_id)
    return objection
