"""Task-result points: each target's breakdown, the weighted points, a member's total, and the
subordinate-units rule, against figures worked out by hand."""

from decimal import Decimal as D

import pytest
from flask_babel import force_locale

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine import (
    AppliedOverride,
    Direction,
    Override,
    QuantitativeTarget,
    TaskTarget,
    facts_from_results,
    quantize,
    target_result,
    task_points,
    total,
)
from workflow.scoring.explain import describe
from workflow.scoring.rubric import load_rubric

RUBRIC = load_rubric()
GENERAL = {"political": D(9), "ethics": D("8.5"), "discipline": D(9)}  # 26.5 points

# The worked example: five targets of one head under the default rubric (quantity × quality ×
# timeliness, results capped at 100%, 25% off the result per major error or delay).
TARGETS = [
    # Budget revenue 1,000 → 1,200 (bn VND), reached 1,260: (1260 − 1000) / (1200 − 1000) = 130%
    # of the way; quantity capped at 100; exceeded (130 > 100). Result 100%.
    QuantitativeTarget("thu-ngan-sach", D(30), baseline=D(1000), target=D(1200), actual=D(1260)),
    # Poverty rate 4.0% → 3.0% (a decrease), reached 3.4%: (4.0 − 3.4) / (4.0 − 3.0) = 60%.
    # Not done (60 < 100), so not on time either. Result 60%.
    QuantitativeTarget("ho-ngheo", D(20), baseline=D("4.0"), target=D("3.0"), actual=D("3.4"), direction=Direction.DECREASE),
    # Master plan delivered 12 days late, no delay recorded: timeliness stays 100 (no loss per
    # day in 366), the late delivery counts as one delay: 100 × (1 − 25%) = 75%.
    TaskTarget("quy-hoach", D(20), done=True, product_delivered=True, on_time=False, days_late=12),
    # Resolution on time with one major content error: 100 × (1 − 25%) = 75%.
    TaskTarget("nghi-quyet", D(15), done=True, product_delivered=True, on_time=True, errors=1),
    # Digital-government project not done, 40% carried out, one delay recorded:
    # 40 × (1 − 25%) = 30%.
    TaskTarget("chuyen-doi-so", D(15), done=False, product_delivered=False, on_time=False, delays=1, progress_percent=D(40)),
]
# Weighted: (30 × 100 + 20 × 60 + 20 × 75 + 15 × 75 + 15 × 30) / 100 = 7275 / 100 = 72.75%.
# Task-result points: 70 × 72.75% = 50.925 → 50.93 (half up).
# Total: 26.5 + 50.93 = 77.43.


def test_the_worked_example_line_by_line():
    results = [target_result(t, RUBRIC) for t in TARGETS]
    lines = [
        (r.code, r.progress_percent, r.quantity_percent, r.quality_percent, r.timeliness_percent, r.errors, r.delays, r.deduction_percent, r.result_percent)
        for r in results
    ]
    assert lines == [
        ("thu-ngan-sach", D("130.00"), D("100.00"), D("100.00"), D("100.00"), 0, 0, D("0.00"), D("100.00")),
        ("ho-ngheo", D("60.00"), D("60.00"), D("100.00"), D("100.00"), 0, 0, D("0.00"), D("60.00")),
        ("quy-hoach", None, D("100.00"), D("100.00"), D("100.00"), 0, 1, D("25.00"), D("75.00")),
        ("nghi-quyet", None, D("100.00"), D("100.00"), D("100.00"), 1, 0, D("25.00"), D("75.00")),
        ("chuyen-doi-so", None, D("40.00"), D("100.00"), D("100.00"), 0, 1, D("25.00"), D("30.00")),
    ]
    assert [(r.done, r.on_time, r.exceeded) for r in results] == [
        (True, True, True),
        (False, False, False),
        (True, False, False),
        (True, True, False),
        (False, False, False),
    ]
    points = task_points(results, RUBRIC)
    assert points.weighted_percent == D("72.75")
    assert points.points == D("50.93")
    assert [(line.code, line.share_percent, line.points) for line in points.lines] == [
        ("thu-ngan-sach", D("30.00"), D("21.00")),  # 70 × 30% × 100%
        ("ho-ngheo", D("20.00"), D("8.40")),  # 70 × 20% × 60%
        ("quy-hoach", D("20.00"), D("10.50")),
        ("nghi-quyet", D("15.00"), D("7.88")),  # 7.875 → 7.88
        ("chuyen-doi-so", D("15.00"), D("3.15")),
    ]
    member = total(GENERAL, points, [], RUBRIC)
    assert (member.general_points, member.task_points, member.subordinate_deduction, member.total) == (D("26.5"), D("50.93"), 0, D("77.43"))
    facts = facts_from_results(results)
    # Done: budget, plan, resolution; on time: budget, resolution; exceeded: budget.
    assert (facts.targets, facts.done, facts.on_time, facts.exceeded, facts.late) == (5, 3, 2, 1, 3)


