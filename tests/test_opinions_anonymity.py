"""Nobody can link an opinion to its author: not through a page, an export, an API call, a log line
or the tables. The test builds two worlds in which the same people answer the same set of answers,
handed out differently (world B gives each person another's answer and comment), and requires
every page, API answer and table to read the same in both, and no comment to stand anywhere but
in its relation's list. Whatever can tell the two worlds apart would link answers to people."""

from __future__ import annotations

import difflib
import json
import logging
import re

from sqlalchemy import DateTime, inspect, select

import factories as f
from opinion_support import give, opinion_round
from workflow.accounts.models import Role
from workflow.core.audit import AuditEntry
from workflow.extensions import db
from workflow.opinions import operations
from workflow.opinions.models import OpinionComments, OpinionTally, Respondent

ANSWERS = [((4, 4, 3, 3), "Điều hành quyết liệt, sâu sát cơ sở"), ((2, 3, 2, 2), "Giao việc dồn vào cuối năm"),
           ((3, 3, 3, 4), "Cần lắng nghe cấp dưới hơn"), ((3, 2, 2, 3), "Họp nhiều, ít kiểm tra thực tế"),
           ((4, 3, 4, 4), "Gương mẫu, công tâm"), ((1, 2, 2, 2), "Chưa công khai tiêu chí thi đua"),
           ((3, 4, 3, 3), "Quan tâm đào tạo cán bộ trẻ"), ((2, 2, 3, 3), "Xử lý hồ sơ còn chậm")]
SUPERIOR = ((3, 3, 3, 3), "Hoàn thành tốt nhiệm vụ được giao")


def _world(order: list[int], as_person, caplog) -> dict:
    ctx = opinion_round(subordinates=len(ANSWERS))
    admin = f.person(Role.ADMIN, full_name="Quản Trị Viên")
    audit_before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    caplog.clear()
    give(ctx, ctx.superior, *SUPERIOR)
    for person, index in zip(ctx.people, order, strict=True):
        values, comment = ANSWERS[index]
        client = as_person(person)
        r = db.session.scalar(select(Respondent).where(Respondent.opinion_subject_id == ctx.item.id, Respondent.person_id == person.id))
        page = client.post(f"/opinions/answer/{r.id}", data={**{f"score-{c}": str(v) for c, v in zip(ctx.round.criterion_codes, values, strict=True)},
                                                              "comment": comment})
        assert page.status_code == 302, page.get_data(as_text=True)[:2000]
    db.session.expire_all()
    answering_audit = db.session.scalar(select(db.func.count()).select_from(AuditEntry)) - audit_before
    lines = [(r.getMessage(), getattr(r, "person_id", None), getattr(r, "remote_addr", None)) for r in caplog.records]
    operations.close_round(ctx.round, actor=ctx.staff)
    db.session.flush()
    staff = as_person(ctx.staff)
    ids = {str(v) for v in (ctx.round.id, ctx.item.id, ctx.registration.id, ctx.registration.subject_id)}

    def scrub(text: str) -> str:
        text = re.sub(r'name="csrf_token" value="[^"]+"', "", text)
        text = re.sub(r'name="version" value="\d+"', "", text)
        # The rows each world has of its own: the round's and the subject's ids in addresses and anchors.
        return re.sub(r"(/opinions/|subject-)(\d+)", lambda m: m.group(1) + ("ID" if m.group(2) in ids else m.group(2)), text)

    pages = {
        "round (staff)": staff.get(f"/opinions/{ctx.round.id}").get_data(as_text=True),
        "round (admin)": as_person(admin).get(f"/opinions/{ctx.round.id}").get_data(as_text=True),
        "mine (each respondent)": "".join(as_person(p).get("/opinions/mine").get_data(as_text=True) for p in ctx.people),
    }
    api = {
        "round": staff.get(f"/api/v1/opinions/rounds/{ctx.round.id}").get_json(),
        "results": staff.get(f"/api/v1/opinions/rounds/{ctx.round.id}/results").get_json(),
    }
    tallies = sorted((t.relation.value, t.criterion, t.value, t.count)
                     for t in db.session.scalars(select(OpinionTally).where(OpinionTally.opinion_subject_id == ctx.item.id)))
    comments = db.session.scalars(select(OpinionComments).where(OpinionComments.opinion_subject_id == ctx.item.id)).all()
    respondents = sorted((r.person.full_name, r.relation.value, r.answered, tuple(r.criteria))
                         for r in db.session.scalars(select(Respondent).where(Respondent.opinion_subject_id == ctx.item.id)))
    return {"ctx": ctx, "pages": {k: scrub(v) for k, v in pages.items()}, "api": _without_ids(api),
            "tallies": tallies, "comments": {c.relation.value: c.texts for c in comments}, "respondents": respondents,
            "audit": answering_audit, "lines": lines, "audit_page": as_person(admin).get("/admin/audit").get_data(as_text=True)}


