"""Schemas of rounds of opinions for the API. Fields are listed one by one: counts of who was
asked and who answered, and aggregates per criterion — never an answer, never a respondent's
choice."""

from marshmallow import fields

from workflow.core.schemas import BaseSchema


class OpinionRoundBriefSchema(BaseSchema):
    id = fields.Integer()
    title = fields.String()
    track = fields.Function(lambda r: r.track.code, metadata={"description": "The code of the track evaluated."})
    cycle = fields.Function(lambda r: r.cycle.year, metadata={"description": "The year."})
    opens_on = fields.Date()
    closes_on = fields.Date(metadata={"description": "The last day answers are taken."})
    state = fields.Function(lambda r: r.state.value, metadata={"description": "open or closed"})
    version = fields.Integer()


class OpinionRateSchema(BaseSchema):
    subject_id = fields.Integer(metadata={"description": "The subject (framework) opinions are about."})
    name = fields.String()
    asked = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "People asked, by relation."})
    answered = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "People who answered, by relation."})


class OpinionRoundSchema(OpinionRoundBriefSchema):
    min_answers = fields.Function(lambda r: r.rules["min_answers"])
    peers = fields.Function(lambda r: r.rules["peers"])
    subjects = fields.List(fields.Nested(OpinionRateSchema))


class OpinionCriterionSchema(BaseSchema):
    code = fields.String()
    means = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True),
                        metadata={"description": "Mean on the round's scale by relation, only of relations shown."})
    gap = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "Superior's mean minus the subordinates'."})
    flagged = fields.Boolean(metadata={"description": "The gap reaches the round's threshold."})


class OpinionResultSchema(BaseSchema):
    subject_id = fields.Integer()
    name = fields.String()
    asked = fields.Dict(keys=fields.String(), values=fields.Integer())
    answered = fields.Dict(keys=fields.String(), values=fields.Integer())
    shown = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                        metadata={"description": "Whether a relation's results are shown (subordinates and peers: at least min_answers answered)."})
    criteria = fields.List(fields.Nested(OpinionCriterionSchema))
    comments = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={"description": "Comments of relations shown, sorted."})
