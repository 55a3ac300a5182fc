"""Demo data: kits owned by the directory's demo centres, located where those centres are."""

from __future__ import annotations

import json

from resources.demo.load import DEMO_FILE, seed
from shared.stack import load_object
from shared.testing import ServiceHarness


async def test_demo_kits_load_once_and_belong_to_the_directorys_demo_centres(
    resources: ServiceHarness, directory: ServiceHarness
) -> None:
    directory_seed = load_object(directory.spec.seed or "")
    async with directory.session() as session:
        await directory_seed(session)
        await session.commit()
    async with resources.session() as session:
        summary = await seed(session)
        again = await seed(session)
        await session.commit()
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    async with resources.client(**{"Accept-Language": "de"}) as client:
        kits = (await client.get("/v1/kits", params={"limit": 200})).json()["items"]
        near_graz = (
            await client.get("/v1/kits", params={"near": "47.07,15.44", "radius_km": 20})
        ).json()["items"]
    assert summary.startswith("21 kits") and "already has data" in again
    assert len(kits) == len(data["kits"]) >= 20
    async with directory.client() as client:
        for owner in {k["owner_centre_id"] for k in kits}:
            centre = (await client.get(f"/v1/centres/{owner}")).json()
            ours = next(k for k in kits if k["owner_centre_id"] == owner)
            assert ours["location"] == centre["location"], centre["name"]
            assert ours["country"] == centre["country"]
    assert {k["name_text"] for k in near_graz} == {
        "Fridolins Forscherkiste: Wasserforscher",
        "Fridolins Forscherkiste: Licht und Schatten",
    }
    assert sum(1 for k in kits if not k["reservable"]) == 2


async def test_seeding_at_scale_adds_that_many_synthetic_kits_near_demo_centres(
    resources: ServiceHarness,
) -> None:
    async with resources.session() as session:
        summary = await seed(session, scale=300)
        await session.commit()
    async with resources.client() as client:
        near_helsinki = (
            await client.get("/v1/kits", params={"near": "60.17,24.94", "limit": 200})
        ).json()["items"]
    assert summary == "300 synthetic kits"
    assert near_helsinki and all(k["country"] == "FI" for k in near_helsinki)
