"""The presets of the rules in force (config/rubrics), each against worked examples taken from the
texts, and the rubric options they use: the mean of the factors and the per-factor deductions of
Nghị định 335/2025, the levels of Quy định 366-QĐ/TW, the quota in both readings per scope, a
year from its months, the regimes' cases of "không hoàn thành", and facts of other sources."""

import re
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from workflow.core.errors import ValidationFailed
from workflow.council.proposals import discipline_facts
from workflow.scoring.engine import (
    Candidate,
    Evidence,
    Facts,
    PeriodPoints,
    QuantitativeTarget,
    QuotaStatus,
    TaskTarget,
    classify,
    criterion_suggestions,
    evidence_deductions,
    evidence_targets,
    level_trace,
    propose,
    target_result,
    task_points,
    total,
    year_task_points,
)
from workflow.scoring.explain import describe, describe_check, explain_level
from workflow.scoring.rubric import DEFAULT_RUBRIC, RubricError, load_rubric, parse_rubric

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted(p.name for p in (ROOT / "config" / "rubrics").glob("*.toml"))
CIVIL = load_rubric("config/rubrics/335-civil-servants.toml")
HEADS = load_rubric("config/rubrics/366-heads.toml")
COLLECTIVES = load_rubric("config/rubrics/366-collectives.toml")
EMPLOYEES = load_rubric("config/rubrics/public-employees.toml")
DEFAULT = load_rubric()
ALL_MET = Facts(targets=10, done=10, on_time=10, exceeded=3, late=0)


def test_every_preset_loads_and_the_set_is_complete():
    assert PRESETS == ["335-civil-servants.toml", "366-collectives.toml", "366-deputies.toml", "366-heads.toml", "default.toml",
                       "public-employees.toml"]
    for name in PRESETS:
        rubric = load_rubric(f"config/rubrics/{name}")
        assert rubric.total_points == 100
        for sheet in rubric.sheets:
            assert sum(c.max_points for c in rubric.for_sheet(sheet.code).general) + rubric.for_sheet(sheet.code).tasks.max_points == 100


# --- Nghị định 335/2025, Điều 14 k2: worked examples E1–E6 (research note nd-335-2025.md) -----

def product(code: str, *, on_time: bool = True, errors: int = 0, done: bool = True) -> TaskTarget:
    """One assigned product (converted quantity 1)."""
    return TaskTarget(code, D(1), done=done, product_delivered=done, on_time=on_time, days_late=0 if on_time else 3, errors=errors)


@pytest.mark.parametrize(
    "case, products, mean, points",
    [
        # E1 one product, done, no error, on time: 100/100/100.
        ("E1", [product("p1")], "100.00", "70.00"),
        # E2 one product, done, one delay: 100/100/75 → 91.67% → 64.17 (issue 11's "~91.7%").
        ("E2", [product("p1", on_time=False)], "91.67", "64.17"),
        # E3 one product, done, one major error: 100/75/100.
        ("E3", [product("p1", errors=1)], "91.67", "64.17"),
        # E4 four products, all done, one late once: 100/100/93.75 → 97.92 → 68.54.
        ("E4", [product("p1"), product("p2"), product("p3"), product("p4", on_time=False)], "97.92", "68.54"),
        # E5 four products, three done on time and correct, one not done: 75/75/75 → 52.50.
        ("E5", [product("p1"), product("p2"), product("p3"), product("p4", done=False)], "75.00", "52.50"),
        # E6 two products, both done, one failed review twice: 100/75/100 → 64.17.
        ("E6", [product("p1"), product("p2", errors=2)], "91.67", "64.17"),
    ],
)
def test_335_worked_examples(case, products, mean, points):
    results = [target_result(p, CIVIL) for p in products]
    figures = task_points(results, CIVIL)
    assert (figures.weighted_percent, figures.points) == (D(mean), D(points)), case


