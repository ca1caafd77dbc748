"""The whole API fuzzed from the OpenAPI document it serves (schemathesis), as an administrator and
as a head: no server error, and no answer the document does not describe (status, content type,
headers, body).

Every operation gets a few valid and a few invalid requests (KPI_FUZZ_EXAMPLES of each, 3 by
default), half of them aimed at the objects a small province really holds (path ids drawn from
the database), the others at ids and values anywhere in the documented ranges. The examples are
the same on every run (derandomised) unless KPI_FUZZ_SEED asks for others, so a failure in CI
can be replayed; a developer widens the search with, e.g., KPI_FUZZ_EXAMPLES=50 KPI_FUZZ_SEED=7.
Every request is rolled back with the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

import factories as f
from council_support import reported_registration
from workflow.accounts.models import ApiToken, Person, Role, RoleGrant
from workflow.cycles.models import Cycle
from workflow.extensions import db
from workflow.reports.models import QuarterlyReport
from workflow.targets.models import Registration, Target
from workflow.units.models import Unit, UnitGroup

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("KPI_FUZZ_EXAMPLES", "3"))
SEED = os.environ.get("KPI_FUZZ_SEED")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
# Path parameters and the table whose ids they name.
ID_TABLES = {
    "group_id": UnitGroup, "unit_id": Unit, "cycle_id": Cycle, "person_id": Person, "token_id": ApiToken, "grant_id": RoleGrant,
    "registration_id": Registration, "target_id": Target, "report_id": QuarterlyReport,
}


def _province() -> dict[str, Any]:
    """A cycle in execution with a head's registration, its targets and four accepted reports,
    and an administrator; each with a token (committed, as the requests' sessions must see it)."""
    registration = reported_registration(f.execution_cycle(2027))
    head, admin = f.head_of(registration), f.person(Role.ADMIN, username="fuzz-admin")
    headers = {"head": f.api_headers(head), "admin": f.api_headers(admin)}
    known = {name: list(db.session.scalars(select(model.id).order_by(model.id))) for name, model in ID_TABLES.items()}
    # Neither token's owner is deactivated or signed out by the fuzzing, so both keep working.
    known["person_id"] = [i for i in known["person_id"] if i not in (head.id, admin.id)]
    known["token_id"] = []
    known["number"] = [1, 2]
    return {"headers": headers, "known": known}


def _known_ids(known: dict[str, list[int]]):
    def hook(context: Any, strategy: Any) -> Any:
        names = [p.name for p in context.operation.path_parameters]
        choices = {name: st.sampled_from(known[name]) for name in names if known.get(name)}
        if not choices:
            return strategy

        def aim(values: Any) -> Any:
            if not isinstance(values, dict):  # an invalid value made on purpose: left as it is
                return st.just(values)
            return st.fixed_dictionaries(choices).map(lambda ids: {**values, **ids})

        return st.one_of(strategy, strategy.flatmap(aim))

    return hook


@pytest.fixture
def fuzzed_api(app) -> Iterator[tuple[Any, dict[str, Any]]]:
    province = _province()

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        # Each request in an application context of its own, as in production (see conftest's Client).
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi)
    schema.hook("before_generate_path_parameters")(_known_ids(province["known"]))
    yield schema, province


def _fuzz(schema: Any, headers: dict[str, str]) -> tuple[int, int, list[str]]:
    """(operations, requests, failures), each failure with a curl command that replays it."""
    failures: list[str] = []
    requests = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal requests
                requests += 1
                try:
                    response = case.call(headers=headers)
                except Exception as exc:  # raised by the application: a 500 in production
                    failures.append(f"{operation.label}: {type(exc).__name__}: {exc}\n    {case.as_curl_command(headers)}")
                    return
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (AssertionError, BaseExceptionGroup) as exc:
                    failures.append(f"{operation.label}: {str(exc).strip()[:1500]}\n    {case.as_curl_command(headers)}")

            if SEED is not None:
                run = hypothesis.seed(int(SEED))(run)
            run()
    return len(operations), requests, failures


@pytest.mark.parametrize("who", ["admin", "head"])
def test_the_api_answers_every_request_as_its_document_says(fuzzed_api, who):
    schema, province = fuzzed_api
    operations, requests, failures = _fuzz(schema, province["headers"][who])
    print(f"\nfuzzed as {who}: {operations} operations, {requests} requests, {len(failures)} failures")
    assert operations >= 100 and requests >= operations * 2
    assert not failures, f"{len(failures)} of {requests} requests answered against the document:\n" + "\n".join(failures[:30])
