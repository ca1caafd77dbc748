"""The OpenAPI document the service serves is valid OpenAPI 3.0 and says what the API does: every
error it can answer (in one shape), the If-Match of versioned edits, uploads as one multipart
body, decimals as the text they travel as (issue 10, finding 12). The fuzzing in
tests/test_api_fuzz.py checks every answer against it."""

from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

import factories as f
from workflow.extensions import db
from workflow.core.openapi import DECIMAL_PATTERN

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_document_is_valid_openapi(spec):
    validate(spec)  # raises, naming the first place that is not OpenAPI 3.0


def test_every_operation_lists_the_errors_it_can_answer(spec):
    for path, method, operation in _operations(spec):
        responses = operation["responses"]
        assert "default" not in responses, (method, path)
        assert {"400", "401", "403", "404", "422"} <= set(responses), (method, path)
        if method != "get":
            assert {"409", "413"} <= set(responses), (method, path)
        for code, response in responses.items():
            if code.startswith("4"):
                assert response == {"$ref": f"#/components/responses/{response['$ref'].rsplit('/', 1)[-1]}"}
    for name, response in spec["components"]["responses"].items():
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, name


def test_versioned_edits_document_if_match_412_and_428(spec):
    versioned = 0
    for path, method, operation in _operations(spec):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        body = spec["components"]["schemas"].get(body.get("$ref", "").rsplit("/", 1)[-1], {})
        names = {p["name"] for p in operation.get("parameters", [])}
        if "version" in body.get("properties", {}) or "version" in names:
            versioned += 1
            assert {"412", "428"} <= set(operation["responses"]), (method, path)
            assert "If-Match" in names, (method, path)
    patch = spec["paths"]["/api/v1/registrations/{registration_id}/targets/{target_id}"]["patch"]
    assert patch["responses"]["412"] == {"$ref": "#/components/responses/PreconditionFailed"}
    assert versioned >= 25


def test_a_412_body_is_the_documented_error(client, spec):
    registration = f.complete_registration("draft")
    head = f.head_of(registration)
    target = registration.targets[0]
    headers = f.api_headers(head)
    url = f"/api/v1/registrations/{registration.id}/targets/{target.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.patch(url, json={"title": "Thu ngân sách năm 2027"}, headers={**headers, "If-Match": etag}).status_code == 200
    stale = client.patch(url, json={"title": "Thu ngân sách"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412
    body = stale.get_json()
    OAS30Validator(spec["components"]["schemas"]["Error"]).validate(body)
    db.session.refresh(target)
    assert body["code"] == 412 and body["details"]["current_version"] == target.version


def test_an_upload_is_one_multipart_body(spec):
    assert not [(m, p) for p, m, o in _operations(spec) for param in o.get("parameters", []) if param["in"] == "formData"]
    upload = spec["paths"]["/api/v1/reports/{report_id}/evidence"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["target_id"]["type"] == "integer"
    assert schema["required"] == ["file"]


def test_decimals_are_documented_as_the_text_they_travel_as(client, spec):
    weight = spec["components"]["schemas"]["TargetWrite"]["properties"]["weight"]
    assert weight == {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN, "minimum": 0, "maximum": 100}
    registration = f.complete_registration("draft")
    answer = client.get(f"/api/v1/registrations/{registration.id}/targets", headers=f.api_headers(f.head_of(registration))).get_json()
    target_schema = spec["components"]["schemas"]["Target"]["properties"]
    for item in answer["items"]:
        for name, value in item.items():
            if target_schema.get(name, {}).get("format") == "decimal" and value is not None:
                assert re.match(DECIMAL_PATTERN, value), (name, value)
    assert answer["items"][0]["weight"] == "40.00"


def test_path_ids_have_their_range(spec):
    for path, method, operation in _operations(spec):
        for parameter in spec["paths"][path].get("parameters", []) + operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                assert parameter["schema"]["maximum"] == 2**31 - 1, (path, parameter["name"])


def test_an_unauthenticated_request_is_the_documented_401(client, spec):
    response = client.get("/api/v1/registrations")
    assert response.status_code == 401
    OAS30Validator(spec["components"]["schemas"]["Error"]).validate(response.get_json())
    assert spec["paths"]["/api/v1/registrations"]["get"]["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}