def test_335_late_product_loses_a_quarter_of_its_progress_not_of_the_task():
    late = product("p1", on_time=False)
    civil = target_result(late, CIVIL)
    assert (civil.quantity_percent, civil.quality_percent, civil.timeliness_percent, civil.deduction_percent) == (D(100), D(100), D(75), D(0))
    assert [n.code for n in civil.notes] == ["task.done", "timeliness.late", "delay.late_delivery", "deduction.timeliness", "combine.mean"]
    with force_locale("en"):
        assert describe(civil.notes[3]) == "Delays: 1. 25% of the timeliness deducted: 100% → 75%."
    # Today's default takes 25% of the whole task: 75% → 52.50 points.
    default = target_result(late, DEFAULT)
    assert (default.result_percent, task_points([default], DEFAULT).points) == (D(75), D("52.50"))


def test_335_undone_product_lowers_all_three_factors():
    result = target_result(product("p4", done=False), CIVIL)
    assert (result.quantity_percent, result.quality_percent, result.timeliness_percent, result.result_percent) == (0, 0, 0, 0)
    # What was done counts in quality and progress as its share of what was assigned.
    half = target_result(TaskTarget("p5", D(1), done=False, product_delivered=False, on_time=False, progress_percent=D(50)), CIVIL)
    assert (half.quantity_percent, half.quality_percent, half.timeliness_percent, half.result_percent) == (50, 50, 50, 50)


def test_335_first_acceptance_figure_classifies_by_points_alone():
    # E1 plus 25 of 30 general points = 95: xuất sắc, with no target exceeded (no 366 condition).
    points = task_points([target_result(product("p1"), CIVIL)], CIVIL)
    member = total({"political": D(10), "competence": D(10), "innovation": D(5)}, points, [], CIVIL)
    assert member.total == D("95.00")
    assert classify(member.total, Facts(1, 1, 1, 0, 0), CIVIL).level == "excellent"
    # Điều 20 k1–k4 a: ≥ 90, [70, 90), [50, 70), < 50.
    assert [classify(D(p), Facts(1, 1, 0, 0, 1), CIVIL).level for p in ("90", "89.99", "70", "50", "49.99")] == [
        "excellent", "good", "good", "completed", "not_completed"]


def test_progress_is_measured_per_target_type():
    rubric = DEFAULT.with_changes({"tasks.progress_by_type": {"accumulating": "share"}})
    baseline = QuantitativeTarget("t1", D(1), baseline=D(1000), target=D(1200), actual=D(1100))
    share = QuantitativeTarget("t2", D(1), baseline=D(1000), target=D(1200), actual=D(1100), type="accumulating")
    assert target_result(baseline, rubric).progress_percent == D(50)  # half of the way from 1000
    assert target_result(share, rubric).progress_percent == D("91.67")  # 1100 of the 1200 assigned
    assert target_result(share, DEFAULT).progress_percent == D(50)  # a type the rubric does not name


# --- Quy định 366-QĐ/TW, Điều 11: the level table (research note qd-366-tw-2025.md) -----------

@pytest.mark.parametrize(
    "points, facts, level",
    [
        ("92", Facts(10, 10, 10, 3, 0), "excellent"),  # k1: 100% on time, 30% exceeded
        ("92", Facts(10, 10, 10, 2, 0), "good"),  # fails "ít nhất 30%"
        ("75", Facts(10, 10, 9, 0, 1), "completed"),  # fails 100% on time for tốt; 10% late ≤ 20%
        ("65", Facts(10, 10, 7, 0, 3), "not_completed"),  # fails k3 (30% late > 20%)
    ],
)
def test_366_collectives_level_table(points, facts, level):
    assert classify(D(points), facts, COLLECTIVES).level == level


def test_366_collective_with_a_disciplined_member_is_not_excellent():
    facts = Facts(10, 10, 10, 3, 0, evidence=(Evidence("discipline.members_disciplined", D(1), "12-QĐ/UBKT ngày 3/4/2026"),))
    classification = classify(D(92), facts, COLLECTIVES)
    assert classification.level == "good"
    assert [(c.level, c.condition) for c in classification.failed] == [("excellent", "fact:discipline.members_disciplined")]


