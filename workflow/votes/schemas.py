"""Schemas of vote rounds for the API. Fields are listed one by one: nothing of a ballot, a code
or a receipt is ever in them."""

from marshmallow import fields

from workflow.core.schemas import BaseSchema, Text
from workflow.units.schemas import BriefPersonSchema, BriefUnitSchema


class VoteCandidateSchema(BaseSchema):
    id = fields.Integer()
    person = fields.Nested(BriefPersonSchema)
    post = fields.String()
    appointed_on = fields.Date(allow_none=True)
    retirement_announced = fields.Boolean()
    excluded_code = fields.String(metadata={"description": "Why the rules leave the person out of the vote: retirement_announced, "
                                                           "under_months_in_post, elected_in_vote_year or other; empty when voted on."})
    excluded_note = fields.String(metadata={"description": "The free text of an exclusion coded other."})
    excluded_reason = fields.String(metadata={"description": "The exclusion in words, in the language of the request; empty when voted on."})


class VoteRoundBriefSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    organiser = fields.Nested(BriefUnitSchema)
    term = fields.String()
    held_on = fields.Date()
    method = fields.String(metadata={"description": "paper or electronic"})
    profile = fields.String()
    state = fields.String(metadata={"description": "preparing, voting, counting or closed"})


class VoteRoundSchema(VoteRoundBriefSchema):
    version = fields.Integer()
    rules = fields.Dict(metadata={"description": "The rules copied into the round when it was created (config/votes.toml)."})
    candidates = fields.List(fields.Nested(VoteCandidateSchema))
    summoned = fields.Integer()
    attended = fields.Integer()


class VoteResultSchema(BaseSchema):
    candidate_id = fields.Integer()
    person = fields.Nested(BriefPersonSchema, attribute="candidate.person")
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    denominator = fields.Integer()
    share = fields.String(attribute="low_share", metadata={"description": "The share the outcomes read, as an exact fraction (\"26/39\")."})
    outcome = fields.String(metadata={"description": "The outcome code of the rules, or the level decided (classification)."})


class VoteStepSchema(BaseSchema):
    step = Text(required=True, max_length=20, metadata={"description": "open, close or publish"})
    version = fields.Integer(required=True)
