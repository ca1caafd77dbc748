"""The Vietnamese catalogue is complete, compiled, and used by default; English on request."""

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import factories as f
from workflow.accounts.models import Role
from workflow.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "workflow/translations/vi/LC_MESSAGES/messages.po"
MO = ROOT / "workflow/translations/vi/LC_MESSAGES/messages.mo"


def _extracted_ids(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_every_string_in_the_code_is_translated_to_vietnamese(tmp_path):
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else all(m.string)) and not m.fuzzy
    }
    missing = sorted(_extracted_ids(tmp_path) - translated)
    assert not missing, "untranslated (run tools/update-translations.sh and translate):\n" + "\n".join(missing)


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}
    with MO.open("rb") as fh:
        mo = {m.id: m.string for m in read_mo(io.BytesIO(fh.read())) if m.id}
    assert po == mo, "messages.mo is stale: run tools/update-translations.sh"


def test_placeholders_survive_translation():
    import re

    with PO.open("rb") as fh:
        for m in read_po(fh):
            if not m.id or not isinstance(m.id, str):
                continue
            assert sorted(re.findall(r"%\(\w+\)s", m.id)) == sorted(re.findall(r"%\(\w+\)s", m.string)), m.id
            assert sorted(re.findall(r"\{\w+\}", m.id)) == sorted(re.findall(r"\{\w+\}", m.string)), m.id


def test_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and 'lang="vi"' in page
    client.post("/locale", data={"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_a_signed_in_persons_language_is_kept_on_their_account(as_person):
    person = f.person(Role.STAFF)
    c = as_person(person)
    assert c.post("/locale", data={"locale": "en", "next": "/account"}).headers["Location"] == "/account"
    db.session.refresh(person)
    assert person.locale == "en"
    assert "My account" in c.get("/account").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/locale", data={"locale": "fr"})
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_api_errors_follow_accept_language(client):
    vi = client.get("/api/v1/me").get_json()["message"]
    en = client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()["message"]
    assert vi.startswith("Vui lòng") and en.startswith("Please sign in")


def test_templates_translate_in_the_locale_of_the_moment_even_when_forced(app):
    """`_()` in templates keeps each language's catalogue at hand (workflow/core/i18n.py), and still
    follows `force_locale`: mail to an English reader rendered during a Vietnamese request."""
    from flask_babel import force_locale

    template = app.jinja_env.from_string("{{ _('Home') }}|{{ _('Month %(month)s/%(year)s', month=3, year=2026) }}")
    with app.test_request_context("/"):
        assert template.render() == "Trang chủ|Tháng 3/2026"
        with force_locale("en"):
            assert template.render() == "Home|Month 3/2026"
        assert template.render() == "Trang chủ|Tháng 3/2026"
