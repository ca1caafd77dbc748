"""The civil servant's year (Nghị định 335/2025/NĐ-CP): the task results from the approved months
(Điều 12 k3, the mean of the months worked), the general criteria scored once by the direct
manager (Điều 12 k2), the levels by points (Điều 20 k1–k4 a), the cases of Điều 20 k4 b–d that
make "không hoàn thành" whatever the points, the quota of Điều 20 k5 a ("không vượt quá 20% tổng
số công chức được xếp loại 'Hoàn thành tốt nhiệm vụ' trong phạm vi cùng một cơ quan … và trong
từng nhóm công chức có nhiệm vụ tương đồng") counted per agency, the head of agency's decision
with its reason, the what-if, and who sees what (the policy table)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import unescape

import pytest

import factories as f
from monthly_support import Agency, agency  # noqa: F401  (fixture)
from workflow import policy
from workflow.accounts.models import Person, Role
from workflow.core.errors import PermissionDenied, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework import queries as framework_queries
from workflow.monthly import operations, year
from workflow.monthly.models import MonthlyPlan, MonthState, YearCase, YearResult
from workflow.notifications.models import Notification
from workflow.units.models import Unit


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def months(agency: Agency, who: str, points: list[str]) -> None:
    """Approved months of `who` with the points the manager's assessment gave (January on)."""
    subject = agency.subjects[who]
    for number, value in enumerate(points, start=1):
        db.session.add(MonthlyPlan(subject=subject, period=agency.month(number), state=MonthState.APPROVED, points=Decimal(value),
                                   rubric_version="335-2026"))
    db.session.flush()


def general(agency: Agency, who: str, scores: tuple[str, str, str], actor: Person | None = None) -> YearResult:
    subject = agency.subjects[who]
    manager = actor or (agency.leader if subject.person.manager_id == agency.leader.id else agency.head)
    result = operations.assess_year(subject, agency.cycle, dict(zip(("political", "competence", "innovation"), map(Decimal, scores), strict=True)),
                                    actor=manager, version=None)
    db.session.flush()
    return result


def test_the_year_is_the_mean_of_the_months_plus_the_general_criteria(agency):
    # Điều 12 k3: the months' task points (of 70) by their mean: (63 + 70 + 64,17) / 3 = 65,72;
    # Điều 12 k2: the general criteria once (of 30): 9 + 9 + 9,5 = 27,5; total 93,22 ≥ 90: xuất sắc (Điều 20 k1).
    months(agency, "lan", ["63.00", "70.00", "64.17"])
    general(agency, "lan", ("9", "9", "9.5"))
    panel = year.compute(agency.cycle, [agency.unit.id])
    row = panel.row(agency.subjects["lan"].id)
    assert row.year.points == Decimal("65.72") and [p for _, p in row.year.periods] == [Decimal("63.00"), Decimal("70.00"), Decimal("64.17")]
    assert row.total.general_points == Decimal("27.5") and row.total.total == Decimal("93.22")
    # Alone in her group of similar tasks she is limited by the quota: 20% of nobody rated tốt
    # is 0 (Điều 20 k5 a, read literally), so she is proposed tốt, and the sentence says why.
    assert panel.proposal(row.subject.id).level == "good"
    sentence = panel.explanation(row.subject.id).sentence
    assert "93,22" in sentence and "Hoàn thành xuất sắc nhiệm vụ" in sentence
    # A servant whose manager has not scored the general criteria is not proposed a level.
    months(agency, "duc", ["60.00"])
    panel = year.compute(agency.cycle, [agency.unit.id])
    assert panel.proposal(agency.subjects["duc"].id).level is None and panel.row(agency.subjects["duc"].id).total is None


