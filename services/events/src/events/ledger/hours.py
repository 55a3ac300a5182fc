"""CPD-hours arithmetic: what a session record is worth, and how hours are written down.

Hours are `Decimal` with two places end to end (they are `numeric` columns), so totals never
drift the way sums of floats do.
"""

from __future__ import annotations

import math
import zoneinfo
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from events.models import Session

CENT = Decimal("0.01")
GOAL_HOURS = Decimal(80)
"""The yearly CPD hours the LINKS partners recommend for a STEM teacher."""


def session_minutes(session: Session) -> int:
    """The session's length in whole minutes, rounded up so a full attendance fits."""
    return max(1, math.ceil((session.ends_at - session.starts_at).total_seconds() / 60))


def credited_hours(session: Session, status: str, minutes: int | None) -> Decimal:
    """present → all the session's hours; partial → its share by minutes; else nothing."""
    if status == "present":
        return session.cpd_hours.quantize(CENT)
    if status == "partial":
        assert minutes is not None
        share = session.cpd_hours * Decimal(minutes) / Decimal(session_minutes(session))
        return min(share.quantize(CENT, rounding=ROUND_HALF_UP), session.cpd_hours.quantize(CENT))
    return Decimal("0.00")


def local_date(session: Session, timezone: str) -> date:
    """The day the session happened where it happened (an evening in Helsinki is not UTC's)."""
    return session.starts_at.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def iso_duration(hours: Decimal) -> str:
    """7.5 → "PT7H30M". Two-decimal hours are always whole seconds (0.01 h = 36 s)."""
    seconds = int((hours * 3600).to_integral_value(rounding=ROUND_HALF_UP))
    whole_hours, rest = divmod(seconds, 3600)
    whole_minutes, whole_seconds = divmod(rest, 60)
    parts = [(whole_hours, "H"), (whole_minutes, "M"), (whole_seconds, "S")]
    text = "".join(f"{value}{unit}" for value, unit in parts if value)
    return "PT" + (text or "0H")


def progress(total: Decimal) -> tuple[float, Decimal]:
    """Share of the goal reached (capped at 1) and the hours still to go (never negative)."""
    share = min(total / GOAL_HOURS, Decimal(1))
    return round(float(share), 4), max(GOAL_HOURS - total, Decimal(0)).quantize(CENT)
