"""Products delivered, imported from the systems that already record them (E-Office, the
one-stop system, the document-management system), so that nobody types twice what another
system holds.

A file (CSV or Excel, read by `workflow.ratings.imports.read_rows`) has a row per delivery, the
first row naming the columns; which column holds what is a mapping saved per source system
(`ImportMapping`, purpose "monthly"). For the month chosen, each row is matched:

- to a civil servant by personnel code (`Person.personnel_code`) or e-mail, among those the
  importer may import for (an administrator: everyone; a head of agency: their agency's);
- to the servant's month, which must have its products assigned and not yet self-assessed;
- to a line of that month by the product's code, else to an ad-hoc line of that name (added
  once, marked as imported).

The rows of one line are added up: delivered quantity (the sum), date (the latest), evidence
link (the last given). The line keeps its source: the source's name and the rows' keys. The
figures are set, not added to what was there, so importing the same file again changes nothing.

`preview` reads and matches without writing; `apply` writes, and refuses while any row is wrong
unless asked to import the valid rows only. Every bad row is named by line, column and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.core import audit, formats
from workflow.core.concurrency import lock
from workflow.core.errors import ValidationFailed
from workflow.extensions import db
from workflow.framework.models import Period, PeriodKind, Subject, Track
from workflow.monthly.catalogue import RowProblem, _text
from workflow.monthly.models import LineOrigin, MonthlyPlan, MonthState, PlanLine
from workflow.monthly.operations import _label, _touch
from workflow.monthly.scoring import TRACK
from workflow.monthly.workflow import MONTH
from workflow.ratings.imports import MAX_ROWS, read_rows, save_mapping, saved_mappings

PURPOSE = "monthly"
# field → the heading it is read from by default
COLUMNS = {
    "key": "Số ký hiệu",
    "person": "Mã cán bộ",
    "product": "Mã sản phẩm",
    "name": "Tên sản phẩm",
    "measure": "Đơn vị tính",
    "quantity": "Số lượng",
    "delivered_on": "Ngày hoàn thành",
    "evidence": "Liên kết",
}
REQUIRED = ("key", "person", "quantity", "delivered_on")
SOURCE_MAX = 300
MAX_QUANTITY = Decimal(100000)


class Outcome:
    """What applying a row does to its line."""

    UPDATE = "update"  # the line's delivered figures change
    ADD = "add"  # an ad-hoc line is added
    SAME = "same"  # the line already holds these figures from this source


@dataclass
class Delivery:
    """The rows of the file that fall on one line of a servant's month, added up."""

    plan: MonthlyPlan
    line: PlanLine | None  # None: an ad-hoc line to add
    name: str
    measure: str
    rows: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    quantity: Decimal = Decimal(0)
    delivered_on: date | None = None
    evidence: str = ""
    outcome: str = Outcome.UPDATE

    def source(self, name: str) -> str:
        text = f"{name}: {', '.join(self.keys)}"
        return text if len(text) <= SOURCE_MAX else text[:SOURCE_MAX - 1] + "…"


@dataclass
class Preview:
    period: Period
    source: str
    deliveries: list[Delivery]
    problems: list[RowProblem]
    rows: int = 0  # rows read (empty ones skipped)

    def counts(self) -> dict[str, int]:
        found = {o: 0 for o in (Outcome.UPDATE, Outcome.ADD, Outcome.SAME)}
        for d in self.deliveries:
            found[d.outcome] += 1
        return {"updated": found[Outcome.UPDATE], "added": found[Outcome.ADD], "unchanged": found[Outcome.SAME],
                "rows": self.rows, "refused_rows": len({p.line for p in self.problems})}


def mappings() -> list[Any]:
    return saved_mappings(PURPOSE)


