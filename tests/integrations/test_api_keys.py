"""API keys: issued by network admins in the directory, shown once, accepted by every service
beside bearer tokens, held to their scopes, refused once revoked, their last use recorded."""

from __future__ import annotations

from typing import Any

import pytest

from shared.testing import OpenService, ServiceHarness
from tests.directory.builders import a_network


async def issue(directory: ServiceHarness, network_id: str, scopes: list[str]) -> dict[str, Any]:
    async with directory.as_role("network_admin", networks=[network_id]) as admin:
        response = await admin.post(
            "/v1/api-keys", json={"name": "portal sync", "network_id": network_id, "scopes": scopes}
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_key_works_against_another_service_within_its_scopes_until_revoked(
    open_service: OpenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTS_API_KEY_CACHE_S", "0")  # see revocation at once
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
    ):
        network = await a_network(directory)
        created = await issue(directory, network["id"], ["read", "webhooks"])
        key = created["key"]
        assert key.startswith("pdk_")
        assert created["last_used_at"] is None

        async with events.client(key) as machine:
            assert (await machine.get("/v1/changes")).status_code == 200
            hook = await machine.post(
                "/v1/webhooks",
                json={"url": "https://hooks.example.org/x", "event_types": ["event.cancelled"]},
            )
            assert hook.status_code == 201, hook.text
            assert hook.json()["network_id"] == network["id"]

        async with directory.as_role("network_admin", networks=[network["id"]]) as admin:
            shown = (await admin.get(f"/v1/api-keys/{created['id']}")).json()
            assert "key" not in shown
            assert shown["last_used_at"] is not None
            revoked = await admin.post(f"/v1/api-keys/{created['id']}/revoke")
            assert revoked.json()["revoked_at"] is not None

        async with events.client(key) as machine, directory.client(key) as at_home:
            refused = await machine.get("/v1/changes")
            refused_at_home = await at_home.get("/v1/changes")
    assert refused.status_code == refused_at_home.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "revoked" in refused.json()["detail"]


async def test_a_key_is_held_to_its_scopes_and_has_no_roles(open_service: OpenService) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
    ):
        network = await a_network(directory)
        read_only = (await issue(directory, network["id"], ["read"]))["key"]
        hooks_only = (await issue(directory, network["id"], ["webhooks"]))["key"]
        async with events.client(read_only) as reader, events.client(hooks_only) as hooker:
            no_webhooks = await reader.post(
                "/v1/webhooks",
                json={"url": "https://hooks.example.org/x", "event_types": ["event.cancelled"]},
            )
            no_reading = await hooker.get("/v1/changes")
            own_hooks = await hooker.get("/v1/webhooks")
        async with directory.client(read_only) as reader:
            no_writes = await reader.post(
                "/v1/networks", json={"name": {"en": "x"}, "kind": "national", "country": "FI"}
            )
    assert no_webhooks.status_code == 403
    assert "webhooks" in no_webhooks.json()["detail"]
    assert no_reading.status_code == 403
    assert "read" in no_reading.json()["detail"]
    assert own_hooks.status_code == 200  # a webhooks key reads its own subscriptions
    assert no_writes.status_code == 403


async def test_an_unknown_key_is_refused_everywhere(open_service: OpenService) -> None:
    async with (
        open_service("directory") as directory,
        open_service("events", peers={"directory": directory.app}) as events,
        events.client("pdk_" + "x" * 43) as machine,
        directory.client("pdk_" + "y" * 43) as at_home,
    ):
        response = await machine.get("/v1/changes")
        at_home_response = await at_home.get("/v1/changes")
    assert response.status_code == at_home_response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_only_admins_of_the_keys_network_issue_see_and_revoke_its_keys(
    directory_isolated: ServiceHarness,
) -> None:
    directory = directory_isolated
    network = await a_network(directory)
    elsewhere = await a_network(directory, name={"en": "Elsewhere"})
    created = await issue(directory, network["id"], ["read"])
    async with (
        directory.as_role("network_admin", networks=[elsewhere["id"]]) as stranger,
        directory.as_role("teacher") as teacher,
    ):
        issued_elsewhere = await stranger.post(
            "/v1/api-keys", json={"name": "x", "network_id": network["id"], "scopes": ["read"]}
        )
        seen = await stranger.get(f"/v1/api-keys/{created['id']}")
        revoked = await stranger.post(f"/v1/api-keys/{created['id']}/revoke")
        listed = await stranger.get("/v1/api-keys")
        by_teacher = await teacher.post(
            "/v1/api-keys", json={"name": "x", "network_id": network["id"], "scopes": ["read"]}
        )
    assert issued_elsewhere.status_code == 403
    assert seen.status_code == revoked.status_code == 404
    assert listed.json()["items"] == []
    assert by_teacher.status_code == 403


async def test_a_key_with_an_unknown_scope_is_refused_naming_it(
    directory_isolated: ServiceHarness,
) -> None:
    network = await a_network(directory_isolated)
    async with directory_isolated.as_role("platform_admin") as admin:
        response = await admin.post(
            "/v1/api-keys", json={"name": "x", "network_id": network["id"], "scopes": ["write"]}
        )
    assert response.status_code == 422
    assert "scopes" in response.json()["detail"]
