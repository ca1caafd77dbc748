"""Electronic ballots in the hall: one ballot per one-time code, a spent code refused, a receipt
that tells its holder the ballot was counted and nothing of the choice — and no table, log line,
page or export from which anyone could tell whose ballot is whose."""

from __future__ import annotations

import io
import logging
import re

import pytest
from sqlalchemy import DateTime, inspect, select, text

import factories as f
from vote_support import vote_round
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.core.errors import TransitionRefused, ValidationFailed
from workflow.extensions import db
from workflow.votes import operations, pdf, queries
from workflow.votes.models import BallotCode, BallotTally, Receipt


@pytest.fixture
def hall():
    """An electronic round of 6 summoned, all present, 2 people voted on, voting open, codes issued."""
    ctx = vote_round(method="electronic", summoned=6, candidates=2, open_voting=True)
    ctx.codes = operations.issue_codes(ctx.round, actor=ctx.staff)
    db.session.flush()
    return ctx


def marks(ctx, first: str, second: str) -> dict[str, str]:
    a, b = ctx.candidates
    return {str(a.id): first, str(b.id): second}


def test_one_code_per_person_present_issued_once(hall):
    assert len(hall.codes) == 6 == len(set(hall.codes)) and hall.round.codes_issued == 6
    assert operations.issue_codes(hall.round, actor=hall.staff) == []  # all present already hold one
    stored = db.session.scalars(select(BallotCode.digest)).all()
    assert not set(hall.codes) & set(stored)  # only digests are kept: the codes cannot be printed again


def test_a_code_casts_one_ballot_and_is_then_refused(hall, english):
    receipt = operations.cast_ballot(hall.round, hall.codes[0], marks(hall, "high", "low"))
    assert queries.receipt_counted(hall.round, receipt) and not queries.receipt_counted(hall.round, "AAAAAA-AAAAAA")
    with pytest.raises(TransitionRefused, match="already been used"):
        operations.cast_ballot(hall.round, hall.codes[0], marks(hall, "low", "low"))
    with pytest.raises(TransitionRefused, match="not valid for this conference"):
        operations.cast_ballot(hall.round, "ABCDE-FGHJK", marks(hall, "low", "low"))
    # A ballot that leaves someone out is refused before the code is spent: the voter corrects it.
    with pytest.raises(ValidationFailed):
        operations.cast_ballot(hall.round, hall.codes[1], {str(hall.candidates[0].id): "high"})
    operations.cast_ballot(hall.round, hall.codes[1].lower().replace("-", ""), marks(hall, "confidence", "low"))  # typed without care
    totals, counts = queries.tallies(hall.round)
    assert totals.cast == totals.valid == 2
    assert counts[hall.candidates[0].id] == {"high": 1, "confidence": 1, "low": 0}
    assert counts[hall.candidates[1].id] == {"high": 0, "confidence": 0, "low": 2}


def test_a_ballot_posted_twice_counts_once(hall, client):
    form = {"code": hall.codes[2], **{f"mark-{k}": v for k, v in marks(hall, "high", "high").items()}}
    assert client.post(f"/vote/{hall.round.id}", data=form).status_code == 200
    again = client.post(f"/vote/{hall.round.id}", data=form)
    assert again.status_code == 422 and "đã được sử dụng" in again.get_data(as_text=True)
    assert queries.ballots_cast(hall.round) == 1


def _every_value(connection) -> dict[str, list[str]]:
    """Every value of every row of every table, as text, by table."""
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        for row in connection.execute(select(table)).all():
            found.setdefault(table.name, []).extend(str(v) for v in row if v is not None)
    return found


