"""Who may change what, optimistic concurrency, and personal data."""

from __future__ import annotations

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre, a_network, an_educator


async def test_writes_without_a_token_get_401_problem(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        response = await client.post("/v1/centres", json={"name": {"en": "X"}, "country": "FI"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_forged_token_is_refused(directory: ServiceHarness) -> None:
    token = directory.token("platform_admin")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    async with directory.client(forged) as client:
        response = await client.post("/v1/networks", json={"name": {"en": "X"}, "kind": "national"})
    assert response.status_code == 401


async def test_another_networks_admin_gets_403_and_nothing_changes(
    directory: ServiceHarness,
) -> None:
    finland = await a_network(directory, name={"en": "Finland"})
    france = await a_network(directory, name={"en": "France"}, country="FR")
    centre = await a_centre(directory, networks=[{"network_id": finland["id"]}])
    async with directory.as_role("network_admin", networks=[france["id"]]) as outsider:
        response = await outsider.patch(
            f"/v1/centres/{centre['id']}", json={"name": {"en": "Taken over"}}
        )
    async with directory.as_role("network_admin", networks=[finland["id"]]) as insider:
        allowed = await insider.patch(
            f"/v1/centres/{centre['id']}", json={"website": "https://luma.example.org"}
        )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert allowed.status_code == 200
    assert allowed.json()["name"] == centre["name"]


async def test_a_national_admin_manages_centres_of_its_regional_networks(
    directory: ServiceHarness,
) -> None:
    national = await a_network(directory)
    regional = await a_network(
        directory, kind="regional", member_of=[{"network_id": national["id"]}]
    )
    centre = await a_centre(directory, networks=[{"network_id": regional["id"]}])
    async with directory.as_role("network_admin", networks=[national["id"]]) as admin:
        response = await admin.patch(f"/v1/centres/{centre['id']}", json={"status": "inactive"})
    assert response.status_code == 200
    assert response.json()["status"] == "inactive"


async def test_a_centre_manager_changes_only_their_own_centre(directory: ServiceHarness) -> None:
    mine = await a_centre(directory)
    other = await a_centre(directory)
    async with directory.as_role("centre_manager", centres=[mine["id"]]) as manager:
        own = await manager.patch(f"/v1/centres/{mine['id']}", json={"languages": ["fi", "sv"]})
        foreign = await manager.patch(f"/v1/centres/{other['id']}", json={"languages": ["fi"]})
    assert own.status_code == 200
    assert foreign.status_code == 403


async def test_a_stale_if_match_gets_412_and_nothing_changes(directory: ServiceHarness) -> None:
    centre = await a_centre(directory)
    async with directory.as_role("platform_admin") as admin:
        read = await admin.get(f"/v1/centres/{centre['id']}")
        etag = read.headers["etag"]
        first = await admin.patch(
            f"/v1/centres/{centre['id']}",
            json={"name": {"en": "First"}},
            headers={"If-Match": etag},
        )
        second = await admin.patch(
            f"/v1/centres/{centre['id']}",
            json={"name": {"en": "Second"}},
            headers={"If-Match": etag},
        )
        after = await admin.get(f"/v1/centres/{centre['id']}")
    assert first.status_code == 200
    assert first.headers["etag"] != etag
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert after.json()["name"] == {"en": "First"}


async def test_educator_contact_details_are_shown_only_to_the_educator_and_their_managers(
    directory: ServiceHarness,
) -> None:
    centre = await a_centre(directory)
    educator = await an_educator(directory, centre["id"], user_subject="user-aino")
    path = f"/v1/educators/{educator['id']}"
    async with directory.client() as public:
        anonymous = await public.get(path)
    async with directory.as_role("teacher", sub="someone-else") as teacher:
        stranger = await teacher.get(path)
    async with directory.as_role("educator", sub="user-aino") as aino:
        herself = await aino.get(path)
    async with directory.as_role("centre_manager", centres=[centre["id"]]) as manager:
        managers = await manager.get(path)
        listing = await manager.get("/v1/educators", params={"centre": centre["id"]})
    assert anonymous.json()["contact"] is None
    assert stranger.json()["contact"] is None
    assert herself.json()["contact"] == {"email": "aino@example.org", "phone": None}
    assert managers.json()["contact"]["email"] == "aino@example.org"
    assert listing.json()["items"][0]["contact"]["email"] == "aino@example.org"


async def test_a_profile_without_consent_is_invisible_to_the_public(
    directory: ServiceHarness,
) -> None:
    centre = await a_centre(directory)
    hidden = await an_educator(directory, centre["id"], public_profile=False)
    async with directory.client() as public:
        one = await public.get(f"/v1/educators/{hidden['id']}")
        listing = await public.get("/v1/educators", params={"centre": centre["id"]})
    assert one.status_code == 404
    assert listing.json()["items"] == []


async def test_a_network_cannot_become_a_member_of_its_own_member(
    directory: ServiceHarness,
) -> None:
    parent = await a_network(directory)
    child = await a_network(directory, kind="regional", member_of=[{"network_id": parent["id"]}])
    async with directory.as_role("platform_admin") as admin:
        response = await admin.post(
            f"/v1/networks/{child['id']}/members", json={"network_id": parent["id"]}
        )
    assert response.status_code == 409


async def test_a_network_admin_sees_contacts_of_their_networks_educators_in_listings(
    directory: ServiceHarness,
) -> None:
    network = await a_network(directory)
    inside = await a_centre(directory, networks=[{"network_id": network["id"]}])
    outside = await a_centre(directory)
    await an_educator(directory, inside["id"], contact={"email": "in@example.org"})
    await an_educator(directory, outside["id"], contact={"email": "out@example.org"})
    async with directory.as_role("network_admin", networks=[network["id"]]) as admin:
        listing = (await admin.get("/v1/educators")).json()["items"]
    contacts = {e["centre_id"]: e["contact"] for e in listing}
    assert contacts[inside["id"]] == {"email": "in@example.org", "phone": None}
    assert contacts[outside["id"]] is None
