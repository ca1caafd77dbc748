"""Who may see what of opinions (workflow.policy), as a table, enforced by the operations and the
pages; and the opinions panel in the council's scoring dossier, beside the self-assessment."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import factories as f
from council_support import council, open_scoring, reported_registration
from opinion_support import give, opinion_round, respondent
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.models import simulated_time
from workflow.extensions import db
from workflow.opinions import operations
from workflow.opinions.models import Relation


@pytest.fixture
def world():
    ctx = opinion_round(subordinates=3)
    seats = council(ctx.cycle, members=1)
    people = {
        "staff": ctx.staff, "secretary": ctx.secretary, "committee": f.person(Role.COMMITTEE), "admin": f.person(Role.ADMIN),
        "council member": seats["m1"].person, "subject": ctx.head, "superior": ctx.superior, "subordinate": ctx.people[0],
        "another head": f.person((Role.HEAD, f.unit())), "stranger": f.person(),
    }
    return ctx, people


# action → who may (everyone else may not). The subject never sees their own opinions; nobody sees an answer.
TABLE = {
    "opinions.round.manage": {"staff"},
    "opinions.round.view": {"staff", "secretary", "committee", "admin"},
    "opinions.round.close": {"staff", "secretary"},
    "opinions.answer": {"subordinate"},
    "opinions.results.view": {"staff", "committee", "admin", "council member"},
}
WHO = ["staff", "secretary", "committee", "admin", "council member", "subject", "superior", "subordinate", "another head", "stranger"]


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("who", WHO)
def test_who_may_do_what(world, action, who):
    ctx, people = world
    obj = {"opinions.answer": respondent(ctx, ctx.people[0]), "opinions.results.view": ctx.item}.get(action, ctx.round)
    assert policy.can(people[who], action, obj) is (who in TABLE[action])


def test_the_direct_manager_of_a_servant_sees_the_results_of_their_team_member():
    ctx = opinion_round(subordinates=1, direct=False)
    servant = ctx.people[0]
    manager = f.person(full_name="Trưởng phòng")
    servant.manager_id = manager.id
    db.session.flush()
    item = type("Item", (), {"subject": type("S", (), {"person_id": servant.id, "person": servant, "unit_id": servant.unit_id})(), "round": ctx.round})()
    assert policy.can(manager, "opinions.results.view", item) and not policy.can(servant, "opinions.results.view", item)


def test_the_operations_refuse_what_the_table_refuses(world):
    ctx, people = world
    from workflow.core.errors import PermissionDenied

    for who in ("secretary", "subject", "council member"):
        with pytest.raises(PermissionDenied):
            operations.add_subject(ctx.round, ctx.registration.subject, actor=people[who])
    with pytest.raises(PermissionDenied):
        operations.close_round(ctx.round, actor=people["committee"])


def test_pages_and_api_follow_the_table(world, as_person):
    ctx, people = world
    operations.close_round(ctx.round, actor=ctx.staff)
    db.session.flush()
    for who in WHO:
        client = as_person(people[who])
        page = client.get(f"/opinions/{ctx.round.id}")
        api = client.get(f"/api/v1/opinions/rounds/{ctx.round.id}/results")
        assert (page.status_code == 200) is (who in TABLE["opinions.round.view"]), who
        assert (api.status_code == 200) is (who in TABLE["opinions.round.view"]), who
        if api.status_code == 200:
            assert bool(api.get_json()) is (who in TABLE["opinions.results.view"]), who


def test_the_council_sees_the_opinions_beside_the_self_assessment_with_the_response_rate(as_person):
    cycle = f.year(2027)
    registration = reported_registration(cycle)
    open_scoring(cycle)
    seats = council(cycle, members=1)
    staff, superior = f.person(Role.STAFF), f.person(full_name="Ủy viên Ban Thường vụ")
    subordinates = [f.person(full_name=f"Cán bộ {i}", unit_id=registration.unit_id) for i in range(3)]
    round_ = operations.open_round(actor=staff, cycle=cycle, track=registration.track, title="Lấy ý kiến năm 2027", opens_on=date(2027, 11, 1))
    item = operations.add_subject(round_, registration.subject, actor=staff)
    asked = [operations.invite(item, superior, Relation.SUPERIOR, actor=staff)]
    asked += [operations.invite(item, p, Relation.SUBORDINATE, actor=staff) for p in subordinates]
    db.session.flush()
    member = as_person(seats["m1"].person)
    url = f"/council/{cycle.id}/score/{registration.id}"
    with simulated_time(datetime(2027, 11, 3, 3, tzinfo=UTC)):
        for r, values in zip(asked, [(4, 4, 4, 4), (2, 3, 2, 3), (2, 3, 3, 3), (3, 3, 2, 3)], strict=True):
            operations.answer(r, actor=r.person, scores=dict(zip(round_.criterion_codes, values, strict=True)), comment="Ý kiến góp ý" if values[0] == 3 else "")
    db.session.flush()
    open_page = member.get(url).get_data(as_text=True)
    assert 'data-testid="opinions-panel"' in open_page and "4 trên 4 người được hỏi" in open_page and "2,33" not in open_page
    operations.close_round(round_, actor=staff)
    db.session.flush()
    page = member.get(url).get_data(as_text=True)
    panel = page[page.index('data-testid="opinions-panel"'):]
    panel = panel[:panel.index("</section>")]
    assert "Tỷ lệ phản hồi: 4 trên 4" in panel and "2,33" in panel and "1,67" in panel and "chênh lệch lớn" in panel
    assert "Ý kiến góp ý" in panel
    assert page.index("Tự đánh giá") < page.index('data-testid="opinions-panel"')
    # The head does not see the opinions about them on their own pages.
    assert "opinions-panel" not in as_person(registration.head).get(f"/council/result/{registration.id}").get_data(as_text=True)
