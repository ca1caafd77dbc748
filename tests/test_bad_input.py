"""Bad input is a clear 4xx, never a server error (issue 10, finding 5): ids and page numbers out
of the database's range, digits that are not ASCII (`²`), lone surrogates, JSON nested 10,000
deep, numbers of 5,000 digits. Each is refused once, in workflow/core (inputs.py, schemas.py,
pagination.py), whatever the page or endpoint."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

import factories as f
from council_support import council, open_scoring
from workflow.accounts.models import Role
from workflow.core.inputs import MAX_INT, MAX_JSON_BYTES, parse_json
from workflow.core.errors import DomainError
from workflow.extensions import db
from workflow.targets.models import Amendment

HUGE = "9" * 5000
BEYOND_INT64 = "99999999999999999999"
SUPERSCRIPT = "²"  # "²".isdigit() is true; int("²") raises ValueError
SURROGATE = "\ud800"


def _json(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:300]
    return response.get_json()


# --- ids in paths -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [str(MAX_INT + 1), BEYOND_INT64, HUGE])
def test_an_id_out_of_range_in_a_path_is_not_found(as_person, raw, english):
    admin = f.person(Role.ADMIN)
    headers = f.api_headers(admin)
    c = as_person(admin)
    for path in (f"/api/v1/registrations/{raw}", f"/api/v1/units/{raw}", f"/api/v1/council/results/{raw}/sheet.pdf"):
        response = c.get(path, headers=headers)
        assert response.status_code == 404, path
        assert _json(response)["message"]
    # Also for another method than the path's GET (werkzeug would answer 405), and for pages.
    assert c.delete(f"/api/v1/units/{raw}", headers=headers).status_code == 404
    assert c.get(f"/reports/{raw}").status_code == 404
    assert c.get(f"/admin/units/{raw}").status_code == 404


def test_the_route_takes_every_id_up_to_the_largest(app):
    from werkzeug.exceptions import NotFound

    urls = app.url_map.bind("kpi.test")
    assert urls.match(f"/api/v1/units/{MAX_INT}", method="GET") == ("units_api.get_unit", {"unit_id": MAX_INT})
    assert urls.match("/api/v1/units/007", method="GET") == ("units_api.get_unit", {"unit_id": 7})
    for raw in (str(MAX_INT + 1), "٣", SUPERSCRIPT):
        with pytest.raises(NotFound):
            urls.match(f"/api/v1/units/{raw}", method="DELETE")


def test_the_openapi_document_states_the_range_of_path_ids(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameter = next(p for p in spec["paths"]["/api/v1/registrations/{registration_id}"]["parameters"] if p["name"] == "registration_id")
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": MAX_INT}


# --- page numbers and whole numbers in JSON and query strings ----------------------------------

@pytest.mark.parametrize("page", [BEYOND_INT64, str(MAX_INT + 1), HUGE, SUPERSCRIPT])
def test_a_page_number_out_of_range_is_refused_by_the_api(client, page):
    headers = f.api_headers(f.person(Role.ADMIN))
    for path in ("/api/v1/registrations", "/api/v1/reports", "/api/v1/units", "/api/v1/people"):
        response = client.get(path, query_string={"page": page}, headers=headers)
        assert response.status_code == 422, path
        assert "page" in _json(response)["errors"]["query"]


@pytest.mark.parametrize("page", [BEYOND_INT64, HUGE, SUPERSCRIPT])
def test_a_page_number_out_of_range_shows_the_first_page(as_person, page):
    c = as_person(f.person(Role.ADMIN, full_name="Quản Trị Viên"))
    response = c.get("/admin/people", query_string={"page": page})
    assert response.status_code == 200
    assert "Quản Trị Viên" in response.get_data(as_text=True)


def test_whole_numbers_in_json_stay_within_the_database(client, english):
    headers = f.api_headers(f.person(Role.ADMIN, locale="en"))
    for value in (MAX_INT + 1, 10**30):
        response = client.post("/api/v1/units", json={"code": "SXD", "name": "Sở Xây dựng", "group_id": value}, headers=headers)
        assert response.status_code == 422
        assert _json(response)["errors"]["json"]["group_id"] == [f"Must be at most {MAX_INT}."]
    response = client.get("/api/v1/reports", query_string={"registration_id": BEYOND_INT64}, headers=headers)
    assert response.status_code == 422 and "registration_id" in _json(response)["errors"]["query"]
    from workflow.council.schemas import SessionUpdateSchema
    from marshmallow import ValidationError

    with pytest.raises(ValidationError) as refused:  # a list of ids, as every other whole number
        SessionUpdateSchema().load({"held_on": "2028-01-15", "place": "Hội trường", "attendee_ids": [1, 10**12]})
    assert refused.value.messages == {"attendee_ids": {1: [f"Must be at most {MAX_INT}."]}}


# --- superscript digits in forms and query strings ---------------------------------------------

def test_superscript_digits_in_forms_and_queries_are_not_numbers(as_person, english):
    registration = f.assigned_registration()
    head = f.head_of(registration)
    admin, staff = f.person(Role.ADMIN), f.person(Role.STAFF)
    group = f.group()
    db.session.flush()
    as_admin, as_head, as_staff = as_person(admin), as_person(head), as_person(staff)
    r = registration.id
    expectations = [
        (as_admin.get("/admin/units", query_string={"group_id": SUPERSCRIPT}), 200),
        (as_admin.get("/admin/units/new", query_string={"group_id": SUPERSCRIPT}), 200),
        (as_admin.get("/admin/people", query_string={"unit_id": SUPERSCRIPT}), 200),
        (as_admin.get("/admin/audit", query_string={"object_id": SUPERSCRIPT}), 200),
        (as_admin.post(f"/admin/unit-groups/{group.id}", data={"code": group.code, "name": group.name, "version": SUPERSCRIPT}), 409),
        (as_head.post("/registrations/mine", data={"unit_id": SUPERSCRIPT}), 404),
        (as_head.get(f"/registrations/{r}/amendments/new", query_string={"kind": "change", "target": SUPERSCRIPT}), 404),
        (as_head.get(f"/registrations/{r}/amendments/new", query_string={"kind": "add", "amendment": SUPERSCRIPT}), 200),
        (as_head.post("/reports/open", data={"registration_id": SUPERSCRIPT, "quarter": "1"}), 404),
        (as_head.post("/reports/open", data={"registration_id": str(r), "quarter": SUPERSCRIPT}), 404),
        (as_staff.get("/reports/monitor", query_string={"group_id": SUPERSCRIPT, "quarter": SUPERSCRIPT}), 200),
        (as_staff.get("/reports/export", query_string={"cycle_id": SUPERSCRIPT, "quarter": "1"}), 404),
        (as_head.get(f"/api/v1/registrations/{r}/diff", query_string={"from": SUPERSCRIPT}, headers=f.api_headers(head)), 422),
    ]
    for number, (response, status) in enumerate(expectations):
        assert response.status_code == status, (number, response.status_code, response.get_data(as_text=True)[:300])


def test_superscript_digits_in_an_amendment_version_are_no_version(as_person):
    registration = f.assigned_registration()
    head = f.head_of(registration)
    from workflow.targets import operations

    amendment = operations.request_amendment(registration, [{"kind": "drop", "target_id": registration.targets[2].id, "values": {}}],
                                             actor=head, reason="Không còn phù hợp")
    db.session.flush()
    assert isinstance(amendment, Amendment)
    response = as_person(head).post(
        f"/registrations/{registration.id}/amendments/new?kind=drop&target={registration.targets[1].id}&amendment={amendment.id}",
        data={"reason": "Cũng không còn phù hợp", "amendment_version": SUPERSCRIPT},
    )
    assert response.status_code == 409  # no version: refused as a stale edit, nothing added


def test_superscript_digits_on_council_forms_choose_no_one(as_person):
    cycle = open_scoring(f.execution_cycle(2027))
    f.complete_registration("assigned", cycle=cycle)
    seats = council(cycle, members=1)
    admin = f.person(Role.ADMIN, locale="en")
    db.session.flush()
    response = as_person(admin).post(f"/council/{cycle.id}/members", data={"person_id": SUPERSCRIPT, "position": "member"})
    assert response.status_code == 422 and "Choose a person." in response.get_data(as_text=True)
    seats["m1"].person.locale = "en"
    member = as_person(seats["m1"].person)
    response = member.post(f"/council/{cycle.id}/conflicts", data={"registration_id": SUPERSCRIPT, "reason": "Người thân"})
    assert response.status_code == 422 and "Choose the head." in response.get_data(as_text=True)
    from workflow.council import operations, queries

    session = operations.open_session(cycle, actor=seats["secretary"].person, held_on=date(2028, 1, 15), place="Hội trường")
    db.session.flush()
    secretary = as_person(seats["secretary"].person)
    held_on = re.search(r'name="held_on"[^>]*value="([^"]+)"', secretary.get(f"/council/{cycle.id}/session").get_data(as_text=True)).group(1)
    response = secretary.post(f"/council/{cycle.id}/session", data={
        "held_on": held_on, "place": "Hội trường", "notes": "", "version": str(session.version),
        "attendee_ids": [SUPERSCRIPT, str(seats["chair"].id)],
    })
    assert response.status_code == 422  # the form's field error: nothing recorded
    db.session.expire_all()
    assert queries.session_of(cycle.id).attendees == []


# --- text --------------------------------------------------------------------------------------

def test_a_lone_surrogate_in_text_is_a_field_error(client):
    headers = f.api_headers(f.person(Role.ADMIN, locale="en"))
    body = json.dumps({"code": "SXD", "name": f"Sở {SURROGATE} Xây dựng"}, ensure_ascii=True)  # "\ud800" escaped, as valid JSON
    response = client.post("/api/v1/unit-groups", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert _json(response)["errors"]["json"]["name"] == ["Contains a character that is not valid text."]
    body = json.dumps({"name": "Sở Xây dựng", "code": SURROGATE}, ensure_ascii=True)
    response = client.post("/api/v1/unit-groups", data=body, content_type="application/json", headers=headers)
    assert response.status_code == 422 and "code" in _json(response)["errors"]["json"]


def _string_fields(spec: dict, schema: dict, depth: int = 0) -> list[str]:
    schema = _resolve(spec, schema)
    if depth > 4:
        return []
    names = []
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(spec, prop)
        if prop.get("type") == "string" and prop.get("format") not in ("binary", "date", "date-time", "decimal") and "enum" not in prop:
            names.append(name)
    return names


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_a_lone_surrogate_in_any_text_field_of_the_api_is_never_an_error(client):
    """Every JSON request body of the document, each of its text fields set to a lone surrogate
    (the fuzzer never sends one: it only makes text that UTF-8 can carry)."""
    admin = f.person(Role.ADMIN)
    registration = f.assigned_registration()
    headers = f.api_headers(admin)
    ids = {"registration_id": registration.id, "cycle_id": registration.cycle_id}
    spec = client.get("/api/v1/openapi.json").get_json()
    tried = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            url = re.sub(r"{(\w+)}", lambda m: str(ids.get(m.group(1), 1)), path)
            for name in _string_fields(spec, body["schema"]):
                data = json.dumps({name: f"a{SURROGATE}b", "version": 1}, ensure_ascii=True)
                response = client.open(url, method=method.upper(), data=data, content_type="application/json", headers=headers)
                assert response.status_code < 500, (method, url, name)
                tried += 1
    assert tried > 50


# --- JSON bodies ------------------------------------------------------------------------------

def _nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_json_nested_ten_thousand_deep_is_refused(client):
    headers = f.api_headers(f.person(Role.ADMIN, locale="en"))
    for body in ("[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000, json.dumps({"name": _nested(33)})):
        response = client.post("/api/v1/unit-groups", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400
        assert _json(response)["message"] == "The JSON body nests too deeply: at most 32 levels."


def test_numbers_of_five_thousand_digits_are_refused(client):
    headers = f.api_headers(f.person(Role.ADMIN, locale="en"))
    for number in (HUGE, "-" + HUGE, "0." + HUGE, "1" + HUGE + "e5"):
        body = '{"code": "SXD", "name": "Sở Xây dựng", "position": ' + number + "}"
        response = client.post("/api/v1/unit-groups", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400
        assert _json(response)["message"] == "A number in the request is too long: at most 40 characters."
    response = client.get("/api/v1/units", query_string={"group_id": HUGE}, headers=headers)
    assert response.status_code == 422


def test_bodies_that_are_not_json_or_too_large_are_refused_in_vietnamese(client):
    headers = f.api_headers(f.person(Role.ADMIN))
    for body in ("{", '{"code": NaN}', '{"code": Infinity}', b'{"code": "\xff"}'):
        response = client.post("/api/v1/unit-groups", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400
        assert _json(response)["message"] == "Nội dung yêu cầu không phải JSON hợp lệ."
    big = json.dumps({"code": "SXD", "name": "x" * MAX_JSON_BYTES})
    response = client.post("/api/v1/unit-groups", data=big, content_type="application/json", headers=headers)
    assert response.status_code == 413 and "4 MB" in _json(response)["message"]


def test_a_stranger_s_json_is_not_read(client):
    response = client.post("/api/v1/unit-groups", data="[" * 10_000, content_type="application/json")
    assert response.status_code == 401  # refused before its body is read


def test_parse_json_within_limits():
    assert parse_json(b'{"a": [1, 2.5, "x", {"b": null}]}') == {"a": [1, 2.5, "x", {"b": None}]}
    assert parse_json(json.dumps(_nested(32)).encode()) == _nested(32)
    with pytest.raises(DomainError):
        parse_json(json.dumps(_nested(33)).encode())


def test_text_that_looks_like_sql_or_a_wildcard_is_only_text(client):
    f.unit(name="Sở Xây dựng", code="SXD")
    headers = f.api_headers(f.person(Role.ADMIN))
    for q in ("' OR '1'='1", "%", "_", "Sở%dựng", '"; DROP TABLE unit; --'):
        response = client.get("/api/v1/units", query_string={"q": q}, headers=headers)
        assert response.status_code == 200 and _json(response)["items"] == [], q
    assert [u["code"] for u in _json(client.get("/api/v1/units", query_string={"q": "xây"}, headers=headers))["items"]] == ["SXD"]
