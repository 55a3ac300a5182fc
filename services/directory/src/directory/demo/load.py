"""Loads the demo directory into an empty database, or N synthetic centres for benchmarks.

Demo ids are derived from each record's key, so the same centre has the same id on every
machine and examples in the docs keep working.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from directory.models import (
    Centre,
    CentreIdentifier,
    Educator,
    LabelHolder,
    Membership,
    Network,
    QualityLabel,
)
from shared.clock import new_id

DEMO_FILE = Path(__file__).with_name("directory.json")
DEMO_NAMESPACE = uuid.UUID("8a0e5d1c-4f0b-4e61-9a53-5d3c1f2b7e90")


def demo_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


async def seed(session: AsyncSession, *, scale: int | None = None) -> str:
    """Demo data when the directory is empty; with `scale`, that many synthetic centres."""
    if scale is not None:
        return await seed_synthetic(session, count=scale)
    if await session.scalar(select(func.count()).select_from(Centre)):
        return "directory already has data; left as it is"
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    await _load_networks(session, data["networks"])
    await _load_centres(session, data["centres"])
    await _load_labels(session, data["labels"])
    await _load_educators(session, data["educators"])
    return (
        f"{len(data['networks'])} networks, {len(data['centres'])} centres, "
        f"{len(data['labels'])} quality labels, {len(data['educators'])} educators"
    )


async def _load_networks(session: AsyncSession, networks: list[dict[str, Any]]) -> None:
    for n in networks:
        session.add(
            Network(
                id=demo_id("network", n["key"]),
                name=n["name"],
                description=n.get("description"),
                kind=n["kind"],
                country=n.get("country"),
                website=n.get("website"),
                data_source="pdnet-demo",
                origin_id=n["key"],
            )
        )
    await session.flush()
    for n in networks:
        for parent in n.get("parents", []):
            session.add(
                Membership(
                    network_id=demo_id("network", parent["network"]),
                    member_network_id=demo_id("network", n["key"]),
                    role=parent.get("role", "member"),
                    starts_on=date.fromisoformat(parent["since"]),
                )
            )
    await session.flush()


async def _load_centres(session: AsyncSession, centres: list[dict[str, Any]]) -> None:
    for c in centres:
        centre_id = demo_id("centre", c["key"])
        contact = c.get("public_contact") or {}
        session.add(
            Centre(
                id=centre_id,
                name=c["name"],
                description=c.get("description"),
                country=c["country"],
                region=c.get("region"),
                address=c.get("address"),
                lat=c.get("lat"),
                lon=c.get("lon"),
                website=c.get("website"),
                public_email=contact.get("email"),
                public_phone=contact.get("phone"),
                subjects=c.get("subjects", []),
                audiences=c.get("audiences", []),
                languages=c.get("languages", []),
                status=c.get("status", "active"),
                data_source="pdnet-demo",
                origin_id=c["key"],
            )
        )
    await session.flush()
    for c in centres:
        centre_id = demo_id("centre", c["key"])
        for identifier in c.get("identifiers", []):
            session.add(CentreIdentifier(centre_id=centre_id, **identifier))
        for m in c.get("networks", []):
            session.add(
                Membership(
                    network_id=demo_id("network", m["network"]),
                    centre_id=centre_id,
                    role=m.get("role", "member"),
                    starts_on=date.fromisoformat(m["since"]),
                )
            )
    await session.flush()


async def _load_labels(session: AsyncSession, labels: list[dict[str, Any]]) -> None:
    for lb in labels:
        label_id = demo_id("label", lb["key"])
        session.add(
            QualityLabel(
                id=label_id,
                scheme=lb["scheme"],
                name=lb["name"],
                issuer=lb["issuer"],
                valid_from=date.fromisoformat(lb["valid_from"]),
                valid_to=date.fromisoformat(lb["valid_to"]) if lb.get("valid_to") else None,
                evidence_url=lb.get("evidence_url"),
            )
        )
        await session.flush()
        for holder in lb["holders"]:
            session.add(LabelHolder(label_id=label_id, centre_id=demo_id("centre", holder)))
    await session.flush()


async def _load_educators(session: AsyncSession, educators: list[dict[str, Any]]) -> None:
    for e in educators:
        contact = e.get("contact") or {}
        session.add(
            Educator(
                id=demo_id("educator", e["key"]),
                centre_id=demo_id("centre", e["centre"]),
                # A UUID, so `./pdnet token --sub` can sign the demo educator in.
                user_subject=str(demo_id("login", e["key"])),
                display_name=e["display_name"],
                kind=e["kind"],
                subjects=e.get("subjects", []),
                levels=e.get("levels", []),
                methods=e.get("methods", []),
                languages=e.get("languages", []),
                available_for_exchange=e.get("available_for_exchange", False),
                bio=e.get("bio"),
                public_profile=e.get("public_profile", False),
                email=contact.get("email"),
                phone=contact.get("phone"),
            )
        )
    await session.flush()


# Synthetic centres are spread over European countries' bounding boxes so that "near"
# queries have realistic densities; texts mix languages so full-text search has work to do.
_COUNTRIES = {
    "AT": ((46.4, 49.0), (9.5, 17.1), "de"),
    "FI": ((59.8, 69.0), (20.6, 31.5), "fi"),
    "FR": ((43.0, 51.0), (-4.7, 7.9), "fr"),
    "IT": ((37.0, 46.5), (7.0, 18.5), "it"),
    "GB": ((50.0, 58.6), (-5.7, 1.7), "en"),
    "DE": ((47.3, 55.0), (6.0, 15.0), "de"),
    "SE": ((55.4, 68.0), (11.0, 23.0), "sv"),
}
_WORDS = {
    "en": ["science", "teachers", "inquiry", "laboratory", "mathematics", "workshop", "physics"],
    "de": ["Lehrkräfte", "Naturwissenschaften", "Fortbildung", "Mathematik", "Forschung"],
    "fi": ["opettajat", "luonnontieteet", "koulutus", "matematiikka", "tutkimus"],
    "fr": ["enseignants", "sciences", "formation", "mathématiques", "laboratoire"],
    "it": ["insegnanti", "scienze", "formazione", "matematica", "laboratorio"],
    "sv": ["lärare", "naturvetenskap", "fortbildning", "matematik", "forskning"],
}
_SUBJECTS = ["mathematics", "physics", "chemistry", "biology", "computer_science", "technology"]
_AUDIENCES = ["primary", "secondary", "pre_service", "in_service"]


def synthetic_centre(rng: random.Random, index: int) -> dict[str, Any]:
    country = rng.choice(list(_COUNTRIES))
    (lat0, lat1), (lon0, lon1), lang = _COUNTRIES[country]
    words = _WORDS[lang]
    text = " ".join(rng.sample(words, 3))
    return {
        "id": new_id(),
        "name": {"en": f"STEM centre {index}", lang: f"{text.title()} {index}"},
        "description": {lang: f"{text} {' '.join(rng.sample(words, 2))}"},
        "country": country,
        "region": f"{country}{rng.randint(1, 9)}",
        "lat": round(rng.uniform(lat0, lat1), 5),
        "lon": round(rng.uniform(lon0, lon1), 5),
        "subjects": rng.sample(_SUBJECTS, rng.randint(1, 3)),
        "audiences": rng.sample(_AUDIENCES, rng.randint(1, 2)),
        "languages": [lang, "en"] if lang != "en" else ["en"],
        "status": "active",
        "data_source": "pdnet-synthetic",
        "origin_id": f"synthetic-{index}",
    }


async def seed_synthetic(session: AsyncSession, *, count: int, batch: int = 5000) -> str:
    """Bulk-inserts `count` centres (multi-row INSERTs; the search trigger fills `search`)."""
    rng = random.Random(count)
    start = int(await session.scalar(select(func.count()).select_from(Centre)) or 0)
    for offset in range(0, count, batch):
        rows = [synthetic_centre(rng, start + i) for i in range(offset, min(count, offset + batch))]
        await session.execute(insert(Centre), rows)
    return f"{count} synthetic centres added (now {start + count})"
