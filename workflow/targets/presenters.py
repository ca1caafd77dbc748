"""What the API and the pages show of a registration besides its columns: state label,
weight total, warnings, the steps the viewer may take. Shared so both show the same."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflow.accounts.models import Person
from workflow.targets.models import Registration
from workflow.targets.operations import targets_in_force
from workflow.targets.queries import list_targets
from workflow.targets.warnings import Warning, warnings_for, warnings_for_many, weight_total
from workflow.targets.workflow import REGISTRATION

_SUMMARY = ("id", "version", "cycle", "unit", "head", "state", "submitted_at", "assigned_at")
_DETAIL = ("returned_reason", "assigned_by", "decision_number", "decision_date", "signer_name", "signer_title", "signer_id")


def summary(registration: Registration, warnings: Sequence[Warning], targets: Sequence[Any] | None = None) -> dict[str, Any]:
    """A list row; `targets` (what `queries.list_targets` gives) stand for `registration.targets`."""
    targets = registration.targets if targets is None else targets
    data = {name: getattr(registration, name) for name in _SUMMARY}
    data.update(
        state_label=REGISTRATION.label(registration.state),
        weight_total=weight_total(targets),
        warning_count=len(warnings),
        target_count=sum(1 for t in targets if not t.dropped),
    )
    return data


def summaries(registrations: Sequence[Registration]) -> list[dict[str, Any]]:
    targets = list_targets([r.id for r in registrations])
    found = warnings_for_many(registrations, targets)
    return [summary(r, found[r.id], targets[r.id]) for r in registrations]


def steps(registration: Registration, actor: Person) -> list[dict[str, Any]]:
    return [
        {"step": t.name, "label": str(t.label), "refused_because": refusal}
        for t, refusal in REGISTRATION.available(registration, actor)
    ]


def detail(registration: Registration, actor: Person) -> dict[str, Any]:
    warnings = warnings_for(registration)
    data = summary(registration, warnings)
    data.update({name: getattr(registration, name) for name in _DETAIL})
    data.update(targets=targets_in_force(registration), warnings=warnings, steps=steps(registration, actor))
    return data
