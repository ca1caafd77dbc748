"""Every change of the ratings: counters and who is on duty, devices and their tokens, ratings
received from any channel, and the manager's answer to an unsatisfied rating.

People's changes check the policy and write the audit log. Ratings come from devices and
citizens, not people who sign in: `receive` takes the device (or none, for the QR page) and is
idempotent — a rating's key is unique in the database, so a kiosk that sends its queue twice
gets "already received" for each rating it had sent, and a second rating of one dossier is
refused. An unsatisfied rating opens its case in the same transaction, and the head of the unit
is told through the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from workflow import policy
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.calendar import WorkingCalendar
from workflow.core import audit
from workflow.core.errors import DomainError, ValidationFailed
from workflow.core.models import utcnow
from workflow.core.transitions import Transition, Workflow
from workflow.extensions import db
from workflow.notifications.keys import event_key
from workflow.notifications.operations import notify
from workflow.ratings import months
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import CaseState, Channel, Counter, Device, DeviceKind, Rating, RatingCase, Verdict
from workflow.units.models import Unit

CASE = Workflow(
    "rating_case",
    CaseState,
    [Transition("answer", (CaseState.OPEN,), CaseState.ANSWERED, "ratings.case.answer", _l("Answer"))],
    labels={CaseState.OPEN: _l("Awaiting the manager's answer"), CaseState.ANSWERED: _l("Answered")},
)
TOKEN_PREFIX = "kpd_"
FUTURE_TOLERANCE = timedelta(minutes=10)


# --- counters and devices --------------------------------------------------------------------

def create_counter(unit: Unit, name: str, *, actor: Any, official: Person | None = None) -> Counter:
    policy.require(actor, "ratings.counters.manage")
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": [gettext("This field is required.")]})
    if db.session.scalar(select(Counter.id).where(Counter.unit_id == unit.id, Counter.name == name)):
        raise ValidationFailed({"name": [gettext("This unit already has a counter of that name.")]})
    counter = Counter(unit_id=unit.id, name=name, official_id=official.id if official else None)
    db.session.add(counter)
    audit.record("ratings.counter.create", counter, actor=actor, summary=f"{unit.name}: {name}")
    return counter


def put_on_duty(counter: Counter, official: Person | None, *, actor: Any) -> None:
    """The official on duty at the counter from now on (None: nobody): the kiosk shows them and
    the ratings given from now count for them."""
    policy.require(actor, "ratings.counter.duty", counter)
    if official is not None and not official.active:
        raise ValidationFailed({"official_id": [gettext("This account is deactivated.")]})
    before = counter.official_id
    counter.official_id = official.id if official else None
    counter.official = official
    audit.record("ratings.counter.duty", counter, actor=actor, summary=f"{counter.name}: {official.full_name if official else '—'}",
                 data={"official_id": [before, counter.official_id]})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_device(*, name: str, actor: Any, counter: Counter | None = None, unit: Unit | None = None) -> tuple[Device, str]:
    """A kiosk bound to `counter`, or (no counter) a machine client of `unit`; returns the device
    and its token, which is shown this once and kept only as its hash."""
    policy.require(actor, "ratings.counters.manage")
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": [gettext("This field is required.")]})
    if counter is None and unit is None:
        raise ValidationFailed({"counter_id": [gettext("This field is required.")]})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = Device(
        kind=DeviceKind.KIOSK if counter is not None else DeviceKind.CLIENT, name=name,
        unit_id=counter.unit_id if counter is not None else unit.id,  # type: ignore[union-attr]
        counter_id=counter.id if counter is not None else None, token_hash=_token_hash(token), token_hint=token[:8],
    )
    db.session.add(device)
    audit.record("ratings.device.register", device, actor=actor, summary=name, data={"kind": device.kind.value, "counter_id": device.counter_id})
    return device, token


def revoke_device(device: Device, *, actor: Any) -> None:
    policy.require(actor, "ratings.counters.manage")
    if not device.active:
        raise DomainError(gettext("This device was already revoked."))
    device.active = False
    audit.record("ratings.device.revoke", device, actor=actor, summary=device.name)


def device_for_token(token: str) -> Device | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return db.session.scalar(select(Device).where(Device.token_hash == _token_hash(token), Device.active.is_(True)))


# --- the QR code on the receipt ----------------------------------------------------------------

def receipt_code(counter_id: int, dossier: str) -> str:
    """The code that makes a QR link for one dossier at one counter genuine: a citizen can rate
    the dossier on the receipt, and nobody can make up links for dossiers they do not hold."""
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"ratings:{counter_id}:{dossier}".encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def receipt_valid(counter_id: int, dossier: str, code: str) -> bool:
    return hmac.compare_digest(receipt_code(counter_id, dossier), code or "")


# --- receiving ratings -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    status: str  # "accepted", "duplicate" (this key was received before), "refused"
    message: str = ""


def _month(moment: datetime, zone: ZoneInfo) -> int:
    local = moment.astimezone(zone)
    return local.year * 100 + local.month


# PostgreSQL: the batch travels as one JSON parameter unpacked by jsonb_to_recordset, so the
# statement is the same short text whatever the batch (parsed once by the driver and the server);
# a VALUES list of 200 rows × 14 columns costs more to build and parse than to insert.
_RECORD = ("key text, dossier text, unit_id int, counter_id int, official_id int, device_id int, channel text, verdict text, "
           "scores jsonb, comment text, phone text, rated_at timestamp, month int, received_at timestamp")
_COLUMNS = "key, dossier, unit_id, counter_id, official_id, device_id, channel, verdict, scores, comment, phone, rated_at, month, received_at"
_PG_INSERT = text(
    f"INSERT INTO rating ({_COLUMNS}) SELECT {_COLUMNS} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({_RECORD}) "
    "ON CONFLICT DO NOTHING RETURNING id, key"
)


def _naive_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def _insert_ratings(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert what is new, skip what conflicts (a key or a dossier seen before): {key: id} of
    the rows inserted. One statement."""
    if db.session.get_bind().dialect.name == "postgresql":
        payload = json.dumps([{**r, "rated_at": _naive_utc(r["rated_at"]), "received_at": _naive_utc(r["received_at"])} for r in rows])
        return {key: rid for rid, key in db.session.execute(_PG_INSERT, {"rows": payload})}
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(Rating.__table__).on_conflict_do_nothing().returning(Rating.__table__.c.id, Rating.__table__.c.key)
    return {key: rid for rid, key in db.session.execute(stmt, rows)}


