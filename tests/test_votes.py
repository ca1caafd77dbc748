"""Vote rounds (Quy định 96-QĐ/TW; Nghị quyết 96/2023/QH15): who is voted on and who is left out,
quorum before voting, the paper count entered and confirmed by two members of the board, results
against each denominator at the thresholds, and what each result calls for."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from flask_babel import force_locale

import factories as f
from vote_support import count_paper, vote_round
from workflow.accounts.models import Role
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.votes import operations, queries
from workflow.votes.models import FollowUp, RoundState
from workflow.votes.results import Totals, compute, quorum_met
from workflow.votes.rules import load_vote_rules, profile

RULES = load_vote_rules()


# --- the rules file ------------------------------------------------------------------------------

def test_the_rules_name_the_texts_values():
    """The values config/votes.toml takes from the texts it cites (its header names the pages read)."""
    party, assembly = RULES["profiles"]["party"], RULES["profiles"]["assembly"]
    assert RULES["version"] == "votes-2023.2"
    # 96-QĐ/TW: 2/3 of those summoned; Điều 6 k1 three levels; two criteria; Điều 6 k3 "trên tổng số phiếu thu về".
    assert party["quorum"] == "2/3" and party["denominator"] == "cast" and len(party["criteria"]) == 2
    assert [level["code"] for level in party["form"]["levels"]] == ["high", "confidence", "low"]
    # NQ 96/2023/QH15: shares of "tổng số phiếu" (the ballots); from 2/3 low a dismissal is proposed, from more than
    # half the person may resign or faces a vote of confidence; no 10-day term in the text.
    assert assembly["denominator"] == "cast" and [o["code"] for o in assembly["outcomes"]] == ["dismissal_proposal", "may_resign"]
    assert all(o["deadline_days"] == 0 for o in assembly["outcomes"])
    assert assembly["exclude_elected_in_vote_year"] and assembly["min_months_in_post"] == 0
    assert RULES["profiles"]["trust"]["form"]["code"] == "trust" and RULES["profiles"]["trust"]["denominator"] == "summoned"
    # 366-QĐ/TW Điều 11: four levels of classification.
    assert [level["name"]["vi"] for level in RULES["profiles"]["cell"]["form"]["levels"]] == [
        "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ"]


# --- step 1: the round, and who is voted on --------------------------------------------------------

@pytest.mark.parametrize(("appointed_on", "retiring", "code", "words"), [
    (date(2021, 3, 1), False, "", ""),
    (date(2027, 9, 26), False, "", ""),  # exactly 12 months on the day of the vote: voted on
    (date(2027, 9, 27), False, "under_months_in_post", "Elected or appointed less than 12 months before the vote"),
    (date(2021, 3, 1), True, "retirement_announced", "Has announced retirement"),
    (None, False, "", ""),
])
def test_who_the_rules_leave_out(english, appointed_on, retiring, code, words):
    """96-QĐ/TW (article not verified, see config/votes.toml): not voted on when retirement is announced or in the
    post under a year. The reason is kept as a code and worded in the reader's language."""
    ctx = vote_round(candidates=0)
    person = f.person(full_name="Phạm Văn Mới")
    candidate = operations.add_candidate(ctx.round, person, actor=ctx.staff, post="Phó Giám đốc", appointed_on=appointed_on,
                                         retirement_announced=retiring)
    assert candidate.excluded_code == code and candidate.excluded_reason == words
    assert (candidate in ctx.round.eligible) == (not code)


@pytest.mark.parametrize(("appointed_on", "code"), [
    (date(2027, 12, 31), ""),  # the year before the vote: voted on, though under a year in the post
    (date(2028, 1, 1), "elected_in_vote_year"),  # from 1 January of the year of the vote
    (date(2028, 9, 1), "elected_in_vote_year"),
])
def test_the_council_leaves_out_those_elected_in_the_year_of_the_vote(appointed_on, code):
    """NQ 96/2023/QH15 as applied in 2023: "được bầu, bổ nhiệm trong năm lấy phiếu tín nhiệm không thuộc diện lấy
    phiếu tín nhiệm" — by the calendar year, not by twelve months in the post."""
    ctx = vote_round(profile="assembly", candidates=0, held_on=date(2028, 10, 20))
    candidate = operations.add_candidate(ctx.round, f.person(), actor=ctx.staff, post="Phó Chủ tịch UBND", appointed_on=appointed_on)
    assert candidate.excluded_code == code
    with force_locale("vi"):
        assert candidate.excluded_reason == ("Được bầu, phê chuẩn trong năm lấy phiếu tín nhiệm" if code else "")


