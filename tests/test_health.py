"""Liveness (/healthz) and readiness (/readyz): answers without a database, ready on a current
database, 503 naming the failing check when the database is behind or unreachable, and the
registry other packages add their checks to."""

import pytest
from flask_migrate import downgrade, upgrade

from test_migrations import scratch_app  # noqa: F401  (fixture: an application on an empty database)
from workflow import create_app
from workflow.core import health

UNREACHABLE = "postgresql+psycopg://kpi:mat-khau-bi-mat@127.0.0.1:1/kpi?connect_timeout=2"


def test_healthz_answers_without_touching_the_database(client, count_statements):
    with count_statements() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert counter.count == 0
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_on_a_current_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True} and body["checks"]["migrations"] == {"ok": True}


@pytest.mark.real_commits
def test_not_ready_when_the_database_is_behind(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade()
        downgrade(revision="-1")
    response = scratch_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"]["ok"] is False and "kpi db upgrade" in body["checks"]["migrations"]["reason"]
    with scratch_app.app_context():
        upgrade()
    assert scratch_app.test_client().get("/readyz").status_code == 200


@pytest.mark.real_commits
def test_not_ready_when_the_database_is_unreachable():
    app = create_app(overrides={"env": "testing", "database_url": UNREACHABLE})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"]["ok"] is False
    text = response.get_data(as_text=True)
    assert "mat-khau-bi-mat" not in text and "127.0.0.1" not in text and "kpi@" not in text


def test_packages_add_checks(client, monkeypatch):
    monkeypatch.setattr(health, "_CHECKS", dict(health._CHECKS))
    monkeypatch.setattr(health, "_MONITOR_ONLY", set(health._MONITOR_ONLY))
    gating = [n for n in health.registered() if n not in health._MONITOR_ONLY]

    @health.check("search_index")
    def index_fresh():
        return "index 7 minutes behind"

    @health.check("mail")
    def broken():
        raise RuntimeError("smtp password is hunter2")

    health.check("search_index")(index_fresh)  # registering the same function again is harmless
    with pytest.raises(ValueError, match="registered twice"):
        health.check("search_index")(lambda: None)
    body = client.get("/readyz").get_json()
    assert set(body["checks"]) == {*gating, "search_index", "mail"}
    assert health.registered()[-2:] == ["search_index", "mail"]
    assert body["checks"]["search_index"] == {"ok": False, "reason": "index 7 minutes behind"}
    assert body["checks"]["mail"] == {"ok": False, "reason": "check failed (RuntimeError)"}
    assert body["status"] == "unavailable"


def test_checks_that_do_not_gate_traffic_run_on_their_own_address(client, monkeypatch):
    monkeypatch.setattr(health, "_CHECKS", dict(health._CHECKS))
    monkeypatch.setattr(health, "_MONITOR_ONLY", set(health._MONITOR_ONLY))

    @health.check("archive_mirror", gates_traffic=False)
    def mirror():
        return "mirror unreachable"

    ready = client.get("/readyz")
    assert ready.status_code == 200 and "archive_mirror" not in ready.get_json()["checks"]
    one = client.get("/readyz/archive_mirror")
    assert one.status_code == 503 and one.get_json()["checks"] == {"archive_mirror": {"ok": False, "reason": "mirror unreachable"}}
    assert client.get("/readyz/database").get_json() == {"status": "ready", "checks": {"database": {"ok": True}}}
    unknown = client.get("/readyz/nothing-by-this-name")
    assert unknown.status_code == 404 and "archive_mirror" in unknown.get_json()["known"]
