"""A button or link is shown only to those whom the policy lets use it: a table over the roles of
one evaluated cycle, page by page. Each row names what a person sees and what they must not see,
and every link to the committee's decisions that a page shows opens for that person."""

from __future__ import annotations

import re

import pytest

import factories as f
from council_support import awaiting_decisions, council
from workflow.accounts.models import Role

DECISIONS_LINK = "Quyết định của Ban Thường vụ"
DECIDE_BUTTON = 'name="reason"'  # the committee's decision form on the decisions page
PUBLISH_BUTTON = 'value="publish"'


@pytest.fixture
def evaluated(app):
    """A cycle whose council has scored and whose chair finalised the list; another cycle's council
    that only some people sit on."""
    cycle = f.year(2027)
    _, seats, _ = awaiting_decisions(cycle, members=2)
    other = f.year(2026)
    council(other, members=1)
    people = {
        "committee": f.person(Role.COMMITTEE),
        "admin": f.person(Role.ADMIN),
        "staff": f.person(Role.STAFF),
        "chair": seats["chair"].person,
        "secretary": seats["secretary"].person,
        "member": seats["m1"].person,
    }
    return cycle, other, people


# (person, page, shown, not shown): the page's path is formatted with the cycle's id.
TABLE = [
    ("committee", "/council/{c}/session", [DECISIONS_LINK], []),
    ("admin", "/council/{c}/session", [DECISIONS_LINK], []),
    ("chair", "/council/{c}/session", [DECISIONS_LINK], []),
    ("secretary", "/council/{c}/session", [DECISIONS_LINK], []),
    ("staff", "/council/{c}/session", [], [DECISIONS_LINK]),
    ("member", "/council/{c}/session", [], [DECISIONS_LINK]),
    ("committee", "/council/{c}/decisions", [DECIDE_BUTTON, PUBLISH_BUTTON], []),
    ("admin", "/council/{c}/decisions", [], [DECIDE_BUTTON, PUBLISH_BUTTON]),
    ("chair", "/council/{c}/decisions", [], [DECIDE_BUTTON, PUBLISH_BUTTON]),
    ("secretary", "/council/{c}/decisions", [], [DECIDE_BUTTON, PUBLISH_BUTTON]),
]


@pytest.mark.parametrize(("who", "path", "shown", "hidden"), TABLE, ids=[f"{w}:{p.rsplit('/', 1)[-1]}" for w, p, *_ in TABLE])
def test_what_each_role_sees(as_person, evaluated, who, path, shown, hidden):
    cycle, _, people = evaluated
    response = as_person(people[who]).get(path.format(c=cycle.id))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in shown:
        assert text in page, f"{who} should see {text!r} on {path}"
    for text in hidden:
        assert text not in page, f"{who} should not see {text!r} on {path}"


@pytest.mark.parametrize("who", ["committee", "admin", "staff", "chair", "secretary", "member"])
def test_every_council_link_a_person_sees_opens_for_them(as_person, evaluated, who):
    """The council's pages link to other years and to each other: each link shown opens."""
    cycle, other, people = evaluated
    client = as_person(people[who])
    pages = [f"/council/{cycle.id}", f"/council/{cycle.id}/session"]
    links: set[str] = set()
    for path in pages:
        response = client.get(path)
        if response.status_code == 200:
            links |= set(re.findall(r'href="(/council/[^"#?]*)', response.get_data(as_text=True)))
    assert links, f"{who} sees no council link at all"
    refused = {link: client.get(link).status_code for link in sorted(links)}
    assert not {link: code for link, code in refused.items() if code == 403}, f"{who} is shown links that refuse them"
    if who == "member":
        assert f"/council/{other.id}" not in links  # a council this member does not sit on
