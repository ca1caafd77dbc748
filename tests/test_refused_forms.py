"""A refused form stays on its page: a browser that posted a form from one of our pages and was
refused (a field, a rule, a permission) gets that page again under the refusal's status, with the
messages in the person's language and what they typed, never an error page with a status code,
a field name or a request id. Scripts and the API keep their JSON errors."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

import factories as f
from council_support import awaiting_decisions
from workflow.accounts.models import Role
from workflow.council import queries

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _refusal(page: str) -> dict:
    found = re.search(r"data-refusal='([^']*)'", page)
    assert found, "the page carries no refusal"
    return json.loads(unescape(found.group(1)))


@pytest.fixture
def decisions(app):
    """A finalised proposal list waiting for the committee's decisions."""
    cycle = f.year(2027)
    registration, seats, _ = awaiting_decisions(cycle)
    return cycle, registration, seats


def _decide(client, cycle, registration, data, *, locale="vi", headers=None):
    page = f"http://localhost/council/{cycle.id}/decisions?page=1"
    return client.post(f"/council/{cycle.id}/decisions/{registration.id}?page=1", data=data,
                       headers={"Referer": page, "Accept": BROWSER, "Accept-Language": locale, **(headers or {})})


def test_a_refused_decision_stays_on_the_decisions_page_with_what_was_typed(as_person, decisions):
    cycle, registration, seats = decisions
    committee = f.person(Role.COMMITTEE)
    client = as_person(committee)
    response = _decide(client, cycle, registration, {"level": "not_completed", "reason": "  "})

    assert response.status_code == 422  # the refusal's status: nothing was saved
    page = response.get_data(as_text=True)
    assert "Quyết định của Ban Thường vụ" in page  # the decisions page itself, not an error page
    assert "Mã lỗi" not in page and "alert-danger refused-form" in page
    refusal = _refusal(page)
    assert refusal["action"] == f"/council/{cycle.id}/decisions/{registration.id}?page=1"
    assert refusal["page"] == f"/council/{cycle.id}/decisions?page=1"
    assert refusal["values"] == {"level": ["not_completed"], "reason": ["  "]}
    assert set(refusal["errors"]) == {"reason"}
    # The message is in words beside its field (placed by the page's script), and nowhere is
    # the field's name shown to the reader.
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"data-refusal='[^']*'", "", page))
    assert refusal["errors"]["reason"][0] in visible
    assert not re.search(r"\breason\b", visible)
    assert queries.latest_decisions(cycle.id) == {}


def test_the_messages_follow_the_persons_language(as_person, decisions):
    cycle, registration, seats = decisions
    committee = f.person(Role.COMMITTEE, locale="en")
    page = _decide(as_person(committee), cycle, registration, {"level": "not_completed", "reason": ""}).get_data(as_text=True)
    assert "Decisions of the standing committee" in page
    assert "Please correct the highlighted fields." in page


def test_a_refusal_by_the_policy_also_stays_on_the_page(as_person, decisions):
    cycle, registration, seats = decisions
    response = _decide(as_person(seats["chair"].person), cycle, registration, {"level": "good", "reason": "Đủ điều kiện"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert _refusal(page)["message"] == "Đồng chí không có quyền thực hiện thao tác này."
    assert "Mã lỗi" not in page


def test_without_a_page_of_origin_or_from_a_script_the_error_is_as_before(as_person, decisions):
    cycle, registration, seats = decisions
    client = as_person(f.person(Role.COMMITTEE))
    # A script (fetch) asks for anything: its error stays an error.
    scripted = _decide(client, cycle, registration, {"level": "not_completed"}, headers={"Accept": "*/*"})
    assert scripted.status_code == 422 and "data-refusal" not in scripted.get_data(as_text=True)
    # Posted from another site: no page of ours to go back to.
    foreign = client.post(f"/council/{cycle.id}/decisions/{registration.id}", data={"level": "not_completed"},
                          headers={"Referer": "http://elsewhere.example/x", "Accept": BROWSER})
    assert foreign.status_code == 422
    page = foreign.get_data(as_text=True)
    # The error page of a refused form: the message in words, no field name, no code, no request id.
    assert "data-refusal" not in page and "Mã lỗi" not in page and "<strong>reason</strong>" not in page


def test_the_page_of_origin_that_cannot_be_shown_again_falls_back_to_the_error_page(as_person, decisions):
    cycle, registration, seats = decisions
    client = as_person(f.person(Role.COMMITTEE))
    response = client.post(f"/council/{cycle.id}/decisions/{registration.id}", data={"level": "not_completed"},
                           headers={"Referer": "http://localhost/no-such-page", "Accept": BROWSER})
    assert response.status_code == 422
    assert "data-refusal" not in response.get_data(as_text=True)
