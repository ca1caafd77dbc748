"""The panel: members' totals aggregated, spread and flags, the quota with its ties in each
scope, and the what-if view."""

import random
import statistics
from decimal import Decimal as D

import numpy as np
import pytest
from flask_babel import force_locale
from scipy.stats import trim_mean

from workflow.core.errors import ValidationFailed
from workflow.scoring.engine import Candidate, Facts, QuotaCandidate, QuotaStatus, aggregate, apply_quota, propose, what_if
from workflow.scoring.explain import describe
from workflow.scoring.rubric import load_rubric

RUBRIC = load_rubric()
ALL_MET = Facts(targets=10, done=10, on_time=10, exceeded=3, late=0)


def head(name, score, group="A", agency="tinh", facts=ALL_MET):
    """A head all three members scored alike (so the panel score is `score`)."""
    return Candidate(name, {"m1": D(score), "m2": D(score), "m3": D(score)}, facts, agency, group)


# -- Aggregation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, ratings, expected",
    [
        ("mean", ["80", "85", "90.01"], "85.00"),  # 255.01 / 3 = 85.0033…
        ("mean", ["89.99", "90.00"], "90.00"),  # 89.995 rounds half up
        ("mean", ["89.99", "89.99", "90.00"], "89.99"),  # 89.9933…
        ("median", ["70", "95", "80"], "80.00"),
        ("median", ["70", "95", "80", "60"], "75.00"),
        ("median", ["89.99", "90"], "90.00"),
        # 15% of 7 ratings is 1.05: one cut from each end; (80 + 81 + 82 + 83 + 84) / 5 = 82.
        ("trimmed_mean", ["60", "80", "81", "82", "83", "84", "100"], "82.00"),
        # One member recused: 15% of 6 is 0.9, nothing cut: 470 / 6 = 78.333…
        ("trimmed_mean", ["60", "80", "81", "82", "83", "84"], "78.33"),
    ],
)
def test_aggregation_methods(method, ratings, expected):
    rubric = RUBRIC.with_changes({"aggregation.method": method})
    panel = aggregate({f"m{i}": D(r) for i, r in enumerate(ratings)}, rubric)
    assert (panel.score, panel.method, panel.ratings) == (D(expected), method, len(ratings))


def test_aggregation_matches_the_statistics_libraries():
    rng = random.Random(11)
    rows = [[D(rng.randint(3000, 10000)) / 100 for _ in range(rng.randint(2, 9))] for _ in range(300)]
    candidates = [Candidate(i, {m: v for m, v in enumerate(row)}, ALL_MET) for i, row in enumerate(rows)]
    for method, reference in (
        ("mean", lambda row: statistics.mean(row)),
        ("median", lambda row: statistics.median(row)),
        ("trimmed_mean", lambda row: D(repr(float(trim_mean(np.array(row, dtype=float), 0.15))))),
    ):
        proposals = propose(candidates, RUBRIC.with_changes({"aggregation.method": method}))
        for row, proposal in zip(rows, proposals, strict=True):
            # The engine rounds the exact figure; the references are exact (statistics) or a
            # float (scipy), so they agree to the rounding step.
            assert abs(proposal.panel.score - reference(row)) <= D("0.005") + D("1e-9"), (method, row)
    proposals = propose(candidates, RUBRIC)
    for row, proposal in zip(rows, proposals, strict=True):
        assert proposal.panel.stdev == statistics.stdev(row).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert proposal.panel.range == max(row) - min(row)


def test_spread_and_the_disagreement_flag():
    # The default flags a range above 15 points.
    assert aggregate({"a": D(80), "b": D(95)}, RUBRIC).disagreement is False
    wide = aggregate({"a": D(80), "b": D("95.01"), "c": D(90)}, RUBRIC)
    assert (wide.range, wide.disagreement) == (D("15.01"), True)
    on_stdev = RUBRIC.with_changes({"aggregation.disagreement_measure": "stdev", "aggregation.disagreement_points": 5})
    exact = aggregate({"a": D(80), "b": D(85), "c": D(90)}, on_stdev)  # sample sd exactly 5
    assert (exact.stdev, exact.disagreement) == (D("5.00"), False)
    above = aggregate({"a": D(80), "b": D(85), "c": D("90.01")}, on_stdev)  # 5.005 → 5.01
    assert (above.stdev, above.disagreement) == (D("5.01"), True)
    single = aggregate({"a": D(80)}, RUBRIC)
    assert (single.stdev, single.range, single.disagreement, single.too_few_ratings) == (None, D(0), False, True)


