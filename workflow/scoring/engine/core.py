"""What every step of the engine shares: the explanation `Note`, the constants, and the exact
rounding (half up) and scaling (points × 10**decimals as integers) of figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext

from workflow.core.errors import ValidationFailed

if TYPE_CHECKING:
    from workflow.scoring.rubric import Rubric


HUNDRED = Decimal(100)
ZERO = Decimal(0)
# A council has fewer members than this; it keeps the exact integer arithmetic of the panel
# statistics within 64 bits.
MAX_RATINGS_PER_HEAD = 100


_PLACES = [Decimal(1).scaleb(-n) for n in range(10)]


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half up (away from zero) to `decimals` places."""
    return value.quantize(_PLACES[decimals], rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Note:
    """One line of explanation: a code (see `workflow.scoring.explain`) and its figures."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

def _scaled(value: Decimal, rubric: Rubric) -> int:
    scaled = Decimal(value).scaleb(rubric.decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed({"total": [gettext("At most %(places)s decimal places.", places=rubric.decimals)]})
    return int(scaled)

def _points(scaled: int, decimals: int) -> Decimal:
    return Decimal(int(scaled)).scaleb(-decimals)
