"""API: ratings sent by devices, under /api/v1/ratings.

A kiosk and a machine client (the one-stop system) each send `Authorization: Bearer kpd_…`, the
token an administrator made for them, never a person's: a device is bound to a counter or to a
unit, not to whoever is on duty. Sending is idempotent: each rating carries a key its sender
made, and a rating sent again is answered `duplicate`, so a queue can always be resent whole.
Requests are limited per device and per network address (`ratings_limit_*` in the settings).
A kiosk fetches the photo of the official on duty at its counter with its token; the one-stop
system gets a dossier's rating link with its QR code to print on the receipt.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Response, current_app, request, url_for
from flask_babel import get_locale, gettext
from flask_smorest import Blueprint
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from workflow.core.api import API_PREFIX, bearer_token
from workflow.core.auth import Unauthenticated, device_credential
from workflow.core.errors import DomainError, NotFound, ValidationFailed
from workflow.core.ratelimit import storage
from workflow.extensions import db
from workflow.ratings import operations, photos, qr
from workflow.ratings import rules as rating_rules
from workflow.ratings.models import Channel, Counter, Device, DeviceKind
from workflow.ratings.schemas import (
    BatchResultSchema, KioskSchema, RatingBatchSchema, ReceiptLinkInSchema, ReceiptLinkSchema, ReceiptQrInSchema, outcome_dicts,
)

blp = Blueprint(
    "ratings_api", __name__, url_prefix=f"{API_PREFIX}/ratings",
    description="Citizens' ratings sent by the kiosks at the counters and by machine clients, each with its own device token.",
)


class TooManyRequests(DomainError):
    status_code = 429


def throttle(device: Device | None) -> None:
    """Count this request against its device's limit and its address's (TooManyRequests past
    either); a QR page has no device, only its address."""
    settings = current_app.config["KPI"]
    limiter = FixedWindowRateLimiter(storage())
    counts = [(settings["ratings_limit_per_address"], "ratings-address", request.remote_addr or "-")]
    if device is not None:
        per_device = settings["ratings_limit_per_kiosk"] if device.kind == DeviceKind.KIOSK else settings["ratings_limit_per_client"]
        counts.append((per_device, "ratings-device", str(device.id)))
    for limit, *ids in counts:
        item = parse(limit)
        if not limiter.hit(item, *ids):
            wait = max(1, int(limiter.get_window_stats(item, *ids).reset_time - time.time()))
            raise TooManyRequests(gettext("Too many requests: try again in %(n)s seconds.", n=wait))


def authenticated_device(*, counted: bool = True) -> Device:
    """The device whose token the request carries (401 without a valid one)."""
    device = operations.device_for_token(bearer_token() or "")
    if device is None:
        raise Unauthenticated(gettext("Send the device's token: Authorization: Bearer kpd_…"))
    if counted:
        throttle(device)
    return device


def kiosk_context(device: Device) -> dict[str, Any]:
    counter = device.counter
    if counter is None:
        raise ValidationFailed({"device": [gettext("This token is a machine client's, not a kiosk's.")]})
    locale = str(get_locale() or "vi")
    criteria = rating_rules.in_force()["ratings"]["criteria"]
    official = counter.official
    photo = official is not None and bool(photos.versions([official.id]))
    return {
        "counter": counter.name, "unit": counter.unit.name,
        "official": {"full_name": official.full_name, "title": official.title,
                     "photo_url": url_for("ratings_api.kiosk_photo") if photo else None} if official is not None else None,
        "criteria": [{"code": c["code"], "label": c["en"] if locale == "en" else c["vi"]} for c in criteria],
    }


@blp.get("/kiosk")
@blp.response(200, KioskSchema)
@device_credential
def kiosk():
    """What a kiosk shows: its counter, the official on duty (name and title) and the criteria
    it asks about, in the language asked (Accept-Language)."""
    return kiosk_context(authenticated_device(counted=False))


@blp.get("/kiosk/photo")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="image/*")
@blp.alt_response(304, description="Not modified: the photo of the ETag sent in If-None-Match is still the one.")
@device_credential
def kiosk_photo():
    """The photo of the official on duty at the kiosk's counter (JPEG, PNG or WebP), with its
    ETag; 404 when they have none. Only a kiosk's token gets it, and only its own counter's."""
    device = authenticated_device(counted=False)
    official_id = device.counter.official_id if device.counter is not None else None
    if official_id is None:
        raise NotFound(gettext("No official is on duty at this counter."))
    return photos.response(official_id)


@blp.post("")
@blp.arguments(RatingBatchSchema)
@blp.response(200, BatchResultSchema)
@device_credential
def send_ratings(data):
    """Send up to 500 ratings; each is answered `accepted`, `duplicate` (received before) or
    `refused` with the reason (a dossier already rated, a counter of another unit …)."""
    device = authenticated_device(counted=False)
    channel = Channel.KIOSK if device.kind == DeviceKind.KIOSK else Channel.API
    outcomes = operations.receive(data["ratings"], channel=channel, device=device)
    # Counted last: a counter's row stays locked until the request commits, so counting first
    # would make the requests of one address wait for each other's whole work. Past the limit
    # the request is refused and all it wrote rolled back.
    throttle(device)
    return outcome_dicts(outcomes)


@blp.post("/receipt-links")
@blp.arguments(ReceiptLinkInSchema)
@blp.response(200, ReceiptLinkSchema)
@device_credential
def receipt_link(data):
    """The link to print as a QR code on a dossier's receipt: it opens the rating of that
    dossier on the citizen's phone."""
    url = qr.receipt_url(_devices_counter(authenticated_device(), data["counter_id"]), data["dossier"])
    return {"url": url, "qr_svg": qr.svg(url)}


@blp.get("/receipt-links/qr.png")
@blp.arguments(ReceiptQrInSchema, location="query")
@blp.response(200, {"format": "binary", "type": "string"}, content_type="image/png")
@device_credential
def receipt_qr_png(args):
    """The same link's QR code as a PNG image, for printers that take no SVG."""
    url = qr.receipt_url(_devices_counter(authenticated_device(), args["counter_id"]), args["dossier"])
    return Response(qr.png(url), mimetype="image/png")


def _devices_counter(device: Device, counter_id: int) -> Counter:
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.unit_id != device.unit_id:
        raise ValidationFailed({"counter_id": [gettext("Not a counter of this device's unit.")]})
    return counter
