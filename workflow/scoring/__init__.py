"""Scoring (chấm điểm): the rubric and the engine that turns targets, reports and the council
members' scores into points, levels and the proposals the committee decides on.

Pure code: no pages, no database. `rubric` reads and validates the rubric file; `engine`
computes; `raters` measures the council's leniency and agreement; `explain` gives the words
for the engine's notes. The council package calls them and stores the results.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from workflow import rules
    from workflow.scoring.rubric import ScoringRulesSchema

    rules.section("scoring", ScoringRulesSchema)