def test_the_proposals_take_the_figures_of_the_engines_whole_account_of_each_row(agency):
    """A civil service's year is computed from one row per servant (the database adds up the
    approved months): the figures the proposals are made of must be those of the engine's whole
    account — the year from the months one by one, the total with its parts — to the hundredth."""
    months(agency, "lan", ["60.01", "60.00"])  # the mean 60,005, rounded half up: 60,01
    months(agency, "duc", ["63.00", "70.00", "64.17"])
    general(agency, "lan", ("9", "9", "9.5"))
    general(agency, "duc", ("8", "8.5", "9"))
    general(agency, "hoa", ("7", "7", "7"))  # no month approved: no points of task results
    panel = year.compute(agency.cycle, [agency.unit.id])
    for row, candidate in zip(panel.rows, panel.candidates, strict=True):
        assert row.points == row.year.points
        assert list(candidate.ratings.values()) == ([row.total.total] if row.total is not None else [])
    lan, duc, hoa = (panel.row(agency.subjects[name].id) for name in ("lan", "duc", "hoa"))
    assert (lan.points, duc.points, hoa.points) == (Decimal("60.01"), Decimal("65.72"), Decimal("0.00"))
    assert (lan.total.total, duc.total.total, hoa.total.total) == (Decimal("87.51"), Decimal("91.22"), Decimal(21))


def test_the_general_criteria_are_checked_and_scored_only_by_the_direct_manager(agency):
    months(agency, "lan", ["60.00"])
    with pytest.raises(PermissionDenied):
        general(agency, "lan", ("9", "9", "9"), actor=agency.lan)  # nobody scores themself
    with pytest.raises(PermissionDenied):
        general(agency, "lan", ("9", "9", "9"), actor=agency.head)  # lan's manager is the team leader
    with pytest.raises(ValidationFailed) as refused:
        general(agency, "lan", ("11", "9", "9"))
    assert set(refused.value.errors) == {"general.political"}
    with pytest.raises(ValidationFailed) as refused:
        operations.assess_year(agency.subjects["lan"], agency.cycle, {"political": Decimal(9)}, actor=agency.leader, version=None)
    assert set(refused.value.errors) == {"general.competence", "general.innovation"}


def _servant(agency: Agency, unit: Unit, name: str, manager: Person, month_points: str, scores: tuple[str, str, str]) -> int:
    person = f.person(full_name=name, unit=unit, manager_id=manager.id)
    subject = framework.add_subject(framework_queries.track("civil_servants"), unit_id=unit.id, person_id=person.id,
                                    rules=agency.cycle.rules, actor=policy.SYSTEM)
    db.session.flush()
    for number in (1, 2, 3):
        db.session.add(MonthlyPlan(subject=subject, period=agency.month(number), state=MonthState.APPROVED, points=Decimal(month_points)))
    db.session.flush()
    operations.assess_year(subject, agency.cycle, dict(zip(("political", "competence", "innovation"), map(Decimal, scores), strict=True)),
                           actor=manager, version=None)
    db.session.flush()
    return subject.id


@pytest.fixture
def two_agencies(agency):
    """Agency A (Sở Nội vụ): one servant at 95 points and five at 80; agency B (Sở Tư pháp): one at
    95 and one at 80. Months of 66 and 56 task points, general criteria 29 and 24."""
    top, fair = ("66.00", ("10", "10", "9")), ("56.00", ("8", "8", "8"))
    a = [_servant(agency, agency.unit, "A xuất sắc", agency.leader, *top)] + [
        _servant(agency, agency.unit, f"A tốt {i}", agency.leader, *fair) for i in range(5)]
    unit_b = f.unit(code="STP", name="Sở Tư pháp")
    head_b = f.person((Role.HEAD, unit_b), full_name="Giám đốc Sở Tư pháp", unit=unit_b)
    leader_b = f.person(full_name="Trưởng phòng Sở Tư pháp", unit=unit_b)
    b = [_servant(agency, unit_b, "B xuất sắc", leader_b, *top), _servant(agency, unit_b, "B tốt", leader_b, *fair)]
    return a, b, unit_b, head_b