def receive(items: Sequence[Mapping[str, Any]], *, channel: Channel, device: Device | None = None) -> list[Outcome]:
    """Record ratings (each: key, dossier, verdict, scores, comment, phone, rated_at, and for a
    machine client or an import counter_id and, for past ratings, official_id): one INSERT for
    the batch, duplicates by key told apart from a second rating of a dossier.

    A kiosk rates for its own counter and the official on duty there; a machine client for the
    counters of its unit.
    """
    section = rating_rules.in_force()
    criteria = {c["code"] for c in section["ratings"]["criteria"]}
    calendar = WorkingCalendar(section["calendar"])
    now = utcnow()
    counter_ids = {int(i["counter_id"]) for i in items if i.get("counter_id") is not None}
    if device is not None and device.counter_id is not None:
        counter_ids.add(device.counter_id)
    counters = {c.id: c for c in db.session.scalars(select(Counter).where(Counter.id.in_(counter_ids)))} if counter_ids else {}
    outcomes: dict[str, Outcome] = {}
    rows: list[dict[str, Any]] = []
    for item in items:
        key = item["key"]
        counter = counters.get(device.counter_id if device is not None and device.counter_id else item.get("counter_id"))  # type: ignore[arg-type]
        problem = None
        if counter is None or not counter.active:
            problem = gettext("Unknown counter.")
        elif device is not None and counter.unit_id != device.unit_id:
            problem = gettext("This device may not rate for that counter.")
        elif item["rated_at"] > now + FUTURE_TOLERANCE:
            problem = gettext("The time of the rating is in the future.")
        elif set(item.get("scores") or {}) - criteria:
            problem = gettext("Unknown criterion: %(codes)s.", codes=", ".join(sorted(set(item["scores"]) - criteria)))
        if problem:
            outcomes[key] = Outcome(key, "refused", problem)
            continue
        assert counter is not None
        official_id = item.get("official_id") if device is None or device.kind == DeviceKind.CLIENT else None
        rows.append({
            "key": key, "dossier": item["dossier"], "unit_id": counter.unit_id, "counter_id": counter.id,
            "official_id": official_id or counter.official_id, "device_id": device.id if device is not None else None,
            "channel": channel.value, "verdict": Verdict(item["verdict"]).value,
            "scores": {k: Verdict(v).value for k, v in (item.get("scores") or {}).items()},
            # A telephone number is kept only for a call back about an unsatisfied rating.
            "comment": (item.get("comment") or "").strip(),
            "phone": (item.get("phone") or "").strip() if item["verdict"] == Verdict.UNSATISFIED.value else "",
            "rated_at": item["rated_at"], "month": _month(item["rated_at"], calendar.zone), "received_at": now,
        })
    inserted = _insert_ratings(rows) if rows else {}
    missed = [r["key"] for r in rows if r["key"] not in inserted]
    known = set(db.session.scalars(select(Rating.key).where(Rating.key.in_(missed)))) if missed else set()
    for row in rows:
        key = row["key"]
        if key in inserted and key not in outcomes:
            outcomes[key] = Outcome(key, "accepted")
        elif key in known or key in outcomes:
            outcomes.setdefault(key, Outcome(key, "duplicate", gettext("Already received.")))
        else:
            outcomes[key] = Outcome(key, "refused", gettext("This dossier has already been rated."))
    accepted = [r for r in rows if outcomes[r["key"]].status == "accepted"]
    unhappy = [r for r in accepted if r["verdict"] == Verdict.UNSATISFIED.value]
    if unhappy:
        _open_cases(unhappy, inserted, section["ratings"], calendar)
    if device is not None:
        device.last_seen_at = now
    months.add_ratings(accepted)  # last: the month's rows are the ones other batches wait for
    return [outcomes[item["key"]] for item in items]


