"""The ratings' words: the three verdicts as the citizen reads them, and the channels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workflow.ratings.models import Channel, Verdict


def verdict_labels() -> dict[str, str]:
    return {
        Verdict.VERY_SATISFIED.value: str(_l("Very satisfied")),
        Verdict.SATISFIED.value: str(_l("Satisfied")),
        Verdict.UNSATISFIED.value: str(_l("Not satisfied")),
    }


def channel_labels() -> dict[str, str]:
    return {
        Channel.KIOSK.value: str(_l("Kiosk at the counter")),
        Channel.QR.value: str(_l("Phone (QR code)")),
        Channel.IMPORT.value: str(_l("Imported file")),
        Channel.API.value: str(_l("One-stop system")),
    }
