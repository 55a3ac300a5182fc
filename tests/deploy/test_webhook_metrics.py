"""Webhook outcomes and the delivery backlog show on the `/metrics` of the worker's process."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

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


async def test_the_worker_loop_reports_how_many_deliveries_wait_and_for_how_long(
    open_service: OpenService,
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        async with svc.as_role("platform_admin") as admin:
            subscribed = await admin.post(
                "/v1/webhooks", json={"url": receiver.url, "event_types": ["centre.created"]}
            )
        assert subscribed.status_code == 201, subscribed.text
        receiver.status = 503  # the subscriber is down: the delivery keeps waiting
        await a_centre(svc)
        # Started here, the loop inherits the instruments as the one the lifespan starts does.
        loop = asyncio.create_task(
            worker.run_forever(
                svc.db, svc.app.state.settings, lease=timedelta(seconds=1), interval_s=0.05
            )
        )
        try:
            deadline = time.monotonic() + 20
            pending = 0.0
            async with svc.client() as reader:
                while pending == 0 and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                    samples = parse_metrics((await reader.get("/metrics")).text)
                    pending = sample(samples, "pdnet_outbox_pending_events", service="directory")
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
    assert pending == 1
    assert sample(samples, "pdnet_outbox_lag_seconds", service="directory") > 0
    assert receiver.received, "the worker tried to deliver"
