"""The evaluation sheet prints what its font cannot draw as □ and says so on the sheet, prints the
"bold" letters of social media as plain ones, and does not flood the log with fontTools lines."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

import factories as f
from test_council_exports import decided  # noqa: F401  (fixture: a cycle scored, proposed and decided)
from workflow.extensions import db


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_characters_the_font_lacks_are_shown_and_named(decided, as_person, caplog):  # noqa: F811
    cycle, regs, seats, session = decided
    target = regs[1].targets[0]
    target.title = "Thu ngân sách 𝐍𝐒𝐍𝐍 theo 稅法"  # bold letters pasted from a post; two Chinese characters
    db.session.commit()
    response = as_person(f.head_of(regs[1])).get(f"/council/results/{regs[1].id}/sheet.pdf")
    assert response.status_code == 200
    text = _text(response)
    assert "Thu ngân sách NSNN theo □□" in text
    assert "không có 2 ký tự" in text and "U+7A05, U+6CD5" in text
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]


def test_making_a_sheet_does_not_flood_the_log(decided, as_person, caplog):  # noqa: F811
    cycle, regs, seats, session = decided
    caplog.set_level(logging.DEBUG)
    assert as_person(f.head_of(regs[1])).get(f"/council/results/{regs[1].id}/sheet.pdf").status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name.startswith("fontTools") and r.levelno < logging.WARNING] == []


def test_a_sheet_whose_text_prints_whole_has_no_note(decided, as_person):  # noqa: F811
    cycle, regs, seats, session = decided
    text = _text(as_person(f.head_of(regs[1])).get(f"/council/results/{regs[1].id}/sheet.pdf"))
    assert "Ghi chú: phông chữ" not in text and "□" not in text
