"""Who sees which scores, and what is computed from them, as a table: role × page × state of the
session, on the pages and the API alike (the rules are `council.scores.view`,
`council.scores.view_all` and `council.member_scores.view` in workflow/policy.py, with their
SQL counterpart `council.queries.scores_seen_by`).

The cycle hides scores until a member has submitted their own scorecard. Two other members
have scored both heads. Each cell is S (the scores are shown), H (the page, without the scores
or the figures) or R (refused: 403, 404, or 409 when no scorecard can be opened any more).
"""

from __future__ import annotations

import pytest

import factories as f
from council_support import council, finalised, open_scoring, published, reported_registration, score
from workflow.accounts.models import Role
from workflow.council import queries
from workflow.extensions import db

PAGES = ["proposals", "proposals API", "result", "result API", "raters", "raters API", "what-if", "what-if API", "export", "export API",
         "scorecard", "another member's scorecard API"]

EVERYTHING = "SS SS SS SS SS RR"
NOTHING = "RR RR RR RR RR RR"
OFFICIALS = {"admin": EVERYTHING, "committee": EVERYTHING, "staff": NOTHING}
FINAL = {"chair": "SS SS SS SS SS RR", "secretary": "SS SS RR SS SS RR", "member": "SS RR RR HR RR RR"}
TABLE = {
    # The chair, the secretary and the member have not scored yet: the heads' rows are hidden,
    # and so is everything computed across heads (the raters, the what-if, the workbook).
    "before scoring": {**OFFICIALS, "chair": "HH RR RR HR RR HR", "secretary": "HH RR RR HR RR HR", "member": "HH RR RR HR RR HR",
                       "head": NOTHING},
    # Their own scorecards for both heads are in: each sees what their position gives.
    "after scoring": {**OFFICIALS, "chair": "SS SS SS SS SS SR", "secretary": "SS SS RR SS SS SR", "member": "SS RR RR HR RR SR",
                      "head": NOTHING},
    # The chair froze the list (they themselves never scored): the council sees it all.
    "after finalisation": {**OFFICIALS, **FINAL, "head": NOTHING},
    "after publication": {**OFFICIALS, **FINAL, "head": "RR SS RR RR RR RR"},
}


def _scene(state: str):
    cycle = f.year(2027)
    regs = [reported_registration(cycle, actual="1300"), reported_registration(cycle, actual="1150")]
    open_scoring(cycle)
    seats = council(cycle, members=3)
    cards = {name: [score(seats[name], r) for r in regs] for name in ("m2", "m3")}
    if state == "after scoring":
        for name in ("chair", "secretary", "m1"):
            for registration in regs:
                score(seats[name], registration)
    if state == "after finalisation":
        finalised(cycle, seats)
    if state == "after publication":
        published(cycle, regs, seats)
    db.session.flush()
    people = {"admin": f.person(Role.ADMIN), "committee": f.person(Role.COMMITTEE), "staff": f.person(Role.STAFF),
              "chair": seats["chair"].person, "secretary": seats["secretary"].person, "member": seats["m1"].person,
              "head": f.head_of(regs[0])}
    return cycle, regs[0], cards["m2"][0], people


def _outcome(response, shown: bool) -> str:
    if response.status_code in (403, 404, 409):
        return "R"
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return "S" if shown else "H"


def _row(web, api, cycle, registration, other_card) -> str:
    c = cycle.id
    out = []
    page = web.get(f"/council/{c}/proposals")
    out.append(_outcome(page, 'colspan="5"' not in page.get_data(as_text=True)))
    rows = api.get(f"/api/v1/council/cycles/{c}/proposals")
    out.append(_outcome(rows, rows.status_code == 200 and not any(r["hidden"] for r in rows.get_json()["items"])))
    out.append(_outcome(web.get(f"/council/results/{registration.id}"), True))
    out.append(_outcome(api.get(f"/api/v1/council/results/{registration.id}"), True))
    out.append(_outcome(web.get(f"/council/{c}/raters"), True))
    out.append(_outcome(api.get(f"/api/v1/council/cycles/{c}/raters"), True))
    what_if = web.get(f"/council/{c}/proposals?quota.max_percent=40")
    out.append(_outcome(what_if, 'id="whatif-h"' in what_if.get_data(as_text=True)))
    out.append(_outcome(api.post(f"/api/v1/council/cycles/{c}/what-if", json={"changes": {"quota.max_percent": 40}}), True))
    out.append(_outcome(web.get(f"/council/{c}/export.xlsx"), True))
    out.append(_outcome(api.get(f"/api/v1/council/cycles/{c}/export.xlsx"), True))
    card = web.get(f"/council/{c}/score/{registration.id}")
    # Another member's score as the scoring page lists it.
    out.append(_outcome(card, f"{other_card.member.person.full_name}: <strong>" in card.get_data(as_text=True)))
    out.append(_outcome(api.get(f"/api/v1/council/scorecards/{other_card.id}"), True))
    return " ".join("".join(out[i:i + 2]) for i in range(0, len(out), 2))


class _Api:
    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, json):
        return self.client.post(url, json=json, headers=self.headers)


@pytest.mark.parametrize("state", list(TABLE))
def test_who_sees_which_scores(state, as_person, client):
    cycle, registration, other_card, people = _scene(state)
    found = {role: _row(as_person(person), _Api(client, f.api_headers(person)), cycle, registration, other_card) for role, person in people.items()}
    legend = " | ".join(f"{a}/{b}" for a, b in zip(PAGES[::2], PAGES[1::2], strict=True))
    assert found == TABLE[state], f"{state}: {legend}"


@pytest.mark.parametrize("state", list(TABLE))
def test_the_sql_counterpart_agrees_with_the_rule_head_by_head(state):
    """The lists' condition and the policy's answer for one head never differ."""
    from workflow import policy

    cycle, registration, _, people = _scene(state)
    for person in people.values():
        for head in queries.heads(cycle.id):
            listed = head.id not in queries.hidden_heads(person, cycle, [head.id])
            assert listed == policy.can(person, "council.scores.view", head), (state, person, head)