def test_the_reason_is_worded_in_the_readers_language():
    ctx = vote_round(candidates=0)
    candidate = operations.add_candidate(ctx.round, f.person(), actor=ctx.staff, post="Phó Giám đốc", retirement_announced=True)
    with force_locale("en"):
        assert candidate.excluded_reason == "Has announced retirement"
    with force_locale("vi"):
        assert candidate.excluded_reason == "Đã có thông báo nghỉ hưu"
    candidate.excluded_code, candidate.excluded_note = "other", "Đang điều trị bệnh dài ngày"
    with force_locale("en"):
        assert candidate.excluded_reason == "Other reason: Đang điều trị bệnh dài ngày"
    assert candidate not in ctx.round.eligible


def test_the_round_keeps_the_rules_it_was_created_with(tmp_path):
    ctx = vote_round()
    assert ctx.round.rules == profile("party") and ctx.round.rules["version"] == "votes-2023.2"
    changed = tmp_path / "votes.toml"
    changed.write_text(open("config/votes.toml", encoding="utf-8").read().replace('quorum = "2/3"', 'quorum = "1/2"', 1))
    assert profile("party", changed)["quorum"] == "1/2"
    assert ctx.round.rules["quorum"] == "2/3"


def test_the_dossier_shows_the_published_levels_of_the_person(english, as_person):
    from council_support import awaiting_decisions
    from workflow.council import operations as council, queries as council_queries

    cycle = f.year(2027)
    registration, _, session = awaiting_decisions(cycle)
    committee = f.person(Role.COMMITTEE)
    council.decide(council_queries.frozen_proposals(session)[registration.id], actor=committee, level="good", reason="")
    ctx = vote_round(candidates=0)
    candidate = operations.add_candidate(ctx.round, registration.head, actor=ctx.staff, post="Giám đốc Sở")
    assert queries.dossier(candidate)["years"] == []  # not published yet: voters see nothing
    council.publish(session, actor=committee, version=session.version)
    years = queries.dossier(candidate)["years"]
    assert [(y["year"], y["level"]) for y in years] == [(2027, "good")]
    page = as_person(ctx.voters[0]).get(f"/votes/{ctx.round.id}/dossier/{candidate.id}").get_data(as_text=True)
    assert "Hoàn thành tốt nhiệm vụ" in page


# --- step 2: attendance and quorum -------------------------------------------------------------------

@pytest.mark.parametrize(("summoned", "attend", "opens"), [(9, 6, True), (9, 5, False), (10, 7, True), (10, 6, False), (30, 20, True), (30, 19, False)])
def test_voting_opens_only_with_two_thirds_of_those_summoned(english, summoned, attend, opens):
    ctx = vote_round(summoned=summoned, attend=attend)
    assert quorum_met(ctx.round.rules, summoned, attend) is opens
    if opens:
        operations.take_step(ctx.round, "open", actor=ctx.staff)
        assert ctx.round.state == RoundState.VOTING
    else:
        with pytest.raises(TransitionRefused, match=f"{attend} of the {summoned} people summoned attend"):
            operations.take_step(ctx.round, "open", actor=ctx.staff)
        assert ctx.round.state == RoundState.PREPARING


def test_the_lists_are_fixed_once_voting_opens(english):
    ctx = vote_round(open_voting=True)
    with pytest.raises(TransitionRefused):
        operations.add_candidate(ctx.round, f.person(), actor=ctx.staff, post="Giám đốc")
    with pytest.raises(TransitionRefused, match="no one can be struck off"):
        operations.record_attendance(ctx.round, [v.id for v in ctx.voters[:-1]], actor=ctx.staff)


