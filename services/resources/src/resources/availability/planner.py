"""What is free when: pure arithmetic over a kit's day ledger, no database access.

The database decides (see `days.py`); this module explains. It answers "how many items are free
on each day", "how many could I reserve for these dates", and, when the answer is "not enough",
"which nearby dates would work".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

SEARCH_DAYS = 90
"""How far before and after the requested dates alternatives are looked for."""


@dataclass(frozen=True)
class DayCount:
    day: date
    capacity: int
    reserved: int = 0
    turnaround: int = 0
    held: int = 0
    closures: int = 0

    @property
    def free_in_pool(self) -> int:
        """Items at the centre and ready: what turnaround may use."""
        return max(self.capacity - self.reserved - self.turnaround - self.held, 0)

    @property
    def free_to_lend(self) -> int:
        """What a borrower may have on this day: nothing on a blackout day."""
        return 0 if self.closures else self.free_in_pool


class Calendar:
    """A kit's days over some window; days without a ledger row are wholly free."""

    def __init__(self, capacity: int, turnaround_days: int, rows: Mapping[date, DayCount]):
        self.capacity = capacity
        self.turnaround_days = turnaround_days
        self._rows = rows

    def on(self, day: date) -> DayCount:
        return self._rows.get(day) or DayCount(day=day, capacity=self.capacity)

    def days(self, first: date, last: date) -> Iterator[DayCount]:
        for offset in range((last - first).days + 1):
            yield self.on(first + timedelta(days=offset))

    def max_free(self, starts_on: date, ends_on: date) -> int:
        """The most items one reservation of these dates could take (its turnaround included)."""
        lend = min(d.free_to_lend for d in self.days(starts_on, ends_on))
        if not self.turnaround_days:
            return lend
        buffer_end = ends_on + timedelta(days=self.turnaround_days)
        buffer = min(d.free_in_pool for d in self.days(ends_on + timedelta(days=1), buffer_end))
        return min(lend, buffer)

    def alternatives(
        self, quantity: int, starts_on: date, ends_on: date, *, earliest: date
    ) -> list[tuple[date, date]]:
        """The nearest date ranges of the same length, one before and one after, that would fit."""
        length = ends_on - starts_on
        found: list[tuple[date, date]] = []
        for direction in (-1, 1):
            for step in range(1, SEARCH_DAYS + 1):
                start = starts_on + timedelta(days=direction * step)
                if start < earliest:
                    break
                if self.max_free(start, start + length) >= quantity:
                    found.append((start, start + length))
                    break
        return sorted(found)

    def window(self, starts_on: date, ends_on: date) -> tuple[date, date]:
        """The days an alternatives search may read around a request."""
        return (
            starts_on - timedelta(days=SEARCH_DAYS),
            ends_on + timedelta(days=SEARCH_DAYS + self.turnaround_days),
        )
