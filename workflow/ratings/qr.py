"""The rating link of a dossier and its QR code (mã QR đánh giá trên phiếu hẹn).

A link opens the rating of one dossier at one counter on the citizen's phone; its `code` (an
HMAC of both, `operations.receipt_code`) makes it genuine, so links cannot be made up and each
dossier is rated once. There is no link for a counter alone: it would let anyone rate any number
of times. The one-stop system asks for a dossier's link and its image through the API; a head or
an administrator prints a slip for a dossier from the counters page (recorded in the audit log,
since a slip is a rating's ticket). The images are drawn by `segno` (SVG, and PNG without an
image library).
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import current_app, url_for
from flask_babel import gettext

from workflow import policy
from workflow.core import audit
from workflow.core.errors import DomainError, ValidationFailed
from workflow.ratings import operations
from workflow.ratings.models import Counter

# Medium error correction: a receipt creased or smudged a little still reads.
ERROR_LEVEL = "m"


def receipt_url(counter: Counter, dossier: str) -> str:
    """The absolute link printed on the receipt of `dossier`, handled at `counter`."""
    code = operations.receipt_code(counter.id, dossier)
    path = url_for("ratings.rate_dossier", counter_id=counter.id, dossier=dossier, code=code)
    return current_app.config["KPI"]["base_url"].rstrip("/") + path


def svg(data: str, *, scale: int = 4) -> str:
    """The QR code of `data` as an SVG document (no XML declaration: it may be put in a page)."""
    out = io.BytesIO()
    segno.make_qr(data, error=ERROR_LEVEL).save(out, kind="svg", xmldecl=False, scale=scale, svgclass="rating-qr", lineclass=None)
    return out.getvalue().decode()


def png(data: str, *, scale: int = 8) -> bytes:
    """The QR code of `data` as a PNG image, with its four modules of quiet zone."""
    out = io.BytesIO()
    segno.make_qr(data, error=ERROR_LEVEL).save(out, kind="png", scale=scale)
    return out.getvalue()


def print_slip(counter: Counter, dossier: str, *, actor: Any) -> tuple[str, str]:
    """(the dossier number as typed, its spaces folded; the link) of a slip printed at the
    counters page (the audit log keeps who printed which); a head prints for their units'
    counters, an administrator for any."""
    policy.require(actor, "ratings.counter.duty", counter)
    if not counter.active:
        raise DomainError(gettext("Unknown counter."))
    dossier = " ".join(dossier.split())
    if not dossier or len(dossier) > 64:
        raise ValidationFailed({"dossier": [gettext("Enter the dossier number (at most 64 characters).")]})
    audit.record("ratings.receipt.print", counter, actor=actor, summary=f"{counter.name}: {dossier}", data={"dossier": dossier})
    return dossier, receipt_url(counter, dossier)
