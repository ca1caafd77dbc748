"""Permission first, everywhere: an edit that carries a version (If-Match or `version`) is
refused to a person without the permission with 403 or 404, never with 428 (no version) or
412 (a stale one), which would tell them the object exists and has moved.

The endpoints are read from the served OpenAPI document (every unsafe operation whose body or
query takes `version`), not from a list kept by hand; each is called with valid arguments, as
another unit's head and as an ordinary council member, with no version and with a stale one.
"""

from __future__ import annotations

from typing import Any

import pytest

import factories as f
from council_support import council, open_scoring, published, reported_registration, score
from vote_support import vote_round
from workflow.accounts.models import Role
from workflow.council import operations as council_ops
from workflow.extensions import db
from workflow.framework import operations as framework
from workflow.monthly.models import MonthlyPlan
from workflow.reports.models import Evidence, RequestKind, SupportRequest
from workflow.reports.operations import report_of
from workflow.selfscoring.models import CollectiveSelfScore
from workflow.targets.models import Amendment, ChangeKind, Proposal

UNSAFE = ("post", "put", "patch", "delete")
STALE_ETAG = '"stale-1-v999"'


@pytest.fixture
def world(app):
    """One head's published year with one of everything an edit names: a target, a proposal,
    an amendment, a report with a file and a request, a scorecard, the session, a discipline
    record, a self-assessment and an objection."""
    cycle = f.year(2027)
    mine, other = reported_registration(cycle), reported_registration(cycle)
    open_scoring(cycle)
    head = f.head_of(mine)
    seats = council(cycle, members=2)
    council_ops.save_self_assessment(mine, {"summary": "Hoàn thành các chỉ tiêu", "shortcomings": "", "proposed_level": "good"}, actor=head,
                                     version=None)
    card = score(seats["m2"], mine)
    council_ops.record_discipline(mine, actor=seats["secretary"].person, reference="15-QĐ/UBKTTU", reason="Khiển trách")
    published(cycle, [mine, other], seats)
    objection = council_ops.file_objection(mine, "Đề nghị xem xét lại mức xếp loại", actor=head)
    report = report_of(mine, 1)
    target = mine.targets[0]
    rows = {
        "proposal_id": Proposal(registration_id=mine.id, kind=ChangeKind.DROP, target_id=target.id, values={}, reason="Không khả thi",
                                author_id=f.person(Role.STAFF).id),
        "amendment_id": Amendment(registration_id=mine.id, requested_by_id=head.id, reason="Điều chỉnh", items=[]),
        "evidence_id": Evidence(report_id=report.id, filename="bien-ban.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
                                uploaded_by_id=head.id),
        "request_id": SupportRequest(report_id=report.id, kind=RequestKind.SUPPORT, body="Đề nghị hỗ trợ", created_by_id=head.id),
    }
    # A civil servant of the head's unit with a month (workflow.monthly).
    track = framework.track_in(cycle, "civil_servants")
    servant = f.person(unit=mine.unit)
    subject = framework.subject_of(track, unit_id=mine.unit_id, person_id=servant.id)
    rows["plan_id"] = MonthlyPlan(subject=subject, period=framework.period_of(cycle, track, 1))
    # The unit's collective with a month of self-scoring (workflow.selfscoring).
    collective = framework.subject_of(framework.track_in(cycle, "collectives"), unit_id=mine.unit_id, person_id=None)
    rows["row_id"] = CollectiveSelfScore(subject=collective, cycle=cycle, month=1, note="", returned_reason="")
    db.session.add_all(rows.values())
    db.session.flush()
    ids = {
        "group_id": mine.unit.group_id, "unit_id": mine.unit_id, "cycle_id": cycle.id, "person_id": head.id, "registration_id": mine.id,
        "target_id": target.id, "report_id": report.id, "card_id": card.id, "objection_id": objection.id,
        **{name: row.id for name, row in rows.items()},
        "round_id": vote_round(candidates=1).round.id, "subject_id": subject.id, "year": cycle.year, "month": 1,
    }
    intruders = {"another head": f.head_of(other), "a council member": seats["m1"].person}
    return ids, intruders


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _fillable(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Whether `_example` can give a value the field accepts: free text with a pattern cannot;
    a decimal (text matching its number pattern) can."""
    schema = _resolve(spec, schema)
    return "pattern" not in schema or schema.get("format") == "decimal"


def _example(spec: dict[str, Any], schema: dict[str, Any], *, full: bool = False, step: int = 0) -> Any:
    """A small value the schema accepts: its required properties (`full`: all of them, for
    bodies whose fields depend on one another), each at its lower bound."""
    schema = _resolve(spec, schema)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _example(spec, schema[combined][0], full=full)
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        names = [n for n in props if full and _fillable(spec, props[n]) or n in schema.get("required", [])]
        # Numbers differ from one another (a target must differ from its baseline).
        return {name: _example(spec, props[name], step=i) for i, name in enumerate(names)}
    if kind == "array":
        return [_example(spec, schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string" and schema.get("format") == "decimal":
        return str(max(int(float(schema.get("minimum", 1))), 1) + step)
    if kind == "string":
        formats = {"date": "2027-06-30", "date-time": "2027-06-30T09:00:00+07:00", "email": "a@kpi.test"}
        return formats.get(schema.get("format"), "Nội dung" + "x" * max(0, schema.get("minLength", 0) - 8))
    if kind in ("integer", "number"):
        low = max(int(float(schema.get("minimum", 1))), 1)
        return min(low + step, int(float(schema.get("maximum", low + step))))
    if kind == "boolean":
        return False
    return "x"


def versioned_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every unsafe operation that takes a version."""
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in UNSAFE:
                continue
            params = {p["name"] for p in operation.get("parameters", [])}
            body = _resolve(spec, operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}))
            if {"version", "If-Match"} & params or "version" in body.get("properties", {}):
                found.append((method, path, operation))
    return found


