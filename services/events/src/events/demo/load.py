"""Loads the demo events into an empty database, or N synthetic events for benchmarks.

The events are drawn from the seed documents (a residential course in York, a StarT festival,
ANISN's SID programme, an IMST federal seminar, Maisons pour la science workshops...). Their
days count from the day they are loaded, so the demo always has upcoming events. Hosts are the
directory's demo centres, copied by id into `events.json`: services never import each other.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from events.demo.synthetic import seed_synthetic
from events.models import SEAT_HOLDING, Event, Registration, Session
from shared.clock import utcnow

DEMO_FILE = Path(__file__).with_name("events.json")
DEMO_NAMESPACE = uuid.UUID("3f6b2c1e-9d47-4c0a-8e15-7a2d94c6b8f1")


def demo_id(kind: str, key: str) -> uuid.UUID:
    """The same demo record has the same id on every machine, so examples in docs keep working."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


def demo_teacher(number: int) -> str:
    """Demo teacher N's token subject: a UUID, as `./pdnet token --sub` takes."""
    return str(demo_id("teacher", f"demo-teacher-{number}"))


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return data


async def seed(session: AsyncSession, *, scale: int | None = None) -> str:
    """Demo events when there are none; with `scale`, that many synthetic events on top."""
    data = demo_data()
    if scale is not None:
        return await seed_synthetic(session, data["centres"], count=scale)
    if await session.scalar(select(func.count()).select_from(Event)):
        return "events already has data; left as it is"
    now = utcnow()
    built = [build_event(spec, data["centres"], now=now) for spec in data["events"]]
    session.add_all([b.event for b in built])
    await session.flush()  # sessions and registrations point at the events
    session.add_all([s for b in built for s in b.sessions])
    session.add_all([r for b in built for r in b.registrations])
    await session.flush()
    upcoming = sum(1 for b in built if b.event.starts_at > now and b.event.status != "draft")
    return (
        f"{len(built)} events ({upcoming} upcoming), "
        f"{sum(len(b.sessions) for b in built)} sessions, "
        f"{sum(len(b.registrations) for b in built)} registrations; "
        f"demo teacher 1 is `./pdnet token --role teacher --sub {demo_teacher(1)}`"
    )


@dataclass
class BuiltEvent:
    event: Event
    sessions: list[Session] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)


def build_event(spec: dict[str, Any], centres: dict[str, Any], *, now: datetime) -> BuiltEvent:
    host = centres[spec["host"]]
    event_id = demo_id("event", spec["key"])
    sessions = list(_sessions(spec, event_id, ZoneInfo(host["timezone"]), now.date()))
    starts_at = min(s.starts_at for s in sessions)
    window = spec.get("registration", {})
    closes_at = starts_at - timedelta(days=window.get("closes_days_before", 0))
    go_no_go = spec.get("go_no_go_days_before")
    venue = spec.get("venue")
    event = Event(
        id=event_id,
        course_key=spec.get("course_key"),
        host_centre_id=uuid.UUID(host["id"]),
        co_host_centre_ids=[uuid.UUID(centres[c]["id"]) for c in spec.get("co_hosts", [])],
        title=spec["title"],
        description=spec.get("description"),
        kind=spec["kind"],
        delivery_mode=spec["delivery_mode"],
        venue=venue,
        online_url=spec.get("online_url"),
        # Where the host is, as the service snapshots it when an event is published.
        country=host["country"],
        region=host["region"],
        lat=(venue or {}).get("lat", host["lat"]),
        lon=(venue or {}).get("lon", host["lon"]),
        languages=spec["languages"],
        audiences=spec["audiences"],
        subjects=spec["subjects"],
        timezone=host["timezone"],
        starts_at=starts_at,
        ends_at=max(s.ends_at for s in sessions),
        registration_opens_at=now + timedelta(days=window.get("opens_in_days", -30)),
        registration_closes_at=closes_at,
        capacity=spec["capacity"],
        waitlist_capacity=spec.get("waitlist_capacity", 0),
        min_participants=spec.get("min_participants"),
        go_no_go_at=starts_at - timedelta(days=go_no_go) if go_no_go else None,
        requires_approval=spec.get("requires_approval", False),
        offer_hold_hours=spec.get("offer_hold_hours", 48),
        status=spec.get("status", "scheduled"),
        status_reason=spec.get("status_reason"),
    )
    registrations = _registrations(spec, event, now=now)
    _count_places(event, registrations)
    return BuiltEvent(event, sessions, registrations)


def _sessions(
    spec: dict[str, Any], event_id: uuid.UUID, zone: ZoneInfo, today: date
) -> list[Session]:
    """Each session on its day at local times; `repeat` spells out a long programme briefly."""
    sessions: list[Session] = []
    for item in spec["sessions"]:
        repeat = item.get("repeat", {"times": 1, "every_days": 0})
        for n in range(1, repeat["times"] + 1):
            day = today + timedelta(days=item["day"] + (n - 1) * repeat["every_days"])
            title = item.get("title")
            sessions.append(
                Session(
                    id=demo_id("session", f"{spec['key']}:{len(sessions)}"),
                    event_id=event_id,
                    starts_at=datetime.combine(day, time.fromisoformat(item["from"]), zone),
                    ends_at=datetime.combine(day, time.fromisoformat(item["to"]), zone),
                    cpd_hours=Decimal(str(item["cpd_hours"])),
                    title={k: v.format(n=n) for k, v in title.items()} if title else None,
                )
            )
    return sessions


def _registrations(spec: dict[str, Any], event: Event, *, now: datetime) -> list[Registration]:
    """Demo teachers (`demo_teacher(N)`), registered in list order across the window so far.

    A group with a `school` is a school team registered together by its first teacher.
    """
    groups: list[dict[str, Any]] = spec.get("registrations", [])
    total = sum(g["count"] for g in groups)
    window_end = min(now, event.registration_closes_at)
    step = (window_end - event.registration_opens_at) / (total + 1)
    rows: list[Registration] = []
    next_teacher, next_position = 1, 1
    for group in groups:
        next_teacher = group.get("from", next_teacher)
        team = [demo_teacher(next_teacher + i) for i in range(group["count"])]
        next_teacher += group["count"]
        school = group.get("school")
        group_id = demo_id("team", f"{spec['key']}:{school}") if school else None
        for teacher in team:
            requested = event.registration_opens_at + step * (len(rows) + 1)
            waiting = group["status"] == "waitlisted"
            rows.append(
                Registration(
                    id=demo_id("registration", f"{spec['key']}:{teacher}"),
                    event_id=event.id,
                    teacher_id=teacher,
                    registered_by=team[0] if school else teacher,
                    group_id=group_id,
                    school=school,
                    status=group["status"],
                    waitlist_position=next_position if waiting else None,
                    requested_at=requested,
                    updated_at=requested,
                )
            )
            next_position += 1 if waiting else 0
    return rows


def _count_places(event: Event, registrations: list[Registration]) -> None:
    """The counters the registration code keeps, computed from the rows (CHECKs verify them)."""
    event.seats_taken = sum(1 for r in registrations if r.status in SEAT_HOLDING)
    event.waitlist_count = sum(1 for r in registrations if r.status == "waitlisted")
    event.next_waitlist_position = event.waitlist_count + 1
