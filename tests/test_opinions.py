"""Rounds of opinions from above and below (Hòa Bình, Hướng dẫn 14-HD/BTCTU; the conference's
finding that peer review "còn hình thức và không hiệu quả"): who is asked, answering once, the
anonymity threshold, the superior's field, the gap, the rules, the evidence source."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

import factories as f
from opinion_support import SUBORDINATE, SUPERIOR, give, opinion_round, respondent, today
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.framework.sources import evidence_for, names
from workflow.opinions import operations, queries
from workflow.opinions.models import OpinionTally, Relation, Respondent
from workflow.opinions.rules import defaults, for_track
from workflow.rules import RulesError, parse_rules


@pytest.fixture
def ctx():
    return opinion_round()


def test_the_direct_superior_and_subordinates_are_asked_from_the_organisation(ctx):
    asked = {r.person_id: r.relation for r in db.session.scalars(select(Respondent).where(Respondent.opinion_subject_id == ctx.item.id))}
    # The head of the parent unit is the superior; the people of the unit the subordinates; never the head themself.
    assert asked == {ctx.superior.id: Relation.SUPERIOR, **{p.id: Relation.SUBORDINATE for p in ctx.people}}
    assert operations.invite_direct(ctx.item, actor=ctx.staff) == 0  # asked once


def test_nobody_judges_themself_and_peers_are_off_unless_the_track_asks_them(ctx):
    with pytest.raises(ValidationFailed) as refused:
        operations.invite(ctx.item, ctx.head, SUBORDINATE, actor=ctx.staff)
    assert "person" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        operations.invite(ctx.item, f.person(), Relation.PEER, actor=ctx.staff)
    assert "relation" in refused.value.errors
    with pytest.raises(PermissionDenied):
        operations.invite(ctx.item, f.person(), SUBORDINATE, actor=ctx.head)


def test_a_respondent_answers_once_each_criterion_on_the_scale(ctx, english):
    first = ctx.people[0]
    with pytest.raises(ValidationFailed) as refused:
        operations.answer(respondent(ctx, first), actor=first, scores={"political": "4", "ethics": "9"})
    assert set(refused.value.errors) == {"scores.ethics", "scores.discipline", "scores.results"}
    with pytest.raises(PermissionDenied):
        operations.answer(respondent(ctx, first), actor=ctx.people[1], scores={})
    give(ctx, first, (4, 3, 3, 2), "Cần sâu sát cơ sở hơn")
    with pytest.raises(TransitionRefused, match="already given"):
        give(ctx, first, (1, 1, 1, 1))
    counted = db.session.execute(select(OpinionTally.criterion, OpinionTally.value).where(OpinionTally.count > 0)).all()
    assert sorted(counted) == sorted([("political", 4), ("ethics", 3), ("discipline", 3), ("results", 2)])


def test_answers_are_taken_only_within_the_window(english):
    late = opinion_round(opens_on=today() - timedelta(days=10))  # ten days ending yesterday
    assert late.round.closes_on == today() - timedelta(days=1)
    with pytest.raises(TransitionRefused, match="took answers until"):
        give(late, late.people[0], (4, 4, 4, 4))
    early = opinion_round(opens_on=today() + timedelta(days=1))
    with pytest.raises(TransitionRefused, match="takes answers from"):
        give(early, early.people[0], (4, 4, 4, 4))


def test_subordinates_are_shown_only_from_three_answers_and_only_once_closed(ctx):
    give(ctx, ctx.superior, (4, 4, 4, 4))
    give(ctx, ctx.people[0], (3, 3, 2, 2))
    give(ctx, ctx.people[1], (3, 4, 2, 2))
    panel = queries.panel_for(ctx.cycle.id, ctx.registration.subject_id)
    assert panel.result is None and (panel.answered, panel.asked) == (3, 5)  # open: the response rate only
    operations.close_round(ctx.round, actor=ctx.secretary)
    result = queries.panel_for(ctx.cycle.id, ctx.registration.subject_id).result
    # Two subordinates answered, fewer than three: nothing of theirs is shown, not even comments.
    assert result.shown == {"superior": True, "subordinate": False}
    assert all(set(c.means) == {"superior"} and c.gap is None for c in result.criteria)
    assert result.answered == {"superior": 1, "subordinate": 2}


def test_three_answers_show_the_means_and_a_large_gap_is_flagged(ctx):
    give(ctx, ctx.superior, (4, 4, 4, 4))
    give(ctx, ctx.people[0], (3, 3, 2, 4), "Điều hành quyết liệt")
    give(ctx, ctx.people[1], (3, 4, 2, 4))
    give(ctx, ctx.people[2], (4, 3, 3, 3), "Giao việc dồn cuối năm")
    operations.close_round(ctx.round, actor=ctx.secretary)
    result = queries.results(ctx.round)[ctx.item.id]
    by_code = {c.code: c for c in result.criteria}
    assert by_code["political"].means == {"superior": Decimal("4.00"), "subordinate": Decimal("3.33")}
    # The gap threshold (1 point, [opinions] gap_threshold): discipline 4 − 2.33 is flagged, political 0.67 is not.
    assert by_code["discipline"].gap == Decimal("1.67") and by_code["discipline"].flagged
    assert not by_code["political"].flagged and [c.code for c in result.flagged] == ["discipline"]
    assert result.comments == {"subordinate": sorted(["Điều hành quyết liệt", "Giao việc dồn cuối năm"])}
    assert result.rate == (4, 5)


def test_a_superior_agency_answers_only_on_its_own_field(ctx):
    """Hòa Bình: "Ban Tổ chức Tỉnh ủy đánh giá các Đảng bộ trực thuộc, chỉ đánh giá lĩnh vực của Ban
    Tổ chức phụ trách"."""
    board = f.unit(name="Ban Tổ chức Tỉnh ủy")
    officer = f.person(full_name="Cán bộ Ban Tổ chức")
    asked = operations.invite(ctx.item, officer, SUPERIOR, actor=ctx.staff, criteria=["political", "discipline"], on_behalf_of=board)
    db.session.flush()
    with pytest.raises(ValidationFailed) as refused:
        operations.answer(asked, actor=officer, scores={"political": 4, "discipline": 3, "results": 2})
    assert "scores" in refused.value.errors
    operations.answer(asked, actor=officer, scores={"political": 4, "discipline": 3})
    with pytest.raises(ValidationFailed):
        operations.invite(ctx.item, f.person(), SUBORDINATE, actor=ctx.staff, criteria=["political"])


