"""Builders for bulk files and their parsing, as a national network's system would write them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from shared.testing import ServiceHarness


def ndjson(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def parse_ndjson(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines() if line.strip()]


def parse_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode(), newline="")))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def a_centre_row(number: int, **overrides: Any) -> dict[str, Any]:
    return {
        "origin_id": f"c-{number:05d}",
        "name": {"fi": f"LUMA-keskus {number}", "en": f"LUMA centre {number}"},
        "country": "FI",
        "region": "FI1B",
        "location": {"lat": 60.0 + (number % 100) / 100, "lon": 24.0 + (number % 50) / 50},
        "subjects": ["physics", "mathematics"],
        "audiences": ["secondary"],
        "languages": ["fi", "sv"],
    } | overrides


async def a_network(svc: ServiceHarness, **overrides: Any) -> str:
    body = {"name": {"en": "LUMA Centre Finland"}, "kind": "national", "country": "FI"}
    async with svc.as_role("platform_admin") as admin:
        response = await admin.post("/v1/networks", json=body | overrides)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def import_file(
    svc: ServiceHarness,
    path: str,
    body: bytes,
    *,
    token: str,
    media_type: str = "application/x-ndjson",
    **params: str,
) -> tuple[int, dict[str, Any]]:
    async with svc.client(token) as client:
        response = await client.post(
            path, params=params, content=body, headers={"Content-Type": media_type}
        )
    return response.status_code, dict(response.json())


async def export_file(
    svc: ServiceHarness, path: str, token: str | None = None, **params: Any
) -> tuple[int, bytes, str]:
    async with svc.client(token) as client:
        response = await client.get(path, params=params)
    return response.status_code, response.content, response.headers.get("content-type", "")
