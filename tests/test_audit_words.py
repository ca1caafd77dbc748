"""The audit log in words: every action the application records and every kind of object it
records it on has words (workflow.admin.audit_display), and the page shows them with a link to
the object, never the codes (`council.committee.decide`, `council_decision #45`, `good`)."""

from __future__ import annotations

import re
from pathlib import Path

import factories as f
from council_support import awaiting_decisions
from workflow.accounts import operations as accounts
from workflow.accounts.models import Role
from workflow.admin.audit_display import ACTIONS, LINKS, OBJECTS
from workflow.council import operations, queries
from workflow.council.workflow import OBJECTION
from workflow.cycles.workflow import CYCLE_WORKFLOW
from workflow.extensions import db
from workflow.monthly.workflow import MONTH
from workflow.reports.workflow import REPORT
from workflow.targets.workflow import AMENDMENT, PROPOSAL, REGISTRATION

SOURCE = Path(__file__).parent.parent / "workflow"
LITERAL = re.compile(r"""(?:audit\.record|_record)\(\s*(?:engine,\s*)?"([a-z_.]+)\"""")
STEPS = re.compile(r"""audit\.record\(\s*f"([a-z_.]+)\.\{step\}\"""")
# The actions named in a variable: action = "…" next to the record call.
ASSIGNED = re.compile(r"""action = "([a-z_]+\.[a-z_.]+)"(?: if .*? else "([a-z_]+\.[a-z_.]+)")?""")
WORKFLOWS = {"registration": REGISTRATION, "proposal": PROPOSAL, "amendment": AMENDMENT, "report": REPORT,
             "cycle": CYCLE_WORKFLOW, "council.objection": OBJECTION, "monthly_plan": MONTH}
# Tables whose rows are never the object of an audit entry (details of another object, logs).
NEVER_AUDITED = {"audit_entry", "report_entry", "report_version", "revision", "role_grant", "council_proposal", "council_attendance",
                 "job_run", "scheduler_lease", "form_draft", "sign_in_session", "rate_limit_counter"}


def _recorded_actions() -> set[str]:
    actions: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        actions |= set(LITERAL.findall(text))
        for first, second in ASSIGNED.findall(text):
            actions |= {a for a in (first, second) if a}
        for prefix in STEPS.findall(text):
            actions |= {f"{prefix}.{t.name}" for t in WORKFLOWS[prefix].transitions}
    return actions


def test_every_recorded_action_has_words():
    recorded = _recorded_actions()
    assert len(recorded) > 80, "the scan of the sources found too few actions: has the way they are recorded changed?"
    assert not sorted(recorded - set(ACTIONS)), "add words for these in workflow/admin/audit_display.py"


# Mail templates that serve several kinds, each with its own words (report_due_in_7, …).
SHARED_TEMPLATES = {"rating_case": ("rating_case_opened", "rating_case_reminder", "rating_case_escalated"),
                    "report_reminder": ("report_due_in_7", "report_overdue_3")}


def test_every_kind_of_message_has_words(app):
    """The outbox and a person's messages name each kind in words, never "Other message"."""
    from workflow.notifications.display import kind_label, kind_labels

    templates = {p.stem for p in (SOURCE.parent / "templates" / "mail").glob("*.txt") if not p.stem.startswith(("_", "base"))}
    with app.test_request_context():
        known, other = set(kind_labels()), kind_label("no_such_kind")
        assert not sorted(templates - known - set(SHARED_TEMPLATES)), "add words for these in workflow/notifications/display.py"
        for kinds in SHARED_TEMPLATES.values():
            assert all(kind_label(kind) != other for kind in kinds)


def test_every_kind_of_object_has_words_and_links_point_at_real_columns():
    tables = set(db.metadata.tables)
    assert not sorted(tables - NEVER_AUDITED - set(OBJECTS)), "add words for these in workflow/admin/audit_display.py"
    for object_type, (column, _) in LINKS.items():
        assert column in db.metadata.tables[object_type].c, object_type


def test_the_page_says_what_was_done_on_what_in_words_with_a_link(as_person):
    cycle = f.year(2027)
    registration, _, session = awaiting_decisions(cycle)
    committee = f.person(Role.COMMITTEE, full_name="Hoàng Thế Dũng")
    proposal = queries.frozen_proposals(session)[registration.id]
    decision = operations.decide(proposal, actor=committee, level="completed", reason="Thanh tra tỉnh kết luận chậm tiến độ")
    admin = f.person(Role.ADMIN)
    head = f.head_of(registration)
    accounts.grant_role(head, Role.COUNCIL, actor=admin)
    db.session.flush()

    page = as_person(admin).get("/admin/audit").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Ban Thường vụ quyết định xếp loại" in text
    assert f"{head.full_name} — {registration.unit.name}" in text
    assert "Mức xếp loại: Hoàn thành nhiệm vụ" in text
    assert f'href="/council/results/{registration.id}">Quyết định xếp loại</a>' in page  # the decision, linked to the head's result
    assert "Vai trò: Hội đồng tư vấn" in text and "Giao vai trò" in text
    assert "Chức danh trong Hội đồng: Chủ tịch" in text
    for code in ("council.committee.decide", "council_decision", f"#{decision.id}", ": completed", "account.role_grant", "council@", "(chair)"):
        assert code not in text, code


def test_filtering_by_area_and_kind_of_object_in_words(as_person):
    admin = f.person(Role.ADMIN)
    unit = f.unit(name="Sở Tư pháp")
    head = f.person()
    accounts.grant_role(head, Role.HEAD, actor=admin, unit_id=unit.id)
    db.session.flush()
    client = as_person(admin)
    page = client.get("/admin/audit?area=accounts").get_data(as_text=True)
    assert "Giao vai trò" in page and f"{head.username} — Sở Tư pháp" in page and "Vai trò: Người đứng đầu" in page
    page = client.get("/admin/audit?area=units").get_data(as_text=True)
    assert "Giao vai trò" not in page
    page = client.get(f"/admin/audit?object_type=person&object_id={head.id}").get_data(as_text=True)
    assert "Chỉ những thay đổi của một đối tượng: Tài khoản." in page
