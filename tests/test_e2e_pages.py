"""Every main page in a real browser, on the demo province: for each role the pages that role
uses, at laptop (1366×768) and phone width, in Vietnamese and in English. Each page is
photographed under tests/screenshots/<test>/ (to be looked at), has no serious or critical
axe-core violation (checked in Vietnamese, the province's language: the English page is the same
markup with other words, and axe is most of the walk's time), does not scroll sideways on a phone (wide tables scroll inside their
`.table-responsive` box), shows every status badge with words, not colour alone, and writes
dates, times and numbers the Vietnamese way in both languages (dd/mm/yyyy, HH:MM, 1.234,5: no
two-digit year, no date in another format, no decimal point). At laptop width its visible text
has no code words, its navigation is one line and its links all open for the person
(tests/page_words.py).

And the scoring form completed with the keyboard alone: Tab, typing and Enter, no pointer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import re

import pytest
from sqlalchemy import select

import factories as f
import page_words
from browser import LAPTOP, PHONE, axe_violations, describe, sign_in_page
from council_support import council, open_scoring, reported_registration
from workflow.accounts.models import Person
from workflow.council.models import CouncilMember, Scorecard, ScorecardState
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.framework.models import Track
from workflow.notifications.models import Notification
from workflow.opinions.models import OpinionRound
from workflow.reports.models import QuarterlyReport, ReportState
from workflow.targets.models import Registration, RegistrationState
from workflow.units.models import Unit, UnitGroup

PASSWORD = "vinhphuc-2027"
SCREENSHOTS = Path(__file__).parent / "screenshots"
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}
MAX_SHOT_HEIGHT = 2400
LOCALES = ("vi", "en")

# A badge must say what it means: its own text, or a label for assistive technology.
BADGES_WITHOUT_TEXT = """() => [...document.querySelectorAll('.badge, .status-badge')]
  .filter(b => b.offsetParent !== null && !b.textContent.trim() && !b.getAttribute('aria-label'))
  .map(b => b.outerHTML.slice(0, 120))"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Dates, times and numbers written otherwise than dd/mm/yyyy, HH:MM and 1.234,5 (what the visible
# text of a page must not contain; the API documentation page shows the API's own ISO formats,
# and identifiers set in <code>, such as a rules version 2027.3, are not numbers).
OTHER_FORMATS = {
    "a two-digit year": re.compile(r"(?<![\d/.])\d{1,2}/\d{1,2}/\d{2}(?![\d/])"),
    "a day or month without its leading zero": re.compile(r"(?<![\d/.])(?:\d/\d{1,2}|\d{2}/\d)/\d{4}(?!\d)"),
    "an ISO date": re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?!\d)"),
    "a month in words": re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}|\bthg \d{1,2}\b|tháng \d{1,2}, \d{4}"),
    "a 12-hour time": re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:AM|PM|am|pm|SA|CH)\b"),
    "a time before its date": re.compile(r"\b\d{1,2}:\d{2} \d{1,2}/\d{1,2}/"),
    "a decimal point": re.compile(r"(?<![\w.,])(?:\d+\.(?:\d{1,2}|\d{4,})|0\.\d+)(?![\w.])"),
    "English digit grouping": re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+\.\d"),
}
FORMATS_EXEMPT = {"api-docs"}
VISIBLE_TEXT = """() => { const codes = [...document.querySelectorAll('code, pre')], shown = codes.map(c => c.style.display);
  codes.forEach(c => { c.style.display = 'none'; }); const text = document.body.innerText;
  codes.forEach((c, i) => { c.style.display = shown[i]; }); return text; }"""


def format_problems(text: str) -> list[str]:
    """What in a page's visible text is not written the Vietnamese way."""
    found = []
    for what, pattern in OTHER_FORMATS.items():
        hits = sorted({m.group(0) for m in pattern.finditer(text)})
        if hits:
            found.append(f"{what}: {', '.join(hits[:5])}")
    return found


@dataclass
class Demo:
    """Ids in the demo province that the pages need (they depend on today's date, so they are
    looked up, not written down)."""

    cycle_2025: int
    cycle_2026: int
    cycle_2027: int
    head_registration_2027: int
    head_registration_2026: int
    head_registration_2025: int
    head_draft_report: int
    submitted_registration: int
    submitted_report: int
    accepted_report: int
    scored_registration: int
    person: int
    unit: int
    group: int
    notification: int
    track: int
    opinion_round: int


