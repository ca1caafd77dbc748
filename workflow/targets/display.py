"""How target values read on a page: numbers and dates the Vietnamese way (1.234,5;
31/03/2027: `workflow.core.formats`), yes/no, kinds and directions in words. Used by the target table, the history and the diff alike."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from workflow.core import formats
from workflow.targets.models import ChangeKind, Direction, TargetKind, TargetOrigin

NUMBER_FIELDS = {"baseline", "target_value", "weight", "plan_q1", "plan_q2", "plan_q3", "plan_q4"}
BOOLEAN_FIELDS = {"is_new", "is_difficult", "is_focal", "is_bottleneck", "dropped"}


def kind_labels() -> dict[str, str]:
    return {TargetKind.QUANTITATIVE: gettext("Quantitative target"), TargetKind.TASK: gettext("Task")}


def direction_labels() -> dict[str, str]:
    return {Direction.HIGHER: gettext("higher is better"), Direction.LOWER: gettext("lower is better")}


def origin_labels() -> dict[str, str]:
    return {
        TargetOrigin.REGISTERED: gettext("Registered by the head"),
        TargetOrigin.SUPPLEMENTARY: gettext("Supplementary (assigned by the committee)"),
        TargetOrigin.PROPOSAL: gettext("Added on a staff proposal"),
        TargetOrigin.AMENDMENT: gettext("Added by an amendment"),
    }


def change_labels() -> dict[str, str]:
    return {ChangeKind.ADD: gettext("Add a target"), ChangeKind.CHANGE: gettext("Change a target"), ChangeKind.DROP: gettext("Drop a target")}


def show(field: str, value: Any) -> str:
    """One value of a target field, as a person reads it ("—" when empty)."""
    if value is None or value == "":
        return "—"
    if field in NUMBER_FIELDS:
        return formats.number(value)
    if field in BOOLEAN_FIELDS:
        return gettext("Yes") if value in (True, "true", "1") else gettext("No")
    if field == "due_date":
        return formats.day(value)
    if field == "previous_target_id":
        return gettext("Linked (target no. %(id)s)", id=value)
    if field == "kind":
        return kind_labels().get(str(value), str(value))
    if field == "direction":
        return direction_labels().get(str(value), str(value))
    return str(value)
