"""Webhook delivery outcomes show on the `/metrics` of the process whose worker sent them."""

from __future__ import annotations

from shared.testing import OpenService
from shared.webhooks import worker
from tests.directory.builders import a_centre
from tests.integrations.receiver import running_receiver
from tests.shared.prometheus_text import parse_metrics, sample


async def test_each_delivery_attempt_is_counted_by_its_outcome(open_service: OpenService) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        async with svc.as_role("platform_admin") as admin:
            subscribed = await admin.post(
                "/v1/webhooks", json={"url": receiver.url, "event_types": ["centre.created"]}
            )
        assert subscribed.status_code == 201, subscribed.text
        # Run in the test's task, which the service's lifespan gave its instruments, as it
        # gives them to the worker loop it starts.
        async with worker.delivery_client(svc.app.state.settings) as client:
            await a_centre(svc)
            receiver.status = 204
            await worker.run_once(svc.db, client, allow_private=True)
            await a_centre(svc)
            receiver.status = 503
            await worker.run_once(svc.db, client, allow_private=True)
        async with svc.client() as reader:
            samples = parse_metrics((await reader.get("/metrics")).text)
    deliveries = "pdnet_webhook_deliveries_total"
    assert sample(samples, deliveries, service="directory", outcome="delivered") == 1
    assert sample(samples, deliveries, service="directory", outcome="retrying") == 1
    assert sample(samples, deliveries, service="directory", outcome="gone") == 0
    assert len(receiver.received) == 2
