"""The kiosk's photo of the official on duty and the QR codes of the rating links (issue 14): a
photo uploaded and removed from the counters page by whoever says who is on duty there, refused
when it is not a JPEG, PNG or WebP image or is too large, served to the counter's kiosk with its
token only, kept as a small upright JPEG with none of the camera's metadata; the link of a dossier as a QR code (read back with zxing-cpp) for the one-stop system
and on a printed slip."""

from __future__ import annotations

import hashlib
import io

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

import factories as f
from test_ratings import world  # noqa: F401  (the fixture: a unit, its head, an official on duty, a kiosk, a machine client)
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db
from workflow.ratings import operations, photos, qr
from workflow.ratings.models import PersonPhoto

BROWSER = "text/html,application/xhtml+xml"
# A real PNG (1×1, grey); a real JPEG; a file that starts as a JPEG and is not one.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                    "3a7e9b550000000a4944415478da63680000008200815b6a2c0d0000000049454e44ae426082")
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"


def _jpeg(width: int = 40, height: int = 30, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", exif=exif or Image.Exif())
    return out.getvalue()


JPEG = _jpeg()


def _upload(page, counter_id: int, content: bytes, name: str = "anh.png"):
    return page.post(f"/ratings/counters/{counter_id}/photo", data={"photo": (io.BytesIO(content), name)}, content_type="multipart/form-data",
                     headers={"Accept": BROWSER, "Referer": "http://localhost/ratings/counters"})


def _kiosk(client, token: str, url: str = "/api/v1/ratings/kiosk", **headers):
    return client.get(url, headers={"Authorization": f"Bearer {token}", **headers})


def _audit(action: str) -> list[tuple[str, int]]:
    return db.session.execute(select(AuditEntry.object_type, AuditEntry.object_id).where(AuditEntry.action == action)).all()


def test_a_head_uploads_the_photo_of_the_official_on_duty_which_the_kiosk_shows_and_removes_it(world, as_person, client):
    page, official = as_person(world["head"]), world["official"]
    assert _upload(page, world["counter"].id, PNG).status_code == 302
    photo = db.session.get(PersonPhoto, official.id)
    # Kept as a JPEG decoded and saved again (the PNG's grey pixel, on no metadata).
    assert photo.media_type == "image/jpeg" and Image.open(io.BytesIO(photo.content)).size == (1, 1)
    assert _audit("ratings.photo.set") == [("person", official.id)]
    listing = page.get("/ratings/counters").get_data(as_text=True)
    assert 'alt="Ảnh của Lê Thị Hạnh"' in listing and "Gỡ ảnh" in listing

    official_shown = _kiosk(client, world["kiosk_token"]).get_json()["official"]
    assert official_shown["photo_url"] == "/api/v1/ratings/kiosk/photo"
    served = _kiosk(client, world["kiosk_token"], official_shown["photo_url"])
    assert served.status_code == 200 and served.data == photo.content and served.mimetype == "image/jpeg"
    assert served.headers["ETag"] == f'"{photo.sha256}"' and served.headers["Cache-Control"] == "no-store"
    assert _kiosk(client, world["kiosk_token"], official_shown["photo_url"], **{"If-None-Match": served.headers["ETag"]}).status_code == 304

    assert _upload(page, world["counter"].id, JPEG, "anh.jpg").status_code == 302  # replaced, under a new ETag
    again = _kiosk(client, world["kiosk_token"], official_shown["photo_url"], **{"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 200 and again.mimetype == "image/jpeg"

    assert page.post(f"/ratings/counters/{world['counter'].id}/photo/remove").status_code == 302
    assert db.session.scalar(select(PersonPhoto.person_id)) is None and _audit("ratings.photo.remove") == [("person", official.id)]
    assert _kiosk(client, world["kiosk_token"]).get_json()["official"]["photo_url"] is None
    assert _kiosk(client, world["kiosk_token"], "/api/v1/ratings/kiosk/photo").status_code == 404


def test_a_photo_is_served_only_to_the_kiosk_of_the_counter_with_its_token(world, client, as_person):
    photos.set_photo(world["counter"], PNG, actor=world["admin"])
    other = operations.create_counter(f.unit(), "Quầy khác", actor=world["admin"], official=f.person(full_name="Người khác"))
    db.session.flush()
    _, other_token = operations.register_device(name="Máy khác", counter=other, actor=world["admin"])
    db.session.commit()
    assert client.get("/api/v1/ratings/kiosk/photo").status_code == 401
    assert _kiosk(client, "kpd_wrong", "/api/v1/ratings/kiosk/photo").status_code == 401
    assert _kiosk(client, other_token, "/api/v1/ratings/kiosk/photo").status_code == 404  # its own official has none
    assert _kiosk(client, world["client_token"], "/api/v1/ratings/kiosk/photo").status_code == 404  # a machine client has no counter
    assert as_person(world["official"]).get(f"/ratings/counters/{world['counter'].id}/photo").status_code == 403
    assert as_person(world["head"]).get(f"/ratings/counters/{world['counter'].id}/photo").data == db.session.get(PersonPhoto, world["official"].id).content


def test_a_photo_of_another_type_too_large_or_by_someone_else_is_refused(world, as_person):
    page = as_person(world["head"])
    gif = _upload(page, world["counter"].id, b"GIF89a" + b"\x00" * 100, "anh.png")
    assert gif.status_code == 422 and "Tệp này không phải là ảnh JPEG, PNG hoặc WebP." in gif.get_data(as_text=True)
    assert 'name="photo"' in gif.get_data(as_text=True)  # the counters page, shown again with its form
    pdf = _upload(page, world["counter"].id, b"%PDF-1.7\n" + b"0" * 100, "anh.jpg")
    assert pdf.status_code == 422
    big = _upload(page, world["counter"].id, PNG + b"\x00" * photos.MAX_BYTES)
    assert big.status_code == 422 and "Ảnh quá lớn: tối đa 2 MB." in big.get_data(as_text=True)
    assert _upload(page, world["counter"].id, b"").status_code == 422
    broken = _upload(page, world["counter"].id, FAKE_JPEG, "anh.jpg")  # a JPEG's signature, no picture behind it
    assert broken.status_code == 422 and "Không đọc được ảnh này" in broken.get_data(as_text=True)
    assert db.session.scalar(select(PersonPhoto.person_id)) is None

    other_head = as_person(f.person(Role.HEAD))
    assert _upload(other_head, world["counter"].id, PNG).status_code == 403
    assert as_person(world["official"]).post(f"/ratings/counters/{world['counter'].id}/photo/remove").status_code == 403
    other = operations.create_counter(f.unit(), "Quầy 9", actor=world["admin"])
    db.session.commit()
    listing = as_person(world["head"]).get("/ratings/counters").get_data(as_text=True)
    assert "Quầy 9" not in listing and listing.count("Tải ảnh lên") == 1  # only at the counter of the head's unit
    assert _upload(page, other.id, PNG).status_code == 403


def _read_qr(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_one_stop_system_gets_a_dossiers_link_with_its_qr_code(world, client):
    headers = {"Authorization": f"Bearer {world['client_token']}"}
    answer = client.post("/api/v1/ratings/receipt-links", json={"counter_id": world["counter"].id, "dossier": "H29-0300/2026"}, headers=headers)
    link = answer.get_json()["url"]
    assert link.startswith("http://kpi.test/rate/") and answer.get_json()["qr_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    image = client.get("/api/v1/ratings/receipt-links/qr.png", query_string={"counter_id": world["counter"].id, "dossier": "H29-0300/2026"},
                       headers=headers)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert _read_qr(image.data) == [link]
    assert client.get(link.removeprefix("http://kpi.test")).status_code == 200
    assert client.get("/api/v1/ratings/receipt-links/qr.png", query_string={"counter_id": world["counter"].id, "dossier": "H1"}).status_code == 401
    other = operations.create_counter(f.unit(), "Quầy khác", actor=world["admin"])
    db.session.commit()
    assert client.get("/api/v1/ratings/receipt-links/qr.png", query_string={"counter_id": other.id, "dossier": "H1"}, headers=headers).status_code == 422


def test_a_head_prints_a_dossiers_rating_slip_and_the_audit_log_keeps_it(world, as_person, client, app):
    page = as_person(world["head"])
    slip = page.post(f"/ratings/counters/{world['counter'].id}/slip", data={"dossier": " H29-0400 "})
    html = slip.get_data(as_text=True)
    with app.test_request_context():
        link = qr.receipt_url(world["counter"], "H29-0400")
    assert slip.status_code == 200 and "Đánh giá tại Quầy 1" in html and f'href="{link}"' in html and 'class="rating-qr"' in html
    assert qr.svg(link, scale=6) in html and _read_qr(qr.png(link)) == [link]
    assert _audit("ratings.receipt.print") == [("rating_counter", world["counter"].id)]
    assert client.get(link.removeprefix("http://kpi.test")).status_code == 200
    assert page.post(f"/ratings/counters/{world['counter'].id}/slip", data={"dossier": " "},
                     headers={"Accept": BROWSER, "Referer": "http://localhost/ratings/counters"}).status_code == 422
    assert as_person(f.person(Role.HEAD)).post(f"/ratings/counters/{world['counter'].id}/slip", data={"dossier": "H1"}).status_code == 403


def test_a_phones_photo_is_kept_upright_small_and_without_where_and_when_it_was_taken(world):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; the picture is to be turned 90°
    exif[0x0132] = "2026:03:11 09:00:00"  # DateTime
    exif[0x010F] = "Điện thoại của cán bộ"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 18.0, 30.0)}  # GPS: where the photo was taken
    taken = _jpeg(3000, 2000, exif)
    assert Image.open(io.BytesIO(taken)).getexif()  # the phone's file carries them
    photo = photos.set_photo(world["counter"], taken, actor=world["admin"])
    kept = Image.open(io.BytesIO(photo.content))
    assert kept.format == "JPEG" and kept.size == (533, 800)  # upright (portrait) and at most 800 pixels a side
    assert not kept.getexif() and b"Exif" not in photo.content and "exif" not in kept.info
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def test_a_picture_too_large_to_decode_is_refused_before_it_is(world):
    from workflow.core.errors import ValidationFailed

    huge = io.BytesIO()
    Image.new("1", (8000, 8000)).save(huge, "PNG")  # 64 million pixels in a few kilobytes
    assert len(huge.getvalue()) < photos.MAX_BYTES
    with pytest.raises(ValidationFailed):
        photos.set_photo(world["counter"], huge.getvalue(), actor=world["admin"])
