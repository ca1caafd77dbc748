"""`kpi demo` builds registrations through the real operations: all 45 assigned for 2026, and
for 2027 one or more in every state, with proposals, warnings, a return reason, assignment
decisions, an amendment requested and one approved."""


import pytest
from sqlalchemy import func, select

from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.targets.models import Amendment, AmendmentState, Proposal, ProposalState, Registration, RegistrationState, Revision, RevisionKind
from workflow.targets.operations import targets_in_force
from workflow.targets.warnings import warnings_for


@pytest.mark.demo
def test_demo_registrations(demo):

    def by_state(year):
        rows = db.session.execute(
            select(Registration.state, func.count()).join(Cycle, Registration.cycle_id == Cycle.id).where(Cycle.year == year).group_by(Registration.state)
        )
        return dict(rows.all())

    assert by_state(2026) == {RegistrationState.ASSIGNED: 45}
    states_2027 = by_state(2027)
    assert set(states_2027) == set(RegistrationState) and all(n >= 1 for n in states_2027.values())
    registrations = db.session.scalars(select(Registration)).all()
    for registration in registrations:
        if registration.state == RegistrationState.ASSIGNED:
            assert registration.decision_number and registration.signer_name and registration.decision_date
            assert sum(t.weight for t in targets_in_force(registration)) == 100
    returned = [r for r in registrations if r.state == RegistrationState.RETURNED]
    assert all(r.returned_reason for r in returned)
    reviewed = [r for r in registrations if r.state == RegistrationState.REVIEWED]
    assert any(warnings_for(r) for r in reviewed)
    assert db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.state == ProposalState.OPEN)) >= 1
    assert {a.state for a in db.session.scalars(select(Amendment))} == {AmendmentState.REQUESTED, AmendmentState.APPROVED}
    assert db.session.scalar(select(func.count()).select_from(Revision).where(Revision.kind == RevisionKind.AMENDED)) == 1
    assert db.session.scalar(select(func.count()).select_from(Revision).where(Revision.kind == RevisionKind.SUPPLEMENTED)) == 1
    from workflow.targets.models import Target

    linked = db.session.scalar(select(func.count()).select_from(Target).where(Target.previous_target_id.is_not(None)))
    assert linked >= 43 * 2  # 2027 quantitative targets point to their 2026 counterparts


@pytest.mark.demo
def test_demo_pages_render_for_every_role(app, demo):
    for username in ("gd.sgtvt", "gd.sxd", "gd.snv", "chuyenvien1", "thuongvu1", "hoidong1", "quantri"):
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": "vinhphuc-2027"}).status_code == 302
        assert client.get("/").status_code == 200, username
        for reg in db.session.scalars(select(Registration).limit(60)):
            response = client.get(f"/registrations/{reg.id}")
            assert response.status_code in (200, 403), (username, reg.id)
        if username.startswith(("chuyenvien", "thuongvu", "hoidong", "quantri")):
            assert client.get("/registrations").status_code == 200
