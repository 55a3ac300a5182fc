"""When a failed delivery is tried again: exponential back-off over three days, jittered.

Attempt 1 goes out as soon as the worker sees the event; after a failure the next attempt
waits the delay below (±20 % at random, so receivers coming back from an outage are not hit
by every subscription at the same second):

    attempt   2     3     4      5    6    7     8     9     10
    after     5 s   1 min 5 min  30 min 2 h 5 h  10 h  24 h  30 h     (≈ 72 h in all)

After the tenth failed attempt the delivery is marked failed; a replay sends it again.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=24),
    timedelta(hours=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2


def next_attempt_at(
    attempts_made: int, *, now: datetime, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after `attempts_made` failed attempts; None when it is time to stop."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts_made - 1]
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return now + delay * factor
