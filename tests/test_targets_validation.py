"""Validation of every field of a target, through the API and through the web form alike:
empty, wrong type, out of range, kind-dependent requirements, a target equal to its baseline,
a due date outside the cycle, a title far too long, and text with HTML shown escaped."""

from decimal import Decimal

import pytest

import factories as f
from workflow.extensions import db

QUANT = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in f.QUANTITATIVE.items()}
TASK = {k: (str(v) if not isinstance(v, str) else v) for k, v in f.TASK.items()}
LONG = "Đ" * 10_000

# (base values, field, bad value or None to leave it out, expected message fragment)
CASES = [
    (QUANT, "kind", None, "required"),
    (QUANT, "kind", "mission", "allowed"),
    (QUANT, "title", None, "required"),
    (QUANT, "title", "   ", "required"),
    (QUANT, "title", LONG, "300"),
    (QUANT, "field", None, "required"),
    (QUANT, "field", "x" * 201, "200"),
    (QUANT, "measure", None, "quantitative"),
    (QUANT, "measure", "x" * 101, "100"),
    (QUANT, "baseline", None, "quantitative"),
    (QUANT, "baseline", "nhiều", "number"),
    (QUANT, "baseline", "10000000000000001", "15 digits"),
    (QUANT, "baseline", "NaN", "number"),  # the API: "a finite number"; a form: "write the number the Vietnamese way"
    (QUANT, "target_value", None, "quantitative"),
    (QUANT, "target_value", "abc", "number"),
    (QUANT, "target_value", "1000", "differ"),
    (QUANT, "target_value", "-2000000000000000", "15 digits"),
    (QUANT, "direction", None, "quantitative"),
    (QUANT, "direction", "sideways", "allowed"),
    (QUANT, "plan_q1", None, "quantitative"),
    (QUANT, "plan_q2", "x", "number"),
    (QUANT, "plan_q3", "Infinity", "number"),
    (QUANT, "plan_q4", None, "quantitative"),
    (QUANT, "weight", None, "required"),
    (QUANT, "weight", "-5", "greater than 0"),
    (QUANT, "weight", "0", "greater than 0"),
    (QUANT, "weight", "101", "at most 100"),
    (QUANT, "weight", "nặng", "number"),
    (TASK, "product", None, "task"),
    (TASK, "product", "x" * 2001, "2000"),
    (TASK, "due_date", None, "task"),
    (TASK, "due_date", "31/02/2027", "no such date"),
    (TASK, "due_date", "12/31/2027", "no such date"),  # the American order is not read
    (TASK, "due_date", "2028-01-15", "within the cycle"),
    (TASK, "due_date", "2026-12-31", "within the cycle"),
    (TASK, "milestone_q1", "x" * 2001, "2000"),
    (TASK, "previous_target_id", "abc", "whole number"),
]


def _body(base, field, bad):
    body = dict(base)
    if bad is None:
        body.pop(field, None)
    else:
        body[field] = bad
    return body


@pytest.fixture
def head_client(as_person):
    reg = f.registration()
    head = db.session.get(f.Person, reg.head_id)
    head.locale = "en"
    return reg, as_person(head)


@pytest.mark.parametrize("base, field, bad, message", CASES, ids=[f"{c[1]}={str(c[2])[:12]}" for c in CASES])
def test_api_refuses_a_bad_field(head_client, base, field, bad, message):
    reg, client = head_client
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json=_body(base, field, bad))
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert reg.targets == []


@pytest.mark.parametrize("base, field, bad, message", CASES, ids=[f"{c[1]}={str(c[2])[:12]}" for c in CASES])
def test_web_form_refuses_a_bad_field_and_keeps_the_input(head_client, base, field, bad, message):
    reg, client = head_client
    form = {k: v for k, v in _body(base, field, bad).items() if v not in (None, False)}
    response = client.post(f"/registrations/{reg.id}/targets/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="f-{field}"' in page and f'id="{field}-error"' in page, field
    assert message.lower() in page.lower()
    assert form["title"][:50] in page if form.get("title", "").strip() and len(form["title"]) < 400 else True
    assert reg.targets == []


def test_api_refuses_wrong_types_and_unknown_fields(head_client):
    reg, client = head_client
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json={**QUANT, "title": 12, "is_focal": "maybe", "colour": "red"})
    errors = response.get_json()["errors"]["json"]
    assert response.status_code == 422 and set(errors) == {"title", "is_focal", "colour"}
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", data="not json", headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)


def test_a_task_ignores_stale_quantitative_fields_and_the_reverse(head_client):
    reg, client = head_client
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json={**TASK, "baseline": "5", "measure": "ha"})
    assert response.status_code == 201
    assert response.get_json()["baseline"] is None and response.get_json()["measure"] == ""


def test_html_and_script_in_text_is_shown_escaped(head_client, as_person):
    reg, client = head_client
    evil = '<script>alert("x")</script><b>đậm</b>'
    response = client.post(f"/api/v1/registrations/{reg.id}/targets", json={**QUANT, "title": evil, "field": evil, "measure": "<i>ha</i>"})
    assert response.status_code == 201 and response.get_json()["title"] == evil
    page = client.get(f"/registrations/{reg.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "<b>đậm</b>" not in page
    assert "&lt;i&gt;ha&lt;/i&gt;" in page


def test_weights_must_add_up_to_100_at_submit(head_client):
    reg, client = head_client
    client.post(f"/api/v1/registrations/{reg.id}/targets", json={**QUANT, "weight": "60"})
    client.post(f"/api/v1/registrations/{reg.id}/targets", json={**TASK, "weight": "30"})
    db.session.refresh(reg)
    response = client.post(f"/registrations/{reg.id}/step", data={"step": "submit", "version": reg.version})
    assert response.status_code == 422  # an error on the weights, shown beside them
    html = response.get_data(as_text=True)
    assert 'id="weight-error"' in html and "90" in html and "100" in html
    db.session.refresh(reg)
    assert reg.state.value == "draft"