def test_every_versioned_edit_checks_the_permission_before_the_version(world, client):
    ids, intruders = world
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = versioned_operations(spec)
    # Every package that edits with versions is enumerated (a broken enumeration cannot pass).
    assert {p.split("/")[3] for _, p, _ in operations} >= {"units", "unit-groups", "cycles", "people", "registrations", "reports", "council", "monthly",
                                                              "self-scoring"}
    wrong = []
    for who, person in intruders.items():
        headers = f.api_headers(person)
        for method, path, operation in operations:
            url = path.format(**ids)
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            query = {p["name"]: _example(spec, p.get("schema", {})) for p in operation.get("parameters", [])
                     if p["in"] == "query" and p.get("required")}
            # Bodies with the required fields, then with all of them: whichever the schema's
            # rules between fields accept (a body refused as such, 422, reveals nothing).
            answers = []
            for version, full in ((None, False), (999, False), (None, True), (999, True)):
                body = _example(spec, schema, full=full) if schema else None
                sent_body = dict(body) if isinstance(body, dict) else body
                sent_query, sent_headers = dict(query), dict(headers)
                if version is not None:
                    sent_headers["If-Match"] = STALE_ETAG
                    if isinstance(sent_body, dict):
                        sent_body["version"] = version
                    else:
                        sent_query["version"] = version
                else:
                    if isinstance(sent_body, dict):
                        sent_body.pop("version", None)
                response = client.open(url, method=method.upper(), json=sent_body, query_string=sent_query, headers=sent_headers)
                answers.append(f"version {version}: {response.status_code} {response.get_data(as_text=True)[:160]}")
                if response.status_code not in (403, 404, 422):
                    wrong.append(f"{who}: {method.upper()} {url} {answers[-1]}")
            if not any(a.split(": ")[1].startswith(("403", "404")) for a in answers):
                wrong.append(f"{who}: {method.upper()} {url} never reached the permission check: {answers}")
    assert not wrong, "\n".join(wrong)
