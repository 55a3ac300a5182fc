"""Ids, language preferences and cursors behave as clients rely on."""

from __future__ import annotations

import pytest

from shared.clock import new_id
from shared.language_maps import parse_accept_language, pick
from shared.pagination import InvalidCursor, decode_cursor, encode_cursor
from shared.testing import ServiceHarness


def test_new_ids_are_version_7_and_sort_by_creation() -> None:
    ids = [new_id() for _ in range(2000)]
    assert all(i.version == 7 for i in ids)
    assert [i.int >> 80 for i in ids] == sorted(i.int >> 80 for i in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fi-FI, sv;q=0.8, en;q=0.5", ["fi-FI", "sv", "en"]),
        ("en;q=0.1, de", ["de", "en"]),
        ("*, 12345, fr;q=abc, it;q=0", []),
        (None, []),
    ],
)
def test_accept_language_is_parsed_in_order_of_preference(
    header: str | None, expected: list[str]
) -> None:
    assert parse_accept_language(header) == expected


def test_pick_falls_back_from_region_to_language_to_english() -> None:
    texts = {"en": "Science", "fr": "Sciences", "sv": "Vetenskap"}
    assert pick(texts, ["fr-BE"]) == "Sciences"
    assert pick(texts, ["de"]) == "Science"
    assert pick({"fi": "Tiede"}, ["de"]) == "Tiede"
    assert pick(None, ["en"]) is None


def test_cursors_round_trip_and_refuse_tampering() -> None:
    cursor = encode_cursor("distance", [12.5, "abc"])
    assert decode_cursor(cursor, "distance", 2) == [12.5, "abc"]
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, "id", 1)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor[:-3] + "!!!", "distance", 2)


async def test_readiness_reports_the_migration_head(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["migration"] == sorted(directory.app.state.migration_heads)


async def test_the_explorer_works_offline(directory: ServiceHarness) -> None:
    async with directory.client() as client:
        page = await client.get("/docs")
        spec = await client.get("/openapi.json")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assert spec.json()["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
    ]