@pytest.mark.parametrize(
    "fact, value, level",
    [
        ("units.not_completed_share", "60", "not_completed"),  # 6 of 10 units led KHT: "trên 50%"
        ("units.not_completed_share", "50", "good"),  # 5 of 10: 50% is not "trên 50%"
        ("units.tasks_done_share", "69.99", "not_completed"),  # "hoàn thành dưới 70% số nhiệm vụ"
        ("units.tasks_done_share", "70", "good"),
    ],
)
def test_366_leader_cases_of_point_4_2(fact, value, level):
    facts = Facts(10, 10, 10, 0, 0, evidence=(Evidence(fact, D(value), "Báo cáo tổng kết năm"),))
    assert classify(D(88), facts, HEADS).level == level


def test_366_leader_with_more_than_half_low_confidence_ballots_and_the_sentence():
    # 26 low of 50 ballots collected = 52% > 50% (366 Điều 11 k4 4.2; ballots collected, 96-QĐ/TW).
    facts = Facts(10, 10, 10, 3, 0, evidence=(Evidence("votes.low_share", D(26) * 100 / 50, "Lấy phiếu tín nhiệm ngày 20/11/2026"),))
    classification = classify(D(95), facts, HEADS)
    assert classification.level == "not_completed"
    trace = level_trace(D(95), classification.checks, None, HEADS)
    with force_locale("vi"):
        why = explain_level(trace, HEADS, facts=facts, level="not_completed")
    assert why.rules == ("evidence",)
    assert why.sentence == (
        "95 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng Tỷ lệ phiếu tín nhiệm thấp (Lấy phiếu tín nhiệm ngày 20/11/2026): 52, "
        "vượt ngưỡng 50 nên không được xếp mức Hoàn thành xuất sắc nhiệm vụ, Hoàn thành tốt nhiệm vụ và Hoàn thành nhiệm vụ, "
        "nên xếp loại Không hoàn thành nhiệm vụ.")
    with force_locale("en"):
        assert describe_check(classification.failed[0], HEADS) == "Share of low-confidence ballots: 52, beyond 50: this level is not open."


# --- The regimes' cases of "không hoàn thành" from discipline records ---------------------------

def record(category: str, duty_related: bool = False) -> SimpleNamespace:
    return SimpleNamespace(id=7, category=category, duty_related=duty_related, reference="15-QĐ/UBKTTU ngày 10/6/2026", reason="cảnh cáo")


@pytest.mark.parametrize(
    "case, rubric, level",
    [
        # 335 Điều 20 k4 c: only a violation related to duty, from reprimand up.
        (record("discipline", duty_related=True), CIVIL, "not_completed"),
        (record("discipline"), CIVIL, "excellent"),
        (record("degradation"), CIVIL, "not_completed"),  # k4 b
        (record("corruption_in_agency"), CIVIL, "not_completed"),  # k4 d
        # 366 Điều 11 k4 4.2 (duty-related discipline, degradation); heads who are cán bộ also fall
        # under 90/2020 Điều 2 k5 as amended by 48/2023: any discipline in the year.
        (record("discipline", duty_related=True), HEADS, "not_completed"),
        (record("discipline"), HEADS, "not_completed"),
        (record("degradation"), HEADS, "not_completed"),
        (record("corruption_in_agency"), HEADS, "excellent"),
        # Viên chức (90/2020 + 48/2023): any disciplinary decision; the other cases are not theirs.
        (record("discipline"), EMPLOYEES, "not_completed"),
        (record("degradation"), EMPLOYEES, "excellent"),
        # default.toml, as before: any disciplinary decision.
        (record("discipline"), DEFAULT, "not_completed"),
        (record("corruption_in_agency"), DEFAULT, "excellent"),
    ],
)
def test_discipline_categories_per_regime(case, rubric, level):
    disciplined, evidence = discipline_facts([case])
    facts = Facts(10, 10, 10, 3, 0, disciplined=disciplined, evidence=evidence)
    assert classify(D(92), facts, rubric).level == level


def test_the_sentence_names_the_case_and_the_decision():
    disciplined, evidence = discipline_facts([record("discipline", duty_related=True)])
    facts = Facts(1, 1, 1, 0, 0, disciplined=disciplined, evidence=evidence)
    classification = classify(D(92), facts, CIVIL)
    trace = level_trace(D(92), classification.checks, None, CIVIL)
    with force_locale("en"):
        why = explain_level(trace, CIVIL, facts=facts, level=classification.level)
    assert why.rules == ("discipline",)
    assert why.sentence == (
        "92 points reach Excellent, but Disciplined from reprimand up for a violation related to public duty "
        "(15-QĐ/UBKTTU ngày 10/6/2026, cảnh cáo), which rules out Excellent, Good and Completed: Not completed.")


