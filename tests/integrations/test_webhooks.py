"""Webhooks: signed per Standard Webhooks, at least once through a worker killed mid-delivery,
retried on a schedule, disabled by a 410, thin for subscribers not entitled to personal data."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from asyncio.subprocess import Process
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from directory.settings import DirectorySettings
from shared.clock import utcnow
from shared.dev_issuer import DevIssuer
from shared.testing import OpenService, ServiceDatabases, ServiceHarness
from shared.webhooks import worker
from shared.webhooks.schedule import JITTER, MAX_ATTEMPTS, RETRY_DELAYS, next_attempt_at
from shared.webhooks.targets import TargetRefused, check_target
from tests.directory.builders import a_centre, an_educator
from tests.integrations.receiver import Receiver, running_receiver


async def subscribe(
    svc: ServiceHarness,
    url: str,
    types: list[str],
    client: httpx.AsyncClient | None = None,
    **extra: Any,
) -> dict[str, Any]:
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(svc.as_role("platform_admin"))
        response = await client.post(
            "/v1/webhooks", json={"url": url, "event_types": types} | extra
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def eventually(check: Callable[[], Any], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def deliveries(svc: ServiceHarness, webhook_id: str) -> list[dict[str, Any]]:
    async with svc.as_role("platform_admin") as admin:
        response = await admin.get(f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": 200})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def start_worker(svc: ServiceHarness) -> asyncio.Task[None]:
    return asyncio.create_task(
        worker.run_forever(
            svc.db, svc.app.state.settings, lease=timedelta(seconds=1), interval_s=0.05
        )
    )


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def subject_of(body: bytes) -> str:
    return str(json.loads(body)["data"]["id"])


async def test_a_worker_killed_mid_delivery_loses_nothing_and_a_receiver_verifies_every_delivery(
    open_service: OpenService,
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        hook = await subscribe(svc, receiver.url, ["centre.created"])
        before = [(await a_centre(svc))["id"] for _ in range(5)]
        receiver.hold = asyncio.Event()
        first = start_worker(svc)
        await eventually(lambda: _holding(receiver))
        await stop(first)  # killed while the receiver holds its request
        after = [(await a_centre(svc))["id"] for _ in range(3)]
        receiver.hold.set()
        receiver.hold = None
        second = start_worker(svc)
        try:
            await eventually(
                lambda: _all_succeeded(svc, hook["id"], expected=len(before) + len(after))
            )
        finally:
            await stop(second)

    assert_every_event_arrived_signed(receiver, hook["secret"], before + after)


def assert_every_event_arrived_signed(receiver: Receiver, secret: str, subjects: list[str]) -> None:
    verifier = Webhook(secret)
    for message in receiver.received:
        verifier.verify(message.body, message.headers)  # raises if the signature is wrong
    assert {subject_of(m.body) for m in receiver.received} == set(subjects)
    by_id: dict[str, set[bytes]] = {}
    for message in receiver.received:
        by_id.setdefault(message.headers["webhook-id"], set()).add(message.body)
    # Retries of one message keep its webhook-id and body, so receivers can drop duplicates.
    assert len(by_id) == len(subjects)
    assert len(receiver.received) > len(by_id), "the interrupted deliveries were sent again"
    assert all(len(bodies) == 1 for bodies in by_id.values())

    tampered = receiver.received[0]
    forged = tampered.body.replace(b"centre.created", b"centre.updated")
    with pytest.raises(WebhookVerificationError):
        verifier.verify(forged, tampered.headers)


async def worker_process(databases: ServiceDatabases, issuer: DevIssuer) -> Process:
    env = os.environ | {
        "DIRECTORY_DATABASE_URL": databases.url("directory"),
        "DIRECTORY_JWKS_FILE": str(issuer.jwks_path),
        "DIRECTORY_ENVIRONMENT": "test",
        "DIRECTORY_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "shared.webhooks.worker", "--service", "directory"),
        *("--lease-s", "1", "--interval-s", "0.05"),
        env=env,
    )


async def kill(process: Process) -> None:
    process.kill()  # SIGKILL: no clean-up, no goodbye
    await process.wait()


async def test_a_worker_process_killed_mid_delivery_loses_nothing(
    open_service: OpenService, test_databases: ServiceDatabases, dev_issuer: DevIssuer
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        hook = await subscribe(svc, receiver.url, ["centre.created"])
        before = [(await a_centre(svc))["id"] for _ in range(4)]
        receiver.hold = asyncio.Event()
        first = await worker_process(test_databases, dev_issuer)
        try:
            await eventually(lambda: _holding(receiver))
        finally:
            await kill(first)
        after = [(await a_centre(svc))["id"] for _ in range(2)]
        receiver.hold.set()
        receiver.hold = None
        second = await worker_process(test_databases, dev_issuer)
        try:
            await eventually(
                lambda: _all_succeeded(svc, hook["id"], expected=len(before) + len(after))
            )
        finally:
            await kill(second)
    assert_every_event_arrived_signed(receiver, hook["secret"], before + after)


async def _holding(receiver: Receiver) -> bool:
    return receiver.held >= 1


async def _all_succeeded(svc: ServiceHarness, webhook_id: str, *, expected: int) -> bool:
    log = await deliveries(svc, webhook_id)
    return len(log) == expected and all(d["status"] == "succeeded" for d in log)


async def test_a_failing_endpoint_is_retried_on_schedule_and_a_410_disables_it(
    open_service: OpenService,
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        hook = await subscribe(svc, receiver.url, ["centre.created"])
        await a_centre(svc)
        receiver.status = 500
        async with worker.delivery_client(svc.app.state.settings) as client:
            await worker.run_once(svc.db, client, allow_private=True)
            (failed,) = await deliveries(svc, hook["id"])
            assert (failed["status"], failed["attempts"], failed["last_status_code"]) == (
                "pending",
                1,
                500,
            )
            wait = _seconds_until(failed["next_attempt_at"])
            assert 5 * (1 - JITTER) - 1 <= wait <= 5 * (1 + JITTER)

            receiver.status = 410
            async with svc.as_role("platform_admin") as admin:
                replay = await admin.post(
                    f"/v1/webhooks/{hook['id']}/deliveries/{failed['id']}/replay"
                )
                assert replay.status_code == 202, replay.text
                await worker.run_once(svc.db, client, allow_private=True)
                (gone,) = await deliveries(svc, hook["id"])
                assert (gone["status"], gone["last_status_code"]) == ("failed", 410)
                disabled = (await admin.get(f"/v1/webhooks/{hook['id']}")).json()
                assert disabled["status"] == "disabled"
                assert "410" in disabled["disabled_reason"]

                later = await a_centre(svc)
                sent = len(receiver.received)
                await worker.run_once(svc.db, client, allow_private=True)
                assert len(receiver.received) == sent  # nothing goes to a disabled endpoint

                receiver.status = 200
                enabled = await admin.patch(f"/v1/webhooks/{hook['id']}", json={"status": "active"})
                assert enabled.json()["status"] == "active"
                await worker.run_once(svc.db, client, allow_private=True)
    # Re-enabled, it resumes where it stopped: the event from while it was disabled arrives.
    assert subject_of(receiver.received[-1].body) == later["id"]


def _seconds_until(instant: str) -> float:
    return (datetime.fromisoformat(instant) - utcnow()).total_seconds()


async def test_subscribers_not_entitled_to_personal_data_get_thin_payloads(
    open_service: OpenService,
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        network_admin = svc.as_role(
            "network_admin", networks=["0190c5f0-0000-7000-8000-000000000001"]
        )
        thin = await subscribe(svc, receiver.url, ["educator.created"], client=network_admin)
        refused = await network_admin.post(
            "/v1/webhooks",
            json={"url": receiver.url, "event_types": ["educator.created"], "personal_data": True},
        )
        full = await subscribe(
            svc, receiver.url + "/full", ["educator.created"], personal_data=True
        )
        centre = await a_centre(svc)
        educator = await an_educator(svc, centre["id"])
        async with worker.delivery_client(svc.app.state.settings) as client:
            await worker.run_once(svc.db, client, allow_private=True)
        thin_ids = {d["id"] for d in await deliveries(svc, thin["id"])}
        full_ids = {d["id"] for d in await deliveries(svc, full["id"])}
    assert refused.status_code == 403
    payloads = {m.headers["webhook-id"]: json.loads(m.body) for m in receiver.received}
    assert [payloads[i]["data"] for i in thin_ids] == [{"id": educator["id"]}]
    assert [payloads[i]["data"] for i in full_ids] == [
        {"id": educator["id"], "centre_id": centre["id"]}
    ]


async def test_the_secret_is_shown_once_and_subscriptions_are_their_owners_own(
    directory_isolated: ServiceHarness,
) -> None:
    svc = directory_isolated
    owner = svc.as_role(
        "network_admin", sub="owner", networks=["0190c5f0-0000-7000-8000-000000000001"]
    )
    other = svc.as_role(
        "network_admin", sub="other", networks=["0190c5f0-0000-7000-8000-000000000001"]
    )
    created = await subscribe(
        svc, "https://hooks.example.org/pdnet", ["centre.updated"], client=owner
    )
    assert created["secret"].startswith("whsec_")
    shown = (await owner.get(f"/v1/webhooks/{created['id']}")).json()
    assert "secret" not in shown
    assert (await other.get(f"/v1/webhooks/{created['id']}")).status_code == 404
    assert (await other.get("/v1/webhooks")).json()["items"] == []
    assert [h["id"] for h in (await owner.get("/v1/webhooks")).json()["items"]] == [created["id"]]
    deleted = await owner.delete(f"/v1/webhooks/{created['id']}")
    assert deleted.status_code == 204
    assert (await owner.get(f"/v1/webhooks/{created['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/x", "event_types": ["centre.updated"]}, "url"),
        ({"url": "https://user:pw@example.org/x", "event_types": ["centre.updated"]}, "url"),
        ({"url": "https://example.org/x", "event_types": ["centre.exploded"]}, "event_types"),
        ({"url": "https://example.org/x", "event_types": []}, "event_types"),
    ],
)
async def test_a_bad_subscription_is_refused_naming_the_field(
    directory_isolated: ServiceHarness, body: dict[str, Any], field: str
) -> None:
    async with directory_isolated.as_role("platform_admin") as admin:
        response = await admin.post("/v1/webhooks", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"]


async def test_teachers_may_not_manage_webhooks(directory_isolated: ServiceHarness) -> None:
    async with directory_isolated.as_role("teacher") as teacher:
        response = await teacher.post(
            "/v1/webhooks", json={"url": "https://example.org/x", "event_types": ["centre.updated"]}
        )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x", "http://[::1]/x"]
)
async def test_private_and_loopback_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(TargetRefused):
        await check_target(url, allow_private=False)
    await check_target(url, allow_private=True)


def test_retries_back_off_exponentially_for_about_three_days() -> None:
    now = utcnow()
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    for attempts, base in enumerate(RETRY_DELAYS, start=1):
        retry_at = next_attempt_at(attempts, now=now)
        assert retry_at is not None
        assert base * (1 - JITTER) <= retry_at - now <= base * (1 + JITTER)
    total = sum(RETRY_DELAYS, timedelta())
    assert timedelta(hours=68) <= total <= timedelta(hours=73)
    assert next_attempt_at(MAX_ATTEMPTS, now=now) is None


def test_production_refuses_private_targets_unless_a_setting_allows_them(tmp_path: Path) -> None:
    def settings(**values: Any) -> DirectorySettings:
        base = {"database_url": "postgresql+asyncpg://u:p@db/directory", "jwks_file": tmp_path}
        return DirectorySettings(**(base | values))

    assert not settings(environment="production").webhooks_may_target_private
    assert settings(
        environment="production", webhook_allow_private_targets=True
    ).webhooks_may_target_private
    assert settings(environment="test").webhooks_may_target_private


async def test_old_events_leave_the_outbox_only_once_every_subscription_has_been_sent_them(
    open_service: OpenService,
) -> None:
    async with running_receiver() as receiver, open_service("directory", isolated=False) as svc:
        before = await a_centre(svc)
        await subscribe(svc, receiver.url, ["centre.created"])
        unsent = await a_centre(svc)
        async with svc.db.session() as session:
            await session.execute(
                text("UPDATE outbox_events SET occurred_at = occurred_at - interval '40 days'")
            )
            await session.commit()
        retention = timedelta(days=30)
        first = await worker.prune_outbox(svc.db, retention=retention)
        async with svc.client() as reader:
            kept = [c["subject_id"] for c in (await reader.get("/v1/changes")).json()["items"]]
        async with worker.delivery_client(svc.app.state.settings) as client:
            await worker.run_once(svc.db, client, allow_private=True)
        second = await worker.prune_outbox(svc.db, retention=retention)
    assert (first, kept) == (1, [unsent["id"]])
    assert before["id"] not in kept
    assert [subject_of(m.body) for m in receiver.received] == [unsent["id"]]
    assert second == 1
