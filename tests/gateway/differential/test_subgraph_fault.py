"""A stopped subgraph costs only its own fields: with the events service down our gateway
still answers with the directory's data and an error at each events field's path; once events
is back on the same port, full answers return without restarting the gateway."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.differential.gateways import Gateway, Request
from tests.gateway.live_stack import LiveStack

pytestmark = pytest.mark.slow

HELSINKI = "39dd796c-bdaf-514b-bbdc-bdee7a3d4f68"
# Fields one subgraph adds to another's entity are nullable, so a failed events fetch nulls
# only each `events` field; everything the directory answered stays.
QUERY = """
query Fault($centre: ID!) {
  centres(filter: {country: "FI"}, first: 4) {
    edges { node { id name events(first: 2) { nodes { title } } } }
  }
  centre(id: $centre) { name events(first: 2) { nodes { title } } }
  educators(first: 3) {
    nodes { displayName centre { name events(first: 1) { nodes { title } } } }
  }
}
"""


async def _ask(gateway: Gateway) -> dict[str, Any]:
    return await gateway.send(Request(QUERY, {"centre": HELSINKI}, None, {}))


def _without_events(value: Any) -> Any:
    """The answer with every `events` field set to null, as a failed events service leaves it."""
    if isinstance(value, dict):
        return {k: None if k == "events" else _without_events(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_events(v) for v in value]
    return value


async def test_with_events_stopped_the_directory_answers_and_events_fields_carry_errors(
    live_stack: LiveStack, ours: Gateway, apollo: Gateway
) -> None:
    before = await _ask(ours)
    assert "errors" not in before, before
    assert before["data"]["centre"]["events"]["nodes"], "the demo centre has upcoming events"
    centres = before["data"]["centres"]["edges"]
    assert len(centres) == 4 and all(edge["node"]["name"] for edge in centres)

    live_stack.services["events"].stop()
    try:
        during = await _ask(ours)
        reference = await _ask(apollo)
    finally:
        await live_stack.restart_service("events")

    data = during["data"]
    assert data == _without_events(before["data"])
    paths = sorted(tuple(map(str, e["path"])) for e in during["errors"])
    expected = (
        [("centres", "edges", str(i), "node", "events") for i in range(4)]
        + [("centre", "events")]
        + [("educators", "nodes", str(i), "centre", "events") for i in range(3)]
    )
    assert paths == sorted(expected), during["errors"]
    assert all(e["message"] for e in during["errors"])
    # Apollo's gateway shapes the same partial answer (its messages name its HTTP client).
    assert data == reference["data"]

    after = await _ask(ours)
    assert after == before