def _without_ids(value):
    """The API's answer without the keys that name rows (each world has its own)."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in ("id", "subject_id", "version")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _every_value() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            found.setdefault(table.name, []).extend(str(v) for v in row if v is not None)
    return found


def test_no_page_export_api_log_or_table_links_an_opinion_to_its_author(as_person, caplog):
    caplog.set_level(logging.DEBUG)
    n = len(ANSWERS)
    a = _world(list(range(n)), as_person, caplog)
    b = _world([(i + 3) % n for i in range(n)], as_person, caplog)  # everyone gives another's answer

    # 1. The tables hold counts, a list of comments and a flag per person asked — the same in both worlds.
    assert a["tallies"] == b["tallies"] and sum(t[3] for t in a["tallies"]) == 4 * (n + 1)
    assert a["respondents"] == b["respondents"]
    assert {k: sorted(v) for k, v in a["comments"].items()} == {k: sorted(v) for k, v in b["comments"].items()}
    columns = {t: {c["name"] for c in inspect(db.session.connection()).get_columns(t)}
               for t in ("opinion_respondent", "opinion_tally", "opinion_comments")}
    assert columns == {"opinion_respondent": {"id", "round_id", "opinion_subject_id", "person_id", "relation", "on_behalf_of_id", "criteria", "answered"},
                       "opinion_tally": {"id", "opinion_subject_id", "relation", "criterion", "value", "count"},
                       "opinion_comments": {"id", "opinion_subject_id", "relation", "texts"}}
    for name in columns:
        assert not any(isinstance(c.type, DateTime) for c in db.metadata.tables[name].c), name
    for name in ("opinion_tally", "opinion_comments"):
        assert {fk.column.table.name for fk in db.metadata.tables[name].foreign_keys} == {"opinion_subject"}, name
    # The comments are not kept in the order they were given (shuffled on every answer).
    given = [ANSWERS[i][1] for i in range(n)]
    assert a["comments"]["subordinate"] != given or b["comments"]["subordinate"] != [ANSWERS[(i + 3) % n][1] for i in range(n)]
    # No comment stands anywhere but in its relation's list: not in the audit log, the outbox, drafts or elsewhere.
    texts = [c for _, c in ANSWERS] + [SUPERIOR[1]]
    for table, values in _every_value().items():
        if table != "opinion_comments":
            assert not any(t in v for t in texts for v in values), f"a comment is kept in {table}"
    # 2. Answering writes nothing to the audit log.
    assert a["audit"] == b["audit"] == 0
    # 3. The answer page's requests name no person and no address; no log line holds a comment.
    for world in (a, b):
        posts = [line for line in world["lines"] if "/opinions/answer/" in line[0]]
        assert len(posts) == n and all(person is None and address is None for _, person, address in posts)
        assert all("person=None from None" in message for message, _, _ in posts)
        assert not any(t in message for t in texts for message, _, _ in world["lines"])
    # 4. Every page and API answer reads the same whoever gave which answer.
    assert a["api"] == b["api"]
    for name in a["pages"]:
        assert a["pages"][name] == b["pages"][name], "\n".join(difflib.unified_diff(a["pages"][name].splitlines(), b["pages"][name].splitlines(), lineterm="", n=0))
    # … and they do show the result: the means and the comments, sorted.
    assert "3,00" in a["pages"]["round (staff)"] and sorted(given)[0] in a["pages"]["round (staff)"]
    assert not any(t in a["audit_page"] for t in texts)


def test_fewer_answers_than_the_threshold_show_nothing_of_the_subordinates_anywhere(as_person):
    ctx = opinion_round(subordinates=4)
    give(ctx, ctx.superior, (4, 4, 4, 4), "Ý kiến cấp trên")
    give(ctx, ctx.people[0], (1, 1, 1, 1), "Ý kiến riêng của cấp dưới thứ nhất")
    give(ctx, ctx.people[1], (2, 2, 2, 2), "Ý kiến riêng của cấp dưới thứ hai")
    operations.close_round(ctx.round, actor=ctx.staff)
    db.session.flush()
    staff = as_person(ctx.staff)
    page = staff.get(f"/opinions/{ctx.round.id}").get_data(as_text=True)
    results = staff.get(f"/api/v1/opinions/rounds/{ctx.round.id}/results").get_json()
    for text in (page, json.dumps(results, ensure_ascii=False)):
        assert "Ý kiến riêng" not in text and "1,50" not in text and "1.50" not in text
    assert results[0]["shown"] == {"superior": True, "subordinate": False}
    assert all(set(c["means"]) == {"superior"} for c in results[0]["criteria"])
    assert "chưa đủ số ý kiến" in page
