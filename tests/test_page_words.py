"""The code-word scan the pages sweep runs (tests/page_words.py) finds what it is meant to find
and lets the readers' own words through."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from page_words import code_words


@dataclass
class Page:
    """What the scan reads of a page: its address and visible text."""

    text: str
    url: str = "http://127.0.0.1/admin/audit"

    def evaluate(self, script: str) -> str:
        return self.text


@pytest.mark.parametrize(("text", "locale", "found"), [
    ("Ban Thường vụ council.committee.decide council_decision #45", "vi", ["#45", "council.committee.decide", "council_decision"]),
    ("Mức xếp loại: good", "vi", ["good"]),
    ("Vai trò head", "vi", ["head"]),
    ("Phải nằm trong khoảng từ -10^15 đến 10^15.", "vi", ["10^15"]),
    ("Level: not_completed", "en", ["not_completed"]),
    ("Role: head of unit, in good standing", "en", []),  # English words are English in English
])
def test_code_words_are_found(text, locale, found):
    problems = code_words(Page(text), locale, set())
    assert problems == ([f"code words: {found}"] if found else [])


def test_the_readers_own_words_pass():
    text = "Nguyễn Văn Hùng gd.skhdt gd.skhdt@vinhphuc.demo http://127.0.0.1:5000/council/results/132 Kỳ đánh giá năm 2025"
    assert code_words(Page(text), "vi", {"gd.skhdt"}) == []
    assert code_words(Page("council.committee.decide", url="http://127.0.0.1/api/v1/docs"), "vi", set()) == []