def test_rules_peers_per_track_and_the_defaults():
    assert defaults()["min_answers"] == 3 and defaults()["peers"] is False and defaults()["window_days"] == 10
    text = 'version = "t"\n[opinions]\nmin_answers = 5\n[opinions.tracks.collectives]\npeers = true\ngap_threshold = 0.5\n'
    rules = parse_rules(text)
    cycle = type("C", (), {"rules": rules})()
    assert for_track(cycle, "collectives")["peers"] is True and for_track(cycle, "collectives")["gap_threshold"] == 0.5
    assert for_track(cycle, "heads")["peers"] is False and for_track(cycle, "heads")["min_answers"] == 5
    with pytest.raises(RulesError, match="remind_days_before"):
        parse_rules('version = "t"\n[opinions]\nwindow_days = 3\nremind_days_before = [5]\n')


def test_peers_asked_where_the_track_switches_them_on():
    ctx = opinion_round(direct=False)
    rules = dict(ctx.cycle.rules)
    rules["opinions"] = {**defaults(), "tracks": {"heads": {"peers": True}}}
    ctx.cycle.rules = rules
    round_ = operations.open_round(actor=ctx.staff, cycle=ctx.cycle, track=ctx.registration.track, title="Có đồng cấp", opens_on=today())
    item = operations.add_subject(round_, ctx.registration.subject, actor=ctx.staff)
    assert operations.invite(item, f.person(), Relation.PEER, actor=ctx.staff).relation == Relation.PEER


def test_the_evidence_source_gives_the_aggregates_of_closed_rounds(ctx):
    assert "opinions" in names()
    for person, values in ((ctx.superior, (4, 4, 4, 4)), (ctx.people[0], (2, 3, 2, 3)), (ctx.people[1], (2, 3, 2, 3)), (ctx.people[2], (3, 3, 2, 4))):
        give(ctx, person, values)
    assert not evidence_for(ctx.cycle.id, [ctx.registration.id]).get(ctx.registration.id)  # open: no fact yet
    operations.close_round(ctx.round, actor=ctx.staff)
    facts = {e.kind: e.value for e in evidence_for(ctx.cycle.id, [ctx.registration.id])[ctx.registration.id] if e.kind.startswith("opinions.")}
    assert facts["opinions.superior.political"] == Decimal("4.00") and facts["opinions.subordinate.political"] == Decimal("2.33")
    assert facts["opinions.gap.political"] == Decimal("1.67") and facts["opinions.gap.discipline"] == Decimal("2.00")
    assert facts["opinions.gap.ethics"] == Decimal("1.00")  # 4 − 3: on the threshold is flagged …
    assert "opinions.gap.results" not in facts  # … 4 − 3.33 is not


