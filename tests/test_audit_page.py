"""The admin's audit-log page: access, filters, pagination, constant number of statements."""

import factories as f
from workflow.accounts.models import Role
from workflow.core import audit
from workflow.extensions import db

# The actions as the page words them (in Vietnamese, the default language).
REGISTRATION_SUBMITTED = '<td class="audit-action">Gửi bản đăng ký để thẩm định</td>'
REPORT_SUBMITTED = '<td class="audit-action">Người đứng đầu gửi báo cáo</td>'


def _entries(actor, n, action="registration.submit"):
    for i in range(n):
        audit.record(action, actor=actor, object_type="registration", object_id=i + 1, summary=f"mục {i}", reason="lý do" if i % 2 else "")
    db.session.flush()


def test_only_admins_see_the_audit_log(as_person):
    assert as_person(f.person(Role.STAFF)).get("/admin/audit").status_code == 403
    assert as_person(f.person(Role.ADMIN)).get("/admin/audit").status_code == 200


def test_filters(as_person):
    admin = f.person(Role.ADMIN, username="quantri")
    other = f.person(Role.STAFF, username="khac")
    _entries(admin, 3)
    _entries(other, 2, action="report.submit")
    c = as_person(admin)
    page = c.get("/admin/audit?actor=khac").get_data(as_text=True)
    assert page.count(REPORT_SUBMITTED) == 2 and REGISTRATION_SUBMITTED not in page
    page = c.get("/admin/audit?action=registration").get_data(as_text=True)
    assert page.count(REGISTRATION_SUBMITTED) == 3
    page = c.get("/admin/audit?area=targets").get_data(as_text=True)
    assert page.count(REGISTRATION_SUBMITTED) == 3 and REPORT_SUBMITTED not in page
    page = c.get("/admin/audit?object_type=registration&object_id=2").get_data(as_text=True)
    assert page.count('class="audit-action"') == 2
    page = c.get("/admin/audit?q=l%C3%BD+do").get_data(as_text=True)
    assert page.count('class="audit-action"') == 2  # entries 1 of each actor have a reason
    page = c.get("/admin/audit?since=2000-01-01&until=2000-01-02").get_data(as_text=True)
    assert 'class="audit-action"' not in page


def test_bad_filter_values_never_fail(as_person):
    c = as_person(f.person(Role.ADMIN))
    for query in ["since=not-a-date", "object_id=abc", "page=-3", "page=x&per_page=100000", "q=%25_%25", "actor=" + "a" * 5000]:
        assert c.get(f"/admin/audit?{query}").status_code == 200, query


def test_audit_page_runs_a_fixed_number_of_statements(as_person, count_statements):
    admin = f.person(Role.ADMIN)
    people = [f.person(Role.STAFF) for _ in range(5)]
    c = as_person(admin)

    def statements(n):
        for i in range(n):
            audit.record("x.y", actor=people[i % 5], object_type="t", object_id=i)
        db.session.commit()
        with count_statements() as counter:
            assert c.get("/admin/audit?per_page=100").status_code == 200
        return counter.count

    assert statements(10) == statements(1000)


def test_pagination(as_person):
    admin = f.person(Role.ADMIN)
    _entries(admin, 120)
    c = as_person(admin)
    first = c.get("/admin/audit").get_data(as_text=True)
    assert first.count(REGISTRATION_SUBMITTED) == 50
    last = c.get("/admin/audit?page=3").get_data(as_text=True)
    assert last.count(REGISTRATION_SUBMITTED) == 20
