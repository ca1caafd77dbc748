"""Edits at the same moment, as real concurrent requests (two threads, two database
connections), on SQLite and PostgreSQL alike:

- two people editing two different targets of one registration both succeed, round after
  round, and the revisions hold both changes (independent objects do not conflict);
- two people saving one target from the same version: one succeeds, the other gets 412 from
  the API and its form again with the conflict message from the page, on both databases.

On PostgreSQL both requests are held until each has read what it edits (so they overlap for
certain); SQLite's writing requests take turns from their first statement, so there they are
only started together.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import factories as f
import files
from conftest import sign_in
from workflow.accounts.models import Role
from workflow.extensions import db
from workflow.targets import operations
from workflow.targets.models import Revision, Target

pytestmark = pytest.mark.real_commits
ROUNDS = 5


@pytest.fixture
def under_review(app):
    """A submitted registration with two targets, and two committee members who edit it."""
    registration = f.complete_registration("submitted")
    committee = [f.person(Role.COMMITTEE, full_name=f"Ủy viên {n}") for n in (1, 2)]
    db.session.commit()
    return registration.id, [t.id for t in registration.targets[:2]], committee


@pytest.fixture
def at_once(app, monkeypatch):
    """at_once(module, name) -> run(*calls): the calls as requests in threads started together,
    each held when it reaches the operation `module.name` until both have (PostgreSQL)."""
    overlap = db.engine.dialect.name == "postgresql"

    def hold(module: Any, name: str) -> Callable[..., list[Any]]:
        barrier = threading.Barrier(2, timeout=20)
        original = getattr(module, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            if overlap:
                barrier.wait()
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

        def run(*calls: Callable[[], Any]) -> list[Any]:
            barrier.reset()
            start = threading.Barrier(len(calls), timeout=20)
            results: list[Any] = [None] * len(calls)

            def worker(i: int) -> None:
                start.wait()
                results[i] = calls[i]()

            threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            return results

        return run

    return hold


@pytest.fixture
def together(at_once):
    return at_once(operations, "update_target")


def _patch(app, person, registration_id: int, target_id: int, version: int, value: str) -> Callable[[], Any]:
    headers = f.api_headers(person)
    headers["If-Match"] = f'"target-{target_id}-v{version}"'
    client = app.test_client()
    url = f"/api/v1/registrations/{registration_id}/targets/{target_id}"
    return lambda: client.patch(url, json={"weight": value, "reason": "Điều chỉnh tỷ trọng theo ý kiến Ban Thường vụ"}, headers=headers)


def _versions(target_ids: list[int]) -> dict[int, int]:
    db.session.expire_all()
    return {t: db.session.get(Target, t).version for t in target_ids}


def test_two_targets_of_one_registration_edited_at_once_both_succeed(app, under_review, together):
    registration_id, (first, second), committee = under_review
    for n in range(ROUNDS):
        versions = _versions([first, second])
        weights = (str(30 + n), str(20 + n))
        answers = together(_patch(app, committee[0], registration_id, first, versions[first], weights[0]),
                           _patch(app, committee[1], registration_id, second, versions[second], weights[1]))
        assert [a.status_code for a in answers] == [200, 200], f"round {n + 1}: {[a.get_json() for a in answers]}"
        db.session.expire_all()
        assert (db.session.get(Target, first).weight, db.session.get(Target, second).weight) == tuple(Decimal(w) for w in weights)
    revisions = db.session.scalars(select(Revision).where(Revision.registration_id == registration_id).order_by(Revision.number)).all()
    assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
    # The latest revision is taken after both edits of the last round: it holds both.
    latest = {t["id"]: t["weight"] for t in revisions[-1].snapshot}
    assert (latest[first], latest[second]) == (str(30 + ROUNDS - 1), str(20 + ROUNDS - 1))


def test_one_target_saved_twice_from_one_version_is_412_for_the_second(app, under_review, together):
    registration_id, (first, _), committee = under_review
    version = _versions([first])[first]
    answers = together(_patch(app, committee[0], registration_id, first, version, "35"),
                       _patch(app, committee[1], registration_id, first, version, "45"))
    assert sorted(a.status_code for a in answers) == [200, 412], [a.get_json() for a in answers]
    refused = next(a for a in answers if a.status_code == 412).get_json()
    assert refused["details"]["current_version"] == version + 1
    db.session.expire_all()
    assert db.session.get(Target, first).weight == Decimal(next(w for a, w in zip(answers, ("35", "45"), strict=True) if a.status_code == 200))


def test_the_form_that_loses_the_race_shows_its_conflict_message(app, under_review, together):
    registration_id, (first, _), committee = under_review
    target = db.session.get(Target, first)
    version = target.version
    form = {
        "kind": "quantitative", "title": target.title, "field": target.field, "measure": target.measure, "baseline": "1000", "target_value": "1200",
        "direction": "higher", "plan_q1": "300", "plan_q2": "600", "plan_q3": "900", "plan_q4": "1200", "version": str(version),
        "reason": "Điều chỉnh tỷ trọng",
    }

    def post(person, weight: str) -> Callable[[], Any]:
        client = sign_in(app.test_client(), person)
        return lambda: client.post(f"/registrations/{registration_id}/targets/{first}/edit", data={**form, "weight": weight})

    answers = together(post(committee[0], "35"), post(committee[1], "45"))
    assert sorted(a.status_code for a in answers) == [302, 409]
    page = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert "Người khác đã thay đổi nội dung này" in page and 'name="weight"' in page
    db.session.expire_all()
    assert db.session.get(Target, first).weight == Decimal("35" if answers[0].status_code == 302 else "45")


def test_two_files_uploaded_to_one_report_at_once_are_both_kept(app, at_once):
    """Each upload stamps the report and counts its files: the two take turns."""
    from workflow.reports import operations as reports
    from workflow.reports.models import Evidence

    registration = f.assigned_registration()
    report = f.report(registration, 1)
    head = f.head_of(registration)
    run = at_once(reports, "add_evidence")
    url = f"/api/v1/reports/{report.id}/evidence"

    def upload(name: str) -> Callable[[], Any]:
        client, headers = app.test_client(), f.api_headers(head)  # a token each: two tabs, two scripts
        return lambda: client.post(url, data={"file": (io.BytesIO(files.pdf_bytes(name)), f"{name}.pdf")}, headers=headers,
                                   content_type="multipart/form-data")

    answers = run(upload("Biên bản nghiệm thu"), upload("Báo cáo tiến độ"))
    assert [a.status_code for a in answers] == [201, 201], [a.get_json() for a in answers]
    assert len(db.session.scalars(select(Evidence).where(Evidence.report_id == report.id)).all()) == 2
