"""Schemas for sign-in, profiles and tokens (shared by the web forms and the API)."""

from marshmallow import fields

from workflow.core.i18n import LOCALES
from workflow.core.schemas import BaseSchema, Text, between, length, not_blank, one_of


class LoginSchema(BaseSchema):
    username = Text(required=True, max_length=64)
    password = fields.String(required=True, validate=[not_blank, length(max=200)])
    next = fields.String(load_default=None, validate=length(max=500))


class RoleGrantSchema(BaseSchema):
    role = fields.String(attribute="role.value")
    unit_id = fields.Integer(allow_none=True)


class PersonSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    title = fields.String()
    unit_id = fields.Integer(allow_none=True)
    locale = fields.String()
    roles = fields.List(fields.Nested(RoleGrantSchema))


class TokenCreateSchema(BaseSchema):
    name = Text(required=True, max_length=100)
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=between(1, 3650))


class TokenSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "The secret, shown only in this response."})


class LocaleSchema(BaseSchema):
    locale = fields.String(required=True, validate=one_of(LOCALES))
    next = fields.String(load_default=None, validate=length(max=500))


class PasswordChangeSchema(BaseSchema):
    current_password = fields.String(required=True, validate=[not_blank, length(max=200)])
    new_password = fields.String(required=True, validate=[not_blank, length(max=200)])
