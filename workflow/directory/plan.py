"""Comparing a file of the organisation with the database: what an import would create, change,
move, reactivate or deactivate, and every row it cannot take, with its line, column and why.

`compare(org, snapshot)` is pure: it reads the rows (`workflow.directory.reading`) and what the
database holds (`queries.Snapshot`) and writes nothing. Codes are the keys: a unit by its code,
a position by its code, a person by their personnel code (mã cán bộ). A sheet the file has is
the whole of that part of the organisation: a unit or a person it no longer names is
deactivated (never deleted; their history stays). A row with an error is left as the database
holds it, and so is every row that depends on it (the units under a unit in error, the people of
a unit in error, the people whose manager is in error).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext

from workflow.directory.queries import PersonRow, Snapshot
from workflow.directory.reading import Organisation, Row

# How many changes of each kind a preview lists (the counts are always complete).
LISTED = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"1", "x", "yes", "true", "có", "co"}
_FALSE = {"", "0", "no", "false", "không", "khong"}
ACTIONS = ("create", "change", "move", "reactivate", "deactivate")


@dataclass(frozen=True)
class Issue:
    sheet: str
    line: int
    column: str
    message: str

    def as_list(self) -> list[Any]:
        return [self.sheet, self.line, self.column, self.message]


@dataclass
class Change:
    sheet: str
    action: str  # one of ACTIONS
    code: str
    name: str
    line: int = 0
    fields: dict[str, list[Any]] = field(default_factory=dict)  # name → [old, new], as codes

    def as_list(self) -> list[Any]:
        return [self.sheet, self.action, self.code, self.name, self.line, self.fields]


@dataclass
class Plan:
    """What an import would do. The `*_rows` hold the valid rows by code, normalised."""

    sheets: list[str]
    # The file is the whole of each sheet it has (a unit or a person it does not name is
    # deactivated); a partial push (the API's "complete": false) changes only the rows it names.
    complete: bool = True
    issues: list[Issue] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_groups: dict[str, str] = field(default_factory=dict)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    adopted: dict[str, int] = field(default_factory=dict)  # personnel code → a hand-made account's id
    mentioned: dict[str, set[str]] = field(default_factory=dict)  # every code each sheet names

    def counts(self) -> dict[str, dict[str, int]]:
        tally = Counter((c.sheet, c.action) for c in self.changes)
        return {sheet: {action: tally[(sheet, action)] for action in ACTIONS} for sheet in self.sheets}

    def summary(self) -> dict[str, Any]:
        """The preview as stored and shown: counts, the first changes of each kind, every error."""
        listed: dict[str, list[Any]] = {}
        for change in self.changes:
            key = f"{change.sheet}.{change.action}"
            if len(listed.setdefault(key, [])) < LISTED:
                listed[key].append(change.as_list())
        return {"sheets": self.sheets, "complete": self.complete, "counts": self.counts(), "changes": listed, "errors": [i.as_list() for i in self.issues],
                "error_lines": len({(i.sheet, i.line) for i in self.issues}), "heads": self.head_count()}

    def head_count(self) -> int:
        return sum(1 for p in self.people.values() if p["leads"])


class _Checker:
    def __init__(self, sheet: str, plan: Plan) -> None:
        self.sheet, self.plan = sheet, plan
        self.bad: set[str] = set()

    def issue(self, row: Row, column: str, message: str, code: str | None = None) -> None:
        self.plan.issues.append(Issue(self.sheet, row.line, column, message))
        if code:
            self.bad.add(code)


def normalise(code: str) -> str:
    return code.strip().upper()


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_VN_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_day(raw: str) -> date | None:
    """yyyy-mm-dd (what a workbook's date cell is read as) or dd/mm/yyyy; ValueError otherwise.
    Read by pattern rather than strptime, which costs seconds over 60,000 rows."""
    raw = raw.strip()
    if not raw:
        return None
    if found := _ISO_DAY.match(raw):
        return date(int(found[1]), int(found[2]), int(found[3]))
    if found := _VN_DAY.match(raw):
        return date(int(found[3]), int(found[2]), int(found[1]))
    raise ValueError(raw)


def _unique_rows(rows: list[Row], key: str, check: _Checker, missing: str) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for row in rows:
        code = normalise(row.get(key))
        if not code:
            check.issue(row, key, missing)
            continue
        if len(code) > 32:
            check.issue(row, key, gettext("A code has at most 32 characters."), code)
            continue
        if code in found:
            # The first row stands; this one is left out.
            check.issue(row, key, gettext("The code %(code)s is used twice (first at line %(line)s).", code=code, line=found[code].line))
            continue
        found[code] = row
    return found


def _loops(edges: dict[str, str]) -> dict[str, list[str]]:
    """The codes that lie on a loop of `edges` (code → the code it points to), with the loop."""
    on_loop: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1: being walked, 2: done
    for start in edges:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in edges and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = edges[node]
        if node is not None and state.get(node) == 1:
            loop = path[path.index(node):]
            for code in loop:
                on_loop[code] = loop + [node]
        for code in path:
            state[code] = 2
    return on_loop


def _reference(check: _Checker, row: Row, code: str, column: str, rows: dict[str, Row], edges: dict[str, str], itself: str,
               unknown: str, elsewhere: Any = ()) -> str:
    """Read the code a row refers to in its own sheet (a parent unit, a manager): a row of the
    file (or, for a partial push, of the database: `elsewhere`), not the row itself; kept in
    `edges` for the loop check. Returns the code read."""
    target = normalise(row.get(column))
    if not target:
        return ""
    if target == code:
        check.issue(row, column, itself, code)
    elif target not in rows and target not in check.bad and target not in elsewhere:
        check.issue(row, column, unknown % {"code": target}, code)
    else:
        edges[code] = target
    return target


def _loops_with(edges: dict[str, str], stored: dict[str, str], rows: dict[str, Row]) -> dict[str, list[str]]:
    """The loops of the file's references, followed through the database's for the rows a
    partial push leaves out; only the file's rows are named."""
    combined = {**{code: target for code, target in stored.items() if code not in rows and target}, **edges}
    return {code: loop for code, loop in _loops(combined).items() if code in rows}


def _drop_dependents(rows: dict[str, Row], edges: dict[str, str], check: _Checker, column: str, message: str) -> None:
    """Rows whose reference (`edges`) is a row in error are in error too, down the tree."""
    changed = True
    while changed:
        changed = False
        for code, target in edges.items():
            if code not in check.bad and target in check.bad:
                check.issue(rows[code], column, message % {"code": target}, code)
                changed = True


def _units(org: Organisation, snap: Snapshot, plan: Plan) -> None:
    check = _Checker("units", plan)
    rows = _unique_rows(org.units or [], "code", check, gettext("The unit's code is missing."))
    plan.mentioned["units"] = {normalise(r.get("code")) for r in org.units or []}
    parents: dict[str, str] = {}
    # Translated once: a sheet has tens of thousands of rows.
    messages = (gettext("A unit cannot be its own parent."), gettext("Unknown parent unit %(code)s: it is not in the file."))
    in_database = () if org.complete else {code for code, u in snap.units.items() if u.active}
    for code, row in rows.items():
        if not row.get("name"):
            check.issue(row, "name", gettext("The unit's name is missing."), code)
        group = normalise(row.get("group_code"))
        if not group:
            check.issue(row, "group_code", gettext("The unit's group is missing."), code)
        elif len(group) > 32:
            check.issue(row, "group_code", gettext("A code has at most 32 characters."), code)
        elif group not in snap.groups and group not in plan.new_groups:
            if row.get("group_name"):
                plan.new_groups[group] = row.get("group_name")[:200]
            else:
                check.issue(row, "group_code", gettext("Unknown group %(code)s (give its name in group_name to create it).", code=group), code)
        _reference(check, row, code, "parent_code", rows, parents, *messages, elsewhere=in_database)
    stored = {code: snap.unit_code(u.parent_id) for code, u in snap.units.items()}
    for code, loop in _loops_with(parents, stored, rows).items():
        if code not in check.bad:
            check.issue(rows[code], "parent_code", gettext("The units' parents form a loop: %(loop)s.", loop=" → ".join(loop)), code)
    _drop_dependents(rows, parents, check, "parent_code", gettext("The parent unit %(code)s has errors."))
    for code, row in rows.items():
        if code not in check.bad:
            plan.units[code] = {"code": code, "name": row.get("name")[:200], "group": normalise(row.get("group_code")),
                                "parent": parents.get(code), "line": row.line}
    for code, unit in plan.units.items():
        old = snap.units.get(code)
        if old is None:
            plan.changes.append(Change("units", "create", code, unit["name"], unit["line"]))
            continue
        fields = {}
        if old.name != unit["name"]:
            fields["name"] = [old.name, unit["name"]]
        old_group = snap.group_codes.get(old.group_id, "")
        if old_group != unit["group"]:
            fields["group"] = [old_group, unit["group"]]
        old_parent = snap.unit_code(old.parent_id) or None
        if old_parent != unit["parent"]:
            plan.changes.append(Change("units", "move", code, unit["name"], unit["line"], {"parent": [old_parent, unit["parent"]]}))
        if not old.active:
            plan.changes.append(Change("units", "reactivate", code, unit["name"], unit["line"]))
        if fields:
            plan.changes.append(Change("units", "change", code, unit["name"], unit["line"], fields))
    for code, old in snap.units.items():
        if org.complete and old.active and code not in plan.mentioned["units"]:
            plan.changes.append(Change("units", "deactivate", code, old.name))


def _flag(raw: str) -> bool | None:
    lowered = raw.strip().lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else None


def _positions(org: Organisation, snap: Snapshot, plan: Plan) -> None:
    check = _Checker("positions", plan)
    rows = _unique_rows(org.positions or [], "code", check, gettext("The position's code is missing."))
    for code, row in rows.items():
        if not row.get("name"):
            check.issue(row, "name", gettext("The position's name is missing."), code)
        track, title = row.get("track").strip().lower(), row.get("title").strip()
        if track and track not in snap.tracks:
            check.issue(row, "track", gettext("Unknown track %(code)s (the rules' tracks of persons: %(known)s).", code=track,
                                              known=", ".join(sorted(snap.tracks))), code)
        elif title and not track:
            check.issue(row, "title", gettext("A scoring sheet needs the track it belongs to."), code)
        elif title and title not in snap.tracks[track]:
            check.issue(row, "title", gettext("The track's rubric has no scoring sheet %(code)s.", code=title), code)
        leads = _flag(row.get("leads_unit"))
        if leads is None:
            check.issue(row, "leads_unit", gettext("Write yes or no (có or không)."), code)
        if code not in check.bad:
            plan.positions[code] = {"code": code, "name": row.get("name")[:200], "track": track or None, "title": title, "leads_unit": leads,
                                    "line": row.line}
    for code, position in plan.positions.items():
        old = snap.positions.get(code)
        if old is None:
            plan.changes.append(Change("positions", "create", code, position["name"], position["line"]))
            continue
        new = {"name": position["name"], "track": position["track"], "title": position["title"], "leads_unit": position["leads_unit"]}
        was = {"name": old.name, "track": snap.track_codes.get(old.track_id), "title": old.title, "leads_unit": old.leads_unit}
        fields = {k: [was[k], v] for k, v in new.items() if was[k] != v}
        if fields:
            plan.changes.append(Change("positions", "change", code, position["name"], position["line"], fields))
        if not old.active:
            plan.changes.append(Change("positions", "reactivate", code, position["name"], position["line"]))


def _known(sheet_rows: dict[str, Any] | None, mentioned: set[str] | None, in_database: dict[str, Any],
           complete: bool) -> tuple[set[str], set[str]]:
    """(codes a person may refer to, codes of rows in error) for units or positions: the file's
    when it has the whole sheet, else (also) the database's active ones."""
    stored = {code for code, row in in_database.items() if row.active}
    if sheet_rows is None:
        return stored, set()
    bad = (mentioned or set()) - set(sheet_rows)
    return (set(sheet_rows) if complete else (set(sheet_rows) | stored) - bad), bad


def _people(org: Organisation, snap: Snapshot, plan: Plan) -> None:
    check = _Checker("people", plan)
    rows = _unique_rows(org.people or [], "personnel_code", check, gettext("The personnel code is missing."))
    plan.mentioned["people"] = {normalise(r.get("personnel_code")) for r in org.people or []}
    units, bad_units = _known(plan.units if org.units is not None else None, plan.mentioned.get("units"), snap.units, org.complete)
    positions_in_file = plan.positions if org.positions is not None else None
    positions, bad_positions = _known(positions_in_file, {normalise(r.get("code")) for r in org.positions or []}, snap.positions,
                                      org.complete)
    leads = {code: p["leads_unit"] for code, p in plan.positions.items()} if positions_in_file is not None else {}
    for code, row in snap.positions.items():
        leads.setdefault(code, row.leads_unit)
    managers: dict[str, str] = {}
    values: dict[str, dict[str, Any]] = {}
    adopted_ids: set[int] = set()
    messages = (gettext("A person cannot be their own manager."), gettext("Unknown manager %(code)s: not in the file."))
    in_database = () if org.complete else {code for code, p in snap.people.items() if p.active}
    for code, row in rows.items():
        name = row.get("full_name")
        if not name:
            check.issue(row, "full_name", gettext("The name is missing."), code)
        email = row.get("email").strip().lower()
        if not email:
            check.issue(row, "email", gettext("The e-mail address is missing."), code)
        elif not _EMAIL.match(email) or len(email) > 254:
            check.issue(row, "email", gettext("%(value)s is not an e-mail address.", value=email), code)
        unit = normalise(row.get("unit_code"))
        if not unit:
            check.issue(row, "unit_code", gettext("The unit is missing."), code)
        elif unit in bad_units:
            check.issue(row, "unit_code", gettext("The unit %(code)s has errors.", code=unit), code)
        elif unit not in units:
            check.issue(row, "unit_code", gettext("Unknown unit %(code)s.", code=unit), code)
        position = normalise(row.get("position_code"))
        if position and position in bad_positions:
            check.issue(row, "position_code", gettext("The position %(code)s has errors.", code=position), code)
        elif position and position not in positions:
            check.issue(row, "position_code", gettext("Unknown position %(code)s.", code=position), code)
        try:
            started = parse_day(row.get("start_date"))
        except ValueError:
            check.issue(row, "start_date", gettext("%(value)s is not a date (dd/mm/yyyy).", value=row.get("start_date")), code)
            started = None
        manager = _reference(check, row, code, "manager_code", rows, managers, *messages, elsewhere=in_database)
        if code not in snap.people:
            claimed = snap.unclaimed.get(email)
            if claimed is not None and claimed.id not in adopted_ids:
                plan.adopted[code] = claimed.id
                adopted_ids.add(claimed.id)
            elif code.lower() in snap.usernames:
                check.issue(row, "personnel_code", gettext("The username %(name)s is taken by an account not from the personnel records.",
                                                           name=code.lower()), code)
        values[code] = {"code": code, "full_name": name[:200], "email": email, "unit": unit, "position": position or None,
                        "manager": manager or None, "started_on": started, "leads": bool(position) and bool(leads.get(position)),
                        "line": row.line}
    stored = {code: snap.person_codes.get(p.manager_id, "") for code, p in snap.people.items() if p.manager_id}
    for code, loop in _loops_with(managers, stored, rows).items():
        if code not in check.bad:
            check.issue(rows[code], "manager_code", gettext("The direct managers form a loop: %(loop)s.", loop=" → ".join(loop)), code)
    heads: dict[str, str] = {}
    for code, person in values.items():
        if person["leads"] and code not in check.bad:
            other = heads.setdefault(person["unit"], code)
            if other != code:
                check.issue(rows[code], "position_code", gettext("The unit %(unit)s already has a head in this file: %(code)s (line %(line)s).",
                                                                 unit=person["unit"], code=other, line=rows[other].line), code)
    _drop_dependents(rows, managers, check, "manager_code", gettext("The manager %(code)s has errors."))
    plan.people = {code: person for code, person in values.items() if code not in check.bad}
    for code in check.bad:
        plan.adopted.pop(code, None)
    _people_changes(snap, plan, org.complete)


def _person_fields(old: PersonRow, new: dict[str, Any], snap: Snapshot, plan: Plan) -> dict[str, list[Any]]:
    was = {"full_name": old.full_name, "email": old.email, "position": snap.position_codes.get(old.position_id) if old.position_id else None,
           "manager": snap.person_codes.get(old.manager_id) if old.manager_id else None, "started_on": old.started_on}
    fields = {k: [v, new[k]] for k, v in was.items() if v != new[k]}
    if "started_on" in fields:
        fields["started_on"] = [d.isoformat() if d else None for d in fields["started_on"]]
    return fields


def _people_changes(snap: Snapshot, plan: Plan, complete: bool) -> None:
    for code, person in plan.people.items():
        old = snap.people.get(code)
        if old is None and code in plan.adopted:
            plan.changes.append(Change("people", "change", code, person["full_name"], person["line"], {"personnel_code": [None, code]}))
            continue
        if old is None:
            plan.changes.append(Change("people", "create", code, person["full_name"], person["line"]))
            continue
        old_unit = snap.unit_code(old.unit_id) or None
        if old_unit != person["unit"]:
            plan.changes.append(Change("people", "move", code, person["full_name"], person["line"], {"unit": [old_unit, person["unit"]]}))
        if not old.active:
            plan.changes.append(Change("people", "reactivate", code, person["full_name"], person["line"]))
        fields = _person_fields(old, person, snap, plan)
        if fields:
            plan.changes.append(Change("people", "change", code, person["full_name"], person["line"], fields))
    for code, old in snap.people.items():
        if complete and old.active and code not in plan.mentioned["people"]:
            plan.changes.append(Change("people", "deactivate", code, old.full_name))


def compare(org: Organisation, snap: Snapshot) -> Plan:
    plan = Plan(sheets=list(org.sheets), complete=org.complete)
    if org.units is not None:
        _units(org, snap, plan)
    if org.positions is not None:
        _positions(org, snap, plan)
    if org.people is not None:
        _people(org, snap, plan)
    plan.issues.sort(key=lambda i: (("units", "positions", "people").index(i.sheet), i.line))
    return plan
