from shared.testing import ServiceHarness
from tests.directory.builders import a_centre


async def test_a_created_centre_can_be_read_back(directory: ServiceHarness) -> None:
    centre = await a_centre(directory)
    async with directory.client() as client:
        response = await client.get(f"/v1/centres/{centre['id']}")
    assert response.status_code == 200
    assert response.json()["name"]["fi"] == "Testikeskus"
