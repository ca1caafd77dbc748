"""Cycles: the declared phases, steps allowed and refused (a table), renaming, refreshing the rules
before execution, in the pages and the API; statement counts of the lists."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import factories as f
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused
from workflow.cycles import operations
from workflow.cycles import workflow as cycle_workflow
from workflow.cycles.models import Cycle, CycleState
from workflow.cycles.workflow import CYCLE_WORKFLOW
from workflow.extensions import db

R, E, S, C = CycleState.REGISTRATION, CycleState.EXECUTION, CycleState.SCORING, CycleState.CLOSED
AFTER_THE_YEAR = datetime(2028, 3, 1, tzinfo=UTC)  # the 2027 cycle's last reports are due


@pytest.fixture
def admin():
    return f.person(Role.ADMIN, username="quantri")


def test_the_declared_phases():
    assert set(CYCLE_WORKFLOW.rows()) == {
        ("start_execution", R, E, "admin.cycles.manage"),
        ("open_scoring", E, S, "admin.cycles.manage"),
        ("close", S, C, "admin.cycles.manage"),
    }
    from workflow import policy

    assert all(action in policy.actions() for *_, action in CYCLE_WORKFLOW.rows())


@pytest.mark.parametrize(
    "others, state, step, role, outcome",
    [
        ([], R, "start_execution", Role.ADMIN, E),
        ([(2026, C)], R, "start_execution", Role.ADMIN, E),
        ([(2026, E)], R, "start_execution", Role.ADMIN, TransitionRefused),  # one cycle executing at a time
        ([(2026, R)], R, "start_execution", Role.ADMIN, TransitionRefused),  # an earlier year is still registering
        ([(2025, S), (2026, C)], R, "start_execution", Role.ADMIN, E),  # an older cycle still scoring is no obstacle
        ([], E, "open_scoring", Role.ADMIN, S),
        ([(2028, R)], E, "open_scoring", Role.ADMIN, S),  # next year registering meanwhile is fine
        ([(2026, S)], E, "open_scoring", Role.ADMIN, TransitionRefused),  # one cycle in scoring at a time
        ([], S, "close", Role.ADMIN, C),
        ([], R, "open_scoring", Role.ADMIN, TransitionRefused),  # skips a phase
        ([], E, "close", Role.ADMIN, TransitionRefused),
        ([], C, "close", Role.ADMIN, TransitionRefused),
        ([], C, "start_execution", Role.ADMIN, TransitionRefused),  # no way back
        ([], R, "reopen", Role.ADMIN, TransitionRefused),  # no such step
        ([], R, "start_execution", Role.STAFF, PermissionDenied),
        ([], E, "open_scoring", Role.COMMITTEE, PermissionDenied),
        ([], S, "close", Role.HEAD, PermissionDenied),
    ],
)
def test_steps_allowed_and_refused(others, state, step, role, outcome):
    for year, other_state in others:
        f.cycle(year, state=other_state)
    cycle = f.cycle(2027, state=state)
    actor = f.person(role)
    if isinstance(outcome, CycleState):
        operations.advance_cycle(cycle, step, actor=actor, version=cycle.version, now=AFTER_THE_YEAR)
        assert cycle.state == outcome
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == f"cycle.{step}"))
        assert entry.data == {"from": state.value, "to": outcome.value} and entry.actor_id == actor.id
    else:
        with pytest.raises(outcome) as info:
            operations.advance_cycle(cycle, step, actor=actor, version=cycle.version, now=AFTER_THE_YEAR)
        assert str(info.value)
        assert cycle.state == state


def test_other_packages_can_add_conditions(monkeypatch):
    monkeypatch.setitem(cycle_workflow._EXTRA_GUARDS, "close", {})
    cycle_workflow.guard("close")(lambda cycle: "3 heads have no decided level yet.")
    cycle = f.cycle(2027, state=S)
    with pytest.raises(TransitionRefused, match="3 heads"):
        operations.advance_cycle(cycle, "close", actor=f.person(Role.ADMIN), version=cycle.version)
    [(transition, refusal)] = CYCLE_WORKFLOW.available(cycle, f.person(Role.ADMIN))
    assert transition.name == "close" and refusal == "3 heads have no decided level yet."


def test_a_stale_step_is_refused():
    cycle = f.cycle(2027, state=R)
    with pytest.raises(StaleObject):
        operations.advance_cycle(cycle, "start_execution", actor=f.person(Role.ADMIN), version=cycle.version + 5)
    assert cycle.state == R


# --- pages -----------------------------------------------------------------------------------


def test_create_a_cycle_with_the_form(as_person, admin):
    c = as_person(admin)
    page = c.get("/admin/cycles")
    assert page.status_code == 200
    response = c.post("/admin/cycles", data={"year": "2027", "name": ""})
    assert response.status_code == 302
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == 2027))
    assert cycle.state == R and cycle.rules_version and cycle.name.endswith("2027")
    for data, field in [({"year": "", "name": ""}, "year"), ({"year": "1999", "name": ""}, "year"),
                        ({"year": "abc", "name": ""}, "year"), ({"year": "2027", "name": ""}, "year"),
                        ({"year": "2030", "name": "n" * 201}, "name")]:
        refused = c.post("/admin/cycles", data=data)
        assert refused.status_code == 422 and f'id="{field}-error"' in refused.get_data(as_text=True), data
    # a second cycle cannot register while 2027 does
    second = c.post("/admin/cycles", data={"year": "2028", "name": ""})
    assert second.status_code == 409 and "2027" in second.get_data(as_text=True)


def test_cycle_page_steps_and_refusals(as_person, admin):
    f.cycle(2026, state=E)
    cycle = f.cycle(2027, state=R)
    c = as_person(admin)
    page = c.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    assert 'name="step" value="start_execution"' in page and "disabled" in page and "Năm 2026" in page  # the reason is shown
    refused = c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "start_execution", "version": str(cycle.version)})
    assert refused.status_code == 409
    other = db.session.scalar(select(Cycle).where(Cycle.year == 2026))
    opened = c.post(f"/admin/cycles/{other.id}/step", data={"step": "open_scoring", "version": str(other.version), "reason": "Hội đồng họp sớm"})
    assert opened.status_code == 302
    assert c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "start_execution", "version": str(cycle.version)}).status_code == 302
    db.session.refresh(cycle)
    assert cycle.state == E
    bad = c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "fly", "version": str(cycle.version)})
    assert bad.status_code == 422


def test_rename_and_stale_rename(as_person, admin):
    cycle = f.cycle(2027, state=R, name="Năm 2027")
    c = as_person(admin)
    old_version = str(cycle.version)
    assert c.post(f"/admin/cycles/{cycle.id}", data={"name": "Kỳ đánh giá 2027", "version": old_version}).status_code == 302
    stale = c.post(f"/admin/cycles/{cycle.id}", data={"name": "Tên của tôi", "version": old_version})
    assert stale.status_code == 409 and "Tên của tôi" in stale.get_data(as_text=True)
    empty = c.post(f"/admin/cycles/{cycle.id}", data={"name": " ", "version": str(cycle.version + 1)})
    assert empty.status_code == 422 and 'id="name-error"' in empty.get_data(as_text=True)


@pytest.fixture
def newer_rules(app, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('version = "2027.9"\n')
    original = app.config["KPI"]["rules_file"]
    app.config["KPI"]["rules_file"] = str(path)
    yield path
    app.config["KPI"]["rules_file"] = original


def test_rules_snapshot_is_updated_only_before_execution(as_person, admin, newer_rules):
    cycle = f.cycle(2027, state=R)
    old = cycle.rules_version
    c = as_person(admin)
    page = c.get(f"/admin/cycles/{cycle.id}").get_data(as_text=True)
    assert "2027.9" in page
    assert c.post(f"/admin/cycles/{cycle.id}/rules", data={"version": str(cycle.version)}).status_code == 302
    db.session.refresh(cycle)
    assert cycle.rules_version == "2027.9" and cycle.rules["version"] == "2027.9"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycle.rules_update"))
    assert entry.data["old_version"] == old and entry.data["new_version"] == "2027.9"
    again = c.post(f"/admin/cycles/{cycle.id}/rules", data={"version": str(cycle.version)})
    assert again.status_code == 400  # nothing to update
    newer_rules.write_text('version = "2027.10"\n')
    assert c.post(f"/admin/cycles/{cycle.id}/step", data={"step": "start_execution", "version": str(cycle.version)}).status_code == 302
    db.session.refresh(cycle)
    late = c.post(f"/admin/cycles/{cycle.id}/rules", data={"version": str(cycle.version)})
    assert late.status_code == 409
    db.session.refresh(cycle)
    assert cycle.rules_version == "2027.9"


def test_an_invalid_rules_file_is_explained(as_person, admin, newer_rules):
    cycle = f.cycle(2027, state=R)
    newer_rules.write_text("this is not toml = = \n")
    c = as_person(admin)
    assert c.get(f"/admin/cycles/{cycle.id}").status_code == 200
    response = c.post(f"/admin/cycles/{cycle.id}/rules", data={"version": str(cycle.version)})
    assert response.status_code == 400 and "rules.toml" in response.get_data(as_text=True)


# --- API -------------------------------------------------------------------------------------


def test_api_cycles(client, admin, newer_rules):
    h = f.api_headers(admin)
    created = client.post("/api/v1/cycles", json={"year": 2027}, headers=h)
    assert created.status_code == 201, created.get_json()
    body, etag = created.get_json(), created.headers["ETag"]
    assert body["state"] == "registration" and body["rules"]["version"] == "2027.9"
    cid = body["id"]
    renamed = client.patch(f"/api/v1/cycles/{cid}", json={"name": "Kỳ 2027"}, headers={**h, "If-Match": etag})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Kỳ 2027"
    assert client.patch(f"/api/v1/cycles/{cid}", json={"name": "x"}, headers={**h, "If-Match": etag}).status_code == 412
    assert client.patch(f"/api/v1/cycles/{cid}", json={"name": "x"}, headers=h).status_code == 428
    steps = client.get(f"/api/v1/cycles/{cid}/steps", headers=h).get_json()
    assert steps == [{"step": "start_execution", "label": "Bắt đầu thực hiện", "target": "execution", "refusal": None}]
    version = renamed.get_json()["version"]
    moved = client.post(f"/api/v1/cycles/{cid}/steps", json={"step": "start_execution", "version": version}, headers=h)
    assert moved.status_code == 200 and moved.get_json()["state"] == "execution"
    refused = client.post(f"/api/v1/cycles/{cid}/rules", json={}, headers={**h, "If-Match": moved.headers["ETag"]})
    assert refused.status_code == 409
    unknown = client.post(f"/api/v1/cycles/{cid}/steps", json={"step": "fly"}, headers=h)
    assert unknown.status_code == 422
    listed = client.get("/api/v1/cycles?state=execution", headers=h).get_json()
    assert [c["year"] for c in listed["items"]] == [2027]
    assert client.post("/api/v1/cycles", json={"year": 1900}, headers=h).status_code == 422


def test_api_cycles_reading_is_open_and_changes_are_for_admins(client):
    cycle = f.cycle(2027)
    h = f.api_headers(f.person(Role.HEAD))
    assert client.get("/api/v1/cycles", headers=h).status_code == 200
    assert client.get(f"/api/v1/cycles/{cycle.id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/cycles/{cycle.id}/steps", headers=h).get_json() == []
    assert client.post("/api/v1/cycles", json={"year": 2030}, headers=h).status_code == 403
    assert client.post(f"/api/v1/cycles/{cycle.id}/steps", json={"step": "start_execution", "version": cycle.version}, headers=h).status_code == 403


@pytest.mark.parametrize("path", ["/admin/cycles?per_page=100", "/api/v1/cycles?per_page=100"])
def test_cycle_lists_run_a_fixed_number_of_statements(as_person, count_statements, admin, path):
    h = f.api_headers(admin)
    c = as_person(admin)
    c.get("/api/v1/me", headers=h)  # the token's first use records it (once a minute), not counted below
    years = iter(range(3000, 5000))

    def statements(n):
        for _ in range(n):
            f.cycle(next(years), state=C)
        db.session.commit()
        with count_statements() as counter:
            assert (c.get(path) if path.startswith("/admin") else c.get(path, headers=h)).status_code == 200
        return counter.count

    assert statements(10) == statements(1000)
