"""Revisions: the history of a registration after its first submission, and the diff between
any two versions of its set of targets.

A snapshot is the list of targets in force, each a dict of JSON-safe values (decimals as plain
text, dates in ISO form). `field_changes` compares one target before and after an edit;
`diff` compares two snapshots target by target and field by field, for the side-by-side page.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from workflow.core.errors import NotFound, ValidationFailed
from workflow.core.inputs import whole_number
from workflow.extensions import db
from workflow.targets.models import Registration, Revision, RevisionKind, Target
from workflow.targets.schemas import TARGET_FIELDS, field_labels

ADDED = "_added"  # the pseudo-field of a change record that adds a target
DROPPED = "dropped"


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return "0" if text in ("-0", "") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def target_values(target: Target) -> dict[str, Any]:
    return {name: json_value(getattr(target, name)) for name in TARGET_FIELDS}


def snapshot(registration: Registration) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "position": t.position, "origin": t.origin.value, **target_values(t)}
        for t in registration.targets
        if not t.dropped
    ]


def field_changes(target: Target, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Change records for one target: added (before is None), dropped (after is None) or the
    fields whose values differ."""
    title = (after or before or {}).get("title", target.title)
    if before is None:
        return [{"target_id": target.id, "title": title, "field": ADDED, "before": None, "after": title}]
    if after is None:
        return [{"target_id": target.id, "title": title, "field": DROPPED, "before": False, "after": True}]
    return [
        {"target_id": target.id, "title": title, "field": name, "before": before.get(name), "after": after.get(name)}
        for name in TARGET_FIELDS
        if before.get(name) != after.get(name)
    ]


def next_number(registration: Registration) -> int:
    current = db.session.scalar(select(func.max(Revision.number)).where(Revision.registration_id == registration.id))
    return (current or 0) + 1


def write(registration: Registration, kind: RevisionKind, *, actor: Any, reason: str = "", changes: list[dict[str, Any]] | None = None) -> Revision:
    db.session.flush()  # new targets need their ids in the snapshot
    revision = Revision(
        registration_id=registration.id,
        number=next_number(registration),
        kind=kind,
        actor_id=getattr(actor, "id", None),
        reason=reason or "",
        changes=changes or [],
        snapshot=snapshot(registration),
    )
    db.session.add(revision)
    return revision


def as_registered(registration_id: int) -> Revision | None:
    return db.session.scalar(
        select(Revision).where(Revision.registration_id == registration_id, Revision.kind == RevisionKind.SUBMITTED).order_by(Revision.number).limit(1)
    )


def as_assigned(registration_id: int) -> Revision | None:
    return db.session.scalar(
        select(Revision).where(Revision.registration_id == registration_id, Revision.kind == RevisionKind.ASSIGNED).order_by(Revision.number.desc()).limit(1)
    )


def kind_labels() -> dict[RevisionKind, str]:
    return {
        RevisionKind.SUBMITTED: gettext("Submitted"),
        RevisionKind.REVIEWED: gettext("Forwarded to the committee"),
        RevisionKind.RETURNED: gettext("Returned to the head"),
        RevisionKind.EDITED: gettext("Targets edited"),
        RevisionKind.SUPPLEMENTED: gettext("Supplementary target assigned"),
        RevisionKind.PROPOSAL_ACCEPTED: gettext("Proposal accepted"),
        RevisionKind.ASSIGNED: gettext("Officially assigned"),
        RevisionKind.AMENDED: gettext("Amended"),
    }


# --- comparing two versions ------------------------------------------------------------------

@dataclass
class Version:
    key: str  # a revision number or "current"
    label: str
    targets: list[dict[str, Any]]


@dataclass
class DiffRow:
    target_id: int
    title: str
    status: str  # added | removed | changed | same
    fields: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Diff:
    before: Version
    after: Version
    rows: list[DiffRow]

    @property
    def from_label(self) -> str:
        return self.before.label

    @property
    def to_label(self) -> str:
        return self.after.label

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0, "same": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


def version(registration: Registration, key: str | None) -> Version:
    """A revision by its number, or "current" for the targets as they are now."""
    if key in (None, "", "current"):
        return Version("current", gettext("Current"), snapshot(registration))
    number = whole_number(key)
    if number is None:
        raise ValidationFailed({"from": [gettext("Give a revision number or “current”.")]})
    revision = db.session.scalar(select(Revision).where(Revision.registration_id == registration.id, Revision.number == number))
    if revision is None:
        raise NotFound(gettext("There is no revision %(number)s of this registration.", number=key))
    return Version(str(revision.number), revision_label(revision, registration), revision.snapshot)


def revision_label(revision: Revision, registration: Registration, *, registered: Revision | None = None, assigned: Revision | None = None) -> str:
    """A revision as the diff page names it: "as registered" (the first submission) and "as
    officially assigned" (the latest assignment) by those names, the others by number and kind.
    `registered` and `assigned` spare their queries when a page names many revisions."""
    registered = registered if registered is not None else as_registered(registration.id)
    assigned = assigned if assigned is not None else as_assigned(registration.id)
    if registered is not None and revision.number == registered.number:
        return gettext("As registered (revision %(number)s)", number=revision.number)
    if assigned is not None and revision.number == assigned.number:
        return gettext("As officially assigned (revision %(number)s)", number=revision.number)
    return gettext("Revision %(number)s — %(kind)s", number=revision.number, kind=kind_labels()[revision.kind])


def default_keys(registration: Registration) -> tuple[str, str]:
    """What the diff page opens on: as registered against as officially assigned (or against the
    current targets until they are assigned)."""
    first = as_registered(registration.id)
    assigned = as_assigned(registration.id)
    before = str(first.number) if first else "current"
    after = str(assigned.number) if assigned and assigned.number != (first.number if first else None) else "current"
    return before, after


def diff(before: Version, after: Version) -> Diff:
    labels = field_labels()
    old = {t["id"]: t for t in before.targets}
    new = {t["id"]: t for t in after.targets}
    # In the order the pages list targets (quantitative first, then tasks; `targets_in_force`),
    # the targets removed after the others.
    ordered = [t["id"] for t in sorted(after.targets, key=lambda t: (t.get("kind") != "quantitative", t.get("position", 0)))]
    ordered += [i for i in old if i not in new]
    rows = []
    for ident in ordered:
        a, b = old.get(ident), new.get(ident)
        status = "added" if a is None else "removed" if b is None else "changed" if _differs(a, b) else "same"
        cells = [
            {
                "field": name,
                "label": labels[name],
                "before": (a or {}).get(name),
                "after": (b or {}).get(name),
                "changed": a is not None and b is not None and a.get(name) != b.get(name),
            }
            for name in TARGET_FIELDS
            if (a or {}).get(name) not in (None, "", False) or (b or {}).get(name) not in (None, "", False)
        ]
        rows.append(DiffRow(ident, (b or a)["title"], status, cells))
    return Diff(before, after, rows)


def _differs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return any(a.get(name) != b.get(name) for name in TARGET_FIELDS)
