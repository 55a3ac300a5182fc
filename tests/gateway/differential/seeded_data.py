"""Values the random operations draw their arguments from, read from the subgraphs themselves
(not through either gateway), so both gateways are asked about data that exists."""

from __future__ import annotations

from typing import Any

import httpx

from tests.gateway.differential.random_operations import ValuePools
from tests.gateway.live_stack import LiveStack

_QUERIES = {
    "directory": """{
      centres(first: 200) { nodes { id country region subjects audiences languages
                                    location { lat lon } labels { scheme } } }
      networks(first: 200) { nodes { id kind } }
      educators(first: 200) { nodes { id } }
    }""",
    "events": "{ events(first: 200) { nodes { id kind deliveryMode subjects languages } } }",
    "resources": "{ kits(first: 200) { nodes { id kind subjects audiences } } }",
    "exchange": "{ exchangeOffers(first: 200) { nodes { id kind subjects languages } } }",
}


async def _ask(client: httpx.AsyncClient, url: str, query: str) -> dict[str, Any]:
    response = await client.post(url, json={"query": query})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(f"{url} refused the seed-data query: {body['errors']}")
    return dict(body["data"])


def _values(rows: list[dict[str, Any]], key: str) -> set[str]:
    found: set[str] = set()
    for row in rows:
        value = row.get(key)
        if isinstance(value, list):
            found.update(str(v) for v in value)
        elif value is not None:
            found.add(str(value))
    return found


async def value_pools(stack: LiveStack, *, teacher: str) -> ValuePools:
    data: dict[str, dict[str, Any]] = {}
    async with httpx.AsyncClient(timeout=30.0) as client:
        for service, query in _QUERIES.items():
            if service in stack.services:
                data[service] = await _ask(client, stack.subgraph_urls[service], query)
    centres = data.get("directory", {}).get("centres", {}).get("nodes", [])
    networks = data.get("directory", {}).get("networks", {}).get("nodes", [])
    educators = data.get("directory", {}).get("educators", {}).get("nodes", [])
    events = data.get("events", {}).get("events", {}).get("nodes", [])
    kits = data.get("resources", {}).get("kits", {}).get("nodes", [])
    offers = data.get("exchange", {}).get("exchangeOffers", {}).get("nodes", [])
    labels = {label["scheme"] for centre in centres for label in centre.get("labels", [])}
    regions = _values(centres, "region")
    strings = {
        "lang": {"en", "fi", "fr", "de", "it", "sv"},
        "country": _values(centres, "country"),
        # Whole NUTS codes and their first levels (`FI1` matches `FI1B`).
        "region": regions | {r[:3] for r in regions},
        "q": {"science", "physics", "enseignants", "LUMA", "Mathematik"},
        "searchLanguage": {"english", "french", "finnish", "german"},
        "kind": _values(networks, "kind"),
        "subjects": _values(centres, "subjects") | _values(events, "subjects"),
        "audiences": _values(centres, "audiences") | _values(kits, "audiences"),
        "languages": _values(centres, "languages") | _values(events, "languages"),
        "kinds": _values(events, "kind") | _values(kits, "kind") | _values(offers, "kind"),
        "deliveryModes": _values(events, "deliveryMode"),
        "label": labels,
    }
    points = sorted(
        (c["location"]["lat"], c["location"]["lon"]) for c in centres if c.get("location")
    )
    return ValuePools(
        ids={
            "Centre": sorted(c["id"] for c in centres),
            "Network": sorted(n["id"] for n in networks),
            "Educator": sorted(e["id"] for e in educators),
            "Event": sorted(e["id"] for e in events),
            "Kit": sorted(k["id"] for k in kits),
            "ExchangeOffer": sorted(o["id"] for o in offers),
        },
        strings={name: sorted(values) for name, values in strings.items() if values},
        points=points or [(60.17, 24.94)],
        teacher=teacher,
    )