def test_closing_is_for_the_staff_and_the_secretary(ctx):
    with pytest.raises(PermissionDenied):
        operations.close_round(ctx.round, actor=ctx.head)
    operations.close_round(ctx.round, actor=ctx.secretary, version=ctx.round.version)
    with pytest.raises(TransitionRefused):
        give(ctx, ctx.people[0], (4, 4, 4, 4))


def test_the_secretary_sees_the_response_rate(ctx, as_person):
    give(ctx, ctx.people[0], (4, 4, 4, 4))
    page = as_person(ctx.secretary).get(f"/opinions/{ctx.round.id}")
    assert page.status_code == 200 and "1 / 5" not in page.get_data(as_text=True)
    assert 'data-testid="round-rate">1' in page.get_data(as_text=True).replace("\n", "").replace("  ", "")
    assert as_person(ctx.head).get(f"/opinions/{ctx.round.id}").status_code == 403


def test_staff_open_a_round_from_the_page(ctx, as_person):
    client = as_person(ctx.staff)
    refused = client.post("/opinions/new", data={"title": "", "cycle_id": ctx.cycle.id, "track_id": ctx.registration.track_id, "opens_on": "x"})
    assert refused.status_code == 422
    made = client.post("/opinions/new", data={"title": "Đợt hai", "cycle_id": ctx.cycle.id, "track_id": ctx.registration.track_id,
                                              "opens_on": today().isoformat(), "secretary": ctx.secretary.username})
    assert made.status_code == 302
    round_id = int(made.headers["Location"].rsplit("/", 1)[1])
    added = client.post(f"/opinions/{round_id}/subjects", data={"subject_id": ctx.registration.subject_id, "direct": "1"})
    assert added.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Respondent).where(Respondent.round_id == round_id)) == 5


def test_a_subordinate_answers_on_the_page_and_a_refused_answer_stays_on_the_form(ctx, as_person):
    person = ctx.people[1]
    client = as_person(person)
    mine = client.get("/opinions/mine").get_data(as_text=True)
    assert ctx.head.full_name in mine
    url = f"/opinions/answer/{respondent(ctx, person).id}"
    refused = client.post(url, data={"score-political": "4", "comment": "Một ý kiến"})
    assert refused.status_code == 422 and "Một ý kiến" in refused.get_data(as_text=True)
    done = client.post(url, data={f"score-{c}": "3" for c in ctx.round.criterion_codes})
    assert done.status_code == 302
    again = client.get(url).get_data(as_text=True)
    assert "đã cho ý kiến" in again
    assert as_person(ctx.people[2]).get(url).status_code == 403


def test_the_round_page_and_the_api_run_a_fixed_number_of_statements(ctx, as_person, count_statements):
    """Two subjects or six, answered and closed: the secretary's page and the API read the same
    number of statements."""

    def grow(n: int) -> None:
        for _ in range(n):
            head = f.person((Role.HEAD, f.unit(parent_id=ctx.superior.head_unit_ids.copy().pop())))
            for i in range(3):
                f.person(full_name=f"Cán bộ {i}", unit_id=head.unit_id)
            item = operations.add_subject(ctx.round, f.registration(ctx.cycle, head=head).subject, actor=ctx.staff)
            operations.invite_direct(item, actor=ctx.staff)
        db.session.flush()

    client = as_person(ctx.staff)
    pages = {"page": lambda: client.get(f"/opinions/{ctx.round.id}"), "api round": lambda: client.get(f"/api/v1/opinions/rounds/{ctx.round.id}")}
    grow(1)
    few = {}
    for name, get in pages.items():
        with count_statements() as counter:
            assert get().status_code == 200
        few[name] = counter.count
    grow(4)
    for name, get in pages.items():
        with count_statements() as counter:
            assert get().status_code == 200
        assert counter.count == few[name], name


def test_comments_follow_the_rounds_order_of_relations_whatever_order_the_rows_come_in():
    # PostgreSQL returns updated rows in no fixed order; the page must not depend on it.
    from workflow.opinions.results import summarise
    rules = defaults()
    relations = [Relation.SUPERIOR, Relation.SUBORDINATE]
    answered = {"superior": 1, "subordinate": rules["min_answers"]}
    comments = {"subordinate": ["b", "a"], "superior": ["z"]}
    result = summarise(rules, relations, answered, answered, {}, comments)
    assert list(result.comments) == ["superior", "subordinate"] and result.comments["subordinate"] == ["a", "b"]
