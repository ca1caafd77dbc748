"""What the OpenAPI document says beyond what each view declares, so that it describes every
answer the API can give and validates as OpenAPI 3.0.

- Every operation lists the errors it can answer with, all in one shape (`Error`): 400, 401,
  403, 404 and 422 for all; 409 and 413 for those that change something; 412 and 428 for those
  that carry a version (they also document the `If-Match` header).
- An upload is one `multipart/form-data` request body holding the file and the form fields.
- Decimal numbers are documented as they travel: text such as "1234.5" (no digit is lost), with
  their bounds as numbers.

Views keep declaring only their success response (see workflow/core/api.py).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import Schema, fields

UNSAFE = {"post", "put", "patch", "delete"}
METHODS = UNSAFE | {"get", "head", "options"}
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"

# Status → (component name, when it is answered).
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The request cannot be read (not JSON, nested too deeply, a number too long), or the action is refused; `message` says why."),
    401: ("Unauthorized", "No valid token: send `Authorization: Bearer kpi_…`."),
    403: ("Forbidden", "The token's owner may not do this, or see this item."),
    404: ("NotFound", "No such item (or an id out of range)."),
    409: ("Conflict", "The item's state does not allow this now, or it conflicts with data saved meanwhile; `message` says why."),
    412: ("PreconditionFailed", "The version sent (If-Match or `version`) is not the current one; nothing was changed. `details.current_version` is the current one."),
    413: ("PayloadTooLarge", "The request or the uploaded file is too large."),
    422: ("UnprocessableContent", "Invalid fields: `errors` maps each location and field to its messages."),
    428: ("PreconditionRequired", "The version edited is missing: send the ETag received as If-Match, or `version`."),
}
ALWAYS = (400, 401, 403, 404, 422)
WHEN_CHANGING = (409, 413)
WHEN_VERSIONED = (412, 428)

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": "The ETag received with the item (or send `version`); a stale one is refused with 412.",
    "schema": {"type": "string"},
}


class ErrorSchema(Schema):
    """The body of every error, from any view (workflow.core.web.error_response)."""

    code = fields.Integer(metadata={"description": "The HTTP status"})
    status = fields.String(metadata={"description": "Its name"})
    message = fields.String(metadata={"description": "What went wrong, in the caller's language (Accept-Language: vi or en)"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.List(fields.String())),
        metadata={"description": "Field-level messages by location (json, query, form, files): {location: {field: [message]}}"},
    )
    details = fields.Dict(keys=fields.String(), metadata={"description": "Figures about the refusal, e.g. current_version for 412"})


def install(api: Any) -> dict[str, Any]:
    """Before `api.init_app`: the error schema; returns the spec_kwargs that add the plugin."""
    api.ERROR_SCHEMA = ErrorSchema
    api.DEFAULT_ERROR_RESPONSE_NAME = None  # every error is listed by its status instead
    return {"extra_plugins": [ErrorResponses()]}


def after_init(api: Any) -> None:
    api.ma_plugin.converter.add_attribute_function(decimal_as_text)


def decimal_as_text(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An attribute function of apispec's field converter: a Decimal sent and returned as text."""
    if not isinstance(field, fields.Decimal) or not field.as_string:
        return {}
    doc: dict[str, Any] = {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
    for key in ("minimum", "maximum"):
        if key in ret:
            value = Decimal(str(ret[key]))
            doc[key] = int(value) if value == value.to_integral_value() else float(value)
    return doc


class ErrorResponses(BasePlugin):
    """Runs after the marshmallow plugin, on operations whose schemas are already references."""

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        self.spec = spec
        spec.components.schema("Error", schema=ErrorSchema)
        for name, description in ERRORS.values():
            spec.components.response(
                name, {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            )

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            self._one_multipart_body(operation)
            codes = list(ALWAYS)
            if method in UNSAFE:
                codes += WHEN_CHANGING
            if self._is_versioned(operation):
                codes += WHEN_VERSIONED
                parameters = operation.setdefault("parameters", [])
                if not any(isinstance(p, dict) and p.get("name") == "If-Match" for p in parameters):
                    parameters.append(dict(IF_MATCH))
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            for code in codes:
                if code not in responses and str(code) not in responses:
                    responses[str(code)] = ERRORS[code][0]
            for code in list(responses):
                if str(code) == "422":  # flask-smorest's own 422 says less
                    responses[code] = ERRORS[422][0]

    def _schema(self, ref: Any) -> dict[str, Any]:
        if isinstance(ref, dict) and "$ref" in ref:
            return self.spec.components.schemas.get(ref["$ref"].rsplit("/", 1)[-1], {})
        return ref if isinstance(ref, dict) else {}

    def _is_versioned(self, operation: dict[str, Any]) -> bool:
        if any(isinstance(p, dict) and p.get("in") == "query" and p.get("name") == "version" for p in operation.get("parameters", [])):
            return True
        for media in operation.get("requestBody", {}).get("content", {}).values():
            if "version" in self._schema(media.get("schema")).get("properties", {}):
                return True
        return False

    def _one_multipart_body(self, operation: dict[str, Any]) -> None:
        """flask-smorest documents the form fields of an upload as `formData` parameters, which
        OpenAPI 3 does not have: they join the file in the multipart body."""
        form = [p for p in operation.get("parameters", []) if isinstance(p, dict) and p.get("in") == "formData"]
        media = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
        if not form or media is None:
            return
        schema = copy.deepcopy(self._schema(media.get("schema")))
        schema.setdefault("type", "object")
        properties = schema.setdefault("properties", {})
        for parameter in form:
            properties[parameter["name"]] = dict(parameter.get("schema", {}), **({"description": parameter["description"]} if "description" in parameter else {}))
            if parameter.get("required"):
                schema.setdefault("required", []).append(parameter["name"])
            operation["parameters"].remove(parameter)
        if not operation["parameters"]:
            del operation["parameters"]
        media["schema"] = schema
