"""API: /api/v1/directory/imports — a personnel database pushes the organisation as rows; the
preview comes back, and the import is applied at once or later."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from workflow import policy
from workflow.core.api import API_PREFIX
from workflow.core.web import get_or_404
from workflow.directory import operations
from workflow.directory.models import DirectoryImport
from workflow.directory.schemas import ApplyInputSchema, ImportInputSchema, ImportSchema

blp = Blueprint("directory_api", __name__, url_prefix=f"{API_PREFIX}/directory",
                description="The organisation from the personnel records: units, positions, people.")


@blp.post("/imports")
@blp.arguments(ImportInputSchema)
@blp.response(201, ImportSchema)
def create_import(data):
    policy.require(current_user, "directory.import")
    apply_now, valid_only = data.pop("apply"), data.pop("valid_only")
    return operations.push(data, actor=current_user, apply_now=apply_now, valid_only=valid_only)


@blp.get("/imports/<int:import_id>")
@blp.response(200, ImportSchema)
def get_import(import_id: int):
    policy.require(current_user, "directory.import")
    return get_or_404(DirectoryImport, import_id)


@blp.post("/imports/<int:import_id>/apply")
@blp.arguments(ApplyInputSchema)
@blp.response(200, ImportSchema)
def apply_import(data, import_id: int):
    policy.require(current_user, "directory.import")
    batch = get_or_404(DirectoryImport, import_id)
    operations.apply(batch, actor=current_user, valid_only=data["valid_only"])
    return batch