def test_a_council_members_override_is_kept_with_its_reason():
    # A member accepts the poverty survey's corrected figure: T2's quantity becomes 100.
    change = Override("quantity_percent", D(100), "Số liệu rà soát hộ nghèo cuối năm đã được Sở LĐTBXH xác nhận", "Trần Văn B")
    results = [target_result(t, RUBRIC, [change] if t.code == "ho-ngheo" else []) for t in TARGETS]
    poverty = results[1]
    assert poverty.overrides == (AppliedOverride("quantity_percent", D("60.00"), D(100), change.reason, "Trần Văn B"),)
    assert poverty.result_percent == D("100.00") and poverty.done
    # (3000 + 2000 + 1500 + 1125 + 450) / 100 = 80.75%; 70 × 80.75% = 56.525 → 56.53 (half up;
    # half-even would give 56.52).
    points = task_points(results, RUBRIC)
    assert (points.weighted_percent, points.points) == (D("80.75"), D("56.53"))
    assert total(GENERAL, points, [], RUBRIC).total == D("83.03")
    with force_locale("en"):
        assert describe(poverty.notes[1], RUBRIC) == f"Quantity (%) changed by Trần Văn B from 60 to 100. Reason: {change.reason}"


@pytest.mark.parametrize(
    "override, field, message",
    [
        (Override("quantity_percent", D(90), "   ", "x"), "q.quantity_percent", "Give the reason for changing this figure."),
        (Override("weight", D(90), "vì", "x"), "q.weight", "This figure cannot be changed."),
        (Override("errors", D("1.5"), "vì", "x"), "q.errors", "Must be a whole number of at least 0."),
        (Override("result_percent", D(-1), "vì", "x"), "q.result_percent", "Must be at least 0."),
        (Override("result_percent", D("80.125"), "vì", "x"), "q.result_percent", "At most 2 decimal places."),
    ],
)
def test_an_override_needs_a_reason_and_a_valid_figure(override, field, message):
    target = TaskTarget("q", D(1), done=True, product_delivered=True, on_time=True)
    with force_locale("en"), pytest.raises(ValidationFailed) as info:
        target_result(target, RUBRIC, [override])
    assert info.value.errors == {field: [message]}


def test_an_overridden_count_of_errors_changes_the_deduction():
    target = TaskTarget("q", D(1), done=True, product_delivered=True, on_time=True, errors=2)
    assert target_result(target, RUBRIC).result_percent == D("50.00")
    result = target_result(target, RUBRIC, [Override("errors", D(1), "Một sai sót không phải là sai sót lớn", "x")])
    assert (result.errors, result.result_percent) == (1, D("75.00"))


@pytest.mark.parametrize(
    "baseline, target, actual, direction, progress, quantity",
    [
        (D(0), D(50), D(25), Direction.INCREASE, D("50.00"), D("50.00")),
        (D(10), D(20), D(5), Direction.INCREASE, D("-50.00"), D("0.00")),  # went the wrong way
        (D(30), D(20), D(20), Direction.DECREASE, D("100.00"), D("100.00")),
        (D(30), D(20), D(15), Direction.DECREASE, D("150.00"), D("100.00")),
        (D(3), D(3), D("2.7"), Direction.INCREASE, D("90.00"), D("90.00")),  # keep a level: actual / target
        (D(3), D(3), D("3.3"), Direction.DECREASE, D("90.91"), D("90.91")),  # 3 / 3.3 = 90.909…
        (D(0), D(3), D(1), Direction.INCREASE, D("33.33"), D("33.33")),  # 33.333…
        (D(0), D(3), D(2), Direction.INCREASE, D("66.67"), D("66.67")),  # 66.666… → 66.67
    ],
)
def test_quantity_follows_the_direction(baseline, target, actual, direction, progress, quantity):
    result = target_result(QuantitativeTarget("q", D(1), baseline, target, actual, direction), RUBRIC)
    assert (result.progress_percent, result.quantity_percent) == (progress, quantity)