def _demo_ids() -> Demo:
    def one(statement):
        value = db.session.scalars(statement.limit(1)).first()
        assert value is not None, str(statement)
        return value

    cycles = {c.year: c.id for c in db.session.scalars(select(Cycle))}
    head = one(select(Person).where(Person.username == "gd.skhdt"))
    staff = one(select(Person).where(Person.username == "chuyenvien1"))
    followed = select(Unit.id).where(Unit.staff_officer_id == staff.id)

    def head_registration(year: int) -> int:
        return one(select(Registration.id).where(Registration.head_id == head.id, Registration.cycle_id == cycles[year]))

    def report(state: ReportState, *where) -> int:
        return one(select(QuarterlyReport.id).join(Registration).where(QuarterlyReport.state == state, *where).order_by(QuarterlyReport.id))

    member = one(select(CouncilMember.id).join(Person).where(Person.username == "hoidong1"))
    return Demo(
        cycle_2025=cycles[2025],
        cycle_2026=cycles[2026],
        cycle_2027=cycles[2027],
        head_registration_2027=head_registration(2027),
        head_registration_2026=head_registration(2026),
        head_registration_2025=head_registration(2025),
        head_draft_report=report(ReportState.DRAFT, Registration.head_id == head.id),
        submitted_registration=one(select(Registration.id).where(
            Registration.cycle_id == cycles[2027], Registration.state == RegistrationState.SUBMITTED,
            Registration.unit_id.in_(followed)).order_by(Registration.id)),
        submitted_report=report(ReportState.SUBMITTED, Registration.unit_id.in_(followed)),
        accepted_report=report(ReportState.ACCEPTED, Registration.cycle_id == cycles[2026], Registration.unit_id.in_(followed)),
        scored_registration=one(select(Scorecard.registration_id).where(Scorecard.member_id == member).order_by(Scorecard.id)),
        person=head.id,
        unit=head.unit_id,
        group=one(select(UnitGroup.id).order_by(UnitGroup.id)),
        notification=one(select(Notification.id).order_by(Notification.id)),
        track=one(select(Track.id).where(Track.code == "civil_servants")),
        opinion_round=one(select(OpinionRound.id).order_by(OpinionRound.id)),
    )


