"""Progress, status and forecast: hand-computed examples, higher and lower is better, figures
that accumulate from zero, levels kept, and the forecast from the quarterly trend."""

from datetime import date
from decimal import Decimal as D

import pytest

from workflow.reports import progress
from workflow.reports.progress import Status

BANDS = {"on_track_percent": 95, "at_risk_percent": 80}


def quantitative(actual, *, baseline, target, plan, quarter, direction="higher"):
    return progress.quantitative(D(actual) if actual is not None else None, baseline=D(baseline), target_value=D(target),
                                 plan=[D(p) for p in plan], quarter=quarter, direction=direction, bands=BANDS)


@pytest.mark.parametrize("actual, vs_plan, vs_target, status", [
    # 90 → 95, Q1 planned at 92: two points of the five planned for the year.
    ("92", "100.00", "40.00", Status.ON_TRACK),
    ("91.9", "95.00", "38.00", Status.ON_TRACK),  # the on-track band starts at 95%
    ("91.7", "85.00", "34.00", Status.AT_RISK),
    ("91.6", "80.00", "32.00", Status.AT_RISK),  # the at-risk band starts at 80%
    ("91.5", "75.00", "30.00", Status.OFF_TRACK),
    ("89", "-50.00", "-20.00", Status.OFF_TRACK),  # went the wrong way
    ("96", "300.00", "120.00", Status.ON_TRACK),  # uncapped
])
def test_progress_from_the_baseline(actual, vs_plan, vs_target, status):
    p = quantitative(actual, baseline="90", target="95", plan=["92", "93", "94", "95"], quarter=1)
    assert (p.start, p.plan, p.vs_plan, p.vs_target, p.status) == (D("90"), D("92"), D(vs_plan), D(vs_target), status)


def test_lower_is_better():
    # Poverty rate 3.0% → 2.0%, planned 2.5% by the end of Q2; reached 2.6%: 0.4 of 0.5.
    p = quantitative("2.6", baseline="3.0", target="2.0", plan=["2.8", "2.5", "2.2", "2.0"], quarter=2, direction="lower")
    assert (p.vs_plan, p.vs_target, p.status) == (D("80.00"), D("40.00"), Status.AT_RISK)
    better = quantitative("2.4", baseline="3.0", target="2.0", plan=["2.8", "2.5", "2.2", "2.0"], quarter=2, direction="lower")
    assert (better.vs_plan, better.vs_target, better.status) == (D("120.00"), D("60.00"), Status.ON_TRACK)
    worse = quantitative("3.1", baseline="3.0", target="2.0", plan=["2.8", "2.5", "2.2", "2.0"], quarter=2, direction="lower")
    assert worse.vs_plan == D("-20.00") and worse.status == Status.OFF_TRACK


def test_a_figure_that_accumulates_from_zero_is_measured_from_zero():
    # Revenue: last year 1,000; this year 1,200, planned 300 by the end of Q1 (below the
    # baseline: the count starts again each year). 285 collected is 95% of the plan.
    p = quantitative("285", baseline="1000", target="1200", plan=["300", "600", "900", "1200"], quarter=1)
    assert (p.start, p.vs_plan, p.vs_target, p.status) == (D("0"), D("95.00"), D("23.75"), Status.ON_TRACK)
    # Lower is better and accumulating: accidents, 40 last year, at most 36 this year, 10 by Q1.
    low = quantitative("9", baseline="40", target="36", plan=["10", "19", "28", "36"], quarter=1, direction="lower")
    assert low.start == D("40")  # 10 < 40 is on the target's side: measured from the baseline
    assert low.vs_plan == D("103.33")


def test_a_level_kept_is_measured_against_the_goal():
    keep = quantitative("95", baseline="100", target="100", plan=["100", "100", "100", "100"], quarter=3)
    assert (keep.vs_plan, keep.vs_target, keep.status) == (D("95.00"), D("95.00"), Status.ON_TRACK)
    keep_low = quantitative("2.5", baseline="2", target="2", plan=["2", "2", "2", "2"], quarter=1, direction="lower")
    assert (keep_low.vs_plan, keep_low.status) == (D("80.00"), Status.AT_RISK)
    assert progress.progress(D(0), D(0), D(0), "lower") == D(100)


def test_nothing_reported_has_no_progress_or_status():
    p = quantitative(None, baseline="90", target="95", plan=["92", "93", "94", "95"], quarter=1)
    assert (p.vs_plan, p.vs_target, p.status, p.plan) == (None, None, None, D("92"))


@pytest.mark.parametrize("milestone, due, planned, expected", [
    ("done", date(2027, 9, 30), True, Status.ON_TRACK),
    ("in_progress", date(2027, 9, 30), True, Status.ON_TRACK),
    ("behind", date(2027, 9, 30), True, Status.AT_RISK),
    ("not_started", date(2027, 9, 30), True, Status.AT_RISK),
    ("not_started", date(2027, 9, 30), False, Status.ON_TRACK),
    ("in_progress", date(2027, 6, 30), True, Status.OFF_TRACK),  # due by the quarter's end, not done
    ("behind", date(2027, 5, 15), True, Status.OFF_TRACK),
    (None, date(2027, 6, 30), True, None),
])
def test_task_status(milestone, due, planned, expected):
    assert progress.task_status(milestone, quarter_ends_on=date(2027, 6, 30), due_date=due, milestone_planned=planned) == expected


def test_forecast_from_the_quarterly_trend():
    # One quarter: its run rate from the start (300 in Q1 → 1,200; 90 → 92 by Q2 → 94).
    assert progress.forecast({1: D(300)}, D(0)) == D("1200.00")
    assert progress.forecast({2: D(92)}, D(90)) == D("94.00")
    # Two: the line through them (300, 620: slope 320, intercept −20 → 1,260 at Q4).
    assert progress.forecast({1: D(300), 2: D(620)}, D(0)) == D("1260.00")
    # Three: least squares (slope 325, intercept −33.33 → 1,266.67).
    assert progress.forecast({1: D(300), 2: D(600), 3: D(950)}, D(0)) == D("1266.67")
    # Lower is better works the same way: the line goes down.
    assert progress.forecast({1: D("2.8"), 2: D("2.6")}, D(3)) == D("2.20")
    # Q4 reported: the forecast is the figure itself; nothing reported: none.
    assert progress.forecast({1: D(300), 4: D(1190)}, D(0)) == D(1190)
    assert progress.forecast({}, D(0)) is None


def test_status_bands_come_from_the_rules():
    assert progress.status_from_progress(D("90"), {"on_track_percent": 90, "at_risk_percent": 70}) == Status.ON_TRACK
    assert progress.status_from_progress(D("89.99"), {"on_track_percent": 90, "at_risk_percent": 70}) == Status.AT_RISK
    assert progress.status_from_progress(None, BANDS) is None