def test_the_quota_counts_each_agency_apart_in_the_texts_reading(agency, two_agencies):
    a, b, unit_b, _ = two_agencies
    panel = year.compute(agency.cycle, [agency.unit.id, unit_b.id])
    assert panel.row(a[0]).total.total == Decimal("95.00") and panel.row(a[1]).total.total == Decimal("80.00")
    # A: 20% of the 5 rated tốt allows 1: its 95 keeps xuất sắc. B: 20% of 1 is 0 (rounded down):
    # its 95 is moved to tốt, and the sentence names the quota. Counted together (2 at 95 among
    # 8) the two would have tied for the one place: the scope is the agency, as the decree says.
    assert panel.proposal(a[0]).level == "excellent"
    assert panel.proposal(b[0]).level == "good"
    sentence = panel.explanation(b[0]).sentence
    assert "95 điểm" in sentence and "20%" in sentence and "0 suất" in sentence
    # The what-if shows that a quota of 100% would let B's keep xuất sắc, and nobody else moves.
    what = panel.what_if({"quota.max_percent": "100"})
    assert [(c.head, c.before, c.after) for c in what.changes] == [(b[0], "good", "excellent")]


def test_the_head_of_agency_decides_with_a_reason_to_depart_and_within_the_quota(agency, two_agencies):
    a, b, unit_b, head_b = two_agencies
    panel = year.compute(agency.cycle, [unit_b.id])
    with pytest.raises(PermissionDenied):
        operations.decide_years(panel, [{"subject_id": b[1], "level": "good"}], actor=agency.head)  # not the head of B
    with pytest.raises(ValidationFailed) as refused:
        operations.decide_years(panel, [{"subject_id": b[1], "level": "completed", "reason": ""}], actor=head_b)
    assert set(refused.value.errors) == {f"decisions.{b[1]}"}
    with pytest.raises(ValidationFailed) as refused:
        operations.decide_years(panel, [{"subject_id": b[0], "level": "excellent", "reason": "Thành tích nổi trội"}], actor=head_b)
    assert set(refused.value.errors) == {"quota"}
    assert db.session.scalar(db.select(YearResult.level).where(YearResult.subject_id == b[0])) is None
    decided = operations.decide_years(panel, [{"subject_id": b[0], "level": "good"}, {"subject_id": b[1], "level": "completed", "reason": "Chậm tiến độ cả năm"}],
                                      actor=head_b)
    db.session.flush()
    assert decided == 2
    results = {r.subject_id: r for r in db.session.scalars(db.select(YearResult).where(YearResult.subject_id.in_(b)))}
    assert results[b[0]].level == "good" and results[b[0]].proposed_level == "good" and results[b[0]].reason == ""
    assert results[b[1]].level == "completed" and results[b[1]].proposed_level == "good" and results[b[1]].reason == "Chậm tiến độ cả năm"
    assert results[b[1]].total == Decimal("80.00") and results[b[1]].task_points == Decimal("56.00")
    # The decided year explains itself from what was frozen, the reason included.
    panel = year.compute(agency.cycle, [unit_b.id])
    sentence = panel.explanation(b[1]).sentence
    assert "Chậm tiến độ cả năm" in sentence
    # The head of the agency decided (Điều 20 k4 of 335), not a standing committee, and no council proposed.
    assert "Thủ trưởng cơ quan quyết định xếp loại Hoàn thành nhiệm vụ" in sentence
    assert "Ban Thường vụ" not in sentence and "Hội đồng" not in sentence
    # Decided is decided: the manager can no longer change the general criteria.
    with pytest.raises(TransitionRefused):
        operations.assess_year(panel.row(b[1]).subject, agency.cycle, {"political": Decimal(9), "competence": Decimal(9), "innovation": Decimal(9)},
                               actor=panel.row(b[1]).subject.person.manager, version=None)
    # Each servant is told by e-mail, in the outbox of the same transaction.
    kinds = db.session.scalars(db.select(Notification.kind).where(Notification.kind == "monthly_year_decided")).all()
    assert len(kinds) == 2