# --- The quota, per scope, in both readings, with ties ------------------------------------------

def group_of_twelve(scores_excellent, good=8, completed=2, track=""):
    """A group of 12 civil servants: some proposed xuất sắc, `good` rated tốt, `completed` rated HT."""
    scores = [*scores_excellent, *["80"] * good, *["60"] * completed]
    return [Candidate(f"{track}{i}", {"manager": D(s)}, Facts(1, 1, 1, 0, 0), agency="Sở Nội vụ", group="Chuyên viên", track=track)
            for i, s in enumerate(scores)]


INCLUSIVE = CIVIL.with_changes({"quota.reading": "inclusive", "quota.base_levels": ["excellent", "good"]})


def test_quota_read_literally_counts_those_moved_down_into_the_base():
    # 335 Điều 20 k5 a, literally: 2 proposed xuất sắc, 8 tốt, 2 HT → ⌊20% × 9⌋ = 1 place.
    proposals = propose(group_of_twelve(["95", "93"]), CIVIL)
    assert [proposals[i].level for i in (0, 1)] == ["excellent", "good"]
    assert (proposals[1].quota.status, proposals[1].quota.base, proposals[1].quota.allowance) == (QuotaStatus.DEMOTED, 9, 1)
    # Today's reading counts tốt or higher before the quota: 20% of 10 = 2 places.
    inclusive = propose(group_of_twelve(["95", "93"]), INCLUSIVE)
    assert [inclusive[i].level for i in (0, 1)] == ["excellent", "excellent"]
    assert (inclusive[0].quota.base, inclusive[0].quota.allowance) == (10, 2)


def test_quota_ties_at_the_cut_in_both_readings():
    literal = propose(group_of_twelve(["95", "95", "95"], good=7), CIVIL)
    assert [(literal[i].quota.status, literal[i].quota.seats) for i in range(3)] == [(QuotaStatus.TIE, 1)] * 3
    inclusive = propose(group_of_twelve(["95", "95", "95"], good=7), INCLUSIVE)
    assert [(inclusive[i].quota.status, inclusive[i].quota.seats) for i in range(3)] == [(QuotaStatus.TIE, 2)] * 3
    assert inclusive[0].needs_discussion and inclusive[0].quota.options == ("excellent", "good")


def test_quota_counts_per_agency_and_track():
    # One agency, one group, two tracks: each track has its own quota.
    def track(name, prefix, top, good):
        scores = [top, *["80"] * good]
        return [Candidate(f"{prefix}{i}", {"m": D(s)}, Facts(1, 1, 1, 0, 0), agency="Sở", group="G", track=name) for i, s in enumerate(scores)]

    a, b = track("heads", "a", "99", 4), track("civil", "b", "91", 5)
    proposals = propose(a + b, CIVIL)
    # heads: 1 xuất sắc and 4 tốt, ⌊20% × 4⌋ = 0 kept (and ⌊20% × 5⌋ = 1 ≥ 0); civil: 5 tốt → 1.
    assert (proposals.level_of("a0"), proposals.level_of("b0")) == ("good", "excellent")
    assert proposals.for_head("a0").quota.scope == ("heads", "Sở", "G")
    # Counted together (no track), the higher score would have kept the place.
    merged = propose([Candidate(c.head, c.ratings, c.facts, agency=c.agency, group=c.group) for c in a + b], CIVIL)
    assert (merged.level_of("a0"), merged.level_of("b0")) == ("excellent", "good")