def test_invalid_ratings_are_refused_with_the_member_named():
    candidates = [Candidate("h1", {"m1": D("80.125"), "m2": D(101), "m3": D(-1), "m4": D(80)}, ALL_MET)]
    with force_locale("en"), pytest.raises(ValidationFailed) as info:
        propose(candidates, RUBRIC)
    assert info.value.errors == {
        "ratings.h1.m1": ["At most 2 decimal places."],
        "ratings.h1.m2": ["Must be between 0 and 100."],
        "ratings.h1.m3": ["Must be between 0 and 100."],
    }
    with pytest.raises(ValidationFailed):
        propose([head("h1", 80), head("h1", 90)], RUBRIC)


# -- The quota ----------------------------------------------------------------------------------

# Group A: ten heads at good or above (base 10, 20% → 2 places); three qualify for excellent.
# Group B: five (1 place); two tie at 95 for it. Group C: four (20% of 4 = 0.8 → 0 places).
# Heads below good or unscored do not count in the base.
HEADS = (
    [head(f"A{i}", s, "A") for i, s in enumerate([96, 94, 92, 85, 84, 83, 82, 81, 80, 79], start=1)]
    + [head("A11", 60, "A"), Candidate("A12", {}, ALL_MET, "tinh", "A")]
    + [head(f"B{i}", s, "B") for i, s in enumerate([95, 95, 88, 75, 72], start=1)]
    + [head(f"C{i}", s, "C") for i, s in enumerate([91, 80, 75, 72], start=1)]
)


def outcome(proposals, name):
    p = proposals.for_head(name)
    return p.quota.status, p.level


def test_the_quota_per_group():
    proposals = propose(HEADS, RUBRIC)
    a1, a3 = proposals.for_head("A1").quota, proposals.for_head("A3").quota
    assert (a1.scope, a1.base, a1.allowance, a1.qualifying, a1.rank) == (("tinh", "A"), 10, 2, 3, 1)
    assert outcome(proposals, "A1") == (QuotaStatus.KEPT, "excellent")
    assert outcome(proposals, "A2") == (QuotaStatus.KEPT, "excellent")
    assert outcome(proposals, "A3") == (QuotaStatus.DEMOTED, "good")
    assert a3.rank == 3
    assert outcome(proposals, "A4") == (QuotaStatus.NOT_LIMITED, "good")
    assert outcome(proposals, "A11") == (QuotaStatus.NOT_LIMITED, "completed")
    assert outcome(proposals, "A12") == (QuotaStatus.UNRATED, None)
    # The tie at the cut is left to the committee: neither head is kept or dropped.
    b1, b2 = proposals.for_head("B1").quota, proposals.for_head("B2").quota
    assert (b1.status, b1.level, b1.options, b1.seats, b1.tied_with, b1.rank) == (QuotaStatus.TIE, None, ("excellent", "good"), 1, ("B2",), 1)
    assert (b2.status, b2.tied_with) == (QuotaStatus.TIE, ("B1",))
    assert proposals.for_head("B1").needs_discussion
    # Group C has no place: its only qualifier gets the next level.
    assert outcome(proposals, "C1") == (QuotaStatus.DEMOTED, "good")
    assert proposals.for_head("C1").quota.allowance == 0
    assert proposals.counts() == {"excellent": 2, "good": 15, "completed": 1, "not_completed": 0, "tie": 2, "unrated": 1}


def test_the_quota_explains_itself():
    proposals = propose(HEADS, RUBRIC)
    with force_locale("en"):
        assert describe(proposals.for_head("A3").quota.notes[0], RUBRIC) == (
            "Ranked 3 of 3 heads who qualify for Excellent in tinh / A; the quota allows 2 (20% of 10): proposed as Good."
        )
        assert describe(proposals.for_head("B1").quota.notes[0], RUBRIC) == (
            "Tied at 95 with other heads (1) for the places left in the quota for Excellent in tinh / B (1): "
            "the committee chooses between Excellent and Good."
        )
    with force_locale("vi"):
        assert "Hoàn thành xuất sắc nhiệm vụ" in describe(proposals.for_head("B1").quota.notes[0], RUBRIC)


