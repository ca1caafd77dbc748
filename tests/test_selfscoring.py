"""The monthly self-scoring of collectives and its recognition by the committee above — the
12-month rule of Hòa Bình: "tổ chức Đảng nào không tự chấm điểm được, không được cấp ủy công nhận
suốt 12 tháng (12 kỳ sinh hoạt thường kỳ và 4 kỳ sinh hoạt chuyên đề) thì không có xếp loại"
(Hướng dẫn số 12 và Quy định số 31 của Ban Thường vụ Tỉnh ủy Hòa Bình, 2018; seeds 003).

Each month the collective's head saves (a draft may stay empty) and submits the self-score; the
head of the parent unit (the standing committee for a unit with no parent) recognises it or
returns it with a reason; every step is audited and mails the other party through the outbox."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.core import formats
from workflow.core.audit import AuditEntry
from workflow.core.errors import PermissionDenied, StaleObject, TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.framework.rules import TracksRulesSchema
from workflow.notifications.models import Notification
from workflow.rules import load_rules
from workflow.selfscoring import operations
from workflow.selfscoring.models import SelfScoreState
from workflow.selfscoring.standing import rule_of

YEAR = 2026  # every month of it has begun by now, so each may be self-scored


class World:
    """Tỉnh (no parent) → Huyện Lạc Sơn (its collective self-scores) → Xã Ân Nghĩa."""

    def __init__(self) -> None:
        self.cycle = f.year(YEAR)
        self.province = f.unit(name="Tỉnh ủy Hòa Bình")
        self.district = f.unit(name="Huyện ủy Lạc Sơn", parent=self.province)
        self.commune = f.unit(name="Đảng ủy xã Ân Nghĩa", parent=self.district)
        self.track = framework.track_in(self.cycle, "collectives")
        self.collective = framework.subject_of(self.track, unit_id=self.district.id, person_id=None)
        self.top = framework.subject_of(self.track, unit_id=self.province.id, person_id=None)
        self.head = f.person((Role.HEAD, self.district), full_name="Bùi Văn Sơn")
        self.above = f.person((Role.HEAD, self.province), full_name="Quách Thị Hòa")
        self.commune_head = f.person((Role.HEAD, self.commune))
        self.committee = f.person(Role.COMMITTEE)
        self.staff = f.person(Role.STAFF)
        self.admin = f.person(Role.ADMIN)
        self.stranger = f.person((Role.HEAD, f.unit()))


@pytest.fixture
def world():
    return World()


def _save(w, month=3, points=None, note="", version=None, actor=None):
    row = operations.save(w.collective, w.cycle, month, actor=actor or w.head, points=points, note=note, version=version)
    db.session.flush()
    return row


def _mail(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def test_the_rules_file_carries_the_hoa_binh_rule_and_checks_it():
    """config/rules/default.toml: 12 months recognised, citing Hướng dẫn số 12 và Quy định số 31 của
    BTV Tỉnh ủy Hòa Bình (2018) with the rule's words; only a track of collectives may have it, and
    without it the rule does not apply."""
    rules = load_rules("config/rules/default.toml")
    rule = rule_of(rules)
    assert rule["required_months"] == 12
    assert "Hướng dẫn số 12 và Quy định số 31" in rule["regime"] and "không có xếp loại" in rule["regime"]
    assert rule["citation"] == "Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình"
    tracks = json.loads(json.dumps(rules["tracks"]))
    bad = {**tracks, "heads": {**tracks["heads"], "self_scoring": rule}}
    with pytest.raises(ValidationError, match="self_scoring"):
        TracksRulesSchema().load(bad)
    too_many = {**tracks, "collectives": {**tracks["collectives"], "self_scoring": {**rule, "required_months": 13}}}
    with pytest.raises(ValidationError):
        TracksRulesSchema().load(too_many)
    without = {**tracks, "collectives": {k: v for k, v in tracks["collectives"].items() if k != "self_scoring"}}
    assert rule_of({"tracks": TracksRulesSchema().dump(TracksRulesSchema().load(without))}) is None


def test_the_whole_month_draft_submit_return_resubmit_recognise(world):
    w = world
    row = _save(w)  # a draft with every field empty
    assert row.state == SelfScoreState.DRAFT and row.points is None and row.note == ""
    with pytest.raises(ValidationFailed) as refused:
        operations.take_step(row, "submit", actor=w.head, version=row.version)
    assert set(refused.value.errors) == {"points"}
    row = _save(w, points=Decimal("87.5"), note="Sinh hoạt chi bộ đầy đủ", version=row.version)
    operations.take_step(row, "submit", actor=w.head, version=row.version)
    db.session.flush()
    assert row.state == SelfScoreState.SUBMITTED and row.submitted_by_id == w.head.id
    assert [m.recipient_id for m in _mail("self_score_submitted")] == [w.above.id]
    with pytest.raises(TransitionRefused):
        _save(w, points=Decimal(90), version=row.version)  # submitted: no longer the head's to change
    with pytest.raises(PermissionDenied):
        operations.take_step(row, "recognise", actor=w.head, version=row.version)  # nobody recognises their own
    with pytest.raises(ValidationFailed) as no_reason:
        operations.take_step(row, "return", actor=w.above, version=row.version, reason="  ")
    assert set(no_reason.value.errors) == {"reason"}
    operations.take_step(row, "return", actor=w.above, version=row.version, reason="Thiếu biên bản sinh hoạt chuyên đề")
    db.session.flush()
    assert row.state == SelfScoreState.RETURNED and row.returned_reason == "Thiếu biên bản sinh hoạt chuyên đề"
    returned = _mail("self_score_returned")
    assert [m.recipient_id for m in returned] == [w.head.id] and "Thiếu biên bản sinh hoạt chuyên đề" in returned[0].body_text
    row = _save(w, points=Decimal("85"), note="Bổ sung biên bản", version=row.version)
    operations.take_step(row, "submit", actor=w.head, version=row.version)
    db.session.flush()
    assert len(_mail("self_score_submitted")) == 2  # the second submission is told too
    operations.take_step(row, "recognise", actor=w.above, version=row.version)
    db.session.flush()
    assert row.state == SelfScoreState.RECOGNISED and row.reviewed_by_id == w.above.id and row.returned_reason == ""
    assert [m.recipient_id for m in _mail("self_score_recognised")] == [w.head.id]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "collective_self_score",
                                                                 AuditEntry.object_id == row.id).order_by(AuditEntry.id)).all()
    assert actions == ["collective_self_score.save", "collective_self_score.save", "collective_self_score.submit",
                       "collective_self_score.return", "collective_self_score.save", "collective_self_score.submit",
                       "collective_self_score.recognise"]


def test_a_unit_with_no_parent_is_recognised_by_the_standing_committee(world):
    w = world
    head = w.above
    row = operations.save(w.top, w.cycle, 1, actor=head, points=Decimal(95))
    db.session.flush()
    operations.take_step(row, "submit", actor=head, version=row.version)
    db.session.flush()
    assert {m.recipient_id for m in _mail("self_score_submitted")} == {w.committee.id}
    operations.take_step(row, "recognise", actor=w.committee, version=row.version)
    assert row.state == SelfScoreState.RECOGNISED


def test_a_concurrent_edit_is_refused_never_overwritten(world):
    w = world
    row = _save(w, points=Decimal(80))
    seen = row.version
    _save(w, points=Decimal(82), version=seen)
    with pytest.raises(StaleObject):
        _save(w, points=Decimal(99), version=seen)
    assert row.points == Decimal(82)
    with pytest.raises(StaleObject):
        operations.take_step(row, "submit", actor=w.head, version=seen)


def test_a_month_not_begun_or_out_of_range_is_refused(world):
    w = world
    nxt = f.year(YEAR + 2)
    with pytest.raises(TransitionRefused, match="mở từ ngày đầu"):
        operations.save(w.collective, nxt, 12, actor=w.head, points=None)
    with pytest.raises(ValidationFailed):
        operations.save(w.collective, w.cycle, 13, actor=w.head, points=None)
    with pytest.raises(ValidationFailed):
        operations.save(w.collective, w.cycle, 2, actor=w.head, points=Decimal(101))


@pytest.mark.parametrize(("who", "action", "on", "allowed"), [
    ("head", "selfscoring.score", "collective", True),
    ("above", "selfscoring.score", "collective", False),
    ("committee", "selfscoring.score", "collective", False),
    ("staff", "selfscoring.score", "collective", False),
    ("admin", "selfscoring.score", "collective", False),
    ("stranger", "selfscoring.score", "collective", False),
    ("head", "selfscoring.recognise", "collective", False),
    ("above", "selfscoring.recognise", "collective", True),
    ("committee", "selfscoring.recognise", "collective", False),  # the district has a parent: its head recognises
    ("commune_head", "selfscoring.recognise", "collective", False),
    ("staff", "selfscoring.recognise", "collective", False),
    ("admin", "selfscoring.recognise", "collective", False),
    ("committee", "selfscoring.recognise", "top", True),  # no parent: the standing committee
    ("above", "selfscoring.recognise", "top", False),  # the province's own head
    ("head", "selfscoring.view", "collective", True),
    ("above", "selfscoring.view", "collective", True),
    ("staff", "selfscoring.view", "collective", True),
    ("committee", "selfscoring.view", "collective", True),
    ("admin", "selfscoring.view", "collective", True),
    ("commune_head", "selfscoring.view", "collective", False),
    ("stranger", "selfscoring.view", "collective", False),
    ("above", "selfscoring.recognise", None, True),
    ("committee", "selfscoring.recognise", None, True),
    ("commune_head", "selfscoring.recognise", None, False),  # heads no unit with collectives under it
    ("head", "selfscoring.score", None, True),  # heads a unit evaluated as a collective
    ("commune_head", "selfscoring.score", None, False),  # the commune is not (yet) a collective of the track
    ("staff", "selfscoring.recognise", None, False),
])
def test_who_may_do_what(world, who, action, on, allowed):
    obj = {"collective": world.collective, "top": world.top, None: None}[on]
    assert policy.can(getattr(world, who), action, obj) is allowed


def _text(answer):
    return answer.get_data(as_text=True)


def test_the_pages_read_a_decimal_comma_show_dates_and_keep_a_refused_form(world, as_person):
    w = world
    client = as_person(w.head)
    path = f"/self-scoring/{YEAR}?unit_id={w.district.id}&month=4"
    assert client.get("/self-scoring/").status_code == 302
    answer = client.post(f"/self-scoring/{YEAR}/{w.district.id}/4", data={"points": "87,5", "note": "Tháng tư", "action": "submit"},
                         headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert answer.status_code == 302
    row = operations.month_of(w.collective, w.cycle, 4)
    assert row.points == Decimal("87.5") and row.state == SelfScoreState.SUBMITTED
    assert client.get(f"/self-scoring/months/{row.id}").headers["Location"].endswith(path)  # the audit log's and the mail's link
    page = _text(client.get(path))
    # The day as the province reads it (Asia/Ho_Chi_Minh): after 17:00 UTC it is already the next.
    assert "87,50" in page and formats.day(row.submitted_at) in page and "Chờ công nhận" in page
    refused = client.post(f"/self-scoring/{YEAR}/{w.district.id}/5", data={"points": "120"},
                          headers={"Accept": "text/html", "Referer": f"http://localhost{path.replace('month=4', 'month=5')}"})
    assert refused.status_code == 422
    refusal = json.loads(unescape(re.search(r"data-refusal='([^']*)'", _text(refused)).group(1)))
    assert set(refusal["errors"]) == {"points"} and refusal["values"]["points"] == ["120"]
    # The recogniser's list, with the buttons only they see.
    above = as_person(w.above)
    waiting = _text(above.get("/self-scoring/waiting"))
    assert "Huyện ủy Lạc Sơn" in waiting and "Công nhận tháng" in waiting and "Trả lại tập thể" in waiting
    assert "Công nhận tháng" not in _text(client.get(path))
    no_reason = above.post(f"/self-scoring/months/{row.id}/step", data={"step": "return", "version": row.version, "back": "waiting"},
                           headers={"Accept": "text/html", "Referer": "http://localhost/self-scoring/waiting"})
    assert no_reason.status_code == 422 and "reason" in json.loads(unescape(re.search(r"data-refusal='([^']*)'", _text(no_reason)).group(1)))["errors"]
    stale = above.post(f"/self-scoring/months/{row.id}/step", data={"step": "recognise", "version": row.version - 1},
                       headers={"Accept": "text/html", "Referer": "http://localhost/self-scoring/waiting"})
    assert stale.status_code == 409
    assert above.post(f"/self-scoring/months/{row.id}/step", data={"step": "recognise", "version": row.version}).status_code == 302
    db.session.refresh(row)
    assert row.state == SelfScoreState.RECOGNISED


def test_the_collectives_page_opens_the_year_holding_today_not_the_next_one_being_registered(world, as_person):
    """In December the next year's cycle is open for registrations; the months being self-scored
    are still this year's."""
    this_year = operations.today().year
    f.year(this_year), f.year(this_year + 1)
    assert f"/self-scoring/{this_year}?unit_id={world.district.id}" in as_person(world.head).get("/self-scoring/").headers["Location"]


