"""Calendar dates in requests: ISO 8601 only, within the years the network plans for."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def _iso_date_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; the API promises ISO 8601 only.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2027-03-01")


def _plausible(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_plausible)]


def days_between(first: date, last: date) -> int:
    """Calendar days from `first` to `last`, both included."""
    return (last - first).days + 1
