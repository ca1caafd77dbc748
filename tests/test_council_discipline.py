"""Discipline records with the regimes' categories of "không hoàn thành nhiệm vụ": recorded by the
secretary on the result page and through the API, read by the engine as the cycle's rubric says
(Nghị định 335/2025 Điều 20 k4 b–d; Quy định 366-QĐ/TW Điều 11 k4 điểm 4.2; Nghị định 90/2020
Điều 2 k5 as amended by 48/2023), and named with their decision in the level sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest

import factories as f
from council_support import council, open_scoring, reported_registration, score
from workflow.council import presenters, proposals
from workflow.council.models import DisciplineCategory, DisciplineForm, DisciplineRecord
from workflow.extensions import db
from workflow.scoring.rubric import load_rubric


@pytest.fixture
def scene(app):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300") for _ in range(3)]
    open_scoring(cycle)
    seats = council(cycle, members=1)
    for registration in regs:
        for name in ("m1", "secretary"):  # the secretary sees a head's page once they scored it
            score(seats[name], registration, general=("10", "10", "10"))
    return cycle, regs, seats


def test_the_secretary_records_a_case_through_the_api(scene, client):
    cycle, regs, seats = scene
    headers = f.api_headers(seats["secretary"].person)
    url = f"/api/v1/council/registrations/{regs[0].id}/discipline"
    refused = client.post(url, json={"reference": "8-KL/UBKTTU ngày 2/3/2027", "reason": "Suy thoái đạo đức", "category": "degradation",
                                     "form": "warning"}, headers=headers)
    assert refused.status_code == 422 and "form" in refused.json["errors"]["json"]
    unknown = client.post(url, json={"reference": "x", "reason": "y", "category": "rumour"}, headers=headers)
    assert unknown.status_code == 422 and "category" in unknown.json["errors"]["json"]
    made = client.post(url, json={"reference": "8-KL/UBKTTU ngày 2/3/2027", "reason": "Suy thoái đạo đức", "category": "degradation"},
                       headers=headers)
    assert made.status_code == 201
    assert (made.json["category"], made.json["form"], made.json["duty_related"]) == ("degradation", None, False)
    # As before, a record without a category is a disciplinary decision.
    plain = client.post(f"/api/v1/council/registrations/{regs[1].id}/discipline", json={"reference": "15-QĐ", "reason": "Khiển trách"},
                        headers=headers)
    assert plain.status_code == 201 and plain.json["category"] == "discipline"
    # Nobody but the secretary.
    assert client.post(f"/api/v1/council/registrations/{regs[2].id}/discipline", json={"reference": "1", "reason": "2"},
                       headers=f.api_headers(seats["m1"].person)).status_code == 403


def test_the_secretary_records_a_case_on_the_result_page(scene, as_person):
    cycle, regs, seats = scene
    web = as_person(seats["secretary"].person)
    page = web.get(f"/council/results/{regs[0].id}").get_data(as_text=True)
    assert 'name="category"' in page and 'name="form"' in page and 'name="duty_related"' in page
    response = web.post(f"/council/results/{regs[0].id}/discipline", data={
        "reference": "15-QĐ/UBKTTU ngày 10/6/2027", "reason": "Vi phạm quy định về đấu thầu", "category": "discipline", "form": "warning",
        "duty_related": "1"})
    assert response.status_code == 302
    record = db.session.query(DisciplineRecord).filter_by(registration_id=regs[0].id).one()
    assert (record.category, record.form, record.duty_related) == (DisciplineCategory.DISCIPLINE, DisciplineForm.WARNING, True)
    shown = web.get(f"/council/results/{regs[0].id}").get_data(as_text=True)
    assert "Cảnh cáo" in shown and "vi phạm liên quan đến hoạt động công vụ" in shown
    # The members do not see the form.
    assert 'name="category"' not in as_person(seats["m1"].person).get(f"/council/results/{regs[1].id}").get_data(as_text=True)


def _with_rubric(cycle, path: str) -> None:
    cycle.rules = {**cycle.rules, "rubric": load_rubric(path).to_snapshot()}
    db.session.flush()


@pytest.mark.parametrize(
    "rubric, levels",
    [
        # default.toml (as before): only a disciplinary decision, whatever it was for.
        ("config/rubrics/default.toml", {"degradation": "excellent", "corruption": "excellent", "not_duty": "not_completed"}),
        # 366-heads: 366 Điều 11 k4 4.2 (degradation) and 48/2023 for cán bộ (any discipline);
        # the agency's corruption is a case of 335 only.
        ("config/rubrics/366-heads.toml", {"degradation": "not_completed", "corruption": "excellent", "not_duty": "not_completed"}),
    ],
)
def test_the_engine_reads_the_categories_per_regime(scene, rubric, levels):
    cycle, regs, seats = scene
    from workflow.council import operations

    secretary = seats["secretary"].person
    operations.record_discipline(regs[0], actor=secretary, reference="8-KL/UBKTTU ngày 2/3/2027", reason="Suy thoái về đạo đức, lối sống",
                                 category=DisciplineCategory.DEGRADATION)
    operations.record_discipline(regs[1], actor=secretary, reference="3-QĐ/UBND ngày 5/5/2027", reason="Sở bị xử lý do lãng phí",
                                 category=DisciplineCategory.CORRUPTION_IN_AGENCY)
    operations.record_discipline(regs[2], actor=secretary, reference="15-QĐ/UBKTTU ngày 10/6/2027", reason="Khiển trách",
                                 form=DisciplineForm.REPRIMAND)
    db.session.flush()
    _with_rubric(cycle, rubric)
    panel = proposals.compute(cycle)
    found = {name: panel.proposal(r.id).classification.level for name, r in zip(("degradation", "corruption", "not_duty"), regs, strict=True)}
    assert found == levels
    assert panel.proposal(regs[0].id).panel.score == Decimal("100.00")
    if rubric.endswith("366-heads.toml"):
        facts = panel.candidates[panel.proposals.position(regs[0].id)].facts
        why = presenters.live_explanation(panel.proposal(regs[0].id), facts, panel.rubric)
        assert why is not None and why.rules == ("discipline",)
        assert "Bị cấp có thẩm quyền kết luận có biểu hiện suy thoái (8-KL/UBKTTU ngày 2/3/2027, Suy thoái về đạo đức, lối sống)" in why.sentence


def test_a_second_year_at_the_lowest_level_is_flagged(scene):
    """Two consecutive years of "không hoàn thành" (a ground for removal of a leader, Quy định
    41-QĐ/TW): the committee's published decision of the year before is read, and the proposal
    is flagged for the decision maker; nothing is decided for them."""
    from datetime import date

    from workflow.accounts.models import Role
    from workflow.council.models import CouncilSession, Decision, SessionState

    cycle, regs, seats = scene
    before = f.year(2026)
    committee = f.person(Role.COMMITTEE)
    db.session.add(CouncilSession(cycle_id=before.id, held_on=date(2027, 1, 15), state=SessionState.PUBLISHED))
    for reg, levels in ((regs[0], ["good", "not_completed"]), (regs[1], ["not_completed", "good"])):
        last_year = f.registration(cycle=before, head=f.head_of(reg), state="assigned")
        for number, level in enumerate(levels, start=1):  # versioned: the latest number is in force
            db.session.add(Decision(cycle_id=before.id, registration_id=last_year.id, number=number, level=level, follows_proposal=False,
                                    reason="Ban Thường vụ quyết định", decided_by_id=committee.id))
    db.session.flush()
    assert proposals.previous_levels(cycle) == {f.head_of(regs[0]).id: "not_completed", f.head_of(regs[1]).id: "good"}
    _with_rubric(cycle, "config/rubrics/366-heads.toml")
    from workflow.council import operations

    for reg in regs[:2]:  # both at the lowest level this year (366 Điều 11 k4 4.2)
        operations.record_discipline(reg, actor=seats["secretary"].person, reference="15-QĐ", reason="Khiển trách", duty_related=True)
    db.session.flush()
    panel = proposals.compute(cycle)
    again, first = panel.proposal(regs[0].id), panel.proposal(regs[1].id)
    assert again.level == first.level == "not_completed"
    assert again.repeat_not_completed and again.needs_discussion and regs[0].id in panel.proposals.flagged()
    assert "history.repeat_not_completed" in {n.code for n in again.notes}
    assert not first.repeat_not_completed and "history.repeat_not_completed" not in {n.code for n in first.notes}
