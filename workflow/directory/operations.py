"""Importing the organisation: a file is previewed (read, compared, kept on the server, nothing
else written), then applied by an administrator — all of it, or its valid rows only.

Every function takes the acting person and checks `directory.import`; the caller commits once.
An apply compares the kept file with the database again (it may have changed since the
preview) and writes with bulk statements — a fixed number per kind of change, not one per row —
so that a province of 60,000 people imports in seconds. It writes one audit entry with its rows.

What follows from the rows besides units, positions and people:
- a person whose position maps to a track is a subject of that track in their unit, with the
  position's title sheet; a transfer makes them a subject in the new unit (the old subject is
  made inactive, with its plans and results), a departure makes every subject of theirs inactive;
- a person whose position leads the unit holds the unit's head role; whoever held it before,
  and a departed person's head roles, lose it;
- a departed person is deactivated (never deleted) and signed out everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext
from sqlalchemy import bindparam, delete, insert, select, update

from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant, SignInSession
from workflow.core import audit
from workflow.core.errors import DomainError
from workflow.core.models import utcnow
from workflow.directory import queries
from workflow.directory.models import DirectoryImport, ImportState, Position
from workflow.directory.plan import Change, Plan, compare
from workflow.directory.reading import Organisation, ReadError, read
from workflow.extensions import db
from workflow.framework.models import Subject, SubjectKind, Track
from workflow.units.models import Unit, UnitGroup

KINDS = ("xlsx", "csv", "json")


class ImportRefused(DomainError):
    status_code = 422


def _organisation(content: bytes, kind: str) -> Organisation:
    try:
        return read(content, kind)
    except (ReadError, ValueError) as exc:
        raise ImportRefused(str(exc)) from None


def kind_of(contents: list[bytes]) -> str:
    """"xlsx" for one Excel workbook (a ZIP container), "csv" for text files."""
    if any(c.startswith(b"PK\x03\x04") for c in contents):
        if len(contents) != 1:
            raise ImportRefused(gettext("Give one Excel workbook, or CSV files."))
        return "xlsx"
    return "csv"


def _check_workbook(content: bytes) -> None:
    """A workbook is checked as the evidence files are: its parts are unpacked within the upload
    limits before anything reads it."""
    import io

    from workflow.reports.evidence import ArchiveRefused, detect

    try:
        kind = detect(io.BytesIO(content))
    except ArchiveRefused:
        raise ImportRefused(gettext("The workbook would unpack beyond the upload limits.")) from None
    if kind != "xlsx":
        raise ImportRefused(gettext("This file is not an Excel workbook (.xlsx)."))


def preview(content: bytes, *, kind: str, filename: str, actor: Any) -> DirectoryImport:
    """Read the file and compare it with the database; keep it for `apply`. Nothing else is
    written."""
    policy.require(actor, "directory.import")
    if kind not in KINDS:
        raise ImportRefused(gettext("Give an Excel workbook (.xlsx) or CSV files."))
    if kind == "xlsx":
        _check_workbook(content)
    plan = compare(_organisation(content, kind), queries.snapshot())
    batch = DirectoryImport(created_by_id=getattr(actor, "id", None), filename=filename[:200], kind=kind, content=content,
                            preview=plan.summary())
    db.session.add(batch)
    db.session.flush()
    return batch


def discard(batch: DirectoryImport, *, actor: Any) -> None:
    policy.require(actor, "directory.import", batch)
    _check_open(batch)
    batch.state = ImportState.DISCARDED
    batch.content = b""


def _check_open(batch: DirectoryImport) -> None:
    if batch.state != ImportState.PREVIEWED:
        raise DomainError(gettext("This import was already applied or discarded; upload the file again."))


def apply(batch: DirectoryImport, *, actor: Any, valid_only: bool = False) -> Plan:
    """Write what the kept file says. Refused while a row has an error, unless `valid_only`:
    then the rows in error (and those that depend on them) are left as the database holds them."""
    policy.require(actor, "directory.import", batch)
    _check_open(batch)
    snap = queries.snapshot()
    plan = compare(_organisation(batch.content, batch.kind), snap)
    if plan.issues and not valid_only:
        batch.preview = plan.summary()
        raise ImportRefused(gettext("%(count)s rows have errors: correct the file, or choose to import the valid rows only.",
                                    count=plan.summary()["error_lines"]))
    heads = _write(plan, snap)
    batch.state, batch.applied_at, batch.applied_by_id, batch.valid_only = ImportState.APPLIED, utcnow(), getattr(actor, "id", None), valid_only
    batch.preview = plan.summary()
    batch.content = b""
    counts = plan.counts()
    audit.record("directory.import", batch, actor=actor, summary=_summary(batch.filename, counts),
                 data={"counts": counts, "valid_only": valid_only, "rows": [c.as_list() for c in plan.changes] + heads,
                       "skipped": [i.as_list() for i in plan.issues]})
    return plan


def _summary(filename: str, counts: dict[str, dict[str, int]]) -> str:
    words = {"create": "+", "change": "~", "move": "→", "reactivate": "↺", "deactivate": "−"}
    parts = [f"{sheet} " + " ".join(f"{words[a]}{n}" for a, n in tally.items() if n) for sheet, tally in counts.items()]
    return f"{filename}: " + "; ".join(p for p in parts if p.strip())


def push(data: dict[str, Any], *, actor: Any, apply_now: bool, valid_only: bool) -> DirectoryImport:
    """The API: the same rows as JSON, previewed and, when asked, applied at once."""
    batch = preview(json.dumps(data, default=str).encode(), kind="json", filename="api", actor=actor)
    if apply_now:
        apply(batch, actor=actor, valid_only=valid_only)
    return batch


# --- writing ---------------------------------------------------------------------------------


def _update_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany per set of columns: UPDATE … SET col = ?, version = version + 1 WHERE id = ?."""
    table = model.__table__
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for columns, group in by_columns.items():
        values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in columns}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        stmt = update(table).where(table.c.id == bindparam("v_id")).values(values)
        db.session.execute(stmt, [{f"v_{k}": v for k, v in row.items()} for row in group])


