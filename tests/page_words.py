"""Checks of a page in a real browser that the pages sweep (tests/test_e2e_pages.py) runs on
every main page of every role:

- `code_words(page, locale, names)`: the visible text has no word of the program: no action or
  field code (`council.committee.decide`, `not_completed`), no object number (`#45`), no `10^15`,
  and on a Vietnamese page no code of a role, level, state or kind (`head`, `good`, `draft`).
  People's usernames, e-mail addresses and web addresses are the readers' own, so they are left
  out of the scan.
- `forbidden_links(page, seen)`: no link on the page leads to a page that refuses the person.
- `layout(page)`: at laptop width every entry of the top navigation is one line high and the
  whole bar is one row inside the page's width; every list box shows its chosen entry in full;
  a grid of who scored whom shows every member without scrolling sideways.
"""

from __future__ import annotations

import enum
import re
from importlib import import_module

from sqlalchemy import select

from workflow.extensions import db

# Program words of any language: dotted codes, snake_case, object numbers, powers of ten.
STRUCTURAL = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)*(?:\.[a-z_]+)+\b|\b[a-z]+_[a-z0-9_]+\b|(?<![\w&])#\d+\b|\b\d+\^\d+\b")
MODELS = ("workflow.accounts.models", "workflow.targets.models", "workflow.reports.models", "workflow.council.models",
          "workflow.cycles.models", "workflow.notifications.models", "workflow.reports.progress")
LEVELS = ("excellent", "good", "completed", "not_completed")
VISIBLE_TEXT = "() => document.body.innerText"


def _codes() -> set[str]:
    """The values of every state, kind and role enum of the application, and the level codes."""
    codes = set(LEVELS)
    for name in MODELS:
        for value in vars(import_module(name)).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value is not enum.Enum:
                codes |= {m.value for m in value if isinstance(m.value, str) and m.value.isascii()}
    return codes


def demo_names() -> set[str]:
    """The usernames of the people in the database (the readers' own words)."""
    from workflow.accounts.models import Person

    return set(db.session.scalars(select(Person.username)))


def code_words(page, locale: str, names: set[str]) -> list[str]:
    if "/api/" in page.url:
        return []  # the API's documentation is written for programmers, in their words
    text = page.evaluate(VISIBLE_TEXT)
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w.])", " ", text)
    found = {m.group(0) for m in STRUCTURAL.finditer(text)}
    if locale == "vi":
        codes = _codes()
        found |= {w for w in re.findall(r"(?<![\w./-])[a-z_]+(?![\w/-]|\.\w)", text) if w in codes}
    return [f"code words: {sorted(found)}"] if found else []


NAVIGATION = """() => {
  const container = document.querySelector('.app-navbar .container-xl');
  if (!container) return [];  // a page of its own (the API documentation)
  const bar = container.getBoundingClientRect();
  const items = [...document.querySelectorAll('#main-nav .nav-link, .app-navbar .navbar-brand, .locale-switch button')]
    .filter(el => el.offsetParent !== null);
  return items.map(el => {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const lines = Math.round((r.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / line);
    return {text: el.innerText.trim(), lines, outside: r.right > bar.right + 1 || r.left < bar.left - 1,
            row: Math.abs(r.top + r.height / 2 - (bar.top + bar.height / 2)) > 12};
  }).filter(i => i.lines > 1 || i.outside || i.row);
}"""
CUT_CHOICES = """() => [...document.querySelectorAll('select')].filter(s => s.offsetParent !== null && !s.multiple).filter(s => {
  const option = s.options[s.selectedIndex]; if (!option) return false;
  const style = getComputedStyle(s), ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return ctx.measureText(option.text).width > room + 1;
}).map(s => `${s.id || s.name}: ${s.options[s.selectedIndex].text}`)"""
HIDDEN_MEMBERS = """() => [...document.querySelectorAll('table.matrix thead th')].filter(th => {
  const box = th.closest('.table-responsive').getBoundingClientRect(), r = th.getBoundingClientRect();
  return r.right > box.right + 1;
}).map(th => th.innerText.split('\\n')[0])"""


LINKS = """() => [...new Set([...document.querySelectorAll('a[href]')].map(a => a.href))]"""
NOT_PAGES = re.compile(r"/(logout|static|api)/|\.(xlsx|pdf|ics)(\?|$)|/evidence/|/html$")


def forbidden_links(page, seen: set[str]) -> list[str]:
    """The links of this site on the page that refuse the person who sees them (a link is shown
    only to those allowed to follow it). Each kind of address is followed once per person."""
    base = page.url.split("/", 3)[:3]
    refused = []
    for href in page.evaluate(LINKS):
        if href.split("/", 3)[:3] != base or NOT_PAGES.search(href) or href.split("#")[0] == page.url.split("#")[0]:
            continue  # another site, a file, or this very page (its skip link)
        kind = re.sub(r"\d+", "N", href.split("#")[0])
        if kind in seen:
            continue
        seen.add(kind)
        if page.request.get(href, max_redirects=0).status == 403:
            refused.append(href.split("/", 3)[3])
    return [f"links that refuse this person: {refused}"] if refused else []


def layout(page) -> list[str]:
    problems = []
    if wrapped := page.evaluate(NAVIGATION):
        problems.append(f"navigation not on one line: {wrapped}")
    if cut := page.evaluate(CUT_CHOICES):
        problems.append(f"list boxes cutting their choice short: {cut}")
    if hidden := page.evaluate(HIDDEN_MEMBERS):
        problems.append(f"members of the council off the grid: {hidden}")
    return problems