def test_quota_exception_needs_the_rubric_option_and_a_decision():
    candidates = group_of_twelve(["95"], good=4, completed=0)
    assert propose(candidates, CIVIL).level_of("0") == "good"  # ⌊20% × 4⌋ = 0
    with pytest.raises(ValidationFailed):
        propose(candidates, CIVIL, {("Sở Nội vụ", "Chuyên viên"): "88/QĐ-UBND"})
    allowing = CIVIL.with_changes({"quota.exception_percent": 25})
    assert propose(candidates, allowing).level_of("0") == "good"  # no decision: the quota
    excepted = propose(candidates, allowing, {("Sở Nội vụ", "Chuyên viên"): "88/QĐ-UBND"})
    assert excepted.level_of("0") == "excellent"  # ⌊25% × 4⌋ = 1
    note = excepted[0].quota.notes[-1]
    assert note.code == "quota.exception" and note.params["decision"] == "88/QĐ-UBND" and note.params["percent"] == D(25)


# --- A year computed from its months ------------------------------------------------------------

def test_a_year_from_its_months():
    """335: the year's task points are the mean over the months actually worked; the general
    criteria are scored once at the year's end; every figure traces to its month and product."""
    months = []
    results = []
    for month in range(1, 13):
        products = [product(f"m{month}-1"), product(f"m{month}-2", on_time=month != 3)]
        rs = [target_result(p, CIVIL) for p in products]
        results.append(rs)
        months.append(PeriodPoints(f"Tháng {month}/2026", task_points(rs, CIVIL), worked=month != 8))  # on leave in August
    year = year_task_points(months, CIVIL, results)
    # March: (100 + 91.67) / 2 = 95.835 → 95.84% → 67.09; ten other months worked at 70.
    assert months[2].task_points.points == D("67.09")
    assert year.points == D("69.74")  # (10 × 70 + 67.09) / 11 = 69.735…
    assert year.skipped == ("Tháng 8/2026",) and len(year.periods) == 11
    march = [line for line in year.lines if line.period == "Tháng 3/2026"]
    assert [(line.code, line.result_percent, line.points) for line in march] == [("m3-1", D(100), D(35)), ("m3-2", D("91.67"), D("32.08"))]
    assert [n.code for n in year.notes] == ["periods.mean", "periods.skipped"]
    member = total({"political": D(9), "competence": D(9), "innovation": D(8)}, year.points, [], CIVIL)
    assert (member.total, classify(member.total, Facts(0, 0, 0, 0, 0), CIVIL).level) == (D("95.74"), "excellent")
    with pytest.raises(ValidationFailed):
        year_task_points(months, DEFAULT)  # default.toml computes no year from periods


# --- Facts of other sources, each use -----------------------------------------------------------

EVIDENCE_TEXT = (ROOT / DEFAULT_RUBRIC).read_text(encoding="utf-8") + '''
[[evidence]]
fact = "opinions.subordinates.ethics"
as = "criterion"
criterion = "ethics"
name = { vi = "Ý kiến của cấp dưới về đạo đức", en = "Subordinates' opinion on ethics" }

[[evidence]]
fact = "satisfaction.share"
as = "target_line"
threshold = 95
weight = 10
name = { vi = "Tỷ lệ hài lòng của người dân", en = "Citizens' satisfaction" }

[[evidence]]
fact = "ratings.unhappy"
as = "deduction"
points = 0.5
max_points = 3
name = { vi = "Đánh giá không hài lòng", en = "Unhappy ratings" }
'''


def test_each_use_of_a_fact():
    rubric = parse_rubric(EVIDENCE_TEXT, "evidence.toml")
    facts = [
        Evidence("opinions.subordinates.ethics", D(80), "Phiếu lấy ý kiến quý IV"),
        Evidence("satisfaction.share", D("90.25"), "Khảo sát tại bộ phận một cửa, năm 2026"),
        Evidence("ratings.unhappy", D(2), "Ki-ốt, tháng 3"),
        Evidence("ratings.unhappy", D(5), "Ki-ốt, tháng 9"),
        Evidence("unmapped.kind", D(1), "ignored"),
    ]
    suggestion = criterion_suggestions(facts, rubric)["ethics"]
    assert (suggestion.points, suggestion.origin) == (D("8.00"), "Phiếu lấy ý kiến quý IV")
    [line] = evidence_targets(facts, rubric)
    result = target_result(line, rubric)
    assert (result.code, result.quantity_percent, result.result_percent) == ("fact:satisfaction.share", D(95), D(95))
    assert result.origin == "Khảo sát tại bộ phận một cửa, năm 2026" and result.notes[0].code == "evidence.line"
    [deduction] = evidence_deductions(facts, rubric)
    assert (deduction.count, deduction.value, deduction.points) == (2, D(7), D(3))  # 3.5 points, at most 3
    member = total({"political": D(9), "ethics": suggestion.points, "discipline": D(9)}, D(60), [], rubric, [deduction])
    assert (member.total, member.evidence_deduction) == (D("83.00"), D(3))
    with force_locale("en"):
        assert describe(member.notes[-1]) == "3 points deducted for ratings.unhappy (2): Ki-ốt, tháng 3; Ki-ốt, tháng 9."