# --- step 3: the paper count -------------------------------------------------------------------------

def test_paper_tallies_are_confirmed_by_a_second_member_of_the_board(english):
    ctx = vote_round(open_voting=True)
    first, second = ctx.candidates
    operations.take_step(ctx.round, "close", actor=ctx.staff)
    with pytest.raises(TransitionRefused, match="has not entered"):
        operations.take_step(ctx.round, "publish", actor=ctx.staff)
    with pytest.raises(PermissionDenied):
        operations.enter_paper_count(ctx.round, actor=ctx.staff, issued=9, collected=9, invalid=0, tallies={})
    tallies = {first.id: {"high": 5, "confidence": 2, "low": 1}, second.id: {"high": 1, "confidence": 3, "low": 4}}
    count = operations.enter_paper_count(ctx.round, actor=ctx.board[0], issued=9, collected=9, invalid=1, tallies=tallies)
    db.session.flush()
    with pytest.raises(TransitionRefused, match="must confirm the figures first|A second member"):
        operations.take_step(ctx.round, "publish", actor=ctx.staff)
    with pytest.raises(TransitionRefused, match="Another member"):
        operations.confirm_paper_count(ctx.round, actor=ctx.board[0], version=count.version)
    with pytest.raises(StaleObject):
        operations.confirm_paper_count(ctx.round, actor=ctx.board[1], version=count.version - 1)
    operations.confirm_paper_count(ctx.round, actor=ctx.board[1], version=count.version)
    with pytest.raises(TransitionRefused, match="confirmed"):
        operations.enter_paper_count(ctx.round, actor=ctx.board[0], issued=9, collected=9, invalid=0, tallies=tallies)
    operations.take_step(ctx.round, "publish", actor=ctx.staff)
    results = {r.candidate_id: r for r in queries.results_of(ctx.round)}
    # 96-QĐ/TW Điều 6 k3: "tỉ lệ phần trăm trên tổng số phiếu thu về" (9, the invalid one included): 4/9 low is not more than half.
    assert results[second.id].counts == {"high": 1, "confidence": 3, "low": 4} and results[second.id].denominator == 9
    assert results[second.id].outcome == ""


@pytest.mark.parametrize(("figures", "field"), [
    ({"issued": 10, "collected": 9, "invalid": 0}, "issued"),  # more ballots than people attending
    ({"issued": 9, "collected": 10, "invalid": 0}, "collected"),
    ({"issued": 9, "collected": 9, "invalid": 10}, "invalid"),
    ({"issued": 9, "collected": 9, "invalid": 2}, "tallies"),  # 8 marks on 7 valid ballots
    ({"issued": -1, "collected": 9, "invalid": 0}, "issued"),
])
def test_paper_figures_that_cannot_be(english, figures, field):
    ctx = vote_round(open_voting=True, candidates=1)
    operations.take_step(ctx.round, "close", actor=ctx.staff)
    with pytest.raises(ValidationFailed) as refused:
        operations.enter_paper_count(ctx.round, actor=ctx.board[0], tallies={ctx.candidates[0].id: {"high": 8}}, **figures)
    assert any(name.startswith(field) for name in refused.value.errors)


# --- step 5: thresholds at 1/2 and 2/3, one vote either side, for each denominator ------------------------

def _party(denominator: str) -> dict:
    return {**RULES["profiles"]["party"], "denominator": denominator}


