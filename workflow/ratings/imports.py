"""Ratings imported from the one-stop system's export: a CSV (UTF-8, comma or semicolon) or an
Excel workbook (.xlsx, its first sheet), one rating per row, the first row naming the columns.

Which column holds what is a mapping ({field: column heading}), the headings below by default,
so that another system's export is read without being edited. Each row becomes a rating sent
through `operations.receive`, like a kiosk's; its key is made from the dossier, so importing
the same file again adds nothing (each row answers "already received"). Every bad row is named
with its line and why; the good rows of the file are imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from workflow import policy
from workflow.accounts.models import Person
from workflow.calendar import WorkingCalendar
from workflow.core import audit
from workflow.core.errors import ValidationFailed, flatten_errors
from workflow.extensions import db
from workflow.ratings import operations
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import Channel, Counter, ImportMapping, Verdict
from workflow.ratings.schemas import RatingInSchema
from workflow.reports.evidence import ArchiveRefused, detect
from workflow.units.models import Unit

# field → the heading it is read from by default
COLUMNS = {
    "unit": "ma_don_vi",
    "counter": "quay",
    "dossier": "ma_ho_so",
    "verdict": "muc_do_hai_long",
    "rated_at": "thoi_gian",
    "official": "can_bo",
    "comment": "y_kien",
}
REQUIRED = ("unit", "counter", "dossier", "verdict", "rated_at")
VERDICT_WORDS = {
    "rất hài lòng": Verdict.VERY_SATISFIED, "hài lòng": Verdict.SATISFIED, "không hài lòng": Verdict.UNSATISFIED,
    **{v.value: v for v in Verdict},
}
MAX_ROWS = 50000


@dataclass
class ImportResult:
    accepted: int = 0
    duplicates: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def mapping_from(form: Any, columns: dict[str, str] = COLUMNS) -> dict[str, str]:
    """The headings typed in the form (`column_<field>`), the default heading for each left empty."""
    return {name: (form.get(f"column_{name}") or default).strip()[:100] for name, default in columns.items()}


def saved_mappings(purpose: str = "ratings") -> list[ImportMapping]:
    return list(db.session.scalars(select(ImportMapping).where(ImportMapping.purpose == purpose).order_by(ImportMapping.name)))


def save_mapping(name: str, mapping: dict[str, str], *, actor: Any, purpose: str = "ratings", columns: dict[str, str] = COLUMNS,
                 action: str = "ratings.import", target: Any = None) -> ImportMapping:
    """Keep `mapping` under `name` for `purpose` (replacing what that name held), for the next
    imports; `action` on `target` is the policy's permission to import them."""
    policy.require(actor, action, target)
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationFailed({"mapping_name": [gettext("This field is required.")]})
    found = db.session.scalar(select(ImportMapping).where(ImportMapping.purpose == purpose, ImportMapping.name == name))
    if found is None:
        found = ImportMapping(purpose=purpose, name=name, columns={})
        db.session.add(found)
    changes = audit.apply_changes(found, {"columns": {k: mapping[k] for k in columns}})
    if changes or found.id is None:
        audit.record("ratings.import_mapping.save", found, actor=actor, summary=name, data={**changes, "purpose": purpose})
    return found


def read_rows(data: bytes) -> list[list[Any]]:
    """The rows of a CSV (UTF-8, comma, semicolon or tab) or of an Excel workbook's first sheet,
    at most MAX_ROWS besides the header (one more is read, to tell that there are too many)."""
    if data.startswith(b"PK"):
        try:
            kind = detect(io.BytesIO(data))
        except ArchiveRefused:
            kind = None
        if kind != "xlsx":
            raise ValidationFailed({"file": [gettext("This is not a CSV or Excel (.xlsx) file.")]})
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        return [list(row) for _, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True), strict=False)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": [gettext("Save the CSV file as UTF-8.")]}) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    return [row for _, row in zip(range(MAX_ROWS + 2), csv.reader(io.StringIO(text), dialect), strict=False)]


def _moment(value: Any, calendar: WorkingCalendar) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(gettext("The time “%(value)s” is not a date and time (dd/mm/yyyy hh:mm).", value=text))
    return moment if moment.tzinfo else moment.replace(tzinfo=calendar.zone)


def import_file(filename: str, data: bytes, *, mapping: dict[str, str], actor: Any) -> ImportResult:
    policy.require(actor, "ratings.import")
    rows = read_rows(data)
    if not rows:
        raise ValidationFailed({"file": [gettext("The file is empty.")]})
    headings = [str(h or "").strip() for h in rows[0]]
    where = {name: headings.index(heading) for name, heading in mapping.items() if heading in headings}
    missing = [mapping[name] for name in REQUIRED if name not in where]
    if missing:
        raise ValidationFailed({"file": [gettext("The file has no column %(names)s.", names=", ".join(missing))]})
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed({"file": [gettext("At most %(n)s rows per file.", n=MAX_ROWS)]})
    calendar = WorkingCalendar(rating_rules.in_force()["calendar"])
    units = {u.code: u.id for u in db.session.scalars(select(Unit))}
    counters = {(c.unit_id, c.name): c.id for c in db.session.scalars(select(Counter))}
    officials = {p.username: p.id for p in db.session.scalars(select(Person))}
    result = ImportResult()
    items: list[tuple[int, dict[str, Any]]] = []
    schema = RatingInSchema()

    def cell(row: list[Any], name: str) -> Any:
        at = where.get(name)
        return row[at] if at is not None and at < len(row) else None

    for line, row in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in row):
            continue
        try:
            unit_id = units.get(str(cell(row, "unit") or "").strip())
            counter_id = counters.get((unit_id, " ".join(str(cell(row, "counter") or "").split())))
            if counter_id is None:
                raise ValueError(gettext("No counter “%(counter)s” in unit “%(unit)s”.", counter=cell(row, "counter"), unit=cell(row, "unit")))
            verdict = VERDICT_WORDS.get(" ".join(str(cell(row, "verdict") or "").lower().split()))
            if verdict is None:
                raise ValueError(gettext("The verdict “%(value)s” is not rất hài lòng, hài lòng or không hài lòng.", value=cell(row, "verdict")))
            username = str(cell(row, "official") or "").strip()
            if username and username not in officials:
                raise ValueError(gettext("No official with the username “%(name)s”.", name=username))
            dossier = str(cell(row, "dossier") or "").strip()
            item = schema.load({
                "key": "imp-" + hashlib.sha256(dossier.encode()).hexdigest()[:40], "dossier": dossier, "verdict": verdict.value,
                "rated_at": _moment(cell(row, "rated_at"), calendar).isoformat(), "comment": str(cell(row, "comment") or ""),
                "counter_id": counter_id, "official_id": officials.get(username),
            })
        except ValidationError as exc:
            result.problems.append((line, "; ".join(f"{k}: {' '.join(v)}" for k, v in flatten_errors(exc.messages).items())))
            continue
        except ValueError as exc:
            result.problems.append((line, str(exc)))
            continue
        items.append((line, item))
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        for (line, _), outcome in zip(chunk, operations.receive([i for _, i in chunk], channel=Channel.IMPORT), strict=True):
            if outcome.status == "accepted":
                result.accepted += 1
            elif outcome.status == "duplicate":
                result.duplicates += 1
            else:
                result.problems.append((line, outcome.message))
    result.problems.sort()
    audit.record("ratings.import", actor=actor, object_type="rating", summary=filename[:200],
                 data={"accepted": result.accepted, "duplicates": result.duplicates, "refused": len(result.problems)})
    return result