@pytest.mark.parametrize(
    "entry, where",
    [
        ('fact = "satisfaction.share"\nas = "target_line"\nweight = 10', "evidence.0.threshold: Required"),
        ('fact = "x.y"\nas = "criterion"\ncriterion = "nope"', "evidence.0.criterion: Unknown criterion nope."),
        ('fact = "x.y"\nas = "condition"', "evidence.0: Give one of above or below"),
        ('fact = "x.y"\nas = "not_completed"\nabove = 3', "evidence.0.above: Not used when a fact is used as not_completed."),
        ('fact = "x.y"\nas = "guess"', "evidence.0.as: Must be one of: condition, criterion"),
    ],
)
def test_a_bad_evidence_entry_is_named_with_its_line(entry, where):
    rubric = (ROOT / DEFAULT_RUBRIC).read_text(encoding="utf-8")
    text = rubric + f'\n[[evidence]]\n{entry}\nname = {{ vi = "x", en = "x" }}\n'
    first = text.count("\n", 0, text.index("[[evidence]]", len(rubric))) + 1  # the entry's lines
    with force_locale("en"), pytest.raises(RubricError) as error:
        parse_rubric(text, "bad.toml")
    [problem] = error.value.problems
    # The entry comes after the file's own (the collectives' bound on the head).
    own = len(re.findall(r"^\[\[evidence\]\]", rubric, re.M))
    assert where.replace("evidence.0", f"evidence.{own}") in problem
    assert first <= int(problem.split(":")[1]) <= first + entry.count("\n") + 1


def test_bad_quota_reading_and_sheet_points_are_named():
    text = (ROOT / "config/rubrics/366-heads.toml").read_text(encoding="utf-8")
    with force_locale("en"), pytest.raises(RubricError) as error:
        parse_rubric(text.replace('base_levels = ["good"]', 'base_levels = ["excellent", "good"]'), "h.toml")
    assert any("quota.base_levels: Read literally" in p for p in error.value.problems)
    with force_locale("en"), pytest.raises(RubricError) as error:
        parse_rubric(text.replace("max_points = 12", "max_points = 13", 1), "h.toml")
    assert any("sheets.0.general: The general criteria (31)" in p for p in error.value.problems)


def test_a_title_is_scored_on_its_own_sheet():
    chair = HEADS.for_sheet("commune_chair")
    assert [c.code for c in chair.general] == ["political", "administration", "initiative"]
    member = total({"political": D(9), "administration": D(11), "initiative": D(7)}, D(63), [], chair)
    assert member.total == D(90)
    with pytest.raises(ValidationFailed):
        total({"political": D(9), "ethics": D(9), "discipline": D(9)}, D(63), [], chair)  # the default criteria
    with pytest.raises(RubricError):
        HEADS.for_sheet("no_such_sheet")


def test_second_year_not_completed_is_flagged_never_acted_on():
    candidates = [Candidate("again", {"m": D(40)}, Facts(1, 1, 1, 0, 0), previous_level="not_completed"),
                  Candidate("first", {"m": D(40)}, Facts(1, 1, 1, 0, 0), previous_level="good"),
                  Candidate("recovered", {"m": D(80)}, Facts(1, 1, 1, 0, 0), previous_level="not_completed")]
    proposals = propose(candidates, CIVIL)
    assert proposals.flagged() == ["again"]
    again = proposals.for_head("again")
    assert again.level == "not_completed" and again.repeat_not_completed and again.needs_discussion
    assert not proposals.for_head("first").repeat_not_completed and proposals.for_head("recovered").level == "good"