def head_of(unit_id: int) -> Person | None:
    return db.session.scalar(select(Person).join(RoleGrant, RoleGrant.person_id == Person.id)
                             .where(RoleGrant.role == Role.HEAD, RoleGrant.unit_id == unit_id, Person.active.is_(True)))


def _open_cases(rows: Iterable[dict[str, Any]], ids: Mapping[str, int], section: Mapping[str, Any], calendar: WorkingCalendar) -> None:
    cases = []
    for row in rows:
        due = calendar.local_date(row["rated_at"])
        for _ in range(section["answer_working_days"]):
            due = calendar.next_working_day(due + timedelta(days=1))
        cases.append(RatingCase(rating_id=ids[row["key"]], unit_id=row["unit_id"], official_id=row["official_id"], due_on=due))
    db.session.add_all(cases)
    db.session.flush()
    managers = {unit_id: head_of(unit_id) for unit_id in {c.unit_id for c in cases}}
    for case in cases:
        manager = managers[case.unit_id]
        if manager is not None and manager.id != case.official_id:
            notify(manager, "rating_case_opened", event_key("rating_case_opened", case, recipient=manager), "rating_case", {"case": case, "stage": "opened"})


# --- the manager's answer --------------------------------------------------------------------

def answer_case(case: RatingCase, *, justified: bool, action: str, actor: Any) -> None:
    """The manager's finding (was the official's handling justified?) and what was done. The
    phone number the citizen left for a call back is erased: the case no longer needs it."""
    action = action.strip()
    if not action:
        raise ValidationFailed({"action": [gettext("Say what was done.")]})
    CASE.fire(case, "answer", actor=actor)
    case.justified = justified
    case.action = action
    case.answered_by_id = getattr(actor, "id", None)
    case.answered_at = utcnow()
    case.rating.phone = ""
    months.add_answer(case.rating, justified=justified)
    audit.record("ratings.case.answer", case, actor=actor, summary=case.rating.dossier,
                 data={"justified": justified, "official_id": case.official_id})