# 30 summoned, 27 cast (of which 3 invalid: 24 valid). Each row: low ballots, and the outcome for
# each denominator. Thresholds (96-QĐ/TW Điều 11): k2 "có trên 50% nhưng dưới 2/3 số phiếu tín nhiệm thấp" → review;
# k3 "có từ 2/3 số phiếu tín nhiệm thấp trở lên" → dismissal.
THRESHOLDS = [
    # cast = 27: half is 13.5, two thirds is 18
    ("cast", 13, ""), ("cast", 14, "review"), ("cast", 17, "review"), ("cast", 18, "dismissal"), ("cast", 19, "dismissal"),
    # valid = 24: half is exactly 12 (not more than half), two thirds exactly 16
    ("valid", 11, ""), ("valid", 12, ""), ("valid", 13, "review"), ("valid", 15, "review"), ("valid", 16, "dismissal"), ("valid", 17, "dismissal"),
    # summoned = 30: half 15, two thirds 20
    ("summoned", 14, ""), ("summoned", 15, ""), ("summoned", 16, "review"), ("summoned", 19, "review"), ("summoned", 20, "dismissal"),
    ("summoned", 21, "dismissal"),
]


@pytest.mark.parametrize(("denominator", "low", "outcome"), THRESHOLDS)
def test_thresholds_exactly_at_half_and_two_thirds_and_one_vote_either_side(denominator, low, outcome):
    totals = Totals(summoned=30, attended=27, cast=27, valid=24)
    [result] = compute(_party(denominator), totals, {1: {"high": 24 - low, "low": low}})
    assert result.denominator == {"cast": 27, "valid": 24, "summoned": 30}[denominator]
    assert result.share == Fraction(low, result.denominator)
    assert (result.outcome["code"] if result.outcome else "") == outcome


def test_the_assembly_path_resign_or_a_vote_of_confidence():
    """NQ 96/2023/QH15 (consequences): "quá nửa đến dưới hai phần ba tổng số phiếu đánh giá “tín nhiệm thấp”" → may
    resign, else a vote of confidence; "từ hai phần ba tổng số phiếu … trở lên" → dismissal proposed. Shares of the
    ballots collected: 47 ballots, as in Vĩnh Phúc in 2023, where 25 low was 53,19% although 50 members sat."""
    rules = RULES["profiles"]["assembly"]
    totals = Totals(summoned=50, attended=47, cast=47, valid=47)
    outcomes = {low: r.outcome for low in (23, 24, 25, 31, 32) for r in compute(rules, totals, {1: {"low": low}})}
    assert outcomes[23] is None  # 23/47 is not more than half
    assert outcomes[24]["code"] == "may_resign" and outcomes[25]["code"] == "may_resign"  # 24/47 just over half; 25/47 = 53,19%
    assert outcomes[31]["code"] == "may_resign"  # 31/47 is just under two thirds (31,33…)
    assert outcomes[32]["code"] == "dismissal_proposal" and outcomes[32]["deadline_days"] == 0  # 32/47 ≥ 2/3
    assert "bỏ phiếu tín nhiệm" in outcomes[31]["words"]["vi"] and "miễn nhiệm" in outcomes[32]["words"]["vi"]
    # Luật Tổ chức Quốc hội 2014 Điều 13 k2: "quá nửa tổng số đại biểu … bỏ phiếu không tín nhiệm": of all 50 members.
    trust = RULES["profiles"]["trust"]
    assert compute(trust, totals, {1: {"no_trust": 25}})[0].outcome is None
    assert compute(trust, totals, {1: {"no_trust": 26}})[0].outcome["code"] == "removal"


def test_publishing_fixes_results_and_opens_follow_ups_for_those_that_call_for_action():
    ctx = vote_round(open_voting=True, candidates=3)
    a, b, c = ctx.candidates
    # 9 collected: 5 low is more than half (review), 6 is two thirds (dismissal).
    count_paper(ctx, {a.id: {"high": 9}, b.id: {"confidence": 4, "low": 5}, c.id: {"confidence": 3, "low": 6}}, collected=9)
    operations.take_step(ctx.round, "publish", actor=ctx.staff)
    results = {r.candidate_id: r for r in queries.results_of(ctx.round)}
    assert [results[x.id].outcome for x in (a, b, c)] == ["", "review", "dismissal"]
    assert results[c.id].low_share == "6/9"
    follow_ups = db.session.query(FollowUp).order_by(FollowUp.id).all()
    assert [(fu.result.candidate_id, fu.outcome) for fu in follow_ups] == [(b.id, "review"), (c.id, "dismissal")]