def test_the_api_reads_the_year_and_saves_and_submits_a_month(world, client):
    w = world
    headers = f.api_headers(w.head)
    saved = client.put(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}/months/6", json={"points": "91.25", "note": "Tốt"}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    etag = saved.headers["ETag"]
    assert saved.get_json()["points"] == "91.25" and saved.get_json()["state"] == "draft"
    stale = client.put(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}/months/6?submit=true", json={"points": "92", "version": 0},
                       headers=headers)
    assert stale.status_code == 412
    missing = client.put(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}/months/6", json={"points": "92"}, headers=headers)
    assert missing.status_code == 428
    submitted = client.put(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}/months/6?submit=true", json={"points": "92"},
                           headers={**headers, "If-Match": etag})
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    year = client.get(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}", headers=headers).get_json()
    assert year["required_months"] == 12 and year["recognised_months"] == 0 and len(year["months"]) == 12
    assert year["months"][5]["state"] == "submitted" and year["months"][0]["state"] is None
    refused = client.post(f"/api/v1/self-scoring/months/{submitted.get_json()['id']}/transitions",
                          json={"step": "recognise", "version": submitted.get_json()["version"]}, headers=headers)
    assert refused.status_code == 403
    outsider = client.get(f"/api/v1/self-scoring/{YEAR}/units/{w.district.id}", headers=f.api_headers(w.stranger))
    assert outsider.status_code == 403
    # Whoever recognises recognises, then withdraws the recognition: a reason is required.
    above = f.api_headers(w.above)
    month = submitted.get_json()
    recognised = client.post(f"/api/v1/self-scoring/months/{month['id']}/transitions", json={"step": "recognise", "version": month["version"]},
                             headers=above)
    assert recognised.status_code == 200 and recognised.get_json()["state"] == "recognised"
    no_reason = client.post(f"/api/v1/self-scoring/months/{month['id']}/transitions",
                            json={"step": "withdraw", "version": recognised.get_json()["version"]}, headers=above)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]["json"]
    withdrawn = client.post(f"/api/v1/self-scoring/months/{month['id']}/transitions",
                            json={"step": "withdraw", "version": recognised.get_json()["version"], "reason": "Thiếu biên bản"}, headers=above)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "returned"


