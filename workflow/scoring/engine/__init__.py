"""The scoring engine: pure functions from figures to points, levels and proposals.

Nothing here reads the database or a request: the council package gathers the figures (targets,
accepted reports, members' scores), calls these functions and stores what they return. Every
rule comes from the `Rubric`; each method a rubric can name is a small function in one of the
tables of `methods` (COMBINE, DEDUCTIONS, WEIGHTING, AGGREGATIONS, DISAGREEMENT, QUOTA_ROUNDING,
…), so adding a method is adding a row.

The steps, in order, a module each:
1. `targets.target_result` – one target's quantity, quality and timeliness, deductions and
   result, with every intermediate figure, the council's overrides (each with its reason) and
   notes that explain it (`TargetResult`).
2. `totals.task_points` – the weighted task-result points (`TaskPoints`); `total` adds the
   general criteria and applies the subordinate-units rule (`Total`). A council member's total
   is this.
   `evidence` turns the facts of other sources into lines, suggestions, deductions and level
   conditions, as the rubric's [[evidence]] entries map them; `year_task_points` makes a
   year's points from its periods'.
3. `proposals.propose` – for all heads at once: the panel score from the members' totals
   (`panel`; `aggregate` for one head), the level with its conditions (`levels`; `classify` for
   one head), then the quota (`quota`; `apply_quota`), giving `Proposals`. `what_if` runs it
   again with changed rules and lists who changes level.

Rounding. Every figure is rounded to `rubric.decimals` places (2 by default), half up (0.005 →
0.01), at each step where it is shown: a factor percentage, a target's result, the task-result
points, the subordinate deduction, the panel score. Sums of rounded figures are exact. Levels
and the quota compare the rounded panel score, so what the council sees is what is compared:
89.995 shows as 90.00 and is ≥ 90. Percentage conditions compare counts of targets exactly
(2 of 7 exceeded is 28.57%, below 30%). Panel figures are computed on integers (points × 10^decimals),
so no binary floating point touches a boundary.

The statistics about raters (leniency, agreement) live in `workflow.scoring.raters`; the words
for the notes in `workflow.scoring.explain`.

Callers import the public names from this package (`from workflow.scoring.engine import …`);
the modules are the engine's own layout.
"""

from workflow.scoring.engine.core import (
    HUNDRED,
    ZERO,
    MAX_RATINGS_PER_HEAD,
    Note,
    quantize,
)
from workflow.scoring.engine.evidence import (
    Evidence,
    EvidenceDeduction,
    Suggestion,
    criterion_suggestions,
    evidence_deductions,
    evidence_targets,
)
from workflow.scoring.engine.methods import (
    AGGREGATIONS,
    COMBINE,
    CONDITIONS,
    DEDUCTED_FROM,
    DEDUCTIONS,
    DISAGREEMENT,
    EVIDENCE_USES,
    FACTORS_OF,
    LEVEL_USES,
    PROGRESS,
    QUOTA_ROUNDING,
    QUOTA_SCOPES,
    SUBORDINATE_TARGETS,
    WEIGHTING,
    YEAR_FROM_PERIODS,
    Condition,
)
from workflow.scoring.engine.targets import (
    FIGURES,
    AppliedOverride,
    Direction,
    Kind,
    Override,
    QuantitativeTarget,
    Target,
    TargetResult,
    TaskTarget,
    target_result,
)
from workflow.scoring.engine.totals import (
    PeriodPoints,
    TaskPoints,
    TaskPointsLine,
    Total,
    YearLine,
    YearPoints,
    final_total,
    general_points_of,
    task_points,
    total,
    year_from_points,
    year_points_from_sum,
    year_task_points,
)
from workflow.scoring.engine.levels import (
    QUOTA_MOVES,
    Check,
    Classification,
    Facts,
    FailedCondition,
    LevelTrace,
    classify,
    facts_from_results,
    level_trace,
    points_level,
)
from workflow.scoring.engine.panel import (
    PanelScore,
    aggregate,
)
from workflow.scoring.engine.quota import (
    QuotaCandidate,
    QuotaCount,
    QuotaOutcome,
    QuotaStatus,
    apply_quota,
    quota_counts,
    scope_key,
)
from workflow.scoring.engine.proposals import (
    Candidate,
    LevelChange,
    Proposal,
    Proposals,
    WhatIf,
    propose,
    what_if,
)

__all__ = [
    "AGGREGATIONS",
    "AppliedOverride",
    "COMBINE",
    "CONDITIONS",
    "Candidate",
    "Check",
    "Classification",
    "Condition",
    "DEDUCTED_FROM",
    "DEDUCTIONS",
    "DISAGREEMENT",
    "Direction",
    "EVIDENCE_USES",
    "Evidence",
    "EvidenceDeduction",
    "FACTORS_OF",
    "FIGURES",
    "Facts",
    "FailedCondition",
    "HUNDRED",
    "Kind",
    "LEVEL_USES",
    "LevelChange",
    "LevelTrace",
    "MAX_RATINGS_PER_HEAD",
    "Note",
    "Override",
    "PROGRESS",
    "PanelScore",
    "PeriodPoints",
    "Proposal",
    "Proposals",
    "QUOTA_MOVES",
    "QUOTA_ROUNDING",
    "QUOTA_SCOPES",
    "QuantitativeTarget",
    "QuotaCandidate",
    "QuotaCount",
    "QuotaOutcome",
    "QuotaStatus",
    "SUBORDINATE_TARGETS",
    "Suggestion",
    "Target",
    "TargetResult",
    "TaskPoints",
    "TaskPointsLine",
    "TaskTarget",
    "Total",
    "WEIGHTING",
    "WhatIf",
    "YEAR_FROM_PERIODS",
    "YearLine",
    "YearPoints",
    "ZERO",
    "aggregate",
    "apply_quota",
    "classify",
    "criterion_suggestions",
    "evidence_deductions",
    "evidence_targets",
    "facts_from_results",
    "level_trace",
    "points_level",
    "propose",
    "quantize",
    "quota_counts",
    "scope_key",
    "target_result",
    "task_points",
    "total",
    "what_if",
    "year_from_points",
    "year_points_from_sum",
    "final_total",
    "general_points_of",
    "year_task_points",
]
