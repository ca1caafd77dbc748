"""Who may administer what: the administration rules as a table (role × action), and the pages
and endpoints that enforce them."""

import pytest

import factories as f
from workflow import policy
from workflow.accounts.models import Role

ADMIN_ACTIONS = ["admin.view", "admin.audit.view", "admin.units.manage", "admin.accounts.manage", "admin.cycles.manage", "directory.import"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_only_administrators_administer(role, action):
    assert policy.can(f.person(role), action) is (role == Role.ADMIN)


@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_a_deactivated_administrator_administers_nothing(action):
    assert not policy.can(f.person(Role.ADMIN, active=False), action)


def test_several_roles_include_admin():
    assert policy.can(f.person(Role.HEAD, Role.ADMIN), "admin.units.manage")


PAGES = [
    "/admin",
    "/admin/units",
    "/admin/units/new",
    "/admin/unit-groups",
    "/admin/unit-groups/new",
    "/admin/people",
    "/admin/people/new",
    "/admin/cycles",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [Role.HEAD, Role.STAFF, Role.COMMITTEE, Role.COUNCIL])
def test_admin_pages_are_refused_to_other_roles(as_person, path, role):
    assert as_person(f.person(role)).get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_open_for_administrators(as_person, path):
    response = as_person(f.person(Role.ADMIN)).get(path)
    assert response.status_code == 200
    assert 'aria-current="page"' in response.get_data(as_text=True)


def test_object_pages_are_refused_to_other_roles(as_person):
    unit = f.unit()
    person = f.person(Role.STAFF)
    cycle = f.cycle(2027)
    c = as_person(f.person(Role.STAFF))
    for path in (f"/admin/units/{unit.id}", f"/admin/people/{person.id}", f"/admin/cycles/{cycle.id}", f"/admin/unit-groups/{unit.group_id}"):
        assert c.get(path).status_code == 403, path
    for path in (f"/admin/units/{unit.id}/delete", f"/admin/people/{person.id}/deactivate", f"/admin/cycles/{cycle.id}/step"):
        assert c.post(path).status_code == 403, path


def test_the_navigation_shows_administration_to_administrators_only(as_person):
    assert "/admin\"" not in as_person(f.person(Role.STAFF)).get("/").get_data(as_text=True)
    page = as_person(f.person(Role.ADMIN)).get("/admin/units").get_data(as_text=True)
    # The administration's pages are one menu, highlighted on all of them, with the landing page marked.
    assert 'class="nav-link dropdown-toggle text-nowrap active"' in page
    assert 'class="dropdown-item active" href="/admin" aria-current="page"' in page


def test_landing_page_counts(as_person):
    admin = f.person(Role.ADMIN)
    f.unit()
    f.person((Role.HEAD, f.unit()))
    f.cycle(2027)
    page = as_person(admin).get("/admin").get_data(as_text=True)
    assert 'data-testid="count-units">2<' in page
    assert 'data-testid="count-people">2<' in page
    assert "Năm 2027" in page


# action, whose account, who may (of: the person themself, an administrator, a colleague)
ACCOUNT_TABLE = [
    ("account.tokens.manage", "own", {"themself"}),
    ("account.profile.edit", "own", {"themself"}),
    ("account.password.set", "own", {"themself", "admin"}),
    ("account.sessions.end", "own", {"themself", "admin"}),
    ("account.tokens.manage", "another's", set()),
    ("account.profile.edit", "another's", set()),
    ("account.password.set", "another's", {"admin"}),
    ("account.sessions.end", "another's", {"admin"}),
]


@pytest.mark.parametrize("action, whose, allowed", ACCOUNT_TABLE, ids=[f"{a}:{w}" for a, w, _ in ACCOUNT_TABLE])
def test_accounts_are_their_owners_and_the_administrators(action, whose, allowed):
    person = f.person(Role.HEAD)
    people = {"themself": person, "admin": f.person(Role.ADMIN), "colleague": f.person(Role.STAFF)}
    subject = person if whose == "own" else f.person(Role.COMMITTEE)
    assert {name for name, actor in people.items() if policy.can(actor, action, subject)} == allowed
