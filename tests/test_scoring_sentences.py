"""The level sentence: where a head's level is below what the points alone give, one sentence
says which rule decided it (a condition, discipline, the quota, the committee) with its figures,
each condition once, in Vietnamese and in English. Built from the engine's own trace."""

from decimal import Decimal as D

import pytest
from flask_babel import force_locale

from workflow.scoring.engine import Candidate, Facts, QuotaStatus, classify, level_trace, points_level, propose
from workflow.scoring.explain import explain_level
from workflow.scoring.rubric import load_rubric

RUBRIC = load_rubric()


def sentence(points: str, facts: Facts, *, locale: str = "vi", discipline: str = "", level: str | None = None, reason: str = ""):
    """The sentence for one head classified alone (no quota)."""
    classification = classify(D(points), facts, RUBRIC)
    trace = level_trace(D(points), classification.checks, None, RUBRIC)
    with force_locale(locale):
        return explain_level(trace, RUBRIC, facts=facts, level=level or classification.level, reason=reason, discipline=discipline)


def test_a_condition_with_its_figures():
    # 1 of 4 targets behind schedule: not "good" (all on time), and more than the 20% "completed" allows.
    facts = Facts(targets=4, done=4, on_time=3, exceeded=0, late=1)
    explained = sentence("75", facts)
    assert explained.rules == ("condition",)
    assert explained.sentence == (
        "75 điểm, đủ điểm mức Hoàn thành tốt nhiệm vụ, nhưng 3/4 chỉ tiêu, nhiệm vụ hoàn thành đúng hạn (75%), chưa đạt 100% mà mức "
        "Hoàn thành tốt nhiệm vụ yêu cầu; 1/4 chỉ tiêu, nhiệm vụ chậm tiến độ (25%), vượt mức 20% cho phép của mức Hoàn thành nhiệm vụ, "
        "nên xếp loại Không hoàn thành nhiệm vụ."
    )
    assert sentence("75", facts, locale="en").sentence == (
        "75 points reach Good, but 3/4 targets done on time (75%), short of the 100% required for Good; 1/4 targets behind schedule (25%), "
        "more than the 20% allowed for Completed: Not completed."
    )


def test_each_condition_is_listed_once_with_every_level_it_closed():
    # 93 points: excellent and good both need every target on time; one is late (1 of 10, 10%:
    # within what "completed" allows). The condition is named once, with both levels.
    facts = Facts(targets=10, done=10, on_time=9, exceeded=3, late=1)
    explained = sentence("93", facts)
    assert explained.sentence == (
        "93 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng 9/10 chỉ tiêu, nhiệm vụ hoàn thành đúng hạn (90%), chưa đạt 100% mà "
        "mức Hoàn thành xuất sắc nhiệm vụ và Hoàn thành tốt nhiệm vụ yêu cầu, nên xếp loại Hoàn thành nhiệm vụ."
    )
    assert explained.sentence.count("đúng hạn") == 1


def test_discipline_names_the_decision():
    facts = Facts(targets=10, done=10, on_time=10, exceeded=3, late=0, disciplined=True)
    explained = sentence("95", facts, discipline="15-QĐ/UBKTTU ngày 10/06/2027, khiển trách")
    assert explained.rules == ("discipline",)
    assert explained.sentence == (
        "95 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng bị kỷ luật trong năm (15-QĐ/UBKTTU ngày 10/06/2027, khiển trách), "
        "không được xếp mức Hoàn thành xuất sắc nhiệm vụ, Hoàn thành tốt nhiệm vụ và Hoàn thành nhiệm vụ, nên xếp loại Không hoàn thành nhiệm vụ."
    )


def test_no_sentence_where_the_points_decide():
    all_met = Facts(targets=10, done=10, on_time=10, exceeded=3, late=0)
    assert sentence("95", all_met) is None
    assert sentence("75", all_met) is None
    assert sentence("40", all_met) is None  # below 50 points: the points decide "not completed"
    assert points_level(D("89.99"), RUBRIC) == "good" and points_level(D("90"), RUBRIC) == "excellent"


@pytest.fixture
def quota():
    """One group: three heads qualify as excellent (95, 94, 93) and seven are good (80): the
    quota allows 20% of ten, two places; the 93 is proposed as good."""
    met = Facts(targets=5, done=5, on_time=5, exceeded=2, late=0)
    scores = ["95", "94", "93"] + ["80"] * 7
    candidates = [Candidate(f"h{i}", {"m1": D(s), "m2": D(s), "m3": D(s)}, met, agency="Tỉnh ủy", group="Sở, ngành") for i, s in enumerate(scores)]
    return propose(candidates, RUBRIC), met


def test_the_quota_with_its_figures(quota):
    proposals, met = quota
    third = proposals.for_head("h2")
    assert third.quota.status == QuotaStatus.DEMOTED and third.level == "good"
    trace = level_trace(third.panel.score, third.classification.checks, third.quota.notes[0], RUBRIC)
    with force_locale("vi"):
        explained = explain_level(trace, RUBRIC, facts=met, level=third.level)
    assert explained.rules == ("quota",)
    assert explained.sentence == (
        "93 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng vượt tỷ lệ 20% của mức Hoàn thành xuất sắc nhiệm vụ: 2 suất, "
        "3 người đạt (xếp thứ 3), nên xếp loại Hoàn thành tốt nhiệm vụ."
    )
    first = proposals.for_head("h0")
    kept = level_trace(first.panel.score, first.classification.checks, first.quota.notes[0], RUBRIC)
    assert explain_level(kept, RUBRIC, facts=met, level=first.level) is None


