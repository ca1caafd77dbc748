"""API: administration of people (/api/v1/people): accounts, temporary passwords, activation,
sessions and roles. Everything needs `admin.accounts.manage`; edits carry the version (If-Match
with the ETag, or `version` in the body)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.accounts import operations, queries
from workflow.accounts.models import Person, Role, RoleGrant
from workflow.accounts.schemas import (
    PasswordResetSchema,
    PeopleListArgs,
    PersonAdminSchema,
    PersonCreateSchema,
    PersonUpdateSchema,
    RoleGrantCreateSchema,
)
from workflow.core.api import API_PREFIX, with_etag
from workflow.core.concurrency import claimed_version
from workflow.core.errors import NotFound
from workflow.core.pagination import page_payload, page_schema, paginate
from workflow.extensions import db

blp = Blueprint("people_api", __name__, url_prefix=f"{API_PREFIX}/people", description="People: accounts and roles (administrators).")


def _person(person_id: int) -> Person:
    policy.require(current_user, "admin.accounts.manage")
    person = db.session.scalar(queries.people().where(Person.id == person_id).execution_options(populate_existing=True))
    if person is None:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    return person


def _reply(person: Person):
    db.session.flush()
    person = _person(person.id)
    return with_etag(person, person)


@blp.get("")
@blp.arguments(PeopleListArgs, location="query")
@blp.response(200, page_schema(PersonAdminSchema))
def list_people(args):
    policy.require(current_user, "admin.accounts.manage")
    stmt = queries.people(role=args["role"], unit_id=args["unit_id"], active=args["active"], q=args["q"])
    return page_payload(paginate(stmt, args["page"], args["per_page"]))


@blp.get("/<int:person_id>")
@blp.response(200, PersonAdminSchema)
def get_person(person_id: int):
    return _reply(_person(person_id))


@blp.post("")
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonAdminSchema)
def create_person(data):
    policy.require(current_user, "admin.accounts.manage")
    return _reply(operations.create_person(actor=current_user, must_change_password=True, **data))


@blp.patch("/<int:person_id>")
@blp.arguments(PersonUpdateSchema)
@blp.response(200, PersonAdminSchema)
def update_person(data, person_id: int):
    person = _person(person_id)
    version = claimed_version(person, data.pop("version", None))
    operations.update_person(person, actor=current_user, version=version, **data)
    return _reply(person)


@blp.post("/<int:person_id>/deactivate")
@blp.response(200, PersonAdminSchema)
def deactivate(person_id: int):
    person = _person(person_id)
    operations.deactivate_person(person, actor=current_user)
    return _reply(person)


@blp.post("/<int:person_id>/reactivate")
@blp.response(200, PersonAdminSchema)
def reactivate(person_id: int):
    person = _person(person_id)
    operations.reactivate_person(person, actor=current_user)
    return _reply(person)


@blp.post("/<int:person_id>/sign-out")
@blp.response(200, PersonAdminSchema)
def sign_out_everywhere(person_id: int):
    person = _person(person_id)
    operations.sign_out_everywhere(person, actor=current_user)
    return _reply(person)


@blp.post("/<int:person_id>/password")
@blp.arguments(PasswordResetSchema)
@blp.response(200, PersonAdminSchema)
def reset_password(data, person_id: int):
    person = _person(person_id)
    operations.set_password(person, data["password"], actor=current_user)
    return _reply(person)


@blp.post("/<int:person_id>/roles")
@blp.arguments(RoleGrantCreateSchema)
@blp.response(201, PersonAdminSchema)
def grant_role(data, person_id: int):
    person = _person(person_id)
    operations.grant_role(person, Role(data["role"]), actor=current_user, unit_id=data["unit_id"], replace_head=data["replace_head"])
    return _reply(person)


@blp.delete("/<int:person_id>/roles/<int:grant_id>")
@blp.response(200, PersonAdminSchema)
def revoke_role(person_id: int, grant_id: int):
    person = _person(person_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.person_id != person.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    operations.revoke_role(grant, actor=current_user)
    return _reply(person)
