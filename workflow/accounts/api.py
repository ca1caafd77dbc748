"""API: the signed-in person and their tokens."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from workflow.accounts import operations
from workflow.accounts.models import ApiToken
from workflow.accounts.schemas import PersonSchema, TokenCreatedSchema, TokenCreateSchema, TokenSchema
from workflow.core.api import API_PREFIX
from workflow.core.errors import NotFound
from workflow.extensions import db

blp = Blueprint("me", __name__, url_prefix=f"{API_PREFIX}/me", description="The signed-in person and their API tokens.")


@blp.get("")
@blp.response(200, PersonSchema)
def me():
    return current_user


@blp.get("/tokens")
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    return db.session.scalars(select(ApiToken).where(ApiToken.person_id == current_user.id).order_by(ApiToken.id)).all()


@blp.post("/tokens")
@blp.arguments(TokenCreateSchema)
@blp.response(201, TokenCreatedSchema)
def create_token(data):
    token, secret = operations.create_token(current_user, data["name"], actor=current_user, expires_in_days=data["expires_in_days"])
    db.session.flush()
    token.token = secret
    return token


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.person_id != current_user.id:
        raise NotFound(gettext("This page or item does not exist, or was removed."))
    operations.revoke_token(token, actor=current_user)