# --- printed papers -------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    import io

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_paper_ballots_one_sheet_per_person_summoned_with_every_person_voted_on():
    from workflow.votes import pdf

    ctx = vote_round(summoned=4, candidates=3)
    data = pdf.ballots(ctx.round, len(ctx.round.voters))
    from pypdf import PdfReader
    import io

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 4
    text = " ".join(pages[0].extract_text().split())
    for candidate in ctx.candidates:
        assert candidate.person.full_name in text
    assert "Tín nhiệm cao" in text and "Tín nhiệm thấp" in text


def test_one_rounds_ballots_print_on_their_own(as_person):
    """Two paper rounds on the same day: each round's print holds its own sheets (one per person it summons),
    its own title and its own people, none of the other round's; an electronic round has no paper to print."""
    from pypdf import PdfReader
    import io

    first, second = vote_round(summoned=3, candidates=2), vote_round(summoned=5, candidates=1)
    second.round.title = "Lấy phiếu tín nhiệm Ban Thường vụ"
    second.candidates[0].person.full_name = "Hoàng Thị Khác"
    left_off = operations.add_candidate(first.round, f.person(full_name="Lê Văn Hưu"), actor=first.staff, post="Phó Giám đốc",
                                        retirement_announced=True)
    db.session.flush()
    printed = as_person(first.staff).get(f"/votes/{first.round.id}/ballots.pdf")
    assert printed.status_code == 200 and printed.headers["Content-Type"] == "application/pdf"
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(printed.data)).pages]
    assert len(pages) == 3
    for text in pages:
        assert first.round.title in text and second.round.title not in text
        assert all(c.person.full_name in text for c in first.candidates)
        assert second.candidates[0].person.full_name not in text and left_off.person.full_name not in text
    other = as_person(second.staff).get(f"/votes/{second.round.id}/ballots.pdf")
    assert len(PdfReader(io.BytesIO(other.data)).pages) == 5
    hall = vote_round(method="electronic", candidates=1)
    refused = as_person(hall.staff).get(f"/votes/{hall.round.id}/ballots.pdf", headers={"Accept": "text/html"})
    assert refused.status_code == 404 and "không có phiếu giấy" in refused.get_data(as_text=True)
    assert as_person(f.person()).get(f"/votes/{first.round.id}/ballots.pdf").status_code == 403


def test_the_minutes_give_counts_shares_and_the_consequence_in_words():
    from workflow.votes import pdf

    ctx = vote_round(open_voting=True, candidates=2)
    a, b = ctx.candidates
    count_paper(ctx, {a.id: {"high": 9}, b.id: {"confidence": 3, "low": 6}}, collected=9)
    operations.take_step(ctx.round, "publish", actor=ctx.staff)
    totals, _ = queries.tallies(ctx.round)
    text = " ".join(_pdf_text(pdf.minutes(ctx.round, totals, queries.results_of(ctx.round), ctx.round.board)).split())
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "Số phiếu thu về: 9" in text
    assert "6 (66,67%)" in text and "miễn nhiệm chức vụ đang đảm nhiệm" in text
    assert "Trưởng ban kiểm phiếu" in text and "Ủy viên ban kiểm phiếu" in text


def test_who_is_left_off_is_in_the_minutes_in_vietnamese_whoever_prints_them():
    from workflow.votes import pdf

    ctx = vote_round(open_voting=False, candidates=1)
    operations.add_candidate(ctx.round, f.person(full_name="Lê Văn Hưu"), actor=ctx.staff, post="Phó Giám đốc", retirement_announced=True)
    operations.add_candidate(ctx.round, f.person(full_name="Trần Thị Mới"), actor=ctx.staff, post="Phó Giám đốc", appointed_on=date(2028, 3, 1))
    operations.take_step(ctx.round, "open", actor=ctx.staff)
    count_paper(ctx, {ctx.candidates[0].id: {"high": 9}}, collected=9)
    operations.take_step(ctx.round, "publish", actor=ctx.staff)
    totals, _ = queries.tallies(ctx.round)
    with force_locale("en"):
        text = " ".join(_pdf_text(pdf.minutes(ctx.round, totals, queries.results_of(ctx.round), ctx.round.board)).split())
    assert "Không lấy phiếu đối với Lê Văn Hưu (Phó Giám đốc): Đã có thông báo nghỉ hưu." in text
    assert "Trần Thị Mới (Phó Giám đốc): Được bầu, bổ nhiệm giữ chức vụ chưa đủ 12 tháng" in text