def _pages(d: Demo) -> dict[str | None, list[tuple[str, str]]]:
    """(name, path) of the pages each role uses; None is the visitor who has not signed in."""
    c25, c27 = d.cycle_2025, d.cycle_2027
    return {
        None: [("login", "/login"), ("api-docs", "/api/v1/docs"), ("not-found", "/no-such-page")],
        "quantri": [
            ("dashboard", "/"),
            ("admin", "/admin"),
            ("people", "/admin/people"),
            ("person", f"/admin/people/{d.person}"),
            ("person-new", "/admin/people/new"),
            ("units", "/admin/units"),
            ("unit", f"/admin/units/{d.unit}"),
            ("groups", "/admin/unit-groups"),
            ("tracks", "/admin/tracks"),
            ("track", f"/admin/tracks/{d.track}"),
            ("group", f"/admin/unit-groups/{d.group}"),
            ("cycles", "/admin/cycles"),
            ("cycle", f"/admin/cycles/{c27}"),
            ("outbox", "/admin/outbox"),
            ("outbox-message", f"/admin/outbox/{d.notification}"),
            ("audit", "/admin/audit"),
            ("council", f"/council/{c25}"),
            ("cycle-scored", f"/admin/cycles/{c25}"),
            ("account", "/account"),
        ],
        "chuyenvien1": [
            ("dashboard", "/"),
            ("registrations", "/registrations"),
            ("review", f"/registrations/{d.submitted_registration}"),
            ("diff", f"/registrations/{d.head_registration_2026}/diff"),
            ("history", f"/registrations/{d.head_registration_2026}/history"),
            ("monitoring", "/reports/monitor"),
            ("report-review", f"/reports/{d.submitted_report}"),
            ("report-version", f"/reports/{d.accepted_report}/versions/1"),
            ("report-year", f"/reports/registrations/{d.head_registration_2026}/year"),
            ("opinions", "/opinions/"),
            ("opinion-round", f"/opinions/{d.opinion_round}"),
            ("opinion-round-new", "/opinions/new"),
        ],
        "thuongvu1": [
            ("dashboard", "/"),
            ("registrations", "/registrations"),
            ("registration", f"/registrations/{d.head_registration_2026}"),
            ("monitoring", "/reports/monitor"),
            ("proposals", f"/council/{c25}/proposals"),
            ("what-if", f"/council/{c25}/proposals?quota.max_percent=40"),
            ("decisions", f"/council/{c25}/decisions"),
            ("self-scoring-waiting", "/self-scoring/waiting"),
        ],
        # A head whose agency is a collective that self-scores, with civil servants' months.
        "gd.snv": [("self-scoring", "/self-scoring/"), ("agency-month", "/monthly/agency"), ("team-month", "/monthly/team")],
        # The chair is also a head; the pages that differ from the secretary's.
        "tb.btctu": [("dashboard", "/"), ("raters", f"/council/{c25}/raters"), ("my-results", "/council/results")],
        "hoidong.thuky": [
            ("dashboard", "/"),
            ("progress", f"/council/{c25}/progress"),
            ("proposals", f"/council/{c25}/proposals"),
            ("session", f"/council/{c25}/session"),
        ],
        "hoidong1": [
            ("dashboard", "/"),
            ("council", f"/council/{c25}"),
            ("session", f"/council/{c25}/session"),
            ("scoring-list", f"/council/{c25}/mine"),
            ("scoring-form", f"/council/{c25}/score/{d.scored_registration}"),
        ],
        "gd.skhdt": [
            ("dashboard", "/"),
            ("my-registration", "/registrations/mine"),
            ("registration", f"/registrations/{d.head_registration_2027}"),
            ("target-new", f"/registrations/{d.head_registration_2027}/targets/new"),
            ("my-reports", "/reports/mine"),
            ("report-form", f"/reports/{d.head_draft_report}"),
            ("my-results", "/council/results"),
            ("result", f"/council/results/{d.head_registration_2025}"),
            ("self-assessment", f"/council/self-assessment/{d.head_registration_2025}"),
            ("account", "/account"),
            ("forbidden", "/admin"),
            ("not-found", f"/registrations/{d.head_registration_2027 + 100000}"),
        ],
    }


def _expected_status(name: str) -> int:
    return {"forbidden": 403, "not-found": 404}.get(name, 200)


def _switch_locale(page, locale: str) -> None:
    """Through the language buttons in the top bar, as a person would."""
    button = page.locator(f"form.locale-switch button[value={locale}]")
    if button.get_attribute("aria-pressed") == "true":
        return
    with page.expect_navigation():
        button.click()
    assert page.locator("html").get_attribute("lang") == locale


