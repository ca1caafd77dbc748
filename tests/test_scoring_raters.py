"""The chair's figures: each member's leniency or severity, and the panel's agreement checked
against published examples."""

from decimal import Decimal as D

import numpy as np
import pytest

from workflow.scoring.engine import Candidate, Facts, propose
from workflow.scoring.raters import agreement, agreement_of, icc_two_way, leniency
from workflow.scoring.rubric import load_rubric

RUBRIC = load_rubric()
FACTS = Facts(10, 10, 10, 3, 0)

# Shrout & Fleiss (1979), "Intraclass correlations: uses in assessing rater reliability",
# Psychological Bulletin 86(2), Table 2: six targets rated by four judges. Their Table 4 gives
# ICC(2,1) = .29 and ICC(2,4) = .62 (and ICC(3,1) = .71, ICC(1,1) = .17).
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four observers,
# twelve units, with missing values (None). Published alpha for interval data: 0.849.
KRIPPENDORFF = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def test_icc_matches_shrout_and_fleiss():
    icc = icc_two_way(SHROUT_FLEISS)
    assert (round(icc.single, 2), round(icc.average, 2)) == (0.29, 0.62)
    assert (icc.heads, icc.members) == (6, 4)
    # The 95% interval as pingouin 0.7.0 gives it for the same table: [0.02, 0.76].
    assert (round(icc.low, 2), round(icc.high, 2)) == (0.02, 0.76)


def test_icc_needs_a_complete_table():
    table = SHROUT_FLEISS.astype(float)
    table[0, 0] = np.nan
    with pytest.raises(ValueError):
        icc_two_way(table)
    with pytest.raises(ValueError):
        icc_two_way(SHROUT_FLEISS[:1])


def test_alpha_matches_krippendorffs_example_with_missing_values():
    ratings = {
        unit: {observer: D(values[unit]) for observer, values in KRIPPENDORFF.items() if values[unit] is not None} for unit in range(12)
    }
    result = agreement(ratings)
    assert round(result.alpha, 3) == 0.849
    # Unit 12 has one rating (nothing to compare), so 11 units count; only units 2-9 were rated
    # by all four observers, and the ICC uses those.
    assert (result.heads, result.complete_heads, result.members) == (11, 8, 4)
    assert result.icc is not None and result.icc.heads == 8


def test_agreement_on_the_shrout_fleiss_panel():
    ratings = {h: {m: D(int(v)) for m, v in enumerate(row)} for h, row in enumerate(SHROUT_FLEISS)}
    result = agreement(ratings)
    assert round(result.icc.single, 2) == 0.29
    # Alpha counts the judges' systematic differences as disagreement, like ICC(1,1) = .17.
    assert round(result.alpha, 2) == 0.15


def test_agreement_without_enough_data_is_none():
    assert agreement({}).alpha is None and agreement({}).icc is None
    same = {h: {"a": D(80), "b": D(80)} for h in range(3)}
    assert agreement(same).alpha is None and agreement(same).icc is None  # no variation at all
    lone = {0: {"a": D(80), "b": D(70)}}
    assert agreement(lone).alpha is None and agreement(lone).icc is None


def test_leniency_per_member():
    # Member "gen" scores 3 points above the others, "strict" 3 below; "strict" recused
    # themself from h3.
    candidates = [
        Candidate("h1", {"gen": D(83), "mid": D(80), "strict": D(77)}, FACTS),
        Candidate("h2", {"gen": D(73), "mid": D(70), "strict": D(67)}, FACTS),
        Candidate("h3", {"gen": D(93), "mid": D(90)}, FACTS),
        Candidate("h4", {}, FACTS),
    ]
    proposals = propose(candidates, RUBRIC)
    # Panel scores: 80, 70, 91.5. gen: (+3 + 3 + 1.5) / 3 = 2.5; mid: (0 + 0 − 1.5) / 3 = −0.5;
    # strict: (−3 − 3) / 2 = −3.
    result = {r.member: (r.heads, r.mean_deviation, r.mean_absolute_deviation) for r in leniency(candidates, proposals)}
    assert result == {
        "gen": (3, D("2.50"), D("2.50")),
        "mid": (3, D("-0.50"), D("0.50")),
        "strict": (2, D("-3.00"), D("3.00")),
    }
    assert agreement_of(candidates).members == 3