def test_the_quota_per_agency():
    rubric = RUBRIC.with_changes({"quota.scope": "agency"})
    # One agency: base 10 + 5 + 4 = 19, 20% → 3 places. Qualifying: 96, 95, 95, 94, 92, 91. The
    # third place is at 95 and both 95s fit in it (1 above + 2 at the cut = 3): no tie.
    proposals = propose(HEADS, rubric)
    assert [outcome(proposals, h) for h in ("A1", "B1", "B2", "A2", "A3", "C1")] == [
        (QuotaStatus.KEPT, "excellent"),
        (QuotaStatus.KEPT, "excellent"),
        (QuotaStatus.KEPT, "excellent"),
        (QuotaStatus.DEMOTED, "good"),
        (QuotaStatus.DEMOTED, "good"),
        (QuotaStatus.DEMOTED, "good"),
    ]
    assert proposals.for_head("A1").quota.scope == ("tinh",)
    # With 15%: 19 × 15% = 2.85 → 2 places; the 95s straddle the cut: a tie for one place.
    proposals = propose(HEADS, rubric.with_changes({"quota.max_percent": 15}))
    assert outcome(proposals, "A1") == (QuotaStatus.KEPT, "excellent")
    assert [proposals.for_head(h).quota.seats for h in ("B1", "B2")] == [1, 1]
    assert outcome(proposals, "A2") == (QuotaStatus.DEMOTED, "good")


def test_agencies_are_separate_scopes_and_all_joins_them():
    heads = [head(f"X{i}", s, agency="X") for i, s in enumerate([93, 91, 85, 84, 83], start=1)] + [
        head(f"Y{i}", s, agency="Y") for i, s in enumerate([92, 80, 80, 80, 80], start=1)
    ]
    by_agency = propose(heads, RUBRIC.with_changes({"quota.scope": "agency"}))
    # X: base 5 → 1 place, 93 keeps it and 91 does not; Y: base 5 → 1 place, 92 keeps it.
    assert [by_agency.level_of(h) for h in ("X1", "X2", "Y1")] == ["excellent", "good", "excellent"]
    together = propose(heads, RUBRIC.with_changes({"quota.scope": "all"}))
    # All: base 10 → 2 places: 93 and 92.
    assert [together.level_of(h) for h in ("X1", "Y1", "X2")] == ["excellent", "excellent", "good"]
    assert together.for_head("X1").quota.scope == ()


@pytest.mark.parametrize(
    "allowance, expected",
    [
        # Three places: 96 and both 93s fit; 91 does not.
        (3, [QuotaStatus.KEPT, QuotaStatus.KEPT, QuotaStatus.KEPT, QuotaStatus.DEMOTED]),
        # Two places: 96 keeps one; the 93s tie for the other; 91 is below the cut.
        (2, [QuotaStatus.KEPT, QuotaStatus.TIE, QuotaStatus.TIE, QuotaStatus.DEMOTED]),
        # One place: 96 alone above the cut; no tie.
        (1, [QuotaStatus.KEPT, QuotaStatus.DEMOTED, QuotaStatus.DEMOTED, QuotaStatus.DEMOTED]),
        (4, [QuotaStatus.WITHIN] * 4),
    ],
)
def test_apply_quota_with_ties_at_the_cut(allowance, expected):
    # A base of 5 × allowance heads (qualifiers plus heads at good) gives `allowance` places.
    qualifying = [QuotaCandidate(f"q{i}", D(s), "excellent", "good") for i, s in enumerate(["96", "93", "93", "91"])]
    others = [QuotaCandidate(f"g{i}", D(80), "good", "good") for i in range(5 * allowance - 4)]
    outcomes = apply_quota(qualifying + others, RUBRIC)
    assert [o.status for o in outcomes[:4]] == expected
    assert all(o.allowance == allowance for o in outcomes)
    ties = [o for o in outcomes if o.status == QuotaStatus.TIE]
    assert all(o.seats == 1 and o.level is None for o in ties)


def test_the_base_counts_everyone_at_good_or_above():
    # Four at good and one at excellent: base 5 → one place, kept. Reading the base as "good"
    # alone would give 4 → no place.
    heads = [head("E", 95)] + [head(f"G{i}", 80) for i in range(4)]
    assert propose(heads, RUBRIC).level_of("E") == "excellent"
    strict = RUBRIC.with_changes({"quota.base_levels": ["good"]})
    assert propose(heads, strict).level_of("E") == "good"


@pytest.mark.parametrize("base, floor, half_up, ceil", [(13, 2, 3, 3), (12, 2, 2, 3), (10, 2, 2, 2), (4, 0, 1, 1)])
def test_quota_rounding(base, floor, half_up, ceil):
    candidates = [QuotaCandidate(i, D(80), "good", "good") for i in range(base)]
    for mode, expected in (("floor", floor), ("half_up", half_up), ("ceil", ceil)):
        assert apply_quota(candidates, RUBRIC.with_changes({"quota.rounding": mode}))[0].allowance == expected


