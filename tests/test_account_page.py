"""The account page speaks to the person: roles in words, and API tokens an advanced section,
closed for those who do not use them; the API documentation is not in every page's footer."""

from __future__ import annotations

import re

import factories as f
from workflow.accounts import operations
from workflow.accounts.models import Role

ADVANCED = re.compile(r'<details class="card"( open)?>\s*<summary class="card-header"><h2 class="h6 d-inline mb-0" id="tokens-h">([^<]+)</h2>')


def test_a_head_sees_roles_in_words_and_the_api_tucked_away(as_person):
    unit = f.unit(name="Sở Kế hoạch và Đầu tư")
    head = f.person((Role.HEAD, unit), Role.COUNCIL)
    client = as_person(head)
    page = client.get("/account").get_data(as_text=True)
    assert "Người đứng đầu — Sở Kế hoạch và Đầu tư" in page and "Hội đồng tư vấn" in page
    assert not re.search(r">\s*(head|council)\s*<", page)
    advanced = ADVANCED.search(page)
    assert advanced and advanced.group(1) is None and advanced.group(2).startswith("Nâng cao")
    assert "/api/v1/docs" not in client.get("/").get_data(as_text=True)


def test_the_section_is_open_for_those_who_use_it(as_person):
    person = f.person(Role.STAFF)
    operations.create_token(person, "Phần mềm quản lý văn bản", actor=person, expires_in_days=30)
    page = as_person(person).get("/account").get_data(as_text=True)
    assert ADVANCED.search(page).group(1) == " open"
    assert "Phần mềm quản lý văn bản" in page and "/api/v1/docs" in page
