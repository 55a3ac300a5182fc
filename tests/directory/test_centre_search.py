"""Finding centres: near a point, full text in the text's own language, filters, paging."""

from __future__ import annotations

from shared.testing import ServiceHarness
from tests.directory.builders import a_centre, a_network, ids


async def test_near_returns_centres_within_the_radius_nearest_first(
    directory: ServiceHarness,
) -> None:
    espoo = await a_centre(directory, location={"lat": 60.205, "lon": 24.656})
    helsinki = await a_centre(directory, location={"lat": 60.171, "lon": 24.941})
    vantaa = await a_centre(directory, location={"lat": 60.294, "lon": 25.040})
    await a_centre(directory, location={"lat": 61.498, "lon": 23.761})  # Tampere, ~160 km
    async with directory.client() as client:
        response = await client.get("/v1/centres", params={"near": "60.17,24.94", "radius_km": 100})
    assert response.status_code == 200
    page = response.json()
    assert ids(page) == [helsinki["id"], vantaa["id"], espoo["id"]]
    distances = [item["distance_km"] for item in page["items"]]
    assert distances == sorted(distances)
    assert 0 <= distances[0] < 1 and 14 < distances[1] < 16


async def test_a_french_query_finds_a_french_description(directory: ServiceHarness) -> None:
    french = await a_centre(
        directory,
        country="FR",
        name={"fr": "Maison pour la science en Alsace", "en": "Science house in Alsace"},
        description={"fr": "Formation continue des enseignants du primaire aux sciences."},
    )
    await a_centre(directory, description={"en": "Training for teachers of physics."})
    async with directory.client() as client:
        # "enseignant" only matches "enseignants" through French stemming.
        response = await client.get("/v1/centres", params={"q": "enseignant formations"})
        restricted = await client.get(
            "/v1/centres", params={"q": "enseignant formations", "search_lang": "fr"}
        )
    assert ids(response.json()) == [french["id"]]
    assert ids(restricted.json()) == [french["id"]]


async def test_filters_combine_with_and(directory: ServiceHarness) -> None:
    match = await a_centre(
        directory,
        country="IT",
        region="ITF3",
        subjects=["physics", "chemistry"],
        audiences=["secondary"],
    )
    await a_centre(directory, country="IT", region="ITF3", subjects=["physics"])
    await a_centre(directory, country="FR", subjects=["physics", "chemistry"])
    async with directory.client() as client:
        response = await client.get(
            "/v1/centres",
            params=[
                ("country", "IT"),
                ("region", "ITF"),
                ("subject", "physics"),
                ("subject", "chemistry"),
                ("audience", "secondary"),
            ],
        )
    assert ids(response.json()) == [match["id"]]


async def test_accept_language_chooses_the_text_with_english_as_fallback(
    directory: ServiceHarness,
) -> None:
    centre = await a_centre(directory, name={"en": "Science centre", "fi": "Tiedekeskus"})
    async with directory.client() as client:
        finnish = await client.get(
            f"/v1/centres/{centre['id']}", headers={"Accept-Language": "fi-FI, en;q=0.5"}
        )
        italian = await client.get(f"/v1/centres/{centre['id']}", headers={"Accept-Language": "it"})
        explicit = await client.get(f"/v1/centres/{centre['id']}", params={"lang": "fi"})
    assert finnish.json()["name_text"] == "Tiedekeskus"
    assert italian.json()["name_text"] == "Science centre"
    assert explicit.json()["name_text"] == "Tiedekeskus"
    assert finnish.json()["name"] == {"en": "Science centre", "fi": "Tiedekeskus"}


async def test_paging_visits_every_centre_once_in_order(directory: ServiceHarness) -> None:
    created = [(await a_centre(directory))["id"] for _ in range(7)]
    seen: list[str] = []
    after = None
    async with directory.client() as client:
        while True:
            params = {"limit": 3} | ({"after": after} if after else {})
            page = (await client.get("/v1/centres", params=params)).json()
            seen += ids(page)
            after = page["next_cursor"]
            if after is None:
                break
    assert seen == sorted(created)


async def test_paging_by_distance_continues_where_the_last_page_ended(
    directory: ServiceHarness,
) -> None:
    created = [
        (await a_centre(directory, location={"lat": 60.17 + i * 0.01, "lon": 24.94}))["id"]
        for i in range(5)
    ]
    async with directory.client() as client:
        first = (await client.get("/v1/centres", params={"near": "60.17,24.94", "limit": 2})).json()
        second = (
            await client.get(
                "/v1/centres",
                params={"near": "60.17,24.94", "limit": 10, "after": first["next_cursor"]},
            )
        ).json()
    assert ids(first) + ids(second) == created


async def test_modified_after_returns_only_later_changes(directory: ServiceHarness) -> None:
    old = await a_centre(directory)
    new = await a_centre(directory)
    async with directory.client() as client:
        response = await client.get("/v1/centres", params={"modified_after": old["updated_at"]})
    assert ids(response.json()) == [new["id"]]


async def test_network_filter_includes_centres_of_member_networks(
    directory: ServiceHarness,
) -> None:
    national = await a_network(directory, name={"en": "National"})
    regional = await a_network(
        directory,
        name={"en": "Regional"},
        kind="regional",
        member_of=[{"network_id": national["id"]}],
    )
    direct = await a_centre(directory, networks=[{"network_id": national["id"]}])
    nested = await a_centre(directory, networks=[{"network_id": regional["id"]}])
    await a_centre(directory)
    async with directory.client() as client:
        response = await client.get("/v1/centres", params={"network": national["id"]})
    assert sorted(ids(response.json())) == sorted([direct["id"], nested["id"]])


async def test_label_filter_shows_only_current_labels(directory: ServiceHarness) -> None:
    current = await a_centre(directory)
    expired = await a_centre(directory)
    async with directory.as_role("platform_admin") as admin:
        for centre, valid_to in ((current, "2099-01-01"), (expired, "2020-12-31")):
            response = await admin.post(
                "/v1/labels",
                json={
                    "scheme": "RECC",
                    "name": {"en": "Regional Educational Competence Centre"},
                    "issuer": "Ministry",
                    "valid_from": "2018-01-01",
                    "valid_to": valid_to,
                    "holders": [centre["id"]],
                },
            )
            assert response.status_code == 201, response.text
    async with directory.client() as client:
        response = await client.get("/v1/centres", params={"label": "RECC"})
        expired_view = await client.get(f"/v1/centres/{expired['id']}")
    assert ids(response.json()) == [current["id"]]
    assert expired_view.json()["labels"] == []
