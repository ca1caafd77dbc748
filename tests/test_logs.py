"""Structured logs: one JSON line per request with its fields, the request id on every line an
application logs during a request, and a readable text format."""

import json
import logging

import pytest

import factories as f
from conftest import sign_in
from workflow import create_app
from workflow.accounts.models import Role
from workflow.core import logs
from workflow.core.auth import public


@pytest.fixture
def json_app(app):
    other = create_app(overrides={**app.config["KPI"], "log_format": "json"})
    other.config.update(WTF_CSRF_ENABLED=False)

    @other.get("/_log-something")
    @public
    def log_something():
        logging.getLogger("workflow.example").warning("unit %s is late", "SNV", extra={"unit_code": "SNV"})
        return "ok"

    yield other
    logs.configure(app)  # outside a request, the other tests' format again


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_its_fields(json_app, capsys):
    person = f.person(Role.STAFF)
    client = sign_in(json_app.test_client(), person)
    assert client.get("/account", headers={"X-Request-ID": "req-42"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    [line] = [entry for entry in _lines(capsys.readouterr().out) if entry["logger"] == logs.REQUEST_LOGGER]
    assert line["request_id"] == "req-42"
    assert line["method"] == "GET" and line["path"] == "/account" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["person_id"] == person.id and line["remote_addr"] == "10.1.2.3"
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_anonymous_requests_and_errors_are_logged_too(json_app, capsys):
    client = json_app.test_client()
    client.get("/healthz")
    client.get("/no-such-page")
    lines = [e for e in _lines(capsys.readouterr().out) if e["logger"] == logs.REQUEST_LOGGER]
    assert [(e["path"], e["status"], e["person_id"]) for e in lines] == [("/healthz", 200, None), ("/no-such-page", 404, None)]
    assert len({e["request_id"] for e in lines}) == 2


def test_application_log_calls_carry_the_request_id(json_app, capsys):
    json_app.test_client().get("/_log-something", headers={"X-Request-ID": "abc-123"})
    [line] = [e for e in _lines(capsys.readouterr().out) if e["logger"] == "workflow.example"]
    assert line["request_id"] == "abc-123" and line["message"] == "unit SNV is late"
    assert line["unit_code"] == "SNV" and line["level"] == "WARNING"


def test_outside_a_request_the_id_is_a_dash(json_app, capsys):
    with json_app.app_context():  # a job or a command
        logging.getLogger("workflow.example").error("from a job")
    [line] = [e for e in _lines(capsys.readouterr().out) if e["logger"] == "workflow.example"]
    assert line["request_id"] == "-"


def test_each_application_logs_in_its_own_format(json_app, client, capsys):
    client.get("/healthz", headers={"X-Request-ID": "text-1"})
    json_app.test_client().get("/healthz", headers={"X-Request-ID": "json-1"})
    out = capsys.readouterr().out
    assert "INFO [text-1] workflow.request: GET /healthz 200" in out
    assert [e["request_id"] for e in _lines(out) if e["logger"] == logs.REQUEST_LOGGER] == ["json-1"]


def test_format_follows_the_environment():
    from workflow.settings import load_settings, log_format

    assert log_format(load_settings({"KPI_ENV": "production"})) == "json"
    assert log_format(load_settings({"KPI_ENV": "development"})) == "text"
    assert log_format(load_settings({"KPI_ENV": "production", "KPI_LOG_FORMAT": "text"})) == "text"
    from workflow.settings import SettingsError

    with pytest.raises(SettingsError, match="log_format"):
        load_settings({"KPI_LOG_FORMAT": "xml"})
