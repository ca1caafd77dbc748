"""The evaluation framework: tracks from the rules, a cycle's periods per track, subjects (a person
in two tracks, collectives), plans per track and subject, the evidence-source seam, and the
admin pages and API over them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import factories as f
from workflow import policy
from workflow.accounts.models import Role
from workflow.core.errors import ValidationFailed
from workflow.cycles.operations import create_cycle
from workflow.extensions import db
from workflow.framework import operations, queries, sources
from workflow.framework.models import PeriodKind, Subject, SubjectKind
from workflow.framework.periods import spans
from workflow.framework.rules import tracks_of
from workflow.rules import RulesError, load_rules, parse_rules
from workflow.targets.models import Registration


@pytest.fixture
def cycle_2026():
    return create_cycle(2026, actor=policy.SYSTEM)


def _spans(cycle, kind, **rule):
    return {s.number: s for s in spans(cycle, {"periods": kind, **rule})}


def test_a_new_cycle_gets_every_track_of_its_rules_with_its_periods(cycle_2026):
    counts = queries.period_counts(cycle_2026.id)
    by_code = {t.code: counts.get(t.id, 0) for t in queries.tracks()}
    assert by_code == {"collectives": 1, "heads": 4, "deputies": 1, "commune_leaders": 4, "civil_servants": 12, "public_employees": 4}
    # Opening again makes nothing twice.
    operations.open_tracks(cycle_2026, actor=policy.SYSTEM)
    assert queries.period_counts(cycle_2026.id) == counts


def test_months_are_due_on_the_configured_working_day_of_the_next_month(cycle_2026):
    months = _spans(cycle_2026, "month", due_working_day=5)
    assert (months[1].starts_on, months[1].ends_on) == (date(2026, 1, 1), date(2026, 1, 31))
    assert months[1].due_on == date(2026, 2, 6)  # 1/2/2026 is a Sunday: 2, 3, 4, 5, 6 February
    assert months[2].ends_on == date(2026, 2, 28)
    assert months[12].due_on == date(2027, 1, 8)  # 1/1/2027 is a public holiday: 4 … 8 January
    assert _spans(cycle_2026, "month", due_working_day=1)[12].due_on == date(2027, 1, 4)


def test_quarters_follow_the_report_windows_and_the_year_is_due_with_the_fourth(cycle_2026):
    quarters = _spans(cycle_2026, "quarter")
    assert (quarters[3].starts_on, quarters[3].ends_on, quarters[3].due_on) == (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 12))
    year = _spans(cycle_2026, "year")[1]
    assert (year.starts_on, year.ends_on, year.due_on) == (date(2026, 1, 1), date(2026, 12, 31), quarters[4].due_on)


def test_a_person_can_be_the_subject_of_two_tracks(cycle_2026):
    unit = f.unit()
    deputy = f.person(unit=unit)
    for code in ("deputies", "civil_servants"):
        operations.add_subject(queries.track(code), unit_id=unit.id, person_id=deputy.id, rules=cycle_2026.rules, actor=policy.SYSTEM)
    assert [s.track.code for s in queries.subjects_of_person(deputy.id)] == ["deputies", "civil_servants"]
    with pytest.raises(ValidationFailed) as refused:
        operations.add_subject(queries.track("deputies"), unit_id=unit.id, person_id=deputy.id, rules=cycle_2026.rules, actor=policy.SYSTEM)
    assert "unit_id" in refused.value.errors


def test_collectives_are_units_and_persons_are_people(cycle_2026):
    unit = f.unit()
    someone = f.person(unit=unit)
    with pytest.raises(ValidationFailed) as refused:
        operations.add_subject(queries.track("collectives"), unit_id=unit.id, person_id=someone.id, rules=cycle_2026.rules, actor=policy.SYSTEM)
    assert "person_id" in refused.value.errors or "unit_id" in refused.value.errors
    with pytest.raises(ValidationFailed):
        operations.add_subject(queries.track("civil_servants"), unit_id=unit.id, person_id=None, rules=cycle_2026.rules, actor=policy.SYSTEM)
    collective = operations.add_subject(queries.track("collectives"), unit_id=unit.id, person_id=None, rules=cycle_2026.rules, actor=policy.SYSTEM)
    assert collective.kind == SubjectKind.COLLECTIVE and collective.person_id is None


def test_a_title_names_a_sheet_of_the_tracks_rubric(cycle_2026):
    commune = f.unit()
    secretary, other = f.person(unit=commune), f.person(unit=commune)
    track = queries.track("commune_leaders")
    subject = operations.add_subject(track, unit_id=commune.id, person_id=secretary.id, title="party_secretary_commune", rules=cycle_2026.rules,
                                     actor=policy.SYSTEM)
    assert subject.title == "party_secretary_commune"
    with pytest.raises(ValidationFailed) as refused:
        operations.add_subject(track, unit_id=commune.id, person_id=other.id, title="no_such_sheet", rules=cycle_2026.rules, actor=policy.SYSTEM)
    assert "title" in refused.value.errors


def test_only_administrators_place_subjects(cycle_2026):
    head = f.person(Role.HEAD)
    with pytest.raises(Exception) as refused:
        operations.add_subject(queries.track("civil_servants"), unit_id=head.unit_id, person_id=head.id, rules=cycle_2026.rules, actor=head)
    assert type(refused.value).__name__ == "PermissionDenied"


def test_a_plan_belongs_to_a_track_and_subject_and_a_unit_has_one_per_track():
    registration = f.registration()
    assert registration.track.code == "heads" and registration.subject.person_id == registration.head_id
    collective = operations.subject_of(operations.track_in(registration.cycle, "collectives"), unit_id=registration.unit_id, person_id=None)
    other = Registration(cycle=registration.cycle, track=collective.track, subject=collective, unit_id=registration.unit_id,
                         head_id=registration.head_id)
    db.session.add(other)
    db.session.flush()  # the unit's collective plan beside its head's: one per cycle, track and subject
    assert db.session.scalar(select(Registration.id).where(Registration.unit_id == registration.unit_id,
                                                           Registration.track_id == registration.track_id)) == registration.id


def test_a_report_belongs_to_its_quarter_period():
    registration = f.assigned_registration()
    report = f.report(registration, 2)
    assert (report.period.kind, report.period.number, report.period.track.code) == (PeriodKind.QUARTER, 2, "heads")
    assert report.period.starts_on <= report.due_on


def test_rules_without_the_heads_track_or_with_an_unknown_period_are_refused():
    base = 'version = "t"\n'
    with pytest.raises(RulesError, match="heads"):
        parse_rules(base + '[tracks.cs]\nname = { vi = "Công chức", en = "Civil servants" }\nsubjects = "person"\n')
    with pytest.raises(RulesError, match="periods"):
        parse_rules(base + '[tracks.heads]\nname = { vi = "A", en = "A" }\nsubjects = "person"\nperiods = "fortnight"\n')
    # Rules without a [tracks] section (every cycle made before it existed) hold the heads track alone.
    assert list(tracks_of(parse_rules(base))) == ["heads"]
    assert set(tracks_of(load_rules("config/rules/default.toml"))) >= {"heads", "civil_servants", "collectives"}


def test_evidence_sources_give_facts_by_plan_in_one_statement_each(count_statements):
    from workflow.council.models import DisciplineRecord

    registration = f.assigned_registration()
    clean = f.assigned_registration()
    db.session.add(DisciplineRecord(cycle_id=registration.cycle_id, registration_id=registration.id, reference="15-QĐ/UBKTTU",
                                    reason="khiển trách", recorded_by_id=registration.head_id))
    db.session.flush()
    assert "discipline" in sources.names()
    with count_statements() as counter:
        found = sources.evidence_for(registration.cycle_id)
    assert counter.count == len(sources.names())
    assert [e.kind for e in found[registration.id]] == ["discipline.any"] and clean.id not in found
    assert sources.disciplined(found[registration.id])


def test_tracks_api_and_admin_pages(as_person, cycle_2026):
    admin, head = f.person(Role.ADMIN), f.person(Role.HEAD)
    unit = head.unit
    db.session.commit()
    c = as_person(head)
    tracks = c.get(f"/api/v1/tracks?cycle_id={cycle_2026.id}").get_json()
    servants = next(t for t in tracks if t["code"] == "civil_servants")
    assert servants["rule"]["periods"] == "month" and servants["subject_kind"] == "person"
    months = c.get(f"/api/v1/tracks/{servants['id']}/periods?cycle_id={cycle_2026.id}").get_json()
    assert [p["number"] for p in months] == list(range(1, 13)) and months[0]["due_on"] == "2026-02-06"
    assert c.post(f"/api/v1/tracks/{servants['id']}/subjects", json={"unit_id": unit.id, "person_id": head.id}).status_code == 403
    a = as_person(admin)
    made = a.post(f"/api/v1/tracks/{servants['id']}/subjects", json={"unit_id": unit.id, "person_id": head.id})
    assert made.status_code == 201 and made.get_json()["person"]["id"] == head.id
    listed = a.get(f"/api/v1/tracks/{servants['id']}/subjects").get_json()
    assert listed["meta"]["total"] == 1
    # The pages: the list, a track with its months, a refused form kept with field messages.
    page = a.get("/admin/tracks").get_data(as_text=True)
    assert "Công chức" in page and "Hằng tháng" in page
    detail = a.get(f"/admin/tracks/{servants['id']}?cycle_id={cycle_2026.id}").get_data(as_text=True)
    assert "06/02/2026" in detail and head.full_name in detail
    refused = a.post(f"/admin/tracks/{servants['id']}", data={"unit_code": "KHONG-CO", "username": "ai-do"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "KHONG-CO" in body and "Không có đơn vị nào có mã này" in body
    subject = db.session.scalar(select(Subject).where(Subject.person_id == head.id))
    assert a.post(f"/admin/tracks/subjects/{subject.id}/active", data={"active": "0", "version": subject.version}).status_code == 302
    db.session.refresh(subject)
    assert subject.active is False
    assert as_person(head).get("/admin/tracks").status_code == 403