# --- the pages -------------------------------------------------------------------------------------

def test_the_round_from_its_pages_attendance_to_minutes(as_person):
    ctx = vote_round(attend=5, candidates=2)
    a, b = ctx.candidates
    staff = as_person(ctx.staff)
    page = staff.get(f"/votes/{ctx.round.id}").get_data(as_text=True)
    assert "5/9" in page or "có mặt 5" in page or "5 of the 9" in page
    refused = staff.post(f"/votes/{ctx.round.id}/step", data={"step": "open", "version": ctx.round.version},
                         headers={"Referer": f"http://localhost/votes/{ctx.round.id}", "Accept": "text/html"})
    assert refused.status_code == 409 and "Chưa thể bắt đầu bỏ phiếu" in refused.get_data(as_text=True)
    assert staff.post(f"/votes/{ctx.round.id}/attendance", data={"present": [v.id for v in ctx.voters[:6]]}).status_code == 302
    db.session.refresh(ctx.round)
    assert staff.post(f"/votes/{ctx.round.id}/step", data={"step": "open", "version": ctx.round.version}).status_code == 302
    assert staff.get(f"/votes/{ctx.round.id}/ballots.pdf").data[:4] == b"%PDF"
    db.session.refresh(ctx.round)
    staff.post(f"/votes/{ctx.round.id}/step", data={"step": "close", "version": ctx.round.version})
    chair, member = as_person(ctx.board[0]), as_person(ctx.board[1])
    form = {"issued": 6, "collected": 6, "invalid": 0, f"tally-{a.id}-high": 6, f"tally-{b.id}-low": 4, f"tally-{b.id}-confidence": 2}
    assert chair.post(f"/votes/{ctx.round.id}/paper", data=form).status_code == 302
    count = queries.paper_count_of(ctx.round)
    assert member.post(f"/votes/{ctx.round.id}/paper/confirm", data={"version": count.version}).status_code == 302
    db.session.refresh(ctx.round)
    assert staff.post(f"/votes/{ctx.round.id}/step", data={"step": "publish", "version": ctx.round.version}).status_code == 302
    page = staff.get(f"/votes/{ctx.round.id}").get_data(as_text=True)
    assert "Miễn nhiệm chức vụ" in page or "miễn nhiệm chức vụ" in page  # 4 of 6 low: two thirds
    assert staff.get(f"/votes/{ctx.round.id}/minutes.pdf").data[:4] == b"%PDF"
    committee = f.person(Role.COMMITTEE)
    follow_up = db.session.query(FollowUp).one()
    done = as_person(committee).post(f"/votes/follow-ups/{follow_up.id}", data={"decision": "125-QĐ/TU", "decided_on": "2028-10-20",
                                                                                "version": follow_up.version})
    assert done.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.decision == "125-QĐ/TU"
    voter = as_person(ctx.voters[0])
    assert voter.get(f"/votes/{ctx.round.id}/dossier/{a.id}").status_code == 200
    assert as_person(f.person()).get(f"/votes/{ctx.round.id}/dossier/{a.id}").status_code == 403


