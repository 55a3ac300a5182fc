"""The change feed: every write's domain events, in commit order, resumable, thin about people."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shared.pagination import encode_cursor
from shared.testing import OpenService, ServiceHarness
from tests.directory.builders import a_centre, a_network, an_educator


async def read_feed(
    client: httpx.AsyncClient, after: str | None = None, **params: Any
) -> tuple[list[dict[str, Any]], str]:
    query = dict(params) | ({"after": after} if after else {})
    response = await client.get("/v1/changes", params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    return body["items"], body["next_cursor"]


async def test_a_centre_update_appears_in_the_feed_after_its_creation(
    open_service: OpenService,
) -> None:
    async with open_service("directory", isolated=False) as directory:
        centre = await a_centre(directory)
        async with directory.as_role("platform_admin") as admin:
            patched = await admin.patch(
                f"/v1/centres/{centre['id']}",
                json={"website": "https://example.org"},
                headers={"If-Match": '"1"'},
            )
            assert patched.status_code == 200, patched.text
        async with directory.client() as anonymous:
            items, cursor = await read_feed(anonymous)
            assert [(i["type"], i["subject_id"]) for i in items] == [
                ("centre.created", centre["id"]),
                ("centre.updated", centre["id"]),
            ]
            assert items[1]["data"]["changed"] == ["website"]
            more, again = await read_feed(anonymous, cursor)
            assert more == []
            assert again == cursor


async def test_events_about_people_are_thin_unless_the_reader_may_see_personal_data(
    open_service: OpenService,
) -> None:
    async with open_service("directory", isolated=False) as directory:
        centre = await a_centre(directory)
        await an_educator(directory, centre["id"])
        async with directory.client() as anonymous:
            items, _ = await read_feed(anonymous, types="educator.created")
        async with directory.as_role("platform_admin") as admin:
            full, _ = await read_feed(admin, types="educator.created")
    assert len(items) == 1 and items[0]["data"] is None
    assert full[0]["data"]["centre_id"] == centre["id"]


async def test_the_feed_names_what_is_wrong_with_a_bad_type_or_cursor(
    directory_isolated: ServiceHarness,
) -> None:
    async with directory_isolated.client() as client:
        unknown = await client.get("/v1/changes", params={"types": "centre.exploded"})
        garbled = await client.get("/v1/changes", params={"after": "not-a-cursor"})
        beyond = await client.get(
            "/v1/changes", params={"after": encode_cursor("changes", [10**30])}
        )
    assert unknown.status_code == 422
    assert "centre.exploded" in unknown.json()["detail"]
    assert garbled.status_code == 400
    assert garbled.headers["content-type"] == "application/problem+json"
    assert beyond.status_code == 422
    assert beyond.json()["errors"][0]["field"] == "query.after"


async def test_a_consumer_polling_while_20_writers_commit_sees_every_event_once_in_commit_order(
    open_service: OpenService,
) -> None:
    writers, rounds = 20, 5
    async with open_service("directory", isolated=False) as directory:
        network = await a_network(directory)
        expected: list[str] = []
        seen: list[dict[str, Any]] = []
        done = asyncio.Event()

        async def writer(index: int, admin: httpx.AsyncClient) -> None:
            # Each writer's own transactions commit one after the other, in this order.
            for version in range(1, rounds + 1):
                response = await admin.patch(
                    f"/v1/networks/{network['id']}",
                    json={"website": f"https://example.org/{index}/{version}"},
                )
                assert response.status_code == 200, response.text
                expected.append(f"{index}/{version}")

        async def consumer(client: httpx.AsyncClient) -> None:
            cursor = None
            while True:
                finished = done.is_set()  # read before polling: nothing can commit after
                items, cursor = await read_feed(client, cursor, types="network.updated", limit=7)
                seen.extend(items)
                if finished and not items:
                    return
                await asyncio.sleep(0)

        async with directory.as_role("platform_admin") as admin, directory.client() as reader:
            polling = asyncio.create_task(consumer(reader))
            try:
                await asyncio.gather(*(writer(i, admin) for i in range(writers)))
            finally:
                done.set()  # the consumer drains the feed and stops, even if a writer failed
                await polling

        async with directory.as_role("platform_admin") as admin:
            versions = [(await admin.get(f"/v1/networks/{network['id']}")).json()["version"]]
    ids = [item["id"] for item in seen]
    assert len(ids) == len(set(ids)) == writers * rounds
    # The network's version rises by one per committed update, so commit order is version order.
    assert [item["data"]["version"] for item in seen] == list(range(2, writers * rounds + 2))
    assert versions == [writers * rounds + 1]


async def test_20_writers_on_separate_centres_committing_in_parallel_are_each_seen_once_in_order(
    open_service: OpenService,
) -> None:
    writers, rounds = 20, 5
    async with open_service("directory", isolated=False) as directory:
        centres = [(await a_centre(directory))["id"] for _ in range(writers)]
        seen: list[dict[str, Any]] = []
        done = asyncio.Event()

        async def writer(centre_id: str, admin: httpx.AsyncClient) -> None:
            for round_ in range(rounds):
                response = await admin.patch(
                    f"/v1/centres/{centre_id}", json={"website": f"https://example.org/{round_}"}
                )
                assert response.status_code == 200, response.text

        async def consumer(client: httpx.AsyncClient) -> None:
            cursor = None
            while True:
                finished = done.is_set()
                items, cursor = await read_feed(client, cursor, types="centre.updated", limit=9)
                seen.extend(items)
                if finished and not items:
                    return
                await asyncio.sleep(0)

        async with directory.as_role("platform_admin") as admin, directory.client() as reader:
            polling = asyncio.create_task(consumer(reader))
            try:
                await asyncio.gather(*(writer(c, admin) for c in centres))
            finally:
                done.set()  # the consumer drains the feed and stops, even if a writer failed
                await polling
    assert len({item["id"] for item in seen}) == len(seen) == writers * rounds
    for centre_id in centres:
        versions = [i["data"]["version"] for i in seen if i["subject_id"] == centre_id]
        assert versions == list(range(2, rounds + 2))  # each writer's commits, in its order
