"""Token buckets: a burst, then a steady rate, per client; the least recent clients forgotten."""

from __future__ import annotations

from gateway.rate_limits import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_one_request_per_interval() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, max_clients=10, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == 1.0
    assert buckets.take("b") == 0.0  # another client has its own bucket
    clock.now = 1.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    clock.now = 100.0  # a long pause refills to the burst, not beyond
    assert [buckets.take("a") for _ in range(4)][-1] > 0


def test_the_least_recently_seen_clients_are_forgotten_first() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=1, max_clients=2, clock=clock)
    buckets.take("a")
    buckets.take("b")
    buckets.take("c")  # "a" is forgotten: it comes back with a full bucket
    assert buckets.take("a") == 0.0
    assert buckets.take("c") > 0
