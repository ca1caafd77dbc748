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

    @health.check("scheduler")
    def scheduler_ticks():
        return "no tick for 7 minutes"

    @health.check("mail")
    def broken():
        raise RuntimeError("smtp password is hunter2")

    health.check("scheduler")(scheduler_ticks)  # registering the same function again is harmless
    with pytest.raises(ValueError, match="registered twice"):
        health.check("scheduler")(lambda: None)
    body = client.get("/readyz").get_json()
    assert set(body["checks"]) == {"database", "migrations", "scheduler", "mail"}
    assert health.registered() == ["database", "migrations", "scheduler", "mail"]
    assert body["checks"]["scheduler"] == {"ok": False, "reason": "no tick for 7 minutes"}
    assert body["checks"]["mail"] == {"ok": False, "reason": "check failed (RuntimeError)"}
    assert body["status"] == "unavailable"
