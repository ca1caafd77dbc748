"""The top navigation: one entry per area of work, a menu where a person has several pages in
it, so that nobody (the chair, who is also a head, least of all) gets two near-identical
entries side by side. That it stays on one line at 1366 px is checked in the browser by the
pages sweep (tests/page_words.py)."""

from __future__ import annotations

import re

import pytest

import factories as f
from workflow.accounts.models import Role

TOP = re.compile(r'<li class="nav-item( dropdown)?">\s*<a class="nav-link[^"]*"[^>]*>\s*<i[^>]*></i>\s*([^<]+?)\s*</a>')


def _top_entries(page: str) -> list[tuple[bool, str]]:
    nav = page[page.index('id="main-nav"'):page.index('<ul class="navbar-nav">', page.index('id="main-nav"') + 20)]
    return [(bool(menu), label) for menu, label in TOP.findall(nav)]


@pytest.mark.parametrize(("roles", "expected"), [
    # A head works in a unit: their targets, reports and results ("Tháng này" is on their home page).
    ([Role.HEAD], ["Trang chủ", "Chỉ tiêu của tôi", "Báo cáo của tôi", "Kết quả của tôi"]),
    # Staff and the committee also read the citizens' ratings of every unit and work on confidence
    # votes: one "Đánh giá" menu.
    ([Role.STAFF], ["Trang chủ", "Đăng ký chỉ tiêu", "Báo cáo quý", "Đánh giá"]),
    ([Role.COMMITTEE], ["Trang chủ", "Đăng ký chỉ tiêu", "Báo cáo quý", "Đánh giá"]),
    ([Role.COUNCIL], ["Trang chủ", "Đăng ký chỉ tiêu", "Hội đồng"]),
    ([Role.ADMIN], ["Trang chủ", "Đăng ký chỉ tiêu", "Báo cáo quý", "Hội đồng", "Quản trị"]),
    ([Role.HEAD, Role.COUNCIL], ["Trang chủ", "Chỉ tiêu", "Báo cáo của tôi", "Đánh giá"]),
])
def test_one_entry_per_area_of_work(as_person, roles, expected):
    grants = [(r, f.unit()) if r == Role.HEAD else r for r in roles]
    page = as_person(f.person(*grants)).get("/").get_data(as_text=True)
    entries = _top_entries(page)
    assert [label for _, label in entries] == expected
    assert len({label for _, label in entries}) == len(entries)


def test_the_chair_who_is_a_head_finds_both_registrations_in_one_menu(as_person):
    page = as_person(f.person((Role.HEAD, f.unit()), Role.COUNCIL)).get("/registrations").get_data(as_text=True)
    assert (True, "Chỉ tiêu") in _top_entries(page)
    menu = page[page.index("Chỉ tiêu\n"):]
    menu = menu[:menu.index("</ul>")]
    assert re.findall(r'class="dropdown-item[^"]*" href="([^"]+)"[^>]*>([^<]+)<', menu) == [
        ("/registrations/mine", "Bản đăng ký của tôi"), ("/registrations", "Bản đăng ký của các đơn vị")]
    assert 'class="dropdown-item active" href="/registrations" aria-current="page"' in menu
