"""Loads the demo offers and applications into an empty database, or N synthetic offers.

Offers run between the seed networks' centres (a LUMA centre hosting a Maison pour la
science educator, La main à la pâte co-developing with an ANISN centre...), and applications
stand in each state of the workflow with their history. Centres and educators are the
directory's demo records, copied by id into `exchange.json`: services never import each other.
Dates count from the day the demo is loaded.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.models import DAY_HOLDING, PLACE_HOLDING, Application, EducatorDay, Offer, Transition
from shared.clock import utcnow

DEMO_FILE = Path(__file__).with_name("exchange.json")
DEMO_NAMESPACE = uuid.UUID("a1c3e5f7-2b4d-4e6f-8a0c-1e3f5a7c9b2d")
HOURS_PER_DAY = Decimal(6)

# The steps that lead to each demo state: (action, side, status after the step).
_PATHS: dict[str, list[tuple[str, str, str]]] = {
    "submitted": [],
    "home_approved": [("approve", "home", "home_approved")],
    "accepted": [("approve", "home", "home_approved"), ("accept", "host", "accepted")],
    "confirmed": [
        ("approve", "home", "home_approved"),
        ("accept", "host", "accepted"),
        ("confirm", "home", "accepted"),
        ("confirm", "host", "confirmed"),
    ],
    "completed": [
        ("approve", "home", "home_approved"),
        ("accept", "host", "accepted"),
        ("confirm", "home", "accepted"),
        ("confirm", "host", "confirmed"),
        ("start", "host", "in_progress"),
        ("report", "applicant", "in_progress"),
        ("report", "host", "completed"),
    ],
    "declined": [("decline", "home", "declined")],
    "withdrawn": [("approve", "home", "home_approved"), ("withdraw", "applicant", "withdrawn")],
    "cancelled": [
        ("approve", "home", "home_approved"),
        ("accept", "host", "accepted"),
        ("cancel", "host", "cancelled"),
    ],
}


def demo_id(kind: str, key: str) -> uuid.UUID:
    """The same demo record has the same id on every machine, so examples in docs keep working."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return data


async def seed(session: AsyncSession, *, scale: int | None = None) -> str:
    """Demo offers and applications when there are none; with `scale`, synthetic offers."""
    data = demo_data()
    today = utcnow().date()
    if scale is not None:
        return await _seed_synthetic(session, data, count=scale, today=today)
    if await session.scalar(select(func.count()).select_from(Offer)):
        return "exchange already has data; left as it is"
    now = utcnow()
    offers = {
        spec["key"]: build_offer(spec, data["centres"], today=today, now=now)
        for spec in data["offers"]
    }
    session.add_all(offers.values())
    await session.flush()
    built = [
        build_application(spec, offers[spec["offer"]], data, today=today, now=now)
        for spec in data["applications"]
    ]
    for application, _, _ in built:
        if application.status in PLACE_HOLDING:
            offers[spec_key(offers, application.offer_id)].places_taken += 1
    session.add_all([a for a, _, _ in built])
    await session.flush()
    session.add_all([t for _, history, _ in built for t in history])
    session.add_all([d for _, _, days in built for d in days])
    await session.flush()
    confirmed = data["educators"]["edu-fr-lemoine"]["subject"]
    return (
        f"{len(offers)} offers, {len(built)} applications; a confirmed exchange's educator is "
        f"`./pdnet token --role educator --sub {confirmed}`"
    )


def spec_key(offers: dict[str, Offer], offer_id: uuid.UUID) -> str:
    return next(key for key, offer in offers.items() if offer.id == offer_id)


def build_offer(
    spec: dict[str, Any], centres: dict[str, Any], *, today: date, now: datetime
) -> Offer:
    host = centres[spec["host"]]
    starts = today + timedelta(days=spec["window"][0])
    ends = today + timedelta(days=spec["window"][1])
    created = now - timedelta(days=max(0, -spec["window"][0]) + 30)
    return Offer(
        id=demo_id("offer", spec["key"]),
        host_centre_id=uuid.UUID(host["id"]),
        host_country=host["country"],
        host_identifiers=host["identifiers"],
        host_network_ids=[uuid.UUID(n) for n in host["networks"]],
        kind=spec["kind"],
        title=spec["title"],
        description=spec.get("description"),
        subjects=spec["subjects"],
        languages=spec["languages"],
        methods=spec.get("methods", []),
        audiences=spec.get("audiences", []),
        window_starts_on=starts,
        window_ends_on=ends,
        min_days=spec["min_days"],
        max_days=spec["max_days"],
        places=spec["places"],
        places_taken=0,
        status=spec.get("status", "open"),
        created_by=f"demo-manager-{spec['host']}",
        created_at=created,
        updated_at=created,
        version=1,
    )


