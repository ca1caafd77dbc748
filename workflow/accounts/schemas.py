"""Schemas for sign-in, profiles and tokens (shared by the web forms and the API)."""

import re

from flask_babel import gettext
from marshmallow import ValidationError, fields

from workflow.accounts.models import Role
from workflow.core.i18n import LOCALES
from workflow.core.pagination import PageArgs
from workflow.core.schemas import BaseSchema, PartialSchema, Text, WholeNumber, between, email_address, length, not_blank, one_of
from workflow.units.schemas import BriefUnitSchema


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
    expires_in_days = WholeNumber(load_default=None, allow_none=True, validate=between(1, 3650))


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


# --- administration of accounts ---------------------------------------------------------------

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$", re.IGNORECASE)


def username_format(value: str) -> None:
    if value and not _USERNAME.match(value):
        raise ValidationError(gettext("Use only letters without accents, digits, dots, hyphens and underscores."))


class PersonProfileSchema(BaseSchema):
    """What an administrator sets on an account besides its username, password and roles."""

    full_name = Text(required=True, max_length=200)
    email = Text(required=True, max_length=254, validate=[email_address])
    title = Text(load_default="", max_length=200, allow_empty=True, metadata={"description": "Chức vụ."})
    unit_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "The unit the person works in."})
    locale = fields.String(load_default="vi", validate=one_of(LOCALES))


class PersonCreateSchema(PersonProfileSchema):
    username = Text(required=True, max_length=64, validate=[length(min=2), username_format])
    password = fields.String(
        required=True,
        validate=[not_blank, length(max=200)],
        load_only=True,
        metadata={"description": "A temporary password; the person must choose their own at the first sign-in."},
    )


class PersonUpdateSchema(PersonProfileSchema, PartialSchema):
    version = fields.Integer(load_default=None, metadata={"description": "The version edited, unless sent as If-Match."})


class PasswordResetSchema(BaseSchema):
    password = fields.String(required=True, validate=[not_blank, length(max=200)], load_only=True)


class RoleGrantCreateSchema(BaseSchema):
    role = fields.String(required=True, validate=one_of([r.value for r in Role]))
    unit_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "For a head: the unit they lead."})
    replace_head = fields.Boolean(
        load_default=False, metadata={"description": "When the unit already has a head, revoke that head's role first."}
    )


class RoleGrantDetailSchema(BaseSchema):
    id = fields.Integer()
    role = fields.String(attribute="role.value")
    unit_id = fields.Integer(allow_none=True)
    unit = fields.Nested(BriefUnitSchema, allow_none=True)


class PersonAdminSchema(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String()
    title = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit = fields.Nested(BriefUnitSchema, allow_none=True)
    locale = fields.String()
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    roles = fields.List(fields.Nested(RoleGrantDetailSchema))
    version = fields.Integer()


class PeopleListArgs(PageArgs):
    role = fields.String(load_default=None, validate=one_of([r.value for r in Role]))
    unit_id = fields.Integer(load_default=None)
    active = fields.Boolean(load_default=None)
    q = fields.String(load_default=None, metadata={"description": "Part of the name, username or e-mail."})