def test_no_table_log_line_page_or_export_links_a_ballot_to_its_voter(hall, client, as_person, caplog):
    """The attacker's view: they know who attended (the list), each voter's code (handed out in
    order, say), the moment each one voted (the access log) and they read every table, log line,
    page and export. They try to find, for each voter, anything that ties them to what they chose."""
    # Voters vote in attendance order, each a ballot of their own: voter i marks a distinct pattern.
    patterns = [("high", "high"), ("high", "low"), ("low", "high"), ("confidence", "low"), ("low", "confidence"), ("low", "low")]
    audit_before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    receipts = []
    caplog.set_level(logging.DEBUG)
    for voter, code, pattern in zip(hall.voters, hall.codes, patterns):
        page = as_person(voter).post(f"/vote/{hall.round.id}", data={"code": code, **{f"mark-{k}": v for k, v in marks(hall, *pattern).items()}})
        assert page.status_code == 200
        receipts.append(re.search(r'id="receipt">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1))
    db.session.expire_all()

    # 1. Tables: what is stored of a cast is a count per person and level, a spent flag and a receipt digest.
    columns = {t: {c["name"] for c in inspect(db.session.connection()).get_columns(t)} for t in ("vote_ballot_tally", "vote_ballot_code", "vote_receipt")}
    assert columns == {"vote_ballot_tally": {"id", "round_id", "candidate_id", "level", "count"},
                       "vote_ballot_code": {"id", "round_id", "digest", "spent"}, "vote_receipt": {"id", "round_id", "digest"}}
    for name in columns:
        assert not any(isinstance(c.type, DateTime) for c in db.metadata.tables[name].c), name
        assert {fk.column.table.name for fk in db.metadata.tables[name].foreign_keys} <= {"vote_round", "vote_candidate"}, name
    values = _every_value(db.session.connection())
    secrets = {"code": hall.codes, "code digest": [queries.digest(hall.round.id, c) for c in hall.codes], "receipt": receipts,
               "receipt digest": [queries.digest(hall.round.id, r) for r in receipts]}
    homes = {"code digest": "vote_ballot_code", "receipt digest": "vote_receipt"}
    for kind, items in secrets.items():
        for table, texts in values.items():
            if table == homes.get(kind):
                continue
            assert not any(item in t for item in items for t in texts), f"a {kind} is kept in {table}"
    # Nothing in a tally row stands for one ballot: every row is a count shared by the ballots that gave it.
    tallies = db.session.execute(select(BallotTally.candidate_id, BallotTally.level, BallotTally.count)).all()
    assert sum(n for _, _, n in tallies) == 12 and max(n for _, _, n in tallies) > 1
    # Every receipt is there for its holder to check, under a random key.
    stored = db.session.scalars(select(Receipt.digest).order_by(Receipt.id)).all()
    assert sorted(stored) == sorted(secrets["receipt digest"])
    # 2. The audit log: nothing was recorded by casting.
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == audit_before
    # 3. Log lines: the ballot page's requests name no person and no address, and no line holds a code,
    # a receipt or a choice.
    lines = [(r.getMessage(), getattr(r, "person_id", None), getattr(r, "remote_addr", None)) for r in caplog.records]
    posts = [line for line in lines if f"/vote/{hall.round.id}" in line[0]]
    assert len(posts) == 6 and all(person is None and address is None for _, person, address in posts)
    assert not any(str(v.id) in message.split("person=")[-1] for message, _, _ in posts for v in hall.voters)
    for message, _, _ in lines:
        assert not any(s in message for items in secrets.values() for s in items)
    # 4. Pages and exports: the round page, the audit log, the minutes.
    operations.take_step(hall.round, "close", actor=hall.staff)
    operations.take_step(hall.round, "publish", actor=hall.staff)
    db.session.flush()
    admin = f.person(Role.ADMIN)
    texts = [as_person(hall.staff).get(f"/votes/{hall.round.id}").get_data(as_text=True), as_person(admin).get("/admin/audit").get_data(as_text=True)]
    from pypdf import PdfReader

    totals, _ = queries.tallies(hall.round)
    minutes = pdf.minutes(hall.round, totals, queries.results_of(hall.round), hall.round.board)
    texts.append(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(minutes)).pages))
    for page in texts:
        assert not any(s in page for items in secrets.values() for s in items)
    # What can be known is the count per person and level — the result itself.
    assert totals.cast == 6