def test_a_demoted_head_gets_the_next_level_it_meets():
    # Here "good" asks for 50% exceeded, more than "excellent" does: a head demoted from
    # excellent with 30% exceeded does not meet it and falls to "completed".
    rubric = RUBRIC.with_changes({"levels.good.min_exceeded_percent": 50})
    heads = [head("E1", 96), head("E2", 95)] + [head(f"G{i}", 80, facts=Facts(10, 10, 10, 5, 0)) for i in range(3)]
    proposals = propose(heads, rubric)
    assert outcome(proposals, "E2") == (QuotaStatus.DEMOTED, "completed")
    checks = proposals.for_head("E2").classification.checks
    assert ("good", "min_exceeded_percent", False) in [(c.level, c.condition, c.passed) for c in checks]


def test_proposals_read_like_a_list():
    proposals = propose(HEADS, RUBRIC)
    assert len(proposals) == len(HEADS)
    assert [p.head for p in proposals[:3]] == ["A1", "A2", "A3"]
    assert proposals[-1].head == "C4"
    assert proposals.levels()["A3"] == "good"
    assert proposals.flagged() == ["B1", "B2"]  # an unrated head is counted apart, not flagged
    unrated = proposals.for_head("A12")
    assert (unrated.panel.score, unrated.classification, [n.code for n in unrated.notes]) == (None, None, ["panel.unrated"])


def test_flags_for_discussion():
    heads = [
        Candidate("wide", {"m1": D(60), "m2": D(90), "m3": D(75)}, ALL_MET),
        Candidate("few", {"m1": D(80), "m2": D(81)}, ALL_MET),
        head("calm", 80),
    ]
    proposals = propose(heads, RUBRIC)
    assert proposals.flagged() == ["wide", "few"]
    with force_locale("en"):
        assert [describe(n) for n in proposals.for_head("wide").notes] == [
            "The members' scores differ (range 30, more than 15): discuss before proposing."
        ]
        assert [describe(n) for n in proposals.for_head("few").notes] == ["Members who scored this head: 2; at least 3 expected."]


# -- What if ------------------------------------------------------------------------------------


def test_what_if_a_larger_quota():
    current = propose(HEADS, RUBRIC)
    view = what_if(HEADS, RUBRIC, {"quota.max_percent": 30})
    # A: 10 × 30% = 3 places, A3 becomes excellent; B: 1.5 → 1, still a tie; C: 1.2 → 1, C1 excellent.
    assert [(c.head, c.before, c.after) for c in view.changes] == [("A3", "good", "excellent"), ("C1", "good", "excellent")]
    assert view.counts["excellent"] == (2, 4)
    assert view.rubric.quota.max_percent == 30
    assert RUBRIC.quota.max_percent == 20 and current.levels() == propose(HEADS, RUBRIC).levels()  # nothing saved


def test_what_if_a_threshold_moves():
    view = what_if(HEADS, RUBRIC, {"levels.excellent.min_points": 95, "levels.good.min_points": 80})
    # Excellent from 95, good from 80. A: 96 qualifies, 94 … 80 are good: base 9 → 1 place, A1
    # keeps it and A2 (94) is now good. 79 (A10) falls to completed.
    # B: 95, 95 qualify and 88 is good: base 3 → no place, so the tie disappears and both are
    # good; 75 and 72 fall to completed. C: 91 and 80 good, 75 and 72 completed.
    assert [(c.head, c.before, c.after) for c in view.changes] == [
        ("A2", "excellent", "good"),
        ("A10", "good", "completed"),
        ("B1", None, "good"),
        ("B2", None, "good"),
        ("B4", "good", "completed"),
        ("B5", "good", "completed"),
        ("C3", "good", "completed"),
        ("C4", "good", "completed"),
    ]
    assert view.proposed.for_head("B1").quota.status == QuotaStatus.DEMOTED


def test_what_if_a_tie_is_resolved_by_a_change_of_scope():
    view = what_if(HEADS, RUBRIC, {"quota.scope": "agency"})
    changes = {c.head: (c.before, c.after, c.after_status) for c in view.changes}
    assert changes["B1"] == (None, "excellent", QuotaStatus.KEPT)
    assert changes["A2"] == ("excellent", "good", QuotaStatus.DEMOTED)


def test_what_if_refuses_an_invalid_change():
    from workflow.scoring.rubric import RubricError

    with pytest.raises(RubricError, match="quota.max_percent"):
        what_if(HEADS, RUBRIC, {"quota.max_percent": 120})
