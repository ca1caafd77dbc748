"""The demo's 2025 cycle: evaluated by the council, decided and published, browsable by each
role; made through the real operations."""

import pytest
from sqlalchemy import select

from workflow.council import queries
from workflow.council.models import Decision, Objection, ObjectionState, SessionState
from workflow.cycles.models import Cycle, CycleState
from workflow.extensions import db


@pytest.mark.demo
def test_demo_2025_is_published_and_each_role_sees_it(app, demo):
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == 2025))
    assert cycle.state == CycleState.SCORING and "rubric" in cycle.rules
    session = queries.session_of(cycle.id)
    assert session.state == SessionState.PUBLISHED and len(session.attendees) == 6
    frozen = queries.frozen_proposals(session)
    decisions = queries.latest_decisions(cycle.id)
    assert set(decisions) == set(frozen) and len(frozen) == 45
    changed = db.session.scalars(select(Decision).where(Decision.cycle_id == cycle.id, Decision.follows_proposal.is_(False))).all()
    ties = [p for p in frozen.values() if "tie" in p.flags]
    assert len(ties) == 2 and {d.registration_id for d in changed} >= {p.registration_id for p in ties}
    assert any(d.registration.unit.code == "SXD" for d in changed)
    objection = db.session.scalar(select(Objection).where(Objection.cycle_id == cycle.id))
    assert objection.state == ObjectionState.FILED
    # The chair heads a unit that is evaluated, and never scored herself.
    chair = next(m for m in queries.members(cycle.id) if m.position.value == "chair")
    own = next(p.registration for p in frozen.values() if p.registration.unit.code == "BTCTU")
    assert queries.scorecard(chair.id, own.id) is None and frozen[own.id].ratings == 5

    def signed_in(username: str):
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": "vinhphuc-2027"}).status_code == 302
        return client

    head = signed_in("ct.tamdao")
    home = head.get("/").get_data(as_text=True)
    assert "2025" in home
    registration = objection.registration
    page = head.get(f"/council/results/{registration.id}")
    assert page.status_code == 200 and "Đề nghị Ban Thường vụ xem xét lại" in page.get_data(as_text=True)
    assert signed_in("thuongvu1").get(f"/council/{cycle.id}/decisions").status_code == 200
    assert signed_in("tb.btctu").get(f"/council/{cycle.id}/raters").status_code == 200
    planning = next(p.registration for p in frozen.values() if p.registration.unit.code == "SKHDT")
    pdf = signed_in("gd.skhdt").get(f"/council/results/{planning.id}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
