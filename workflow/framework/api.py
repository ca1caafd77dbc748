"""API: tracks (/api/v1/tracks), their periods and their subjects.

Reading is open to everyone signed in; placing people in tracks needs `admin.units.manage`.
"""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.core.api import API_PREFIX
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.core.web import get_or_404
from workflow.cycles.models import Cycle
from workflow.framework import operations, queries
from workflow.framework.models import Subject, Track
from workflow.framework.schemas import PeriodArgs, PeriodSchema, SubjectInputSchema, SubjectListArgs, SubjectSchema, TrackArgs, TrackSchema
from workflow.units.models import Unit

blp = Blueprint("tracks_api", __name__, url_prefix=f"{API_PREFIX}/tracks",
                description="Tracks (nhóm đối tượng đánh giá), their periods and subjects.")


@blp.get("")
@blp.arguments(TrackArgs, location="query")
@blp.response(200, TrackSchema(many=True))
def list_tracks(args):
    policy.require(current_user, "track.view")
    cycle = get_or_404(Cycle, args["cycle_id"]) if args["cycle_id"] else None
    return queries.overview(cycle)


@blp.get("/<int:track_id>/periods")
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, PeriodSchema(many=True))
def list_periods(args, track_id: int):
    policy.require(current_user, "track.view")
    get_or_404(Track, track_id)
    return queries.periods(get_or_404(Cycle, args["cycle_id"]).id, track_id)


@blp.get("/<int:track_id>/subjects")
@blp.arguments(SubjectListArgs, location="query")
@blp.response(200, page_schema(SubjectSchema))
def list_subjects(args, track_id: int):
    policy.require(current_user, "track.view")
    get_or_404(Track, track_id)
    return page_payload(paginate(queries.subjects_stmt(track_id), args["page"], args["per_page"]))


@blp.post("/<int:track_id>/subjects")
@blp.arguments(SubjectInputSchema)
@blp.response(201, SubjectSchema)
def create_subject(data, track_id: int):
    policy.require(current_user, "admin.units.manage")
    track = get_or_404(Track, track_id)
    get_or_404(Unit, data["unit_id"])
    if data["person_id"] is not None:
        from workflow.accounts.models import Person

        get_or_404(Person, data["person_id"])
    return operations.add_subject(track, rules=queries.latest_rules(), actor=current_user, **data)


@blp.get("/subjects/<int:subject_id>")
@blp.response(200, SubjectSchema)
def get_subject(subject_id: int):
    policy.require(current_user, "track.view")
    return get_or_404(Subject, subject_id)