def test_a_figure_not_reported_counts_zero():
    result = target_result(QuantitativeTarget("q", D(1), D(0), D(10), None), RUBRIC)
    assert (result.quantity_percent, result.done, result.on_time, result.result_percent) == (0, False, False, 0)
    assert result.notes[0].code == "quantity.not_reported"


def test_exceeding_can_count_up_to_a_cap():
    rubric = RUBRIC.with_changes({"tasks.quantity_cap_percent": 120, "tasks.result_cap_percent": 110})
    result = target_result(QuantitativeTarget("q", D(1), D(0), D(100), D(130)), rubric)
    assert (result.progress_percent, result.quantity_percent, result.combined_percent, result.result_percent) == (
        D("130.00"),
        D("120.00"),
        D("120.00"),
        D("110.00"),
    )
    assert [n.code for n in result.notes] == ["quantity.progress", "quantity.capped", "quantity.exceeded", "combine.product", "result.capped"]


def test_task_without_its_product_loses_quality():
    result = target_result(TaskTarget("t", D(1), done=True, product_delivered=False, on_time=True), RUBRIC)
    assert (result.quality_percent, result.result_percent) == (0, 0)
    rubric = RUBRIC.with_changes({"tasks.no_product_quality_percent": 50})
    assert target_result(TaskTarget("t", D(1), done=True, product_delivered=False, on_time=True), rubric).result_percent == D("50.00")


@pytest.mark.parametrize(
    "errors, delays, additive, compound",
    [
        (0, 0, D("100.00"), D("100.00")),
        (1, 0, D("75.00"), D("75.00")),
        (1, 1, D("50.00"), D("56.25")),  # 100 × 0.75 × 0.75
        (0, 3, D("25.00"), D("42.19")),  # 100 × 0.75³ = 42.1875
        (2, 2, D("0.00"), D("31.64")),  # 100 × 0.75⁴ = 31.640625
        (3, 3, D("0.00"), D("17.80")),  # never below 0: 100 × 0.75⁶ = 17.7978…
    ],
)
def test_deductions_per_error_and_delay(errors, delays, additive, compound):
    target = TaskTarget("t", D(1), done=True, product_delivered=True, on_time=True, errors=errors, delays=delays)
    assert target_result(target, RUBRIC).result_percent == additive
    assert target_result(target, RUBRIC.with_changes({"tasks.deductions.mode": "compound"})).result_percent == compound


def test_a_floor_keeps_part_of_the_result():
    rubric = RUBRIC.with_changes({"tasks.deductions.floor_percent": 10})
    target = TaskTarget("t", D(1), done=True, product_delivered=True, on_time=True, errors=6)
    assert target_result(target, rubric).result_percent == D("10.00")


def test_lateness_can_also_cost_timeliness_per_day():
    rubric = RUBRIC.with_changes({"tasks.timeliness.percent_lost_per_day_late": 2, "tasks.timeliness.late_counts_as_delay": False})
    result = target_result(TaskTarget("t", D(1), done=True, product_delivered=True, on_time=False, days_late=12), rubric)
    # 100 − 12 × 2 = 76; no delay counted.
    assert (result.timeliness_percent, result.delays, result.result_percent) == (D("76.00"), 0, D("76.00"))


@pytest.mark.parametrize(
    "method, expected",
    [
        ("product", D("36.00")),  # 80 × 50 × 90 / 100² = 36
        ("weighted", D("75.00")),  # 80 × 50% + 50 × 25% + 90 × 25% = 40 + 12.5 + 22.5
        ("minimum", D("50.00")),
    ],
)
def test_combining_the_three_factors(method, expected):
    rubric = RUBRIC.with_changes(
        {
            "tasks.combine": method,
            "tasks.done_at_percent": 80,
            "tasks.timeliness.percent_lost_per_day_late": 1,
            "tasks.timeliness.late_counts_as_delay": False,
        }
    )
    # Quantity 80 (progress; counts as done at 80), quality 50 (assessed), timeliness 90
    # (10 days late × 1% a day).
    target = QuantitativeTarget("q", D(1), D(0), D(100), D(80), on_time=False, days_late=10, quality_percent=D(50))
    result = target_result(target, rubric)
    assert (result.quantity_percent, result.quality_percent, result.timeliness_percent) == (D("80.00"), D("50.00"), D("90.00"))
    assert (result.done, result.on_time) == (True, False)
    assert result.combined_percent == result.result_percent == expected


