"""Sign-in sessions are kept on the server (workflow/accounts/sessions.py): signing out, a password
change, a deactivation and "sign out everywhere" end them, so a copy of the cookie stops working;
one browser signing out leaves the others; a signed-in request costs one lookup and no write."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import factories as f
from workflow.accounts import operations
from workflow.accounts.models import Role, SignInSession
from workflow.core.models import utcnow
from workflow.extensions import db

NEW_PASSWORD = "mot-mat-khau-moi-dai"


def browser(app, username: str, password: str = f.PASSWORD, agent: str = "Mozilla/5.0 (Windows NT 10.0) Firefox/128.0"):
    """A browser signed in through the form."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password}, headers={"User-Agent": agent})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def copy_of(app, client):
    """Another client holding a copy of `client`'s session cookie, as someone who copied it would."""
    thief = app.test_client()
    thief.set_cookie("kpi_session", client.get_cookie("kpi_session").value)
    return thief


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _sign_out(app, client, person):
    client.post("/logout")


def _change_password(app, client, person):
    assert client.post("/account/password", data={"current_password": f.PASSWORD, "new_password": NEW_PASSWORD}).status_code == 302


def _sign_out_everywhere(app, client, person):
    assert client.post("/account/sign-out-everywhere").status_code == 302


def _deactivated(app, client, person):
    operations.deactivate_person(db.session.get(type(person), person.id), actor=f.person(Role.ADMIN))
    db.session.commit()


def _reset_by_admin(app, client, person):
    operations.set_password(db.session.get(type(person), person.id), NEW_PASSWORD, actor=f.person(Role.ADMIN))
    db.session.commit()


def _signed_out_by_admin(app, client, person):
    operations.sign_out_everywhere(db.session.get(type(person), person.id), actor=f.person(Role.ADMIN))
    db.session.commit()


@pytest.mark.parametrize("end", [_sign_out, _change_password, _sign_out_everywhere, _deactivated, _reset_by_admin, _signed_out_by_admin],
                         ids=lambda fn: fn.__name__.strip("_"))
def test_a_cookie_copied_before_the_session_ended_no_longer_works(app, end):
    person = f.person(Role.STAFF, username="bisaochep")
    db.session.commit()
    client = browser(app, "bisaochep")
    thief = copy_of(app, client)
    assert signed_in(thief)
    end(app, client, person)
    page = thief.get("/account")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert thief.get("/api/v1/me").status_code == 401


def test_signing_out_one_browser_leaves_the_others_signed_in(app):
    f.person(Role.STAFF, username="haimay")
    db.session.commit()
    office, home = browser(app, "haimay"), browser(app, "haimay")
    office.post("/logout")
    assert not signed_in(office) and signed_in(home)


def test_a_password_change_keeps_this_browser_and_ends_the_others(app):
    f.person(Role.STAFF, username="doimk")
    db.session.commit()
    here, elsewhere = browser(app, "doimk"), browser(app, "doimk")
    _change_password(app, here, None)
    assert signed_in(here) and not signed_in(elsewhere)
    assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 1


def test_the_account_page_lists_the_browsers_and_signs_out_everywhere(app):
    person = f.person(Role.STAFF, username="nhieunoi")
    db.session.commit()
    office = browser(app, "nhieunoi", agent="Mozilla/5.0 (Windows NT 10.0) Firefox/128.0")
    phone = browser(app, "nhieunoi", agent="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile")
    page = office.get("/account").get_data(as_text=True)
    table = page[page.index('data-testid="sign-ins"'):page.index("</table>", page.index('data-testid="sign-ins"'))]
    assert "Firefox/128.0" in table and "Android 14" in table and table.count("<tr>") == 3
    assert "Firefox · Windows" in table and "Chrome · Android" in table  # in words, the full text as a tooltip
    assert table.count("Trình duyệt này") == 1  # the browser showing the page is marked
    assert 'action="/account/sign-out-everywhere"' in page and "Đăng xuất khỏi mọi nơi" in page
    response = office.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not signed_in(office) and not signed_in(phone)
    assert db.session.scalar(select(func.count()).select_from(SignInSession).where(SignInSession.person_id == person.id)) == 0


def test_a_session_past_its_absolute_lifetime_is_refused_and_pruned(app):
    from workflow.accounts.sessions import prune

    f.person(Role.STAFF, username="lauroi")
    db.session.commit()
    client = browser(app, "lauroi")
    db.session.execute(update(SignInSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
    db.session.commit()
    assert not signed_in(client)  # whatever the cookie says about its own age
    assert prune(utcnow()) == {"sessions": 1, "counters": 0}


def test_a_signed_in_request_costs_one_lookup_and_writes_nothing(as_person, count_statements):
    client = as_person(f.person(Role.STAFF))
    with count_statements() as counter:
        assert client.get("/api/v1/me").status_code == 200
    assert not [s for s in counter.statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s, re.I)]
    assert len([s for s in counter.statements if "sign_in_session" in s]) == 1
