"""Reading never writes: for each role of a council like the demo's, every council page and
every read of the council's API leaves the number of rows of every table as it was. Opening a
scorecard that does not exist yet shows an empty card; the card is written by the first save."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

import factories as f
from council_support import council, open_scoring, published, reported_registration, score
from workflow.accounts.models import Role
from workflow.council.models import Scorecard
from workflow.extensions import db


def row_counts() -> dict[str, int]:
    """The rows of every table, in one statement (counted twice a request, hundreds of requests)."""
    tables = db.metadata.sorted_tables
    counts = db.session.execute(select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))).one()
    return dict(zip((t.name for t in tables), counts, strict=True))


def council_reads(app) -> list[str]:
    """Every GET route of the council's pages and API, as rules with their placeholders."""
    return sorted(
        r.rule for r in app.url_map.iter_rules()
        if "GET" in r.methods and (r.rule.startswith("/council") or r.rule.startswith("/api/v1/council"))
    )


def filled(rule: str, ids: dict[str, list[int]]) -> list[str]:
    """The rule with each placeholder replaced by every id of that kind (one URL per combination)."""
    urls = [rule]
    for name in re.findall(r"<int:(\w+)>", rule):
        urls = [u.replace(f"<int:{name}>", str(value), 1) for u in urls for value in ids[name]]
    return urls


def scene(state: str):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300"), reported_registration(cycle, actual="1200")]
    open_scoring(cycle)
    seats = council(cycle, members=3)
    for name in ("chair", "secretary", "m1", "m2"):
        score(seats[name], regs[0])
    # m1 has a draft for the second head; m3 has opened no card at all.
    score(seats["m1"], regs[1], submit=False)
    if state == "published":
        for name in ("chair", "secretary", "m2", "m3"):
            score(seats[name], regs[1])
        score(seats["m3"], regs[0])
        db.session.flush()
        m1_card = db.session.scalar(select(Scorecard).where(Scorecard.member_id == seats["m1"].id, Scorecard.registration_id == regs[1].id))
        from workflow.council import operations

        operations.submit_scorecard(m1_card, actor=seats["m1"].person, version=m1_card.version)
        published(cycle, regs, seats)
    db.session.flush()
    cards = db.session.scalars(select(Scorecard.id)).all()
    ids = {"cycle_id": [cycle.id], "registration_id": [r.id for r in regs], "member_id": [s.id for s in seats.values()],
           "card_id": list(cards), "evidence_id": [0], "objection_id": [0]}
    people = {
        "admin": f.person(Role.ADMIN), "committee": f.person(Role.COMMITTEE), "staff": f.person(Role.STAFF),
        "head": f.head_of(regs[0]), **{name: seat.person for name, seat in seats.items()},
    }
    return ids, people


@pytest.mark.parametrize("state", ["scoring", "published"])
def test_reading_the_council_writes_nothing(app, as_person, client, state):
    ids, people = scene(state)
    rules = council_reads(app)
    assert "/council/<int:cycle_id>/score/<int:registration_id>" in rules
    for role, person in people.items():
        web = as_person(person)
        headers = f.api_headers(person)
        db.session.commit()
        for rule in rules:
            for url in filled(rule, ids):
                before = row_counts()
                if url.startswith("/api/"):
                    response = client.get(url, headers=headers)
                else:
                    response = web.get(url)
                assert response.status_code < 500, (role, url, response.status_code)
                after = row_counts()
                changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
                assert not changed, f"GET {url} as {role} ({response.status_code}) changed rows: {changed}"


def test_an_unopened_scorecard_shows_empty_and_is_written_by_the_first_save(app, as_person):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300")]
    open_scoring(cycle)
    seats = council(cycle, members=1)
    member = seats["m1"]
    web = as_person(member.person)
    page = web.get(f"/council/{cycle.id}/score/{regs[0].id}")
    assert page.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Scorecard)) == 0
    saved = web.post(f"/council/{cycle.id}/score/{regs[0].id}", data={"general.political": "9", "version": "1", "action": "save"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    card = db.session.scalar(select(Scorecard).where(Scorecard.member_id == member.id))
    assert card is not None and card.general.get("political") == "9"
