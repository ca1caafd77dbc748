"""Pages of the citizens' ratings: administrators' counters and devices (with the photos of the
officials on duty and the printed QR slips), the kiosk (a page with
no sign-in, whose script authenticates with the device's token), the QR rating page for one
dossier on a phone, the unsatisfied cases and their answers, the dashboard by unit and official
and month, and the import of a CSV or Excel file.

Views load, check and delegate to `operations`; the figures come from `queries`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from workflow import policy
from workflow.accounts.models import Person
from workflow.core.auth import public
from workflow.core.errors import DomainError, NotFound, ValidationFailed, flatten_errors
from workflow.core.models import utcnow
from workflow.core.web import get_or_404
from workflow.extensions import db
from workflow.ratings import display, imports, operations, photos, qr, queries
from workflow.ratings.api import throttle
from workflow.ratings import rules as rating_rules
from workflow.ratings.display import verdict_labels
from workflow.ratings.models import CaseState, Channel, Counter, Device, Rating, RatingCase, Verdict
from workflow.ratings.schemas import RatingInSchema
from workflow.units.models import Unit

bp = Blueprint("ratings", __name__)


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals.update({"rating_verdict_labels": verdict_labels, "rating_case_workflow": operations.CASE})


# --- counters and devices (administrators) ---------------------------------------------------

@bp.get("/ratings/counters")
def counters():
    policy.require(current_user, "ratings.counters.view")
    # An administrator manages every unit's counters; a head sees their units' to say who is on duty.
    unit_ids = None if policy.can(current_user, "ratings.counters.manage") else current_user.head_unit_ids
    stmt = db.select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)
    units = list(db.session.scalars(stmt if unit_ids is None else stmt.where(Unit.id.in_(unit_ids))))
    rows = queries.counters(unit_ids)
    devices: dict[int, list[Device]] = {}
    clients: dict[int, list[Device]] = {}
    for device in db.session.scalars(db.select(Device).where(Device.unit_id.in_([u.id for u in units])).order_by(Device.id)):
        (devices.setdefault(device.counter_id, []) if device.counter_id else clients.setdefault(device.unit_id, [])).append(device)
    staff = {u.id: queries.unit_people(u.id) for u in units if any(c.unit_id == u.id for c in rows)}
    pictures = photos.versions([c.official_id for c in rows if c.official_id])
    return render_template("ratings/counters.html", units=units, counters=rows, devices=devices, clients=clients, staff=staff,
                           photos=pictures, max_photo_mb=photos.MAX_BYTES // (1024 * 1024))


@bp.post("/ratings/counters")
def create_counter():
    unit = get_or_404(Unit, request.form.get("unit_id", type=int))
    counter = operations.create_counter(unit, request.form.get("name", ""), actor=current_user)
    flash(gettext("Counter “%(name)s” created.", name=counter.name), "success")
    return redirect(url_for("ratings.counters"))


@bp.post("/ratings/counters/<int:counter_id>/duty")
def put_on_duty(counter_id: int):
    counter = get_or_404(Counter, counter_id)
    official_id = request.form.get("official_id", type=int)
    official = get_or_404(Person, official_id) if official_id else None
    operations.put_on_duty(counter, official, actor=current_user)
    flash(gettext("The official on duty at “%(name)s” was changed.", name=counter.name), "success")
    return redirect(url_for("ratings.counters"))


@bp.post("/ratings/counters/<int:counter_id>/photo")
def upload_photo(counter_id: int):
    counter = get_or_404(Counter, counter_id)
    upload = request.files.get("photo")
    # Read one byte past the limit: enough to know a file is too large without holding it all.
    content = upload.stream.read(photos.MAX_BYTES + 1) if upload is not None else b""
    photos.set_photo(counter, content, actor=current_user)
    flash(gettext("The photo of %(name)s was saved: the kiosk shows it.", name=counter.official.full_name), "success")
    return redirect(url_for("ratings.counters"))


@bp.post("/ratings/counters/<int:counter_id>/photo/remove")
def remove_photo(counter_id: int):
    counter = get_or_404(Counter, counter_id)
    photos.remove_photo(counter, actor=current_user)
    flash(gettext("The photo of %(name)s was removed.", name=counter.official.full_name), "success")
    return redirect(url_for("ratings.counters"))


@bp.get("/ratings/counters/<int:counter_id>/photo")
def counter_photo(counter_id: int):
    """The photo of the official on duty, for those who may change it (the counters page)."""
    counter = get_or_404(Counter, counter_id)
    policy.require(current_user, "ratings.counter.duty", counter)
    if counter.official_id is None:
        raise NotFound(gettext("No official is on duty at this counter."))
    return photos.response(counter.official_id)


@bp.post("/ratings/counters/<int:counter_id>/slip")
def print_slip(counter_id: int):
    """A printable slip for one dossier at the counter, with the QR code of its rating link."""
    counter = get_or_404(Counter, counter_id)
    dossier, url = qr.print_slip(counter, request.form.get("dossier", ""), actor=current_user)
    return render_template("ratings/slip.html", counter=counter, dossier=dossier, url=url, qr_svg=qr.svg(url, scale=6))


@bp.post("/ratings/counters/<int:counter_id>/devices")
def register_kiosk(counter_id: int):
    counter = get_or_404(Counter, counter_id)
    device, token = operations.register_device(name=request.form.get("name", ""), counter=counter, actor=current_user)
    db.session.flush()
    return render_template("ratings/device_token.html", device=device, token=token)


@bp.post("/ratings/clients")
def register_client():
    unit = get_or_404(Unit, request.form.get("unit_id", type=int))
    device, token = operations.register_device(name=request.form.get("name", ""), unit=unit, actor=current_user)
    db.session.flush()
    return render_template("ratings/device_token.html", device=device, token=token)


@bp.post("/ratings/devices/<int:device_id>/revoke")
def revoke_device(device_id: int):
    device = get_or_404(Device, device_id)
    operations.revoke_device(device, actor=current_user)
    flash(gettext("Device “%(name)s” revoked: its token no longer works.", name=device.name), "success")
    return redirect(url_for("ratings.counters"))


# --- the kiosk and the QR page (citizens, no sign-in) ------------------------------------------

@bp.get("/kiosk")
@public
def kiosk():
    """The kiosk's page: its script holds the device token (typed once by the administrator who
    sets the tablet up), shows the official on duty and sends the ratings, queued on the device
    while the network is down."""
    return render_template("ratings/kiosk.html", verdicts=list(Verdict))


@bp.get("/kiosk-sw.js")
@public
def kiosk_worker():
    """The kiosk's service worker, served from the root so that it may control /kiosk."""
    response = current_app.send_static_file("js/kiosk-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _receipt(counter_id: int, dossier: str) -> Counter:
    counter = db.session.get(Counter, counter_id)
    if counter is None or not counter.active or not operations.receipt_valid(counter_id, dossier, request.args.get("code", "")):
        raise NotFound(gettext("This rating link is not valid. Please scan the QR code on your receipt again."))
    return counter


@bp.route("/rate/<int:counter_id>/<path:dossier>", methods=["GET", "POST"])
@public
def rate_dossier(counter_id: int, dossier: str):
    """A dossier's rating on the citizen's phone, from the QR code on its receipt."""
    counter = _receipt(counter_id, dossier)
    criteria = rating_rules.in_force()["ratings"]["criteria"]
    already = db.session.scalar(db.select(Rating.id).where(Rating.dossier == dossier)) is not None
    if request.method == "POST" and not already:
        [outcome] = operations.receive([_rating_from(request.form, criteria, counter_id, dossier)], channel=Channel.QR)
        throttle(None)  # last, as the API counts (workflow.ratings.api.send_ratings)
        if outcome.status == "refused":
            raise DomainError(outcome.message)
        return render_template("ratings/thanks.html", counter=counter)
    return render_template("ratings/rate.html", counter=counter, dossier=dossier, criteria=criteria, verdicts=list(Verdict), already=already,
                           key=uuid.uuid4().hex)


def _rating_from(form: Any, criteria: list[dict[str, str]], counter_id: int, dossier: str) -> dict[str, Any]:
    scores = {c["code"]: form[f"score_{c['code']}"] for c in criteria if form.get(f"score_{c['code']}")}
    data = {"key": form.get("key", ""), "dossier": dossier, "verdict": form.get("verdict", ""), "scores": scores, "comment": form.get("comment", ""),
            "phone": form.get("phone", ""), "rated_at": utcnow().isoformat(), "counter_id": counter_id}
    try:
        return RatingInSchema().load(data)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None


# --- unsatisfied cases -------------------------------------------------------------------------

@bp.get("/ratings/cases")
def cases():
    state = request.args.get("state", CaseState.OPEN.value)
    shown = CaseState(state) if state in {s.value for s in CaseState} else None
    rows = queries.cases_for(current_user, state=shown)
    return render_template("ratings/cases.html", cases=rows, state=state, today=date.today())


def _case(case_id: int) -> RatingCase:
    case = get_or_404(RatingCase, case_id)
    policy.require(current_user, "ratings.case.view", case)
    return case


@bp.get("/ratings/cases/<int:case_id>")
def case(case_id: int):
    found = _case(case_id)
    return render_template("ratings/case.html", case=found, criteria=rating_rules.in_force()["ratings"]["criteria"])


@bp.post("/ratings/cases/<int:case_id>")
def answer_case(case_id: int):
    found = _case(case_id)
    justified = request.form.get("justified")
    if justified not in ("yes", "no"):
        raise ValidationFailed({"justified": [gettext("This field is required.")]})
    operations.answer_case(found, justified=justified == "yes", action=request.form.get("action", ""), actor=current_user)
    flash(gettext("Your answer was recorded."), "success")
    return redirect(url_for("ratings.case", case_id=found.id))


# --- dashboard and import ----------------------------------------------------------------------

@bp.get("/ratings")
def dashboard():
    """The province's ranking of units by share satisfied in the year; with `unit_id`, that
    unit's months, its chart and its officials by month. Three statements of figures at most,
    over the months kept beside the ratings."""
    policy.require(current_user, "ratings.dashboard.view")
    year = request.args.get("year", type=int) or date.today().year
    units = queries.readable_units(current_user)
    unit_id = request.args.get("unit_id", type=int)
    unit = next((u for u in units if u.id == unit_id), None)
    by_unit = queries.by_unit(year, unit_ids=[u.id for u in units], by_month=False)
    shares = {unit_id: figures.share or 0 for unit_id, figures in by_unit.items()}
    ranked = sorted((u for u in units if u.id in by_unit), key=lambda u: (-shares[u.id], u.name))
    minimum = rating_rules.in_force()["ratings"]["min_ratings"]
    rows, chart, rank = [], None, None
    if unit is not None:
        months = queries.by_unit(year, unit_ids=[unit.id])
        by_official = queries.by_official(year, unit_ids=[unit.id], units=months)
        names = queries.people(by_official)
        # Officials by name; the ratings given with nobody on duty last.
        for official_id in sorted(by_official, key=lambda i: (i is None, names[i].full_name if i in names else "", i or 0)):
            label = names[official_id].full_name if official_id in names else gettext("Nobody on duty")
            rows.append(display.figure_row(label, by_official[official_id], f"official-{official_id}"))
        if unit.id in months:
            rows.insert(0, display.figure_row(gettext("The whole unit"), months[unit.id], f"unit-{unit.id}"))
            rank = next(n for n, u in enumerate(ranked, start=1) if u.id == unit.id)
            by_month = [months[unit.id].month_share(m) for m in range(1, 13)]
            chart = {"labels": [str(m) for m in range(1, 13)], "values": [float(v) if v is not None else None for v in by_month]}
    else:
        link = url_for("ratings.dashboard", year=year) + "&unit_id="  # built once: a province ranks hundreds of units
        rows = [display.figure_row(f"{n}. {u.name}", by_unit[u.id], f"unit-{u.id}", f"{link}{u.id}", by_month=False)
                for n, u in enumerate(ranked, start=1)]
    return render_template("ratings/dashboard.html", year=year, units=units, unit=unit, rows=rows, ranked=len(ranked), rank=rank, chart=chart,
                           minimum=minimum, months=range(1, 13))


@bp.route("/ratings/import", methods=["GET", "POST"])
def import_ratings():
    policy.require(current_user, "ratings.import")
    result = None
    saved = imports.saved_mappings()
    chosen = next((m for m in saved if m.name == request.args.get("mapping")), None)
    columns = {**imports.COLUMNS, **(chosen.columns if chosen else {})}
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": [gettext("Choose a CSV or Excel file.")]})
        columns = imports.mapping_from(request.form)
        if request.form.get("mapping_name", "").strip():
            imports.save_mapping(request.form["mapping_name"], columns, actor=current_user)
        result = imports.import_file(upload.filename, upload.read(), mapping=columns, actor=current_user)
    return render_template("ratings/import.html", result=result, columns=columns, saved=saved, chosen=chosen)
