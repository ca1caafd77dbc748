"""Every note and check the engine can give has words, in Vietnamese and in English."""

import re
from decimal import Decimal as D
from pathlib import Path

from flask_babel import force_locale

from workflow.scoring import engine
from workflow.scoring.engine import COMBINE, CONDITIONS, FIGURES, Note, QuotaStatus
from workflow.scoring.explain import CHECKS, MESSAGES, describe
from workflow.scoring.explain import FIGURES as FIGURE_WORDS
from workflow.scoring.rubric import load_rubric


def codes_in_the_engine() -> set[str]:
    source = "".join(path.read_text(encoding="utf-8") for path in Path(engine.__file__).parent.glob("*.py"))
    literal = set(re.findall(r'(?:Note|note)\("([a-z_.]+)"', source))
    return literal | {f"combine.{name}" for name in COMBINE} | {f"quota.{s}" for s in (QuotaStatus.WITHIN, QuotaStatus.KEPT)}


def test_every_code_has_words():
    codes = codes_in_the_engine()
    assert {"quota.demoted", "quota.tie", "deduction", "override"} <= codes
    assert codes <= set(MESSAGES)
    assert set(CONDITIONS) == set(CHECKS)
    assert set(FIGURES) == set(FIGURE_WORDS)


def test_notes_read_in_both_languages():
    rubric = load_rubric()
    note = Note("quota.demoted", {"rank": 3, "qualifying": 3, "level": "excellent", "scope": ("tinh", "A"), "allowance": 2,
                                  "percent": D(20), "base": 10, "fallback": "good"})
    with force_locale("vi"):
        assert describe(note, rubric) == (
            "Xếp thứ 3 trong 3 người đủ điều kiện Hoàn thành xuất sắc nhiệm vụ ở tinh / A; giới hạn tỷ lệ cho phép 2 "
            "(20% của 10): đề xuất Hoàn thành tốt nhiệm vụ."
        )
    with force_locale("en"):
        assert describe(Note("deduction", {"errors": 1, "delays": 2, "deduction": D("75.00"), "percent": D("25.00")})) == (
            "Major errors: 1; delays: 2. 75% of the result deducted, leaving 25%."
        )
    assert describe(Note("no.such.code")) == "no.such.code"
