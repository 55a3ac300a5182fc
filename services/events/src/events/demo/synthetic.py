"""N synthetic events for benchmarks, spread over the demo centres and the next two years.

Hosts, places and languages come from the demo centres, so `near`, region and language filters
and `Centre.events` see realistic densities. No registrations: every counter stays at zero,
consistent with the (absent) registration rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.models import Event, Session
from shared.clock import new_id, utcnow

BATCH = 5000
HORIZON_DAYS = 730

_KINDS = ["course", "workshop", "residential", "science_fair", "network_meeting", "webinar"]
_MODES = ["face_to_face", "online", "blended"]
_SUBJECTS = ["mathematics", "physics", "chemistry", "biology", "computer_science", "technology"]
_AUDIENCES = ["primary", "secondary", "pre_service", "in_service"]
_WORDS = {
    "en": ["inquiry", "practicals", "mathematics", "physics", "teaching", "laboratory"],
    "de": ["Forschendes", "Lernen", "Mathematik", "Physik", "Unterricht", "Labor"],
    "fi": ["tutkiva", "oppiminen", "matematiikka", "fysiikka", "opetus", "laboratorio"],
    "sv": ["undersökande", "lärande", "matematik", "fysik", "undervisning", "laboratorium"],
    "fr": ["démarche", "investigation", "mathématiques", "physique", "enseignement"],
    "it": ["investigazione", "didattica", "matematica", "fisica", "laboratorio"],
}


def synthetic_event(
    rng: random.Random, hosts: list[dict[str, Any]], index: int, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One event row and its session rows, as dicts for a multi-row INSERT."""
    centre, partner = rng.sample(hosts, 2)
    lang = next((tag for tag in centre["languages"] if tag in _WORDS), "en")
    words = " ".join(rng.sample(_WORDS[lang], 3))
    starts = (now + timedelta(days=rng.uniform(0.5, HORIZON_DAYS))).replace(
        minute=0, second=0, microsecond=0
    )
    event_id = new_id()
    sessions = []
    for day in range(rng.randint(1, 3)):
        hours = rng.randint(2, 7)
        at = starts + timedelta(days=day)
        sessions.append(
            {
                "id": new_id(),
                "event_id": event_id,
                "starts_at": at,
                "ends_at": at + timedelta(hours=hours),
                "cpd_hours": Decimal(hours) - Decimal("0.5"),
            }
        )
    event = {
        "id": event_id,
        "host_centre_id": uuid.UUID(centre["id"]),
        # One in ten co-hosted, as joint courses of two centres are.
        "co_host_centre_ids": [uuid.UUID(partner["id"])] if rng.random() < 0.1 else [],
        "title": {"en": f"STEM event {index}", lang: f"{words.capitalize()} {index}"},
        "description": {lang: f"{words} {' '.join(rng.sample(_WORDS[lang], 2))}"},
        "kind": rng.choice(_KINDS),
        "delivery_mode": rng.choice(_MODES),
        "country": centre["country"],
        "region": centre["region"],
        "lat": centre["lat"],
        "lon": centre["lon"],
        "languages": [lang] if lang == "en" else [lang, "en"],
        "audiences": rng.sample(_AUDIENCES, rng.randint(1, 2)),
        "subjects": rng.sample(_SUBJECTS, rng.randint(1, 3)),
        "timezone": centre["timezone"],
        "starts_at": starts,
        "ends_at": sessions[-1]["ends_at"],
        "registration_opens_at": now - timedelta(days=30),
        "registration_closes_at": starts,
        "capacity": rng.randint(10, 200),
        "waitlist_capacity": rng.choice([0, 5, 10, 20]),
        "status": "scheduled",
    }
    return event, sessions


async def seed_synthetic(
    session: AsyncSession, centres: dict[str, Any], *, count: int, batch: int = BATCH
) -> str:
    """Bulk-inserts `count` events with their sessions, `batch` events per round trip."""
    rng = random.Random(count)
    hosts = list(centres.values())
    start = int(await session.scalar(select(func.count()).select_from(Event)) or 0)
    now = utcnow()
    for offset in range(0, count, batch):
        events, sessions = [], []
        for index in range(start + offset, start + min(count, offset + batch)):
            event, its_sessions = synthetic_event(rng, hosts, index, now)
            events.append(event)
            sessions.extend(its_sessions)
        await session.execute(insert(Event), events)
        await session.execute(insert(Session), sessions)
    return f"{count} synthetic events added (now {start + count})"
