"""Date ranges people send: inclusive, in order, not in the past, at most a year long."""

from __future__ import annotations

from datetime import date, timedelta

from shared.problems import InvalidInput

MAX_RANGE_DAYS = 366
"""A reservation, blackout, hold or availability query spans at most a (leap) year."""
MAX_ADVANCE_DAYS = 730
"""Nothing is booked more than two years ahead: keeps the day ledger bounded."""


def check_range(
    starts_on: date,
    ends_on: date,
    *,
    today: date,
    where: str = "body",
    names: tuple[str, str] = ("starts_on", "ends_on"),
    allow_past: bool = False,
) -> None:
    """A 422 pointing at the offending field, with a sentence saying what would be accepted."""
    first, last = (f"{where}.{name}" for name in names)
    if ends_on < starts_on:
        _refuse(last, f"{names[1]} ({ends_on}) is before {names[0]} ({starts_on})")
    if (ends_on - starts_on).days + 1 > MAX_RANGE_DAYS:
        _refuse(last, f"the range spans more than {MAX_RANGE_DAYS} days; split it")
    if not allow_past and starts_on < today:
        _refuse(first, f"{names[0]} ({starts_on}) is in the past (today is {today})")
    if ends_on > today + timedelta(days=MAX_ADVANCE_DAYS):
        _refuse(last, f"{names[1]} is more than {MAX_ADVANCE_DAYS} days ahead")


def _refuse(field: str, message: str) -> None:
    raise InvalidInput(f"{field}: {message}", errors=[{"field": field, "message": message}])