def _insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(model.__table__), rows)


def _ids(code: Any, key: Any) -> dict[str, int]:
    """Every row's id by its code, in one statement (rows without a code left out)."""
    return dict(db.session.execute(select(code, key).where(code.is_not(None))).all())


def _write(plan: Plan, snap: queries.Snapshot) -> list[list[Any]]:
    db.session.flush()
    if "units" in plan.sheets:
        _write_units(plan, snap)
    if "positions" in plan.sheets:
        _write_positions(plan, snap)
    heads: list[list[Any]] = []
    if "people" in plan.sheets:
        scope = _write_people(plan, snap)
        _write_subjects(plan, scope)
        heads = _write_heads(plan, scope)
    db.session.expire_all()
    return heads


def _write_units(plan: Plan, snap: queries.Snapshot) -> None:
    _insert_rows(UnitGroup, [{"code": code, "name": name, "position": 0, "version": 1} for code, name in plan.new_groups.items()])
    groups = _ids(UnitGroup.code, UnitGroup.id)
    _insert_rows(Unit, [{"code": u["code"], "name": u["name"], "group_id": groups[u["group"]], "active": True, "version": 1}
                        for code, u in plan.units.items() if code not in snap.units])
    ids = _ids(Unit.code, Unit.id)
    updates = []
    for code, u in plan.units.items():
        old = snap.units.get(code)
        want = {"name": u["name"], "group_id": groups[u["group"]], "parent_id": ids[u["parent"]] if u["parent"] else None, "active": True}
        have = {"name": old.name, "group_id": old.group_id, "parent_id": old.parent_id, "active": old.active} if old else {
            "name": u["name"], "group_id": groups[u["group"]], "parent_id": None, "active": True}
        row = {k: v for k, v in want.items() if have[k] != v}
        if row:
            updates.append({"id": ids[code], **row})
    updates += [{"id": old.id, "active": False} for code, old in snap.units.items()
                if plan.complete and old.active and code not in plan.mentioned["units"]]
    _update_rows(Unit, updates)


def _track_ids(codes: set[str]) -> dict[str, int]:
    """Each track's row, made for a track of the rules that no cycle has opened yet."""
    from workflow.framework.operations import track_row
    from workflow.framework.queries import latest_rules
    from workflow.framework.rules import tracks_of

    rules = tracks_of(latest_rules())
    return {code: track_row(code, rules[code]).id for code in sorted(codes)}


def _write_positions(plan: Plan, snap: queries.Snapshot) -> None:
    tracks = _track_ids({p["track"] for p in plan.positions.values() if p["track"]})
    rows, updates = [], []
    for code, p in plan.positions.items():
        want = {"name": p["name"], "track_id": tracks.get(p["track"]), "title": p["title"], "leads_unit": p["leads_unit"], "active": True}
        old = snap.positions.get(code)
        if old is None:
            rows.append({"code": code, "version": 1, **want})
            continue
        row = {k: v for k, v in want.items() if getattr(old, k) != v}
        if row:
            updates.append({"id": old.id, **row})
    _insert_rows(Position, rows)
    _update_rows(Position, updates)


