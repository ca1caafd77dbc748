"""The ratings' words: the three verdicts as the citizen reads them, the channels, and the
dashboard's rows with their figures in words (formatted once, here, not cell by cell in the
template: a province's ranking has hundreds of rows)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from workflow.core.formats import number
from workflow.ratings.models import Channel, Verdict
from workflow.ratings.queries import Figures


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


@dataclass(frozen=True)
class FigureRow:
    """One row of the dashboard, its figures already in words: the months (each the number of
    ratings and the share satisfied, or None), the year, and the cases (not satisfied / answered
    / handling unjustified)."""

    label: str
    testid: str
    href: str | None
    months: list[tuple[str, str] | None]
    total: str
    share: str
    cases: str


def percent(value: Decimal | None) -> str:
    return f"{number(value)} %" if value is not None else "—"


def _figure(text: str) -> Markup:
    # Figures made here (digits, separators, "%", "—"), never a person's words: marked safe so
    # that the template does not escape each of a province's thousands of cells again.
    return Markup(text)  # noqa: S704


def figure_row(label: str, figures: Figures, testid: str, href: str | None = None, *, by_month: bool = True) -> FigureRow:
    months: list[tuple[str, str] | None] = []
    if by_month:
        for m in range(1, 13):
            counts = figures.months.get(m)
            months.append((_figure(number(counts[0])), _figure(percent(figures.month_share(m)))) if counts else None)
    return FigureRow(label, _figure(testid), href, months, _figure(number(figures.total)), _figure(percent(figures.share)),
                     _figure(" / ".join(number(n) for n in figures.cases)))