def build_application(
    spec: dict[str, Any], offer: Offer, data: dict[str, Any], *, today: date, now: datetime
) -> tuple[Application, list[Transition], list[EducatorDay]]:
    educator = data["educators"][spec["educator"]]
    home = data["centres"][educator["centre"]]
    application_id = demo_id("application", f"{spec['offer']}:{spec['educator']}")
    starts = today + timedelta(days=spec["start"])
    ends = starts + timedelta(days=spec["days"] - 1)
    status = spec["status"]
    steps = _PATHS[status]
    submitted_at = min(now, datetime.combine(starts, datetime.min.time(), now.tzinfo)) - timedelta(
        days=20
    )
    managers = {"home": f"demo-manager-{educator['centre']}", "host": offer.created_by}
    history = [
        Transition(
            id=demo_id("transition", f"{application_id}:0"),
            application_id=application_id,
            action="submit",
            from_status=None,
            to_status="submitted",
            actor=educator["subject"],
            side="applicant",
            at=submitted_at,
        )
    ]
    previous = "submitted"
    for number, (action, side, after) in enumerate(steps, start=1):
        history.append(
            Transition(
                id=demo_id("transition", f"{application_id}:{number}"),
                application_id=application_id,
                action=action,
                from_status=previous,
                to_status=after,
                actor=educator["subject"] if side == "applicant" else managers[side],
                side=side,
                reason=spec.get("reason")
                if after in ("declined", "withdrawn", "cancelled")
                else None,
                at=submitted_at + timedelta(days=2 * number),
            )
        )
        previous = after
    confirmed_at = submitted_at + timedelta(days=8)
    hours = HOURS_PER_DAY * spec["days"]
    reports = spec.get("reports", {})
    application = Application(
        id=application_id,
        offer_id=offer.id,
        educator_id=uuid.UUID(educator["id"]),
        educator_kind=educator["kind"],
        applicant_subject=educator["subject"],
        home_centre_id=uuid.UUID(home["id"]),
        home_country=home["country"],
        home_identifiers=home["identifiers"],
        home_network_ids=[uuid.UUID(n) for n in home["networks"]],
        host_centre_id=offer.host_centre_id,
        host_network_ids=list(offer.host_network_ids),
        starts_on=starts,
        ends_on=ends,
        motivation=spec["motivation"],
        cpd_hours=hours,
        status=status,
        status_reason=spec.get("reason"),
        holds_place=status in PLACE_HOLDING,
        home_confirmed_at=confirmed_at if status in DAY_HOLDING else None,
        host_confirmed_at=confirmed_at if status in DAY_HOLDING else None,
        agreement=_agreement(offer, educator, home, starts, ends, hours, confirmed_at)
        if status in DAY_HOLDING
        else None,
        home_report=reports.get("home"),
        host_report=reports.get("host"),
        created_at=submitted_at,
        updated_at=history[-1].at,
        version=len(history),
    )
    days = (
        [
            EducatorDay(
                educator_id=application.educator_id,
                day=starts + timedelta(days=i),
                application_id=application_id,
            )
            for i in range(spec["days"])
        ]
        if status in DAY_HOLDING
        else []
    )
    return application, history, days


def _agreement(
    offer: Offer,
    educator: dict[str, Any],
    home: dict[str, Any],
    starts: date,
    ends: date,
    hours: Decimal,
    confirmed_at: datetime,
) -> dict[str, Any]:
    return {
        "offer_id": str(offer.id),
        "kind": offer.kind,
        "title": offer.title,
        "host_centre_id": str(offer.host_centre_id),
        "home_centre_id": home["id"],
        "educator_id": educator["id"],
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "work_plan": None,
        "cpd_hours": str(hours),
        "confirmed_at": confirmed_at.isoformat(),
    }


async def _seed_synthetic(
    session: AsyncSession, data: dict[str, Any], *, count: int, today: date
) -> str:
    """`count` open offers spread over the demo centres, for benchmarks of listing and matching."""
    centres = list(data["centres"].values())
    specs = [spec for spec in data["offers"] if spec.get("status", "open") == "open"]
    now = utcnow()
    offers = []
    for number in range(count):
        spec = dict(specs[number % len(specs)])
        spec["key"] = f"synthetic-{number}"
        spec["host"] = next(
            k for k, c in data["centres"].items() if c is centres[number % len(centres)]
        )
        offers.append(build_offer(spec, data["centres"], today=today, now=now))
    session.add_all(offers)
    await session.flush()
    return f"{count} synthetic offers"