# --- the year's end: 12/12 classified, 11/12 not classified -----------------------------------

import test_council_collectives_first as first  # noqa: E402
from test_council_tracks import _collective_plan  # noqa: E402


def test_a_recognition_given_in_error_is_withdrawn_with_a_reason_until_the_councils_list_is_final(world, as_person):
    """Once the council has finalised its list, neither recognising nor withdrawing moves the count it was drawn from."""
    from workflow.council.models import CouncilSession, SessionState
    from workflow.selfscoring.standing import recognised_months

    w = world
    row = _save(w, month=2, points=Decimal(90))
    operations.take_step(row, "submit", actor=w.head, version=row.version)
    operations.take_step(row, "recognise", actor=w.above, version=row.version)
    db.session.flush()
    assert recognised_months(w.collective.id, w.cycle.id) == 1
    path = f"/self-scoring/{YEAR}?unit_id={w.district.id}&month=2"
    # Only whoever recognises sees the button; the collective's head does not.
    assert "Hủy công nhận" in _text(as_person(w.above).get(path)) and "Hủy công nhận" not in _text(as_person(w.head).get(path))
    with pytest.raises(PermissionDenied):
        operations.take_step(row, "withdraw", actor=w.head, version=row.version, reason="Nhầm")
    above = as_person(w.above)
    no_reason = above.post(f"/self-scoring/months/{row.id}/step", data={"step": "withdraw", "version": row.version},
                           headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert no_reason.status_code == 422 and "reason" in json.loads(unescape(re.search(r"data-refusal='([^']*)'", _text(no_reason)).group(1)))["errors"]
    answer = above.post(f"/self-scoring/months/{row.id}/step", data={"step": "withdraw", "version": row.version,
                                                                     "reason": "Chưa có biên bản sinh hoạt chuyên đề quý I"})
    assert answer.status_code == 302
    db.session.expire_all()
    row = operations.month_of(w.collective, w.cycle, 2)
    assert row.state == SelfScoreState.RETURNED and row.returned_reason == "Chưa có biên bản sinh hoạt chuyên đề quý I"
    assert recognised_months(w.collective.id, w.cycle.id) == 0  # the year's count follows at once
    told = _mail("self_score_returned")[-1]
    assert told.recipient_id == w.head.id and told.subject == "Tháng 2/2026 của Huyện ủy Lạc Sơn đã bị hủy công nhận kết quả tự chấm điểm"
    assert "Chưa có biên bản sinh hoạt chuyên đề quý I" in told.body_text and "hủy công nhận" in told.body_text
    assert db.session.scalar(select(AuditEntry.reason).where(AuditEntry.action == "collective_self_score.withdraw")) == row.returned_reason
    # Corrected, submitted and recognised again; once the council has finalised its list, the
    # months recognised are what it was drawn from: no more withdrawing.
    operations.take_step(row, "submit", actor=w.head, version=row.version)
    operations.take_step(row, "recognise", actor=w.above, version=row.version)
    march = _save(w, month=3, points=Decimal(88))
    operations.take_step(march, "submit", actor=w.head, version=march.version)
    session = CouncilSession(cycle_id=w.cycle.id, held_on=date(YEAR, 12, 1), state=SessionState.FINALISED)
    db.session.add(session)
    db.session.flush()
    with pytest.raises(TransitionRefused, match="Hội đồng đã chốt danh sách đề xuất năm 2026"):
        operations.take_step(row, "withdraw", actor=w.above, version=row.version, reason="Nhầm")
    with pytest.raises(TransitionRefused, match="Hội đồng đã chốt danh sách đề xuất năm 2026"):  # nor recognising: the count would move
        operations.take_step(march, "recognise", actor=w.above, version=march.version)
    page = _text(above.get(path))
    assert "Hủy công nhận" in page and "disabled" in page.split("Hủy công nhận")[0].rsplit("<button", 1)[1]
    session.state = SessionState.OPEN  # the chair reopened the list: the months move again
    operations.take_step(march, "recognise", actor=w.above, version=march.version)
    db.session.flush()
    assert recognised_months(w.collective.id, w.cycle.id) == 2


@pytest.fixture
def finalised():
    """A district head and a commune's Party secretary scored, the commune's collective with its 12
    months recognised, the list finalised (tests/test_council_collectives_first.py)."""
    return getattr(first.commune, "__wrapped__", first.commune)()


def _drop_a_month(collective_plan, month=7):
    from workflow.selfscoring.models import CollectiveSelfScore

    row = db.session.scalar(select(CollectiveSelfScore).where(CollectiveSelfScore.subject_id == collective_plan.subject_id,
                                                              CollectiveSelfScore.month == month))
    db.session.delete(row)
    db.session.flush()


def test_twelve_months_recognised_are_classified_eleven_are_not_and_take_no_place_in_the_quota():
    """Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình: a collective whose self-scoring
    was recognised for 11 of the 12 months gets no proposed level and one sentence with its figures."""
    from workflow.council import proposals
    from workflow.selfscoring.standing import not_classified_named

    cycle = f.year(2027)
    head = f.person(Role.COMMITTEE)
    full = _collective_plan(cycle, f.unit(name="Đảng ủy xã Tân Lạc"), head, None, recognised=12)
    short = _collective_plan(cycle, f.unit(name="Đảng ủy xã Mường Khến"), head, None, recognised=11)
    panel = proposals.compute(cycle, track="collectives")
    assert [h.registration_id for h in panel.heads] == [full.id]
    assert len(panel.proposals) == 1  # the engine never saw the other: no level, no place in the quota
    [(row, standing)] = panel.not_classified
    assert row.registration_id == short.id and (standing.recognised, standing.required) == (11, 12)
    assert standing.sentence_vi() == ("Không xếp loại: tổ chức tự chấm điểm được cấp ủy công nhận 11/12 tháng "
                                      "(Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình).")
    assert [(r, name) for r, name, _ in not_classified_named(cycle)] == [(short.id, "Đảng ủy xã Mường Khến")]


def test_the_councils_workbook_has_a_sheet_per_track_and_says_why_a_collective_has_no_level(finalised):
    import io

    from openpyxl import load_workbook

    from workflow.council.export import write_workbook

    cycle, _, plan, collective, _, _, _ = finalised
    _drop_a_month(collective)
    out = io.BytesIO()
    write_workbook(cycle, out)
    out.seek(0)
    book = load_workbook(out, read_only=True)
    # The tracks in the order of their `position`: the collectives (classified first), then the commune leaders.
    assert book.sheetnames == ["Tổng hợp", "Tập thể cơ quan, đơn vị", "Lãnh đạo chủ chốt cấp xã", "Chỉ tiêu", "Điểm thành viên", "Thông tin"]
    leaders = list(book["Lãnh đạo chủ chốt cấp xã"].iter_rows(values_only=True))
    assert [row[1] for row in leaders[1:]] == [plan.unit.name]
    rows = list(book["Tập thể cơ quan, đơn vị"].iter_rows(values_only=True))
    line = dict(zip(rows[0], rows[1]))
    assert len(rows) == 2 and line["Cơ quan, đơn vị"] == collective.unit.name
    assert line["Đề xuất của Hội đồng"] == "Không xếp loại" and line["Quyết định của Ban Thường vụ"] == "Không xếp loại"
    assert line["Ghi chú"] == ("Không xếp loại: tổ chức tự chấm điểm được cấp ủy công nhận 11/12 tháng "
                               "(Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình).")


def test_the_committee_cannot_decide_a_level_for_a_collective_not_classified(finalised, client):
    from workflow.council import operations as council
    from workflow.council import queries

    cycle, _, plan, collective, _, session, committee = finalised
    _drop_a_month(collective)
    # Its line was frozen while it still had 12 months (a month recognised wrongly and taken back
    # since, in this story): the decision itself refuses.
    frozen = queries.frozen_proposals(session)[collective.id]
    with pytest.raises(ValidationFailed) as refused:
        council.decide(frozen, actor=committee, level="good")
    assert set(refused.value.errors) == {"level"} and "11/12" in refused.value.errors["level"][0]
    answer = client.post(f"/api/v1/council/cycles/{cycle.id}/decisions/{collective.id}", json={"level": "good", "reason": "Ban Thường vụ"},
                         headers=f.api_headers(committee))
    assert answer.status_code == 422 and "11/12" in answer.get_json()["errors"]["json"]["level"][0]
    assert council.accept_all(session, actor=committee) >= 0  # passes it by, refuses nothing


def test_a_collective_not_classified_is_settled_and_bounds_its_leader_below_the_top(finalised):
    """"Chi bộ không xuất sắc thì bí thư chi bộ, lãnh đạo phụ trách không thể xuất sắc" (the same
    article): a collective not classified counts, for its leaders, as not excellent — through the
    collectives' evidence and the rubric's bound, not special code."""
    from workflow.council import collectives, proposals
    from workflow.framework import sources

    cycle, _, plan, collective, _, _, _ = finalised
    assert proposals.compute(cycle, track="commune_leaders").proposal(plan.id).level == "excellent"  # an undecided collective bounds nobody yet
    _drop_a_month(collective)
    assert collectives.waiting_for(cycle.id) == {}  # nothing to wait for: there is no level to decide
    facts = [e for e in sources.evidence_for(cycle.id)[plan.id] if e.kind == "collective.level_rank"]
    assert len(facts) == 1 and "Không xếp loại" in facts[0].origin and "11/12" in facts[0].origin
    assert proposals.compute(cycle, track="commune_leaders").proposal(plan.id).level != "excellent"


def test_the_pages_the_sheet_and_the_api_say_why_a_collective_has_no_level(finalised, as_person, client):
    """One sentence with the figures and the Hòa Bình text on the council's list, the committee's
    decisions, the side-by-side report, the collective's result, its printed sheet (in
    Vietnamese) and the API (in the reader's language)."""
    import io

    from pypdf import PdfReader

    cycle, _, _, collective, _, _, committee = finalised
    _drop_a_month(collective)
    sentence = "Không xếp loại: tổ chức tự chấm điểm được cấp ủy công nhận 11/12 tháng (Hướng dẫn số 12, Quy định số 31 của BTV Tỉnh ủy Hòa Bình)."
    reader = as_person(committee)
    for path in (f"/council/{cycle.id}/proposals?track=collectives", f"/council/{cycle.id}/decisions", f"/council/{cycle.id}/collectives",
                 f"/council/results/{collective.id}"):
        page = unescape(_text(reader.get(path)))
        assert page.count(sentence) == 1, path
    pdf = reader.get(f"/council/results/{collective.id}/sheet.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Không xếp loại" in " ".join(text.split()) and "11/12" in text
    listed = client.get(f"/api/v1/self-scoring/{cycle.year}/not-classified", headers=f.api_headers(committee)).get_json()
    assert [(r["registration_id"], r["recognised_months"], r["required_months"], r["sentence"]) for r in listed] == [
        (collective.id, 11, 12, sentence)]
    committee.locale = "en"  # the committee member reads in English
    answer = client.get(f"/api/v1/council/results/{collective.id}", headers=f.api_headers(committee))
    assert answer.get_json()["not_classified"].startswith("Not classified: the organisation's self-scoring was recognised by the "
                                                          "committee above for 11/12 months")