def _write_people(plan: Plan, snap: queries.Snapshot) -> set[int]:
    """Write the people; returns the ids whose subjects and roles the file decides (its valid
    rows and the departed)."""
    positions = {row.code: (row.id, row.name) for row in db.session.execute(select(Position.code, Position.id, Position.name))}
    units = _ids(Unit.code, Unit.id)

    def values(p: dict[str, Any]) -> dict[str, Any]:
        row = {"full_name": p["full_name"], "email": p["email"], "unit_id": units[p["unit"]],
               "position_id": positions[p["position"]][0] if p["position"] else None, "started_on": p["started_on"], "active": True}
        if p["position"]:
            row["title"] = positions[p["position"]][1]
        return row

    new = [code for code in plan.people if code not in snap.people and code not in plan.adopted]
    now = utcnow()
    _insert_rows(Person, [{"personnel_code": code, "username": code.lower(), "password_hash": "", "locale": "vi", "version": 1,
                           "must_change_password": False, "created_at": now, "title": "", **values(plan.people[code])} for code in new])
    ids = _ids(Person.personnel_code, Person.id)
    ids.update(plan.adopted)
    updates = []
    for code, p in plan.people.items():
        want = {**values(p), "manager_id": ids[p["manager"]] if p["manager"] else None}
        old = snap.people.get(code)
        if code in plan.adopted:
            updates.append({"id": ids[code], "personnel_code": code, **want})
        elif old is None:
            if want["manager_id"] is not None:
                updates.append({"id": ids[code], "manager_id": want["manager_id"]})
        else:
            row = {k: v for k, v in want.items() if getattr(old, k) != v}
            if row:
                updates.append({"id": old.id, **row})
    departed = [old.id for code, old in snap.people.items() if plan.complete and old.active and code not in plan.mentioned["people"]]
    updates += [{"id": i, "active": False} for i in departed]
    _update_rows(Person, updates)
    if departed:
        db.session.execute(delete(SignInSession).where(SignInSession.person_id.in_(departed)))
    return {ids[code] for code in plan.people} | set(departed)


def _write_subjects(plan: Plan, scope: set[int]) -> None:
    """Each person of the file in the track of their position, in their unit, on its title's
    sheet; their other subjects in the tracks positions name made inactive."""
    positions = {row.code: row for row in db.session.execute(select(Position.code, Position.track_id, Position.title))}
    managed = {row.track_id for row in positions.values() if row.track_id is not None}
    if not managed:
        return
    units = _ids(Unit.code, Unit.id)
    ids = _ids(Person.personnel_code, Person.id)
    ids.update(plan.adopted)
    want: dict[tuple[int, int, int], str] = {}
    for code, p in plan.people.items():
        position = positions.get(p["position"]) if p["position"] else None
        if position is not None and position.track_id is not None:
            want[(position.track_id, units[p["unit"]], ids[code])] = position.title
    have = {(s.track_id, s.unit_id, s.person_id): s for s in db.session.execute(
        select(Subject.id, Subject.track_id, Subject.unit_id, Subject.person_id, Subject.title, Subject.active)
        .join(Person, Subject.person_id == Person.id)
        .where(Person.personnel_code.is_not(None), Subject.track_id.in_(managed)))}
    now = utcnow()
    _insert_rows(Subject, [{"track_id": t, "unit_id": u, "person_id": p, "kind": SubjectKind.PERSON.value, "title": title, "active": True,
                            "version": 1, "created_at": now} for (t, u, p), title in want.items() if (t, u, p) not in have])
    updates = []
    for key, s in have.items():
        if key in want and (not s.active or s.title != want[key]):
            updates.append({"id": s.id, "active": True, "title": want[key]})
        elif key not in want and s.active and s.person_id in scope:
            updates.append({"id": s.id, "active": False})
    _update_rows(Subject, updates)


def _write_heads(plan: Plan, scope: set[int]) -> list[list[Any]]:
    """The head role of each unit to the person the file says leads it; returns the audit rows."""
    units = _ids(Unit.code, Unit.id)
    codes = {i: code for code, i in units.items()}
    ids = _ids(Person.personnel_code, Person.id)
    ids.update(plan.adopted)
    want = {units[p["unit"]]: ids[code] for code, p in plan.people.items() if p["leads"]}
    grants = db.session.execute(select(RoleGrant.id, RoleGrant.unit_id, RoleGrant.person_id).where(RoleGrant.role == Role.HEAD)).all()
    person_codes = {i: code for code, i in ids.items()}
    gone = [g for g in grants if (g.person_id in scope and want.get(g.unit_id) != g.person_id)
            or (g.unit_id in want and want[g.unit_id] != g.person_id)]
    if gone:
        db.session.execute(delete(RoleGrant).where(RoleGrant.id.in_([g.id for g in gone])))
    held = {(g.unit_id, g.person_id) for g in grants} - {(g.unit_id, g.person_id) for g in gone}
    new = [(u, p) for u, p in want.items() if (u, p) not in held]
    now = utcnow()
    _insert_rows(RoleGrant, [{"person_id": p, "unit_id": u, "role": Role.HEAD.value, "created_at": now} for u, p in new])
    return ([["heads", "revoke", codes.get(g.unit_id, ""), person_codes.get(g.person_id, str(g.person_id))] for g in gone]
            + [["heads", "grant", codes[u], person_codes[p]] for u, p in new])


def changes_of(batch: DirectoryImport) -> list[Change]:
    """The changes a preview listed, as objects (for the pages)."""
    return [Change(*row) for rows in (batch.preview.get("changes") or {}).values() for row in rows]