def _settle(page) -> None:
    """Two animation frames: the page has laid itself out again after a resize (and its
    resize handlers have run)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _check(page, shot: Path, viewport: str, *, accessibility: bool) -> list[str]:
    problems = []
    height = page.evaluate("() => document.documentElement.scrollHeight")
    size = page.viewport_size
    # The top of a very long list is enough to look at.
    page.screenshot(path=str(shot), full_page=True, clip={"x": 0, "y": 0, "width": size["width"], "height": min(height, MAX_SHOT_HEIGHT)})
    violations = axe_violations(page) if accessibility else []
    if violations:
        problems.append("axe: " + describe(violations))
    if viewport == "phone":
        sideways = page.evaluate(SIDEWAYS)
        if sideways > 1:
            problems.append(f"scrolls sideways by {sideways}px at phone width")
    bare = page.evaluate(BADGES_WITHOUT_TEXT)
    if bare:
        problems.append(f"badges without text: {bare}")
    return problems


@pytest.mark.demo
def test_every_main_page_is_accessible_and_fits(request, demo, live_server, browser_context):
    demo = _demo_ids()
    names = page_words.demo_names()
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    failures: dict[str, list[str]] = {}
    for username, pages in _pages(demo).items():
        page = browser_context(viewport=LAPTOP).new_page()
        if username:
            sign_in_page(page, live_server.url, username, PASSWORD)
        else:
            page.goto(f"{live_server.url}/login")
        role = username or "visitor"
        followed: set[str] = set()
        for locale in LOCALES:
            _switch_locale(page, locale)
            for name, path in pages:
                # One load per page and language, looked at on a laptop, then narrowed to a phone.
                page.set_viewport_size(LAPTOP)
                response = page.goto(live_server.url + path)
                expected = _expected_status(name)
                if response is None or response.status != expected:
                    failures[f"{role}-{name}-{locale} ({path})"] = [f"status {response.status if response else None}, expected {expected}"]
                if name not in FORMATS_EXEMPT:
                    formats = format_problems(page.evaluate(VISIBLE_TEXT))
                    if formats:
                        failures[f"{role}-{name}-{locale} formats ({path})"] = formats
                for viewport, size in VIEWPORTS.items():
                    if size != LAPTOP:
                        page.set_viewport_size(size)
                        _settle(page)
                    label = f"{role}-{name}-{viewport}-{locale}"
                    problems = _check(page, folder / f"{label}.png", viewport, accessibility=locale == LOCALES[0])
                    if viewport == "laptop":
                        problems += page_words.code_words(page, locale, names) + page_words.layout(page)
                        problems += page_words.forbidden_links(page, followed)
                    if problems:
                        failures[f"{label} ({path})"] = problems
    assert not failures, "\n".join(f"{label}: {'; '.join(p)}" for label, p in failures.items())


FOCUS_STYLED = """() => [...document.styleSheets].some(sheet => {
  try { return [...sheet.cssRules].some(rule => (rule.selectorText || '').includes(':focus-visible')); }
  catch (e) { return false; }
})"""
FOCUS_VISIBLE = """() => { const el = document.activeElement, style = getComputedStyle(el);
  return el.matches(':focus-visible') && (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 || style.boxShadow !== 'none'); }"""


def _tab_to(page, selector: str, *, limit: int = 300) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {selector}"
            return
    pytest.fail(f"{selector} cannot be reached with Tab")


@pytest.mark.real_commits
def test_a_member_scores_with_the_keyboard_alone(request, live_server, browser_context):
    cycle = f.year(2027)
    registration = reported_registration(cycle, actual="1200")
    open_scoring(cycle)
    member = council(cycle, members=3)["m1"]
    db.session.commit()
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    page = browser_context(viewport=LAPTOP).new_page()
    sign_in_page(page, live_server.url, member.person.username, f.PASSWORD)
    page.goto(f"{live_server.url}/council/{cycle.id}/score/{registration.id}")
    assert page.evaluate(FOCUS_STYLED), "the style sheets give :focus-visible no style"
    total = page.locator('[data-total="total"]')
    level = page.locator('[data-total="level_name"]')
    before = (total.inner_text(), level.inner_text())

    for code, value in (("political", "9"), ("ethics", "8"), ("discipline", "9")):
        _tab_to(page, f'[name="general.{code}"]')
        page.keyboard.type(value)
    # Back one field with Shift+Tab and correct it.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.name") == "general.ethics"
    page.keyboard.press("Backspace")
    page.keyboard.type("9")
    # The quality of the first line judged, and the task marked as exceeded with Space.
    first = registration.targets[0].id
    _tab_to(page, f'[name="j.{first}.quality_percent"]')
    page.keyboard.type("100")
    task = next(t for t in registration.targets if t.kind.value == "task")
    _tab_to(page, f'[name="j.{task.id}.exceeded"]')
    page.keyboard.press("Space")
    assert page.locator(f'[name="j.{task.id}.exceeded"]').is_checked()

    # The live total and level follow the typing (computed by the server as one types).
    page.wait_for_function("([el, text]) => el.textContent.trim() !== text", arg=[total.element_handle(), before[0]])
    page.wait_for_function("([el, text]) => el.textContent.trim() !== text", arg=[level.element_handle(), before[1]])
    shown = total.inner_text()
    assert level.inner_text().strip() == "Hoàn thành xuất sắc nhiệm vụ"
    page.screenshot(path=str(folder / "hoidong-scoring-form-keyboard-laptop.png"), full_page=True)

    _tab_to(page, 'button[name="action"][value="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".alert-success").count() == 1

    card = db.session.scalars(select(Scorecard).where(Scorecard.member_id == member.id, Scorecard.registration_id == registration.id)).one()
    assert card.state == ScorecardState.SUBMITTED
    assert {k: str(v) for k, v in card.general.items()} == {"political": "9", "ethics": "9", "discipline": "9"}
    assert card.level == "excellent"
    assert shown.strip() == f"{card.total:.2f}".replace(".", ",")  # as the page wrote it, in Vietnamese
