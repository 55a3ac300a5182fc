"""Loads demo kits into an empty database, or N synthetic kits for benchmarks.

The kits come from the network's documents: LUMA centres lending laboratory equipment, NEP's
challenge boxes with letters from Fridolin, ANISN's IBSE experiment kits, the Amgen Biotech
Experience's lab equipment, robotics sets. Owners are the directory's demo centres, whose ids
(derived there from each centre's key) and locations are written in `kits.json`: this service
never imports the directory. Borrowers are the events service's demo teachers (their ids are
written there too), so one demo token sees both registrations and reservations. Reservations
are dated relative to the day of seeding.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.availability import days
from resources.catalogue.schemas import KitCreate
from resources.models import Blackout, Kit, KitComponent, KitItem, Reservation
from shared.clock import new_id, utcnow

DEMO_FILE = Path(__file__).with_name("kits.json")
DEMO_NAMESPACE = uuid.UUID("2f4b8c1e-6a3d-4e5f-9b07-c1d2e3f4a5b6")


def demo_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


async def seed(session: AsyncSession, *, scale: int | None = None) -> str:
    """Demo data when the catalogue is empty; with `scale`, that many synthetic kits."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    if scale is not None:
        return await seed_synthetic(session, data["centres"], count=scale)
    if await session.scalar(select(func.count()).select_from(Kit)):
        return "resources already has data; left as it is"
    kits = {k["key"]: await _add_kit(session, k, data["centres"][k["owner"]]) for k in data["kits"]}
    today = utcnow().date()
    for r in data["reservations"]:
        await _add_reservation(session, kits[r["kit"]], r, today)
    for b in data["blackouts"]:
        first = today + timedelta(days=b["starts_in_days"])
        last = first + timedelta(days=b["days"] - 1)
        await days.close_days(session, kits[b["kit"]], first, last)
        session.add(
            Blackout(
                kit_id=kits[b["kit"]].id,
                starts_on=first,
                ends_on=last,
                reason=b["reason"],
                created_by="pdnet-demo",
            )
        )
    await session.flush()
    teacher = data["demo_teacher_1"]
    return (
        f"{len(kits)} kits, {len(data['reservations'])} reservations; demo teacher 1 "
        f"(`./pdnet token --role teacher --sub {teacher}`) has some"
    )


async def _add_kit(session: AsyncSession, raw: dict[str, Any], centre: dict[str, Any]) -> Kit:
    # Demo kits pass the same validation as kits posted to the API.
    fields = {k: v for k, v in raw.items() if k not in {"key", "owner"}}
    data = KitCreate.model_validate({**fields, "owner_centre_id": centre["id"]})
    kit = Kit(
        id=demo_id("kit", raw["key"]),
        **data.model_dump(exclude={"components", "serials"}),
        country=centre["country"],
        region=centre["region"],
        lat=centre["lat"],
        lon=centre["lon"],
        status="active",
    )
    session.add(kit)
    await session.flush()
    for position, component in enumerate(data.components):
        session.add(KitComponent(kit_id=kit.id, position=position, **component.model_dump()))
    for n in range(1, data.quantity + 1):
        session.add(KitItem(kit_id=kit.id, serial=f"{data.code or 'ITEM'}-{n:03d}"))
    await session.flush()
    return kit


async def _add_reservation(
    session: AsyncSession, kit: Kit, raw: dict[str, Any], today: date
) -> None:
    starts_on = today + timedelta(days=raw["starts_in_days"])
    ends_on = starts_on + timedelta(days=raw["days"] - 1)
    booking = days.Booking(
        raw["quantity"], starts_on, ends_on, ends_on + timedelta(days=kit.turnaround_days)
    )
    await days.take(session, kit, booking)
    session.add(
        Reservation(
            kit_id=kit.id,
            quantity=booking.quantity,
            starts_on=starts_on,
            ends_on=ends_on,
            blocks_until=booking.blocks_until,
            status="confirmed",
            borrower_id=raw["borrower"],
            reserved_by=raw["borrower"],
            school=raw.get("school"),
            updated_at=utcnow(),
        )
    )


async def seed_synthetic(
    session: AsyncSession, centres: dict[str, dict[str, Any]], *, count: int
) -> str:
    """`count` kits spread over the demo centres, for benchmarks (repeatable: seeded RNG)."""
    rng = random.Random(count)
    owners = list(centres.values())
    subjects = ["physics", "chemistry", "biology", "mathematics", "computer_science"]
    rows = []
    for n in range(count):
        owner = rng.choice(owners)
        rows.append(
            {
                "id": new_id(),
                "owner_centre_id": uuid.UUID(owner["id"]),
                "kind": "experiment_kit",
                "name": {"en": f"Synthetic kit {n}", "fi": f"Synteettinen sarja {n}"},
                "subjects": rng.sample(subjects, 2),
                "quantity": rng.randint(1, 10),
                "turnaround_days": rng.randint(0, 3),
                "country": owner["country"],
                "region": owner["region"],
                "lat": owner["lat"],
                "lon": owner["lon"],
                "status": "active",
            }
        )
    for start in range(0, len(rows), 1000):
        await session.execute(insert(Kit), rows[start : start + 1000])
    return f"{count} synthetic kits"