def _quantity(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(gettext("Must be a number."))
    number = Decimal(str(value)) if isinstance(value, int | float) else formats.parse_number(_text(value))
    if not Decimal(0) < number <= MAX_QUANTITY:
        raise ValueError(gettext("Must be between %(min)s and %(max)s.", min=formats.number(Decimal("0.01")), max=formats.number(MAX_QUANTITY)))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(gettext("At most %(places)s decimal places.", places=2))
    return number


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return formats.parse_day(_text(value))


def _evidence(value: Any) -> str:
    text = _text(value)
    if text and not (text.startswith(("http://", "https://")) and len(text) <= 500 and " " not in text):
        raise ValueError(gettext("Write a link that starts with http:// or https://."))
    return text


def _unit_scope(actor: Any) -> list[int] | None:
    """The agencies whose servants `actor` imports for (None: every one)."""
    return None if actor is policy.SYSTEM or actor.has_role(Role.ADMIN) else sorted(actor.head_unit_ids)


def preview(data: bytes, period: Period, columns: dict[str, str], source: str, *, actor: Any) -> Preview:
    """Read the file and match every row, writing nothing. Raises ValidationFailed when the file
    cannot be read at all (not CSV or Excel, no header, a required column missing)."""
    policy.require(actor, "monthly.deliveries.import", None)
    if period.track.code != TRACK or period.kind != PeriodKind.MONTH:
        raise ValidationFailed({"period_id": [gettext("This is not a month of the civil servants' track.")]})
    source = " ".join((source or "").split())[:100]
    if not source:
        raise ValidationFailed({"source": [gettext("Name the system the file comes from.")]})
    rows = read_rows(data)
    if not rows or not any(_text(c) for c in rows[0]):
        raise ValidationFailed({"file": [gettext("The file is empty.")]})
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed({"file": [gettext("At most %(n)s rows per file.", n=MAX_ROWS)]})
    headings = [_text(h) for h in rows[0]]
    where = {name: headings.index(heading) for name, heading in columns.items() if heading in headings}
    missing = [columns[name] for name in REQUIRED if name not in where]
    if missing:
        raise ValidationFailed({"file": [gettext("The file has no column %(names)s.", names=", ".join(missing))]})

    def cell(row: list[Any], name: str) -> Any:
        at = where.get(name)
        return row[at] if at is not None and at < len(row) else None

    body = [(line, row) for line, row in enumerate(rows[1:], start=2) if any(_text(c) for c in row)]
    wanted = {_text(cell(row, "person")) for _, row in body} - {""}
    people = _people(wanted)
    plans = _plans(period, sorted({p.id for p in people.values()}), _unit_scope(actor))
    result = Preview(period, source, [], [], len(body))
    found: dict[tuple[int, Any], Delivery] = {}
    seen_keys: dict[str, int] = {}
    for line, row in body:
        problems: list[RowProblem] = []

        def refuse(name: str, why: str) -> None:
            problems.append(RowProblem(line, columns[name], why))

        values: dict[str, Any] = {}
        for name, reader in (("quantity", _quantity), ("delivered_on", _day), ("evidence", _evidence)):
            if name not in where:
                continue
            if name in REQUIRED and _text(cell(row, name)) == "":
                refuse(name, gettext("This field is required."))
                continue
            try:
                values[name] = reader(cell(row, name)) if _text(cell(row, name)) else None
            except (ValueError, InvalidOperation) as exc:
                refuse(name, getattr(exc, "message", None) or (str(exc) if isinstance(exc, ValueError) and str(exc) else gettext("Not a number.")))
        key = _text(cell(row, "key"))
        if not key:
            refuse("key", gettext("This field is required."))
        elif len(key) > 64:
            refuse("key", gettext("At most %(max)s characters.", max=64))
        elif key in seen_keys:
            refuse("key", gettext("The same key is on line %(line)s.", line=seen_keys[key]))
        else:
            seen_keys[key] = line
        who = _text(cell(row, "person"))
        person = people.get(who.lower()) if who else None
        plan = None
        if not who:
            refuse("person", gettext("This field is required."))
        elif person is None:
            refuse("person", gettext("No civil servant has the personnel code or e-mail “%(value)s”.", value=who))
        else:
            candidates = plans.get(person.id, [])
            if not candidates:
                refuse("person", gettext("%(name)s has no month %(month)s that you may import for.", name=person.full_name,
                                         month=formats.month(period.number, period.cycle.year)))
            elif len(candidates) > 1:
                refuse("person", gettext("%(name)s works in several agencies: import from the agency's own account.", name=person.full_name))
            else:
                plan = candidates[0]
        day = values.get("delivered_on")
        if day is not None and not (period.starts_on <= day <= period.due_on):
            refuse("delivered_on", gettext("The date must fall in the month (or before its assessment is due)."))
        code = _text(cell(row, "product"))
        name = _text(cell(row, "name"))[:300]
        target: PlanLine | None = None
        if plan is not None:
            target = next((ln for ln in plan.lines if ln.product is not None and ln.product.code == code), None) if code else None
            if target is None:
                target = next((ln for ln in plan.lines if ln.product_id is None and ln.name == (name or code)), None)
            if target is None and not (name or code):
                refuse("product" if "product" in where else "name", gettext("Give the product's code or its name."))
        if problems:
            result.problems.extend(problems)
            continue
        assert plan is not None
        slot = (plan.id, target.id if target is not None else ("new", name or code))
        delivery = found.get(slot)
        if delivery is None:
            delivery = found[slot] = Delivery(plan, target, target.name if target is not None else (name or code),
                                              target.measure if target is not None else _text(cell(row, "measure"))[:50])
        delivery.rows.append(line)
        delivery.keys.append(key)
        delivery.quantity += values["quantity"]
        delivery.delivered_on = max(filter(None, (delivery.delivered_on, day)), default=None)
        if values.get("evidence"):
            delivery.evidence = values["evidence"]
    for delivery in found.values():
        _judge(delivery, source, result)
    refused = {p.line for p in result.problems}
    result.deliveries = [d for d in found.values() if refused.isdisjoint(d.rows)]
    result.problems.sort(key=lambda p: (p.line, p.column))
    return result


def _judge(delivery: Delivery, source: str, result: Preview) -> None:
    """Whether the delivery changes its line, and a problem for each of its rows when the month
    can no longer take it."""
    line, plan = delivery.line, delivery.plan
    if line is None:
        delivery.outcome = Outcome.ADD
    elif (line.delivered_quantity == delivery.quantity and line.delivered_on == delivery.delivered_on
          and (line.evidence_link or "") == (delivery.evidence or line.evidence_link or "") and line.source == delivery.source(source)):
        delivery.outcome = Outcome.SAME
        return
    if plan.state != MonthState.AGREED:
        for row in delivery.rows:
            result.problems.append(RowProblem(row, "—", gettext(
                "The month of %(name)s is “%(state)s”: the products delivered can be recorded only while it is “%(agreed)s”.",
                name=plan.subject.person.full_name, state=_state_label(plan.state), agreed=_state_label(MonthState.AGREED))))


def _state_label(state: MonthState) -> str:
    return str(MONTH.label(state))


def _people(wanted: set[str]) -> dict[str, Person]:
    """The active people by personnel code or e-mail (lower case), in one statement."""
    if not wanted:
        return {}
    lowered = sorted({w.lower() for w in wanted})
    out: dict[str, Person] = {}
    for person in db.session.scalars(select(Person).where(Person.active.is_(True), or_(
            func.lower(Person.personnel_code).in_(lowered), func.lower(Person.email).in_(lowered)))):
        for handle in (person.personnel_code, person.email):
            if handle and handle.lower() in lowered:
                out[handle.lower()] = person
    return out


def _plans(period: Period, person_ids: list[int], unit_ids: list[int] | None) -> dict[int, list[MonthlyPlan]]:
    """Each person's month in `period`, in the agencies of `unit_ids` (None: any), with the
    lines and their products, in two statements."""
    if not person_ids:
        return {}
    stmt = (select(MonthlyPlan).join(Subject, MonthlyPlan.subject_id == Subject.id).join(Track, Subject.track_id == Track.id)
            .where(MonthlyPlan.period_id == period.id, Track.code == TRACK, Subject.active.is_(True), Subject.person_id.in_(person_ids))
            .options(selectinload(MonthlyPlan.lines).joinedload(PlanLine.product)))
    if unit_ids is not None:
        stmt = stmt.where(Subject.unit_id.in_(unit_ids))
    out: dict[int, list[MonthlyPlan]] = defaultdict(list)
    for plan in db.session.scalars(stmt):
        out[plan.subject.person_id].append(plan)
    return out


def apply(data: bytes, period: Period, columns: dict[str, str], source: str, *, actor: Any, valid_only: bool = False) -> Preview:
    """Import the file: each line matched gets the delivered figures and its source, each
    ad-hoc delivery a line of its own; the mapping is kept under the source's name. While any
    row is wrong nothing is written, unless `valid_only`."""
    found = preview(data, period, columns, source, actor=actor)
    if found.problems and not valid_only:
        raise ValidationFailed({"file": [str(p) for p in found.problems]},
                               gettext("%(count)s problems in the file; nothing was imported.", count=len(found.problems)))
    save_mapping(found.source, columns, actor=actor, purpose=PURPOSE, columns=COLUMNS, action="monthly.deliveries.import")
    by_plan: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in found.deliveries:
        if delivery.outcome != Outcome.SAME:
            by_plan[delivery.plan.id].append(delivery)
    for deliveries in by_plan.values():
        plan = deliveries[0].plan
        lock(plan)
        position = max((ln.position for ln in plan.lines), default=0)
        for delivery in deliveries:
            line = delivery.line
            if line is None:
                position += 1
                line = PlanLine(plan=plan, position=position, origin=LineOrigin.IMPORTED, name=delivery.name, measure=delivery.measure,
                                coefficient=Decimal(1), quantity=delivery.quantity,
                                due_on=min(delivery.delivered_on or period.ends_on, period.ends_on))
                db.session.add(line)
            line.delivered_quantity, line.delivered_on = delivery.quantity, delivery.delivered_on
            if delivery.evidence:
                line.evidence_link = delivery.evidence
            line.source = delivery.source(found.source)
        _touch(plan)
        audit.record("monthly_plan.import", plan, actor=actor, summary=f"{_label(plan)}: {found.source}",
                     data={"source": found.source, "lines": [d.source(found.source) for d in deliveries],
                           "added": sum(1 for d in deliveries if d.line is None)})
    return found
