"""Classification: every boundary of the default rubric and each extra condition on its own."""

import random
from decimal import Decimal as D

import pytest
from flask_babel import force_locale

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine import CONDITIONS, Candidate, Facts, classify, propose
from workflow.scoring.explain import describe_check
from workflow.scoring.rubric import load_rubric

RUBRIC = load_rubric()
# Ten targets, all done on time, three exceeded (30%): every extra condition met.
ALL_MET = Facts(targets=10, done=10, on_time=10, exceeded=3, late=0)


@pytest.mark.parametrize(
    "points, level",
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("90.00", "excellent"),
        ("89.99", "good"),
        ("70", "good"),
        ("69.99", "completed"),
        ("50", "completed"),
        ("49.99", "not_completed"),
        ("0", "not_completed"),
    ],
)
def test_level_boundaries(points, level):
    assert classify(D(points), ALL_MET, RUBRIC).level == level


@pytest.mark.parametrize(
    "facts, level, failed",
    [
        # Excellent needs ≥ 30% exceeded: 2 of 7 is 28.57%, 3 of 10 is exactly 30%.
        (Facts(7, 7, 7, 2, 0), "good", [("excellent", "min_exceeded_percent")]),
        (Facts(10, 10, 10, 3, 0), "excellent", []),
        # Excellent and good need 100% on time: one of ten late → completed (10% late ≤ 20%).
        (Facts(10, 10, 9, 5, 1), "completed", [("excellent", "min_on_time_percent"), ("good", "min_on_time_percent")]),
        # Completed allows at most 20% late: 2 of 10 passes, 3 of 10 does not.
        (Facts(10, 10, 8, 0, 2), "completed", [("excellent", "min_on_time_percent"), ("excellent", "min_exceeded_percent"), ("good", "min_on_time_percent")]),
        (
            Facts(10, 10, 7, 0, 3),
            "not_completed",
            [("excellent", "min_on_time_percent"), ("excellent", "min_exceeded_percent"), ("good", "min_on_time_percent"), ("completed", "max_late_percent")],
        ),
        # Completed needs 100% done: one of ten not done fails it.
        (
            Facts(10, 9, 9, 3, 1),
            "not_completed",
            [("excellent", "min_on_time_percent"), ("good", "min_on_time_percent"), ("completed", "min_done_percent")],
        ),
        # Disciplined in the year: not completed, whatever the points.
        (
            Facts(10, 10, 10, 3, 0, disciplined=True),
            "not_completed",
            [("excellent", "refuse_if_disciplined"), ("good", "refuse_if_disciplined"), ("completed", "refuse_if_disciplined")],
        ),
    ],
)
def test_each_extra_condition(facts, level, failed):
    result = classify(D(95), facts, RUBRIC)
    assert result.level == level
    assert [(c.level, c.condition) for c in result.failed] == failed


def test_the_checks_say_why():
    result = classify(D("89.99"), Facts(7, 7, 7, 2, 0), RUBRIC)
    with force_locale("en"):  # numbers the Vietnamese way in English too
        assert [(c.level, describe_check(c)) for c in result.checks] == [
            ("excellent", "89,99 points, at least 90 needed."),
            ("excellent", "100% of targets done on time (at least 100%)."),
            ("excellent", "28,57% of targets exceeded, at least 30% needed."),
            ("excellent", "Not disciplined in the year."),
            # The collectives led bound the head (366 Điều 11 k4 điểm 4.2; "tập thể trước, cá nhân
            # sau"): no collective decided yet, nothing to compare.
            ("excellent", "units.not_completed_share: — (limit 50)."),
            ("excellent", "collective.level_rank: — (limit 0)."),
            ("good", "89,99 points, 70 or more."),
            ("good", "100% of targets done on time (at least 100%)."),
            ("good", "Not disciplined in the year."),
            ("good", "units.not_completed_share: — (limit 50)."),
        ]
    with force_locale("vi"):
        assert describe_check(result.checks[0]) == "89,99 điểm, cần ít nhất 90."


def test_a_head_without_targets_meets_no_share():
    result = classify(D(95), Facts(0, 0, 0, 0, 0), RUBRIC)
    assert result.level == "not_completed"
    assert result.checks[1].actual is None and not result.checks[1].passed


def test_thresholds_are_data():
    lenient = RUBRIC.with_changes({"levels.excellent.min_exceeded_percent": 25, "levels.good.min_points": 65})
    assert classify(D(95), Facts(7, 7, 7, 2, 0), lenient).level == "excellent"
    assert classify(D(66), ALL_MET, lenient).level == "good"


def test_a_total_finer_than_the_rubric_is_refused():
    with force_locale("en"), pytest.raises(ValidationFailed) as info:
        classify(D("89.995"), ALL_MET, RUBRIC)
    assert info.value.errors == {"total": ["At most 2 decimal places."]}


def test_the_batch_agrees_with_one_head_at_a_time():
    rng = random.Random(7)
    candidates = []
    for i in range(400):
        targets = rng.randint(0, 12)
        done = rng.randint(0, targets)
        on_time = rng.randint(0, done)
        facts = Facts(targets, done, on_time, rng.randint(0, done), targets - on_time, disciplined=rng.random() < 0.05)
        candidates.append(Candidate(i, {"m": D(rng.randint(4000, 10000)) / 100}, facts))
    proposals = propose(candidates, RUBRIC)
    for candidate, proposal in zip(candidates, proposals, strict=True):
        alone = classify(candidate.ratings["m"], candidate.facts, RUBRIC)
        assert proposal.classification.level == alone.level
        assert proposal.classification.checks[: len(alone.checks)] == alone.checks


def test_every_condition_of_the_table_is_a_rubric_key():
    from workflow.scoring.rubric import Level

    assert set(CONDITIONS) <= set(Level.__dataclass_fields__)
