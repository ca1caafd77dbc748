"""The photo of the official on duty, shown by the kiosk at the counter (ảnh cán bộ tiếp nhận).

Whoever may say who is on duty at a counter (the head of its unit, an administrator) uploads or
removes the photo of the official on duty there, from the counters page; the photo belongs to
the person and follows them to another counter. The type is decided from the content (the
signature `filetype` reads), never from the name, within `MAX_BYTES`; then Pillow decodes it and
it is kept as a JPEG of at most `MAX_SIDE` pixels a side, turned as the camera said, without
its metadata (a phone's photo carries the place and time it was taken: none of it is kept). The
kiosk fetches it with its device token (`ratings_api.kiosk_photo`): no photo is served to anyone
by a person's id.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import filetype
from flask import Response, request
from flask_babel import gettext
from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import undefer

from workflow import policy
from workflow.core import audit
from workflow.core.errors import DomainError, NotFound, ValidationFailed
from workflow.core.models import utcnow
from workflow.extensions import db
from workflow.ratings.models import Counter, PersonPhoto

MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 800  # pixels: a kiosk shows a face at a few centimetres
MAX_PIXELS = 50_000_000  # a larger picture is refused before it is decoded


def _official(counter: Counter, actor: Any):
    policy.require(actor, "ratings.counter.duty", counter)
    if counter.official is None:
        raise DomainError(gettext("No official is on duty at this counter."))
    return counter.official


def checked_image(content: bytes) -> None:
    """ValidationFailed (on the field `photo`) when an upload is empty, too large or, by its
    content, not a JPEG, PNG or WebP image."""
    if not content:
        raise ValidationFailed({"photo": [gettext("Choose a photo (JPEG, PNG or WebP).")]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed({"photo": [gettext("The photo is too large: at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))]})
    guess = filetype.guess(content[:261])
    if guess is None or guess.mime not in MEDIA_TYPES:
        raise ValidationFailed({"photo": [gettext("This file is not a JPEG, PNG or WebP photo.")]})


def prepared(content: bytes) -> bytes:
    """The photo as it is kept: decoded (refused when it cannot be, or is absurdly large),
    turned upright, on white where it was transparent, at most MAX_SIDE pixels a side, saved
    again as a JPEG that carries no metadata."""
    checked_image(content)
    unreadable = ValidationFailed({"photo": [gettext("This photo cannot be read: save it again as JPEG or PNG and upload it.")]})
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise unreadable
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise unreadable from None
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        flat = Image.new("RGB", upright.size, "white")
        flat.paste(upright, mask=upright.getchannel("A"))
        upright = flat
    upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)  # no exif= given: nothing of the camera's kept
    return out.getvalue()


def set_photo(counter: Counter, content: bytes, *, actor: Any) -> PersonPhoto:
    """The photo of the official on duty at `counter`, replacing theirs if they had one."""
    official = _official(counter, actor)
    content, media_type = prepared(content), "image/jpeg"
    photo = db.session.get(PersonPhoto, official.id) or PersonPhoto(person_id=official.id)
    photo.content, photo.media_type, photo.updated_at = content, media_type, utcnow()
    photo.sha256 = hashlib.sha256(content).hexdigest()
    db.session.add(photo)
    audit.record("ratings.photo.set", official, actor=actor, summary=f"{counter.name}: {official.full_name}",
                 data={"counter_id": counter.id, "media_type": media_type, "bytes": len(content)})
    return photo


def remove_photo(counter: Counter, *, actor: Any) -> None:
    """The official on duty at `counter` has no photo any more: the kiosk shows the icon."""
    official = _official(counter, actor)
    photo = db.session.get(PersonPhoto, official.id)
    if photo is None:
        raise DomainError(gettext("This official has no photo."))
    db.session.delete(photo)
    audit.record("ratings.photo.remove", official, actor=actor, summary=f"{counter.name}: {official.full_name}", data={"counter_id": counter.id})


def versions(person_ids: list[int]) -> dict[int, str]:
    """{person id: SHA-256 of their photo} of those who have one (the content is not loaded)."""
    if not person_ids:
        return {}
    return dict(db.session.execute(select(PersonPhoto.person_id, PersonPhoto.sha256).where(PersonPhoto.person_id.in_(person_ids))).all())


def response(person_id: int) -> Response:
    """The photo of `person_id` (404 when none) with its ETag: a client that sends it back in
    If-None-Match gets a 304 while the photo is unchanged. Browsers and proxies keep none of it
    (`no-store` on every API answer and signed-in page, `workflow.core.security`); the kiosk's
    service worker keeps the last one for when the network is down."""
    photo = db.session.scalar(select(PersonPhoto).where(PersonPhoto.person_id == person_id).options(undefer(PersonPhoto.content)))
    if photo is None:
        raise NotFound(gettext("This official has no photo."))
    answer = Response(photo.content, mimetype=photo.media_type)
    answer.set_etag(photo.sha256)
    answer.last_modified = photo.updated_at
    return answer.make_conditional(request)
