"""The photo of the official on duty, shown by the kiosk at the counter (ảnh cán bộ tiếp nhận).

Whoever may say who is on duty at a counter (the head of its unit, an administrator) uploads or
removes the photo of the official on duty there, from the counters page; the photo belongs to
the person and follows them to another counter. The type is decided from the content (the
signature `filetype` reads), never from the name; there is no image library among the
dependencies, so a photo is kept as uploaded, within `MAX_BYTES`. The kiosk fetches it with its
device token (`ratings_api.kiosk_photo`): no photo is served to anyone by a person's id.
"""

from __future__ import annotations

import hashlib
from typing import Any

import filetype
from flask import Response, request
from flask_babel import gettext
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


def _official(counter: Counter, actor: Any):
    policy.require(actor, "ratings.counter.duty", counter)
    if counter.official is None:
        raise DomainError(gettext("No official is on duty at this counter."))
    return counter.official


def checked_image(content: bytes) -> str:
    """The media type of an uploaded photo, from its content; ValidationFailed (on the field
    `photo`) when it is empty, too large or not a JPEG, PNG or WebP image."""
    if not content:
        raise ValidationFailed({"photo": [gettext("Choose a photo (JPEG, PNG or WebP).")]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed({"photo": [gettext("The photo is too large: at most %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))]})
    guess = filetype.guess(content[:261])
    if guess is None or guess.mime not in MEDIA_TYPES:
        raise ValidationFailed({"photo": [gettext("This file is not a JPEG, PNG or WebP photo.")]})
    return guess.mime


def set_photo(counter: Counter, content: bytes, *, actor: Any) -> PersonPhoto:
    """The photo of the official on duty at `counter`, replacing theirs if they had one."""
    official = _official(counter, actor)
    media_type = checked_image(content)
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
