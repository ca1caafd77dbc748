"""The pages and the API of the monthly round: the servant's month and self-assessment (Vietnamese
numbers and dates, a refused form keeps what was typed), the manager's team grid assessing the
whole team in one post with a constant number of statements, the head's approval, the year page
with its sentence, the catalogue page's import, and the API."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal
from html import unescape

import factories as f
from workflow.accounts.models import Role
from monthly_support import agency, planned, self_assessed, xlsx  # noqa: F401  (fixture)
from workflow.extensions import db
from workflow.monthly import operations
from workflow.monthly.models import MonthlyPlan, MonthState


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_servants_month_and_self_assessment_in_vietnamese(agency, as_person):
    plan = planned(agency, "lan")
    client = as_person(agency.lan)
    page = client.get("/monthly/?month=3")
    assert page.status_code == 200 and "Hồ sơ thẩm định" in _text(page)
    dossier, report = plan.lines
    form = {"version": plan.version, f"lines.{dossier.id}.delivered_quantity": "3,5", f"lines.{dossier.id}.delivered_on": "18/03/2026",
            f"lines.{dossier.id}.evidence_link": "https://eoffice.vinhphuc.gov.vn/hs/123", f"lines.{report.id}.delivered_quantity": "1",
            f"lines.{report.id}.delivered_on": "31/03/2026", "self_note": "Xong", "action": "submit"}
    answer = client.post(f"/monthly/months/{plan.id}/self", data=form, headers={"Accept": "text/html"})
    assert answer.status_code == 302
    db.session.expire_all()
    plan = db.session.get(MonthlyPlan, plan.id)
    assert plan.state == MonthState.SELF_ASSESSED and plan.lines[0].delivered_quantity == Decimal("3.5")
    assert plan.lines[0].delivered_on == date(2026, 3, 18)
    page = _text(client.get(f"/monthly/months/{plan.id}"))
    assert "3,5" in page and "18/03/2026" in page


def test_a_refused_self_assessment_keeps_what_was_typed(agency, as_person):
    plan = planned(agency, "lan")
    client = as_person(agency.lan)
    dossier = plan.lines[0]
    path = f"/monthly/months/{plan.id}"
    answer = client.post(f"{path}/self", data={"version": plan.version, f"lines.{dossier.id}.delivered_quantity": "ba",
                                               f"lines.{dossier.id}.note": "ghi chú của tôi"},
                         headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert answer.status_code == 422
    found = re.search(r"data-refusal='([^']*)'", answer.get_data(as_text=True))
    refusal = json.loads(unescape(found.group(1)))  # the month page again, with what was typed to put back
    assert refusal["values"][f"lines.{dossier.id}.note"] == ["ghi chú của tôi"]
    assert refusal["values"][f"lines.{dossier.id}.delivered_quantity"] == ["ba"]
    assert set(refusal["errors"]) == {f"lines.{dossier.id}.delivered_quantity"}


def test_the_team_grid_assesses_the_team_in_one_post_with_constant_statements(agency, as_person, count_statements):
    lan = self_assessed(planned(agency, "lan"), {1: ("4", date(2026, 3, 18)), 2: ("1", date(2026, 3, 30))})
    duc = planned(agency, "duc")
    client = as_person(agency.leader)
    period = agency.month(3)
    with count_statements() as few:
        page = client.get(f"/monthly/team?period_id={period.id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Phạm Thị Lan" in text and "Nguyễn Minh Đức" in text and "Lê Thị Hòa" not in text  # Hòa is the head's
    form = {"plan_id": [str(lan.id), str(duc.id)], f"plans.{lan.id}.version": lan.version, f"plans.{duc.id}.version": duc.version,
            f"lines.{lan.lines[0].id}.errors": "1", f"lines.{duc.lines[0].id}.assessed_quantity": "2",
            f"lines.{duc.lines[0].id}.assessed_on": "10/03/2026"}
    assert client.post(f"/monthly/team?period_id={period.id}", data=form).status_code == 302
    db.session.expire_all()
    lan, duc = db.session.get(MonthlyPlan, lan.id), db.session.get(MonthlyPlan, duc.id)
    # One dossier of four with an error (quality 75% → 91.67%), the report on time: (4 × 91.67 + 3 × 100) / 7 → 66.67 of 70.
    assert (lan.state, lan.points, lan.without_self_assessment) == (MonthState.ASSESSED, Decimal("66.67"), False)
    assert duc.state == MonthState.ASSESSED and duc.without_self_assessment
    # Two more members with their months: the page runs the same number of statements.
    for name in ("Trần Anh Tuấn", "Vũ Thu Hà"):
        person = f.person(full_name=name, unit=agency.unit, manager_id=agency.leader.id)
        from workflow import policy
        from workflow.framework import operations as framework
        subject = framework.add_subject(agency.subjects["lan"].track, unit_id=agency.unit.id, person_id=person.id, rules=agency.cycle.rules,
                                        actor=policy.SYSTEM)
        agency.subjects[name] = subject
        planned(agency, name)
    with count_statements() as more:
        assert client.get(f"/monthly/team?period_id={period.id}").status_code == 200
    assert more.count == few.count


def test_the_head_approves_the_agencys_month_and_the_year_page_explains(agency, as_person):
    plan = planned(agency, "hoa")
    operations.assess(plan, [{"line_id": ln.id, "assessed_quantity": ln.quantity, "assessed_on": ln.due_on} for ln in plan.lines],
                      actor=agency.head, version=plan.version)
    client = as_person(agency.head)
    period = agency.month(3)
    page = _text(client.get(f"/monthly/agency?period_id={period.id}"))
    assert "Lê Thị Hòa" in page and "Phê duyệt tất cả các tháng đã đánh giá" in page
    assert "Phê duyệt tất cả" not in _text(as_person(agency.leader).get(f"/monthly/agency?period_id={period.id}"))  # no agency of theirs
    assert "Tháng của cơ quan cần phê duyệt" in _text(client.get(f"/monthly/team?period_id={period.id}"))  # the head's way there
    response = client.post(f"/monthly/agency/approve?period_id={period.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/monthly/agency?period_id={period.id}")
    db.session.expire_all()
    assert db.session.get(MonthlyPlan, plan.id).state == MonthState.APPROVED
    year = _text(client.get(f"/monthly/year/{plan.subject_id}?cycle_id={agency.cycle.id}"))
    assert "70,00" in year and "Tháng 3/2026" in year
    assert "trung bình" in year  # the [periods] rule's sentence, from the engine's note
    # The rule in officials' words, never the rubric's code word.
    assert "điểm kết quả thực hiện nhiệm vụ của năm là trung bình cộng điểm các tháng đã làm việc" in year
    assert "[periods]" not in year and "= mean" not in year
    assert as_person(agency.duc).get(f"/monthly/year/{plan.subject_id}?cycle_id={agency.cycle.id}").status_code == 403


def test_the_catalogue_page_imports_and_names_bad_rows(agency, as_person):
    client = as_person(agency.head)
    assert "Hồ sơ thẩm định" in _text(client.get(f"/monthly/catalogue?unit_id={agency.unit.id}"))
    bad = xlsx([["Mã", "Tên sản phẩm", "Đơn vị tính", "Hệ số quy đổi"], ["A-1", "Báo cáo", "báo cáo", "x"]])
    path = f"/monthly/catalogue?unit_id={agency.unit.id}"
    answer = client.post(f"/monthly/catalogue/import?unit_id={agency.unit.id}", data={"file": (io.BytesIO(bad), "danh-muc.xlsx")},
                         content_type="multipart/form-data", headers={"Accept": "text/html", "Referer": f"http://localhost{path}"})
    assert answer.status_code == 422
    assert "Dòng 2, cột “Hệ số quy đổi”" in _text(answer)
    good = xlsx([["Mã", "Tên sản phẩm", "Đơn vị tính", "Hệ số quy đổi"], ["A-1", "Báo cáo chuyên đề", "báo cáo", "2,5"]])
    assert client.post(f"/monthly/catalogue/import?unit_id={agency.unit.id}", data={"file": (io.BytesIO(good), "danh-muc.xlsx")},
                       content_type="multipart/form-data").status_code == 302
    assert "Báo cáo chuyên đề" in _text(client.get(path))


def test_the_api_takes_a_month_from_plan_to_assessment(agency, client):
    period = agency.month(5)
    manager = f.api_headers(agency.leader)
    servant = f.api_headers(agency.lan)
    made = client.post("/api/v1/monthly/months", json={"subject_id": agency.subjects["lan"].id, "period_id": period.id}, headers=manager)
    assert made.status_code == 201, made.get_json()
    plan_id = made.get_json()["id"]
    added = client.post(f"/api/v1/monthly/months/{plan_id}/lines", json={"product_id": agency.inspection.id, "quantity": 2},
                        headers={**manager, "If-Match": made.headers["ETag"]})
    assert added.status_code == 201, added.get_json()
    step = client.post(f"/api/v1/monthly/months/{plan_id}/transitions", json={"step": "assign", "version": added.get_json()["version"]}, headers=manager)
    assert step.get_json()["state"] == "agreed"
    line = step.get_json()["lines"][0]
    saved = client.put(f"/api/v1/monthly/months/{plan_id}/self-assessment", headers=servant,
                       json={"version": step.get_json()["version"], "entries": [{"line_id": line["id"], "delivered_quantity": 2, "delivered_on": "2026-05-29"}]})
    assert saved.status_code == 200, saved.get_json()
    refused = client.put(f"/api/v1/monthly/months/{plan_id}/assessment", headers=servant, json={"version": saved.get_json()["version"], "entries": []})
    assert refused.status_code == 403
    stale = client.put(f"/api/v1/monthly/months/{plan_id}/assessment", headers=manager, json={"version": 1, "entries": []})
    assert stale.status_code == 412
    assessed = client.put(f"/api/v1/monthly/months/{plan_id}/assessment", headers=manager, json={"version": saved.get_json()["version"], "entries": []})
    assert assessed.status_code == 200 and assessed.get_json()["points"] == "70.00" and assessed.get_json()["without_self_assessment"]


def test_the_administrator_names_a_direct_manager_on_the_persons_page(agency, as_person):
    admin = as_person(f.person(Role.ADMIN))
    page = _text(admin.get(f"/admin/people/{agency.hoa.id}"))
    assert "Lãnh đạo trực tiếp" in page and "Trưởng phòng Công chức" in page  # her colleagues to choose from
    assert admin.post(f"/monthly/people/{agency.hoa.id}/manager", data={"manager_id": str(agency.leader.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(agency.hoa), agency.hoa.id).manager_id == agency.leader.id


def test_the_heads_home_page_counts_the_months_waiting_and_servants_find_their_month(agency, as_person):
    from datetime import timedelta

    from workflow import policy
    from workflow.core import formats
    from workflow.core.models import utcnow
    from workflow.cycles.models import Cycle
    from workflow.cycles.operations import create_cycle
    from workflow.monthly import queries

    today = formats.local(utcnow()).date()
    last = today.replace(day=1) - timedelta(days=1)
    for year in {last.year, today.year}:
        if db.session.scalar(db.select(Cycle).where(Cycle.year == year)) is None:
            create_cycle(year, actor=policy.SYSTEM)
    period = queries.current_month(last)
    if period.due_on < today:
        period = queries.current_month(today)
    for who, manager, agree in (("hoa", agency.head, True), ("lan", agency.leader, False)):
        plan = operations.open_month(agency.subjects[who], period, actor=manager)
        db.session.flush()
        operations.add_line(plan, {"name": "Báo cáo", "measure": "báo cáo", "quantity": Decimal(1)}, actor=manager, version=plan.version)
        db.session.flush()
        if agree:
            operations.take_step(plan, "assign", actor=manager, version=plan.version)
    home = as_person(agency.head).get("/")
    text = _text(home)
    assert f"Tháng {period.number}/{period.cycle.year}" in text and "Đã giao sản phẩm 1" in text and "Đang lập kế hoạch 1" in text
    assert f"/monthly/team?period_id={period.id}" in home.get_data(as_text=True)
    assert f"/monthly/agency?period_id={period.id}" in home.get_data(as_text=True)
    assert "Tháng này" in _text(as_person(agency.lan).get("/"))  # a servant's way to their month


def test_every_rule_of_the_year_from_its_months_has_words():
    from workflow.monthly.views import YEAR_RULES
    from workflow.scoring.engine.methods import YEAR_FROM_PERIODS

    assert set(YEAR_RULES) == set(YEAR_FROM_PERIODS)