def test_a_case_of_article_20_clause_4_makes_not_completed_whatever_the_points(agency):
    # Điều 20 k4 c: "vi phạm liên quan đến hoạt động công vụ bị kỷ luật bằng hình thức từ khiển trách trở lên trong năm".
    months(agency, "lan", ["66.00", "66.00"])
    general(agency, "lan", ("10", "10", "9"))
    subject = agency.subjects["lan"]
    with pytest.raises(PermissionDenied):
        operations.record_year_case(subject, agency.cycle, YearCase.DUTY_DISCIPLINE, "12/QĐ-SNV", actor=agency.leader, version=None)
    with pytest.raises(ValidationFailed) as refused:
        operations.record_year_case(subject, agency.cycle, YearCase.DUTY_DISCIPLINE, " ", actor=agency.head, version=None)
    assert set(refused.value.errors) == {"case_reference"}
    operations.record_year_case(subject, agency.cycle, YearCase.DUTY_DISCIPLINE, "Quyết định 12/QĐ-SNV ngày 10/6/2026, khiển trách",
                                actor=agency.head, version=None)
    db.session.flush()
    panel = year.compute(agency.cycle, [agency.unit.id])
    assert panel.row(subject.id).total.total == Decimal("95.00")
    assert panel.proposal(subject.id).level == "not_completed"
    sentence = panel.explanation(subject.id).sentence
    assert "95 điểm" in sentence and "12/QĐ-SNV" in sentence and "Không hoàn thành nhiệm vụ" in sentence


def test_a_second_year_at_the_lowest_level_is_flagged(agency):
    from workflow.cycles.models import Cycle, CycleState
    from workflow.cycles.operations import create_cycle

    previous = db.session.scalar(db.select(Cycle).where(Cycle.year == 2025)) or create_cycle(2025, actor=policy.SYSTEM, state=CycleState.CLOSED)
    db.session.add(YearResult(subject=agency.subjects["duc"], cycle=previous, general={}, trace={}, level="not_completed"))
    months(agency, "duc", ["30.00"])
    general(agency, "duc", ("5", "5", "5"))
    panel = year.compute(agency.cycle, [agency.unit.id])
    proposal = panel.proposal(agency.subjects["duc"].id)
    assert proposal.level == "not_completed" and proposal.repeat_not_completed


# --- who sees what --------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "assess", "decide", "proposal", "result_before", "result_after"), [
    ("lan", False, False, False, False, True),      # the servant: her level once decided
    ("duc", False, False, False, False, False),     # a colleague: nothing
    ("leader", True, False, True, True, True),      # her direct manager
    ("head", False, True, True, True, True),        # the head of her agency
    ("other_head", False, False, False, False, False),
    ("admin", False, False, True, True, True),      # reads, decides nothing
])
def test_who_may_do_and_see_what_of_a_servants_year(agency, who, assess, decide, proposal, result_before, result_after):
    other_head = f.person((Role.HEAD, f.unit(code="SYT", name="Sở Y tế")))
    actor = {"lan": agency.lan, "duc": agency.duc, "leader": agency.leader, "head": agency.head, "other_head": other_head,
             "admin": f.person(Role.ADMIN)}[who]
    subject = agency.subjects["lan"]
    result = YearResult(subject=subject, cycle=agency.cycle, general={}, trace={})
    assert policy.can(actor, "monthly.year.assess", subject) is assess
    assert policy.can(actor, "monthly.year.decide", subject) is decide
    assert policy.can(actor, "monthly.year.proposal.view", subject) is proposal
    assert policy.can(actor, "monthly.year.result.view", result) is result_before
    result.level = "good"
    assert policy.can(actor, "monthly.year.result.view", result) is result_after


# --- the pages ---------------------------------------------------------------------------------------