def test_task_points_weighting_and_cap():
    results = [target_result(TaskTarget(c, w, done=d, product_delivered=d, on_time=d), RUBRIC) for c, w, d in (("a", D(3), True), ("b", D(1), False))]
    # By weight: (3 × 100 + 1 × 0) / 4 = 75% → 52.50 points; equally: 50% → 35.00 points.
    assert task_points(results, RUBRIC).points == D("52.50")
    assert task_points(results, RUBRIC.with_changes({"tasks.weighting": "equal"})).points == D("35.00")
    assert task_points([], RUBRIC).points == D("0.00")
    generous = RUBRIC.with_changes({"tasks.quantity_cap_percent": 150, "tasks.result_cap_percent": 150})
    over = [target_result(QuantitativeTarget("q", D(1), D(0), D(100), D(150)), generous)]
    points = task_points(over, generous)
    assert (points.weighted_percent, points.points, [n.code for n in points.notes]) == (D("150.00"), D(70), ["points.weighted", "points.capped"])


def test_subordinate_units_rule():
    """Nghị định 335/2025's rule for a leader of công chức (config/rubrics/335-civil-servants.toml);
    default.toml turns it off for heads, who are bounded by their collectives instead."""
    assert total(GENERAL, D("50.93"), ["not_completed"], RUBRIC).total == D("77.43")
    rubric = RUBRIC.with_changes({"subordinates.share_percent": 20})
    points = D("50.93")
    # None of the subordinate units failed: nothing changes.
    assert total(GENERAL, points, ["good", "completed"], rubric).total == D("77.43")
    # One failed: 20% of 50.93 = 10.186 → 10.19 depends on them and counts at 50%:
    # 10.19 × 50% = 5.095 → 5.10 deducted; 26.5 + 50.93 − 5.10 = 72.33.
    member = total(GENERAL, points, ["good", "not_completed"], rubric)
    assert (member.subordinate_part, member.subordinate_factor_percent, member.subordinate_deduction, member.total) == (
        D("10.19"),
        D(50),
        D("5.10"),
        D("72.33"),
    )
    # Applied to the whole total instead: 20% of 77.43 = 15.486 → 15.49; half is 7.745 → 7.75.
    whole = rubric.with_changes({"subordinates.applies_to": "total"})
    assert total(GENERAL, points, ["not_completed"], whole).total == D("69.68")
    # A head without subordinate units is not affected.
    assert total(GENERAL, points, [], rubric).subordinate_part == 0


def test_general_scores_are_checked_against_the_rubric():
    with force_locale("en"), pytest.raises(ValidationFailed) as info:
        total({"political": D(11), "ethics": D("8.555"), "charisma": D(5)}, D(50), [], RUBRIC)
    assert info.value.errors == {
        "general.political": ["Must be between 0 and 10."],
        "general.ethics": ["At most 2 decimal places."],
        "general.discipline": ["This field is required."],
        "general.charisma": ["Unknown criterion."],
    }


def test_invalid_target_figures_are_refused():
    with force_locale("en"), pytest.raises(ValidationFailed) as info:
        target_result(TaskTarget("t", D(-1), done=True, product_delivered=True, on_time=True, errors=-1, quality_percent=D(120)), RUBRIC)
    assert info.value.errors == {
        "t.weight": ["Must be at least 0."],
        "t.errors": ["Must be at least 0."],
        "t.quality_percent": ["Must be between 0 and 100."],
    }


def test_rounding_is_half_up_to_the_rubrics_places():
    assert quantize(D("56.525"), 2) == D("56.53")
    assert quantize(D("56.524999"), 2) == D("56.52")
    assert quantize(D("-0.005"), 2) == D("-0.01")
    assert quantize(D("89.995"), 2) == D("90.00")
    assert quantize(D("7.5"), 0) == D("8")