def test_the_api_gives_rounds_results_and_takes_steps_with_the_version(as_person):
    ctx = vote_round(candidates=2)
    a, b = ctx.candidates
    staff = as_person(ctx.staff)
    rounds = staff.get("/api/v1/votes/rounds").get_json()
    assert [r["id"] for r in rounds] == [ctx.round.id] and rounds[0]["state"] == "preparing"
    got = staff.get(f"/api/v1/votes/rounds/{ctx.round.id}").get_json()
    assert got["summoned"] == got["attended"] == 9 and [c["post"] for c in got["candidates"]] == ["Giám đốc Sở 1", "Giám đốc Sở 2"]
    assert staff.post(f"/api/v1/votes/rounds/{ctx.round.id}/step", json={"step": "open", "version": got["version"] - 1}).status_code == 412
    opened = staff.post(f"/api/v1/votes/rounds/{ctx.round.id}/step", json={"step": "open", "version": got["version"]})
    assert opened.status_code == 200 and opened.get_json()["state"] == "voting"
    assert as_person(f.person()).get(f"/api/v1/votes/rounds/{ctx.round.id}").status_code == 403
    db.session.expire_all()
    count_paper(ctx, {a.id: {"high": 9}, b.id: {"low": 5, "high": 4}}, collected=9)
    operations.take_step(ctx.round, "publish", actor=ctx.staff)
    db.session.flush()
    results = staff.get(f"/api/v1/votes/rounds/{ctx.round.id}/results").get_json()
    assert [(r["counts"]["low"], r["share"], r["outcome"]) for r in results] == [(0, "0/9", ""), (5, "5/9", "review")]
    assert as_person(ctx.voters[0]).get(f"/api/v1/votes/rounds/{ctx.round.id}/results").status_code == 403


def test_the_api_gives_the_exclusion_as_a_code_and_in_the_language_asked(as_person):
    ctx = vote_round(candidates=1)
    retiring = operations.add_candidate(ctx.round, f.person(), actor=ctx.staff, post="Phó Giám đốc", retirement_announced=True)
    db.session.flush()
    for locale, words in (("vi", "Đã có thông báo nghỉ hưu"), ("en", "Has announced retirement")):
        reader = as_person(f.person(Role.STAFF, locale=locale))
        got = reader.get(f"/api/v1/votes/rounds/{ctx.round.id}").get_json()
        left = {c["id"]: c for c in got["candidates"]}
        assert (left[retiring.id]["excluded_code"], left[retiring.id]["excluded_reason"]) == ("retirement_announced", words)
        assert (left[ctx.candidates[0].id]["excluded_code"], left[ctx.candidates[0].id]["excluded_reason"]) == ("", "")
        page = reader.get(f"/votes/{ctx.round.id}").get_data(as_text=True)
        assert words in page


def test_setting_up_a_round_from_the_pages(as_person, english):
    staff = f.person(Role.STAFF)
    organiser = f.unit(name="Ban Tổ chức Tỉnh ủy")
    director, voter, counter = f.person(username="gd.sxd"), f.person(username="daibieu1"), f.person(username="kiemphieu1")
    client = as_person(staff)
    made = client.post("/votes/new", data={"title": "Lấy phiếu tín nhiệm giữa nhiệm kỳ", "organiser_id": organiser.id, "term": "2025–2030",
                                           "held_on": "2027-10-20", "profile": "party", "method": "paper"})
    assert made.status_code == 302
    round_id = int(made.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/votes/{round_id}/candidates", data={"username": "GD.SXD", "post": "Giám đốc Sở Xây dựng",
                                                               "appointed_on": "2027-03-01"}).status_code == 302
    assert client.post(f"/votes/{round_id}/voters", data={"usernames": "daibieu1\nkhongco"}).status_code == 422
    assert client.post(f"/votes/{round_id}/voters", data={"usernames": "daibieu1, gd.sxd"}).status_code == 302
    assert client.post(f"/votes/{round_id}/board", data={"usernames": "kiemphieu1"}).status_code == 302
    round_ = db.session.get(operations.VoteRound, round_id)
    db.session.refresh(round_)
    [candidate] = round_.candidates
    assert candidate.person_id == director.id and candidate.excluded_reason  # appointed seven months before the vote
    assert {v.person_id for v in round_.voters} == {voter.id, director.id} and [m.person_id for m in round_.board] == [counter.id]
    page = client.get(f"/votes/{round_id}").get_data(as_text=True)
    assert "Chưa đủ 12 tháng" in page or "chưa đủ 12 tháng" in page  # why the director is not voted on, in words