def test_the_pages_of_the_year_in_vietnamese(agency, as_person):
    months(agency, "lan", ["63.00", "70.00", "64.17"])
    subject = agency.subjects["lan"]
    path = f"/monthly/year/{subject.id}?cycle_id={agency.cycle.id}"
    leader = as_person(agency.leader)
    page = _text(leader.get(path))
    assert "65,72" in page and "Lưu điểm tiêu chí chung" in page
    answer = leader.post(f"/monthly/year/{subject.id}/general?cycle_id={agency.cycle.id}",
                         data={"general.political": "9", "general.competence": "9", "general.innovation": "9,5", "note": "Tốt"},
                         headers={"Accept": "text/html"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(YearResult.general).where(YearResult.subject_id == subject.id))["innovation"] == "9.50"
    # A refused form stays on the page with what was typed and the field named; a stale version is a conflict.
    version = db.session.scalar(db.select(YearResult.version).where(YearResult.subject_id == subject.id))
    stale = leader.post(f"/monthly/year/{subject.id}/general?cycle_id={agency.cycle.id}",
                        data={"general.political": "8", "general.competence": "9", "general.innovation": "9", "version": str(version - 1)},
                        headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert stale.status_code == 409
    refused = leader.post(f"/monthly/year/{subject.id}/general?cycle_id={agency.cycle.id}",
                          data={"general.political": "12", "general.competence": "9", "general.innovation": "9", "version": str(version)},
                          headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert refused.status_code == 422
    refusal = json.loads(unescape(re.search(r"data-refusal='([^']*)'", refused.get_data(as_text=True)).group(1)))
    assert set(refusal["errors"]) == {"general.political"} and refusal["values"]["general.political"] == ["12"]
    # The servant sees her months and task points, but no proposed level before the decision.
    servant = _text(as_person(agency.lan).get(path))
    assert "65,72" in servant and "Mức đề xuất" not in servant and "Lưu điểm tiêu chí chung" not in servant
    # The head of agency's list: the total 93,22, the proposal (tốt: the quota) and why.
    head = as_person(agency.head)
    listing = _text(head.get(f"/monthly/agency-year?cycle_id={agency.cycle.id}"))
    assert "93,22" in listing and "Phạm Thị Lan" in listing and "Hoàn thành tốt nhiệm vụ" in listing
    what = _text(head.get(f"/monthly/agency-year?cycle_id={agency.cycle.id}&levels.excellent.min_points=96&levels.good.min_points=95"))
    assert "Phạm Thị Lan: Hoàn thành tốt nhiệm vụ → Hoàn thành nhiệm vụ" in what
    # Departing from the proposal without a reason is refused beside the field; with one it is decided.
    refused = head.post(f"/monthly/agency-year?cycle_id={agency.cycle.id}", data={"subject_id": str(subject.id), f"decisions.{subject.id}": "completed"},
                        headers={"Accept": "text/html", "Referer": f"http://localhost/monthly/agency-year?cycle_id={agency.cycle.id}"})
    assert refused.status_code == 422
    refusal = json.loads(unescape(re.search(r"data-refusal='([^']*)'", refused.get_data(as_text=True)).group(1)))
    assert set(refusal["errors"]) == {f"decisions.{subject.id}"}
    done = head.post(f"/monthly/agency-year?cycle_id={agency.cycle.id}", data={"subject_id": str(subject.id), f"decisions.{subject.id}": "good"},
                     headers={"Accept": "text/html"})
    assert done.status_code == 302
    servant = _text(as_person(agency.lan).get(path))
    assert "Mức xếp loại của năm" in servant and "Hoàn thành tốt nhiệm vụ" in servant and "93,22" in servant


def test_the_api_gives_the_year_and_takes_the_general_criteria_and_the_decision(agency, as_person):
    months(agency, "hoa", ["56.00", "56.00"])
    subject = agency.subjects["hoa"]  # no manager of her own: the head of agency is her direct manager
    head = as_person(agency.head)
    url = f"/api/v1/monthly/years/{subject.id}?cycle_id={agency.cycle.id}"
    assert head.get(url).get_json()["task_points"] == "56.00"
    answer = head.put(url, json={"general": {"political": "8", "competence": "8", "innovation": "8"}})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["total"] == "80.00" and body["proposed_level"] == "good"
    answer = head.post(f"/api/v1/monthly/years/decisions?cycle_id={agency.cycle.id}", json={"decisions": [{"subject_id": subject.id, "level": "good"}]})
    assert answer.status_code == 200, answer.get_json()
    assert as_person(agency.hoa).get(url).get_json()["level"] == "good"
    assert as_person(agency.duc).get(url).status_code == 403


def test_citizens_unsatisfied_at_the_counter_cost_points_of_the_year(agency):
    # The 335 preset's [[evidence]] "ratings.unjustified_case": 1 point each, at most 5 in the year.
    from datetime import date, datetime, timezone

    from workflow.ratings.models import CaseState, Channel, Rating, RatingCase, Verdict

    months(agency, "lan", ["60.00"])
    general(agency, "lan", ("9", "9", "9"))
    for i in range(3):
        rating = Rating(key=f"k{i}", dossier=f"HS-{i}", unit_id=agency.unit.id, official_id=agency.lan.id, channel=Channel.KIOSK,
                        verdict=Verdict.UNSATISFIED, rated_at=datetime(2026, 5, 4 + i, 9, tzinfo=timezone.utc), month=202605)
        db.session.add(rating)
        db.session.flush()
        db.session.add(RatingCase(rating_id=rating.id, unit_id=agency.unit.id, official_id=agency.lan.id, state=CaseState.ANSWERED,
                                  due_on=date(2026, 5, 12), justified=i == 2))
    db.session.flush()
    panel = year.compute(agency.cycle, [agency.unit.id])
    total = panel.row(agency.subjects["lan"].id).total
    assert total.evidence_deduction == Decimal(2) and total.total == Decimal("85.00")  # 60 + 27 − 2 cases found unjustified
    assert panel.candidates[panel.proposals.position(agency.subjects["lan"].id)].ratings == {agency.leader.id: Decimal("85.00")}


# --- the other tracks the direct manager assesses: deputies (Quy định 366-QĐ/TW) ----------------------

def _deputy(agency: Agency, name: str) -> int:
    person = f.person(full_name=name, unit=agency.unit)  # no manager of their own: the head of the agency assesses them
    subject = framework.add_subject(framework_queries.track("deputies"), unit_id=agency.unit.id, person_id=person.id,
                                    rules=agency.cycle.rules, actor=policy.SYSTEM)
    db.session.flush()
    return subject.id


def _assess_deputy(agency: Agency, subject_id: int, points: str, counts: tuple[int, int, int, int]) -> None:
    from workflow.framework.models import Subject

    subject = db.session.get(Subject, subject_id)
    version = db.session.scalar(db.select(YearResult.version).where(YearResult.subject_id == subject_id))
    operations.assess_year(subject, agency.cycle, {"political": Decimal(9), "ethics": Decimal(9), "discipline": Decimal(9)}, actor=agency.head,
                           version=version, tasks={"points": Decimal(points), **dict(zip(("targets", "done", "on_time", "exceeded"), counts, strict=True))})
    db.session.flush()


def test_a_deputys_year_by_the_head_of_agency_with_366s_conditions_explained(agency):
    # 366-deputies: xuất sắc needs ≥ 90 points, 100% of targets on time and ≥ 30% exceeded; tốt ≥ 70 and 100% on time.
    first, second = _deputy(agency, "Phó Giám đốc Một"), _deputy(agency, "Phó Giám đốc Hai")
    _assess_deputy(agency, first, "65", (10, 10, 9, 4))     # 27 + 65 = 92 points, but 1 of 10 targets late
    _assess_deputy(agency, second, "62", (10, 10, 10, 2))   # 89 points, all on time: tốt
    panel = year.compute(agency.cycle, [agency.unit.id], track="deputies")
    assert panel.row(first).total.total == Decimal("92.00") and panel.row(second).total.total == Decimal("89.00")
    assert panel.proposal(first).level == "completed"  # 90% on time fails xuất sắc and tốt; ≤ 20% late passes hoàn thành
    sentence = panel.explanation(first).sentence
    assert "92 điểm" in sentence and "90%" in sentence and "Hoàn thành nhiệm vụ" in sentence
    assert panel.proposal(second).level == "good" and panel.explanation(second) is None  # the points decide: nothing to explain
    # The what-if: with the on-time condition of tốt at 90%, the first would be tốt.
    what = panel.what_if({"levels.good.min_on_time_percent": "90"})
    assert [(c.head, c.before, c.after) for c in what.changes] == [(first, "completed", "good")]
    # The civil servants of the same agency are another track: their quota is counted apart.
    assert {c.track for c in panel.candidates} == {"deputies"}
    with pytest.raises(ValidationFailed) as refused:
        _assess_deputy(agency, first, "71", (3, 4, 1, 0))
    assert set(refused.value.errors) == {"tasks.points", "tasks.done"}


def test_a_deputys_year_pages(agency, as_person):
    subject_id = _deputy(agency, "Phó Giám đốc Ba")
    head = as_person(agency.head)
    path = f"/monthly/year/{subject_id}?cycle_id={agency.cycle.id}"
    page = _text(head.get(path))
    assert "Điểm kết quả thực hiện nhiệm vụ" in page and "Tháng 1/2026" not in page
    answer = head.post(f"/monthly/year/{subject_id}/general?cycle_id={agency.cycle.id}", headers={"Accept": "text/html"},
                       data={"tasks.points": "62,5", "tasks.targets": "8", "tasks.done": "8", "tasks.on_time": "8", "tasks.exceeded": "3",
                             "general.political": "9", "general.ethics": "9", "general.discipline": "9"})
    assert answer.status_code == 302
    listing = _text(head.get(f"/monthly/agency-year?cycle_id={agency.cycle.id}&track=deputies"))
    assert "Phó Giám đốc Ba" in listing and "89,50" in listing and "Hoàn thành tốt nhiệm vụ" in listing
    assert head.get(f"/monthly/agency-year?cycle_id={agency.cycle.id}&track=heads").status_code == 404  # the council's track


def test_the_year_page_shows_the_opinions_of_superior_and_subordinates_to_the_assessor_not_the_subject(agency, as_person):
    from datetime import UTC, date, datetime

    from workflow.core.models import simulated_time
    from workflow.framework.models import Subject
    from workflow.opinions import operations as opinions
    from workflow.opinions.models import Relation

    subject_id = _deputy(agency, "Phó Giám đốc Bốn")
    subject = db.session.get(Subject, subject_id)
    staff = f.person(Role.STAFF)
    round_ = opinions.open_round(actor=staff, cycle=agency.cycle, track=subject.track, title="Lấy ý kiến cuối năm 2026", opens_on=date(2026, 11, 2))
    item = opinions.add_subject(round_, subject, actor=staff)
    asked = [opinions.invite(item, agency.head, Relation.SUPERIOR, actor=staff)]
    asked += [opinions.invite(item, p, Relation.SUBORDINATE, actor=staff) for p in (agency.lan, agency.duc, agency.hoa)]
    db.session.flush()
    with simulated_time(datetime(2026, 11, 4, 3, tzinfo=UTC)):
        for respondent, value in zip(asked, (4, 3, 3, 2), strict=True):
            opinions.answer(respondent, actor=respondent.person, scores={code: value for code in round_.criterion_codes}, comment="")
    opinions.close_round(round_, actor=staff)
    db.session.flush()
    path = f"/monthly/year/{subject_id}?cycle_id={agency.cycle.id}"
    page = as_person(agency.head).get(path).get_data(as_text=True)
    assert 'data-testid="opinions-panel"' in page and "Tỷ lệ phản hồi: 4 trên 4" in page
    deputy = db.session.get(Person, subject.person_id)
    assert "opinions-panel" not in as_person(deputy).get(path).get_data(as_text=True)
