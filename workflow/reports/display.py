"""Words for the values of reports (milestones, statuses, confidence, kinds of request,
kinds of version), shared by the pages, the API and the workbook."""

from __future__ import annotations

from flask_babel import gettext

from workflow.reports.models import MilestoneStatus, RequestKind


def milestone_labels() -> dict[str, str]:
    return {
        MilestoneStatus.NOT_STARTED: gettext("Not started"),
        MilestoneStatus.IN_PROGRESS: gettext("In progress, on schedule"),
        MilestoneStatus.BEHIND: gettext("Behind schedule"),
        MilestoneStatus.DONE: gettext("Done, product delivered"),
    }


def status_labels() -> dict[str, str]:
    return {"on_track": gettext("On track"), "at_risk": gettext("At risk"), "off_track": gettext("Off track")}


def confidence_labels(scale: int) -> list[tuple[int, str]]:
    if scale == 3:
        names = [gettext("Low"), gettext("Medium"), gettext("High")]
    else:
        names = [gettext("Very low"), gettext("Low"), gettext("Medium"), gettext("High"), gettext("Very high")]
    return [(i, f"{i} – {name}") for i, name in enumerate(names, start=1)]


def request_kind_labels() -> dict[str, str]:
    return {RequestKind.OBSTACLE: gettext("Obstacle (khó khăn, vướng mắc)"), RequestKind.SUPPORT: gettext("Request for support (kiến nghị, đề xuất)")}


def version_labels() -> dict[str, str]:
    return {
        "submitted": gettext("Report submitted"),
        "returned": gettext("Returned to the head"),
        "accepted": gettext("Report accepted"),
        "reopened": gettext("Reopened"),
    }
