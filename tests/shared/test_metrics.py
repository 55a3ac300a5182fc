"""`/metrics` on every service: Prometheus text that moves with the requests it counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.metrics import UNMATCHED_ROUTE
from shared.stack import find_repo_root, load_stack
from shared.testing import OpenService
from tests.shared.prometheus_text import parse_metrics, sample

SERVICES = [spec.name for spec in load_stack(find_repo_root(Path(__file__)))]


@pytest.mark.parametrize("service", SERVICES)
async def test_metrics_count_each_request_by_route_template_and_status(
    open_service: OpenService, service: str
) -> None:
    async with open_service(service) as svc, svc.client() as client:
        before = parse_metrics((await client.get("/metrics")).text)
        for _ in range(3):
            assert (await client.get("/healthz")).status_code == 200
        await client.get("/no/such/thing/here")
        await client.request("BREW", "/healthz")
        await client.get("/openapi.json")
        await client.post("/graphql", json={"query": "{ __typename }"})
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = parse_metrics(response.text)

    def moved(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    health = {"service": service, "method": "GET", "route": "/healthz"}
    assert moved("pdnet_http_requests_total", **health, status="200") == 3
    assert moved("pdnet_http_request_duration_seconds_count", **health) == 3
    assert moved("pdnet_http_requests_total", **health, status="500") == 0
    graphql = {"service": service, "method": "POST", "route": "/graphql", "status": "200"}
    assert moved("pdnet_http_requests_total", **graphql) == 1
    unmatched = {"service": service, "method": "other", "route": UNMATCHED_ROUTE}
    assert moved("pdnet_http_requests_total", **unmatched, status="404") == 1
    invented = {"service": service, "method": "other", "route": "/healthz", "status": "405"}
    assert moved("pdnet_http_requests_total", **invented) == 1
    # Scrapes are not counted, or every dashboard would be dominated by its own collector.
    assert not any(dict(labels).get("route") == "/metrics" for _, labels in after)


async def test_route_templates_keep_ids_out_of_the_labels(open_service: OpenService) -> None:
    async with open_service("directory") as svc, svc.client() as client:
        for _ in range(2):
            missing = await client.get("/v1/networks/0b7d7c36-2a2f-4c43-9d41-3f1a0f6c2e11")
            assert missing.status_code == 404
        samples = parse_metrics((await client.get("/metrics")).text)
    labels = {
        "service": "directory",
        "method": "GET",
        "route": "/v1/networks/{network_id}",
        "status": "404",
    }
    assert sample(samples, "pdnet_http_requests_total", **labels) == 2
    assert not any("0b7d7c36" in dict(labels).get("route", "") for _, labels in samples)


async def test_the_database_pool_is_reported_as_it_lends_connections(
    open_service: OpenService,
) -> None:
    async with open_service("directory", isolated=False) as svc, svc.client() as client:
        assert (await client.get("/readyz")).status_code == 200
        samples = parse_metrics((await client.get("/metrics")).text)
        settings = svc.app.state.settings
    assert sample(samples, "pdnet_db_pool_size", service="directory") == settings.db_pool_size
    assert sample(samples, "pdnet_db_pool_idle", service="directory") >= 1
    assert sample(samples, "pdnet_db_pool_checked_out", service="directory") == 0


async def test_gateway_and_worker_instruments_appear_once_used(open_service: OpenService) -> None:
    async with open_service("events") as svc, svc.client() as client:
        metrics = svc.app.state.metrics
        with metrics.time_subgraph_fetch("directory"):
            pass
        with pytest.raises(RuntimeError), metrics.time_subgraph_fetch("resources"):
            raise RuntimeError("subgraph down")
        metrics.set_outbox_backlog(pending=4, oldest_age_s=12.5)
        metrics.count_webhook_delivery("delivered", seconds=0.2)
        metrics.count_webhook_delivery("gone")
        samples = parse_metrics((await client.get("/metrics")).text)
    fetches = "pdnet_subgraph_fetch_duration_seconds_count"
    assert sample(samples, fetches, service="events", subgraph="directory", outcome="ok") == 1
    assert sample(samples, fetches, service="events", subgraph="resources", outcome="error") == 1
    assert sample(samples, "pdnet_outbox_lag_seconds", service="events") == 12.5
    assert sample(samples, "pdnet_outbox_pending_events", service="events") == 4
    deliveries = "pdnet_webhook_deliveries_total"
    assert sample(samples, deliveries, service="events", outcome="delivered") == 1
    assert sample(samples, deliveries, service="events", outcome="gone") == 1
