"""How well an educator and an offer fit, with the reasons, criterion by criterion.

Four criteria, each worth a share of the score (0 to 1): the subjects the offer is about
that the educator works in, a language both speak, whether the dates can work, and the
teaching methods they share. Every criterion reports its points and why, so a person can see
what a score is made of and disagree with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WEIGHTS = {"subjects": 0.4, "languages": 0.3, "dates": 0.2, "methods": 0.1}


@dataclass(frozen=True)
class Profile:
    subjects: tuple[str, ...]
    languages: tuple[str, ...]
    methods: tuple[str, ...]


@dataclass(frozen=True)
class Placement:
    subjects: tuple[str, ...]
    languages: tuple[str, ...]
    methods: tuple[str, ...]
    window_starts_on: date
    window_ends_on: date
    min_days: int


@dataclass(frozen=True)
class Reason:
    criterion: str
    points: float
    weight: float
    detail: str


@dataclass(frozen=True)
class Fit:
    score: float
    reasons: list[Reason]


def _shared(wanted: Sequence[str], have: Sequence[str]) -> list[str]:
    return [w for w in wanted if w in set(have)]


def _subjects(profile: Profile, placement: Placement) -> tuple[float, str]:
    if not placement.subjects:
        return 0.5, "the offer names no subjects; open to any"
    shared = _shared(placement.subjects, profile.subjects)
    if not shared:
        return 0.0, f"none of the offer's subjects ({', '.join(placement.subjects)})"
    share = len(shared) / len(placement.subjects)
    return share, f"{len(shared)} of {len(placement.subjects)} subjects: {', '.join(shared)}"


def _languages(profile: Profile, placement: Placement) -> tuple[float, str]:
    if not placement.languages:
        return 0.5, "the offer names no working language"
    shared = _shared(placement.languages, profile.languages)
    if not shared:
        return 0.0, f"speaks none of {', '.join(placement.languages)}"
    return 1.0, f"works in {', '.join(shared)}"


def _methods(profile: Profile, placement: Placement) -> tuple[float, str]:
    if not placement.methods:
        return 0.0, "the offer names no methods"
    shared = _shared(placement.methods, profile.methods)
    if not shared:
        return 0.0, f"none of the offer's methods ({', '.join(placement.methods)})"
    return len(shared) / len(placement.methods), f"shares {', '.join(shared)}"


def _free_run(first: date, last: date, taken: frozenset[date]) -> int:
    """The longest run of consecutive days from first to last not in `taken`."""
    best = run = 0
    day = first
    while day <= last:
        run = 0 if day in taken else run + 1
        best = max(best, run)
        day += timedelta(days=1)
    return best


def _dates(
    placement: Placement,
    *,
    today: date,
    available: tuple[date, date] | None,
    taken: frozenset[date],
) -> tuple[float, str]:
    first = max(placement.window_starts_on, today)
    last = placement.window_ends_on
    if available is not None:
        first, last = max(first, available[0]), min(last, available[1])
    if last < first:
        return 0.0, "no day of the window is left in the dates given"
    free = _free_run(first, last, taken)
    if free >= placement.min_days:
        return 1.0, f"{free} free days in a row from {first} to {last} (needs {placement.min_days})"
    return 0.0, f"only {free} free days in a row from {first} to {last}; needs {placement.min_days}"


def fit(
    profile: Profile,
    placement: Placement,
    *,
    today: date,
    available: tuple[date, date] | None = None,
    taken: frozenset[date] = frozenset(),
) -> Fit:
    """`taken`: days the educator already spends in confirmed exchanges."""
    parts = {
        "subjects": _subjects(profile, placement),
        "languages": _languages(profile, placement),
        "dates": _dates(placement, today=today, available=available, taken=taken),
        "methods": _methods(profile, placement),
    }
    reasons = [
        Reason(name, round(WEIGHTS[name] * share, 3), WEIGHTS[name], detail)
        for name, (share, detail) in parts.items()
    ]
    return Fit(round(sum(r.points for r in reasons), 3), reasons)