def test_a_tie_at_the_cut_and_the_committee_choosing():
    met = Facts(targets=5, done=5, on_time=5, exceeded=2, late=0)
    scores = ["95", "93", "93"] + ["80"] * 7
    candidates = [Candidate(f"h{i}", {"m1": D(s)}, met, group="Huyện") for i, s in enumerate(scores)]
    tied = propose(candidates, RUBRIC).for_head("h1")
    assert tied.quota.status == QuotaStatus.TIE and tied.level is None
    trace = level_trace(tied.panel.score, tied.classification.checks, tied.quota.notes[0], RUBRIC)
    with force_locale("vi"):
        undecided = explain_level(trace, RUBRIC, facts=met, level=None)
        decided = explain_level(trace, RUBRIC, facts=met, level="good", reason="Thấp hơn về kết quả xử lý điểm nghẽn")
        chosen_top = explain_level(trace, RUBRIC, facts=met, level="excellent", reason="Hoàn thành vượt tiến độ dự án trọng điểm")
    assert undecided.rules == ("tie",)
    assert undecided.sentence == (
        "93 điểm, đủ điểm mức Hoàn thành xuất sắc nhiệm vụ, nhưng bằng 93 điểm với 1 người khác trong khi tỷ lệ 20% của mức "
        "Hoàn thành xuất sắc nhiệm vụ chỉ còn 1 suất, nên Ban Thường vụ lựa chọn giữa mức Hoàn thành xuất sắc nhiệm vụ và Hoàn thành tốt nhiệm vụ."
    )
    assert decided.rules == ("tie", "committee")
    assert decided.sentence.endswith("; Ban Thường vụ quyết định xếp loại Hoàn thành tốt nhiệm vụ với lý do: Thấp hơn về kết quả xử lý điểm nghẽn.")
    assert chosen_top is None  # the committee gave the level the points give


def test_the_head_of_the_agency_named_where_it_decides():
    # A civil servant's year is decided by the head of the agency (Nghị định 335/2025, Điều 20
    # k4), with no council: the tie and the departures name the head, never the committee.
    met = Facts(targets=5, done=5, on_time=5, exceeded=2, late=0)
    scores = ["95", "93", "93"] + ["80"] * 7
    candidates = [Candidate(f"h{i}", {"m1": D(s)}, met, group="Sở") for i, s in enumerate(scores)]
    tied = propose(candidates, RUBRIC).for_head("h1")
    trace = level_trace(tied.panel.score, tied.classification.checks, tied.quota.notes[0], RUBRIC)
    classification = classify(D("80"), met, RUBRIC)
    alone = level_trace(D("80"), classification.checks, None, RUBRIC)
    with force_locale("vi"):
        undecided = explain_level(trace, RUBRIC, facts=met, level=None, decider="head")
        decided = explain_level(trace, RUBRIC, facts=met, level="good", reason="Ít sản phẩm vượt hơn", decider="head")
        departed = explain_level(alone, RUBRIC, facts=met, level="completed", reason="Chậm báo cáo quý IV", decider="head")
    with force_locale("en"):
        english = explain_level(alone, RUBRIC, facts=met, level="completed", reason="Late report", decider="head")
    assert undecided.sentence.endswith(", nên Thủ trưởng cơ quan lựa chọn giữa mức Hoàn thành xuất sắc nhiệm vụ và Hoàn thành tốt nhiệm vụ.")
    assert decided.sentence.endswith("; Thủ trưởng cơ quan quyết định xếp loại Hoàn thành tốt nhiệm vụ với lý do: Ít sản phẩm vượt hơn.")
    assert departed.sentence == (
        "80 điểm, đủ điểm mức Hoàn thành tốt nhiệm vụ; mức đề xuất theo tiêu chí là Hoàn thành tốt nhiệm vụ; Thủ trưởng cơ quan "
        "quyết định xếp loại Hoàn thành nhiệm vụ với lý do: Chậm báo cáo quý IV."
    )
    assert "head of the agency decided" in english.sentence and "committee" not in english.sentence
    for explained in (undecided, decided, departed):
        assert "Ban Thường vụ" not in explained.sentence and "Hội đồng" not in explained.sentence


def test_the_committee_deciding_below_the_proposal():
    met = Facts(targets=10, done=10, on_time=10, exceeded=0, late=0)
    explained = sentence("80", met, level="completed", reason="Để xảy ra sai phạm trong quản lý đất đai.")
    assert explained.rules == ("committee",)
    assert explained.sentence == (
        "80 điểm, đủ điểm mức Hoàn thành tốt nhiệm vụ; Hội đồng đề xuất Hoàn thành tốt nhiệm vụ; Ban Thường vụ quyết định xếp loại "
        "Hoàn thành nhiệm vụ với lý do: Để xảy ra sai phạm trong quản lý đất đai."
    )
