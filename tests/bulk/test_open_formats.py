"""The directory's open formats: GeoJSON for maps, schema.org JSON-LD, the HSDS view."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from shared.testing import ServiceHarness
from tests.bulk.files import a_centre_row, a_network, import_file, ndjson
from tests.bulk.schema_org import check_document
from tests.directory.builders import an_educator
from tests.events.builders import a_host_centre, an_event

PAGE_FIELDS = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}
HSDS_REQUIRED = {
    "organizations": ("id", "name", "description"),
    "services": ("id", "name", "status"),
    "locations": ("id", "location_type"),
    "taxonomies": ("id", "name", "description"),
    "taxonomy_terms": ("id", "name", "description"),
}
SECRET_EMAIL = "aino.private@example.org"


async def _centres(directory: ServiceHarness) -> tuple[str, list[str]]:
    network = await a_network(directory)
    rows = [
        a_centre_row(
            1,
            website="https://luma.helsinki.fi",
            public_contact={"email": "luma@helsinki.fi"},
            address={
                "street": "Gustaf Hällströmin katu 2",
                "postcode": "00560",
                "locality": "Helsinki",
            },
            identifiers=[{"scheme": "pic", "value": "999"}],
        ),
        a_centre_row(2, location={"lat": 65.01, "lon": 25.47}, audiences=["primary"]),
        {k: v for k, v in a_centre_row(3).items() if k != "location"},
    ]
    status, report = await import_file(
        directory, "/v1/centres/import", ndjson(rows), token=directory.token("platform_admin"),
        network=network, source="luma",
    )  # fmt: skip
    assert status == 200, report
    async with directory.client() as client:
        page = (await client.get("/v1/centres", params={"network": network})).json()
    ids = {c["origin_id"]: c["id"] for c in page["items"]}
    await an_educator(directory, ids["c-00001"], contact={"email": SECRET_EMAIL})
    return network, [ids["c-00001"], ids["c-00002"], ids["c-00003"]]


async def _get(directory: ServiceHarness, path: str, **params: Any) -> tuple[int, str, Any]:
    async with directory.client() as client:
        response = await client.get(path, params=params)
    return response.status_code, response.headers.get("content-type", ""), response.json()


async def test_geojson_lists_the_filtered_centres_with_lon_lat_positions(
    directory: ServiceHarness,
) -> None:
    network, [helsinki, oulu, unlocated] = await _centres(directory)

    status, media_type, collection = await _get(directory, "/v1/centres/geojson", network=network)

    assert status == 200
    assert media_type == "application/geo+json"
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {helsinki, oulu, unlocated}
    assert features[oulu]["type"] == "Feature"
    assert features[oulu]["geometry"] == {"type": "Point", "coordinates": [25.47, 65.01]}
    assert features[unlocated]["geometry"] is None
    assert features[helsinki]["properties"]["name"] == "LUMA centre 1"
    assert SECRET_EMAIL not in json.dumps(collection)

    _, _, near_oulu = await _get(
        directory, "/v1/centres/geojson", near="65.0,25.5", radius_km=50, network=network
    )
    assert [f["id"] for f in near_oulu["features"]] == [oulu]


async def test_centre_json_ld_is_an_educational_organization_in_the_vocabulary(
    directory: ServiceHarness,
) -> None:
    network, [helsinki, _, unlocated] = await _centres(directory)

    status, media_type, document = await _get(directory, f"/v1/centres/{helsinki}/jsonld")

    assert status == 200
    assert media_type == "application/ld+json"
    assert check_document(document, "EducationalOrganization") == []
    assert document["@id"] == f"urn:pdnet:centre:{helsinki}"
    assert document["location"]["geo"]["latitude"] == pytest.approx(60.01)
    assert document["address"]["streetAddress"] == "Gustaf Hällströmin katu 2"
    assert {"@type": "Organization", "@id": f"urn:pdnet:network:{network}"} in document["memberOf"]
    assert {"@type": "PropertyValue", "propertyID": "pic", "value": "999"} in document["identifier"]
    assert SECRET_EMAIL not in json.dumps(document)
    _, _, bare = await _get(directory, f"/v1/centres/{unlocated}/jsonld")
    assert check_document(bare, "EducationalOrganization") == []
    assert (await _get(directory, f"/v1/centres/{uuid.uuid4()}/jsonld"))[0] == 404


async def test_event_json_ld_is_a_course_instance_in_the_vocabulary(
    directory: ServiceHarness, events: ServiceHarness
) -> None:
    host = await a_host_centre(directory)
    event = await an_event(
        events,
        host,
        cpd_hours="6",
        venue={"name": "Exactum", "locality": "Helsinki", "lat": 60.2, "lon": 24.96},
        languages=["fi", "en"],
        subjects=["physics"],
    )

    status, _, document = await _get(events, f"/v1/events/{event['id']}/jsonld")

    assert status == 200
    assert check_document(document, "CourseInstance") == []


async def test_hsds_views_come_in_pages_with_the_required_fields(
    directory: ServiceHarness,
) -> None:
    _, ids = await _centres(directory)
    for kind, required in HSDS_REQUIRED.items():
        status, _, page = await _get(directory, f"/v1/hsds/{kind}", per_page=200)
        assert status == 200, page
        assert {k: type(page[k]) for k in PAGE_FIELDS} == PAGE_FIELDS
        assert page["size"] == len(page["contents"]) > 0
        for item in page["contents"]:
            assert all(item.get(field) not in (None, "") for field in required), (kind, item)
            uuid.UUID(item["id"])
        assert SECRET_EMAIL not in json.dumps(page)

    _, _, services = await _get(directory, "/v1/hsds/services", per_page=200)
    assert {s["status"] for s in services["contents"]} <= {
        "active", "inactive", "defunct", "temporarily closed",
    }  # fmt: skip

    _, _, organization = await _get(directory, f"/v1/hsds/organizations/{ids[0]}")
    assert organization["website"] == "https://luma.helsinki.fi"
    assert organization["organization_identifiers"][0]["identifier"] == "999"
    [location] = organization["locations"]
    assert (location["latitude"], location["longitude"]) == (60.01, 24.02)
    assert location["addresses"][0]["city"] == "Helsinki"


async def test_hsds_pages_are_numbered_from_one_and_say_where_they_are(
    directory: ServiceHarness,
) -> None:
    await _centres(directory)
    _, _, first = await _get(directory, "/v1/hsds/organizations", per_page=2)
    total = first["total_items"]
    assert total >= 3
    last_number = first["total_pages"]
    _, _, last = await _get(directory, "/v1/hsds/organizations", per_page=2, page=last_number)
    _, _, beyond = await _get(directory, "/v1/hsds/organizations", per_page=2,
                              page=last_number + 1)  # fmt: skip

    assert (first["page_number"], first["first_page"], first["last_page"]) == (1, True, False)
    assert (last["last_page"], last["size"]) == (True, total - 2 * (last_number - 1))
    assert (beyond["empty"], beyond["size"], beyond["contents"]) == (True, 0, [])


async def test_hsds_services_filter_by_taxonomy_term(directory: ServiceHarness) -> None:
    _, [helsinki, oulu, _] = await _centres(directory)
    _, _, terms = await _get(directory, "/v1/hsds/taxonomy_terms", per_page=200)
    primary = next(t for t in terms["contents"] if t["code"] == "primary")

    _, _, services = await _get(directory, "/v1/hsds/services", taxonomy_term_id=primary["id"])

    assert [s["organization_id"] for s in services["contents"]] == [oulu]
    assert helsinki not in json.dumps(services)
    status, _, _ = await _get(directory, "/v1/hsds/services", taxonomy_term_id=str(uuid.uuid4()))
    assert status == 422
