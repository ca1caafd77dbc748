"""Setting a person's direct manager through the API (`PUT /api/v1/monthly/people/<id>/manager`),
by the same policy as the page: administrators and the head of the person's unit; the version
edited is required (428 without, 412 when stale); nobody is their own manager; null gives the
person back to the head of their unit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import factories as f
from monthly_support import agency  # noqa: F401  (fixture)
from workflow.accounts.models import Person, Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db
from workflow.monthly import queries


def _path(person) -> str:
    return f"/api/v1/monthly/people/{person.id}/manager"


def test_the_head_of_the_unit_names_the_manager_with_the_version_edited(agency, client):
    head = f.api_headers(agency.head)
    shown = client.get(_path(agency.lan), headers=head)
    assert shown.status_code == 200 and shown.get_json()["manager_id"] == agency.leader.id
    assert client.put(_path(agency.lan), json={"manager_id": agency.hoa.id}, headers=head).status_code == 428
    stale = client.put(_path(agency.lan), json={"manager_id": agency.hoa.id}, headers={**head, "If-Match": '"person-1-v999"'})
    assert stale.status_code == 412
    done = client.put(_path(agency.lan), json={"manager_id": agency.hoa.id}, headers={**head, "If-Match": shown.headers["ETag"]})
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["manager_id"], done.get_json()["manager_name"]) == (agency.hoa.id, "Lê Thị Hòa")
    db.session.expire_all()
    lan = db.session.get(Person, agency.lan.id)
    assert queries.direct_manager(lan, agency.unit.id).id == agency.hoa.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.manager")).one()
    assert entry.data == {"manager_id": [agency.leader.id, agency.hoa.id]}
    # null: back to the head of the unit
    back = client.put(_path(agency.lan), json={"manager_id": None, "version": done.get_json()["version"]}, headers=head)
    assert back.status_code == 200 and back.get_json()["manager_id"] is None
    db.session.expire_all()
    assert queries.direct_manager(db.session.get(Person, agency.lan.id), agency.unit.id).id == agency.head.id


@pytest.mark.parametrize("who", ["leader", "lan", "other_head", "staff"])
def test_only_administrators_and_the_head_of_the_unit_may(agency, client, who):
    actor = {"leader": agency.leader, "lan": agency.lan, "other_head": f.person((Role.HEAD, f.unit())), "staff": f.person(Role.STAFF)}[who]
    headers = f.api_headers(actor)
    assert client.get(_path(agency.duc), headers=headers).status_code == 403
    assert client.put(_path(agency.duc), json={"manager_id": actor.id, "version": agency.duc.version}, headers=headers).status_code == 403


def test_bad_managers_are_refused_in_words(agency, client):
    admin = f.api_headers(f.person(Role.ADMIN))
    gone = f.person(full_name="Đã nghỉ hưu", unit=agency.unit, active=False)
    version = agency.duc.version
    for manager_id, field_words in ((agency.duc.id, "Nobody"), (gone.id, "Đã nghỉ hưu"), (2**31 - 1, None)):
        answer = client.put(_path(agency.duc), json={"manager_id": manager_id, "version": version}, headers=admin)
        assert answer.status_code == 422, answer.get_json()
        assert "manager_id" in answer.get_json()["errors"]["json"]
        if field_words == "Đã nghỉ hưu":
            assert field_words in answer.get_json()["errors"]["json"]["manager_id"][0]
    assert client.put(_path(agency.duc), json={"manager_id": "x", "version": version}, headers=admin).status_code == 422
    assert client.put("/api/v1/monthly/people/999999/manager", json={"manager_id": None, "version": 1}, headers=admin).status_code == 404
    ok = client.put(_path(agency.duc), json={"manager_id": agency.hoa.id, "version": version}, headers=admin)
    assert ok.status_code == 200
