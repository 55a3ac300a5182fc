"""Recording attendance per session: who was there, the hours it earns, what it does to status.

A request is checked whole before anything is written, so a sheet of 500 records with one
mistake changes nothing and the 422 names every bad record. Writes run under the event's
lock, like every other change to the event's registrations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from events.access import ensure_manages_host
from events.catalogue.repository import lock_event, sessions_of
from events.catalogue.service import get_event
from events.ledger import repository
from events.ledger.hours import credited_hours, local_date, session_minutes
from events.ledger.schemas import AttendanceRecordIn
from events.models import Event, Registration, Session
from shared.auth import Principal
from shared.clock import new_id, utcnow
from shared.problems import validation_problem

# Registrations that hold a seat and can be marked: approval and offers must be settled first.
MARKABLE = ("confirmed", "attended", "no_show")


@dataclass(frozen=True)
class RecordedRow:
    record: AttendanceRecordIn
    teacher_id: str
    credited_hours: Decimal
    recorded_by: str
    recorded_at: datetime

    def attendance_values(self) -> dict[str, Any]:
        return {
            "registration_id": self.record.registration_id,
            "session_id": self.record.session_id,
            "status": self.record.status,
            "minutes": self.record.minutes,
            "credited_hours": self.credited_hours,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at,
        }


@dataclass(frozen=True)
class Recorded:
    rows: list[RecordedRow]
    registrations: list[Registration]


def _record_errors(
    index: int,
    record: AttendanceRecordIn,
    registration: Registration | None,
    sessions: dict[uuid.UUID, Session],
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []

    def fail(field: str, message: str, code: str) -> None:
        errors.append({"loc": ("body", "records", index, field), "msg": message, "type": code})

    if registration is None:
        fail("registration_id", "no registration of this event has this id", "unknown")
    elif registration.status not in MARKABLE:
        fail(
            "registration_id",
            f"the registration is {registration.status}; only confirmed, attended or no_show "
            "registrations can be marked",
            "no_seat",
        )
    found = sessions.get(record.session_id)
    if found is None:
        fail("session_id", "the session is not part of this event", "unknown")
    elif record.minutes is not None and record.minutes > session_minutes(found):
        fail("minutes", f"the session lasts only {session_minutes(found)} minutes", "too_long")
    return errors


def _check(
    records: list[AttendanceRecordIn],
    registrations: dict[uuid.UUID, Registration],
    sessions: dict[uuid.UUID, Session],
) -> None:
    """Raises one 422 listing every bad record (`body.records.<index>.<field>`)."""
    errors: list[dict[str, Any]] = []
    first_seen: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    for index, record in enumerate(records):
        pair = (record.registration_id, record.session_id)
        if pair in first_seen:
            errors.append(
                {
                    "loc": ("body", "records", index),
                    "msg": f"repeats records.{first_seen[pair]} (same registration and session)",
                    "type": "duplicate",
                }
            )
        first_seen.setdefault(pair, index)
        errors += _record_errors(index, record, registrations.get(record.registration_id), sessions)
    if errors:
        raise validation_problem(errors)


def _derived_status(summary: repository.AttendanceSummary) -> str:
    # Derived from all the registration's records, so correcting a sheet also undoes a status.
    if summary.any_attended:
        return "attended"
    if summary.all_absent:
        return "no_show"
    return "confirmed"


async def _write_credits(
    session: AsyncSession, event: Event, sessions: dict[uuid.UUID, Session], rows: list[RecordedRow]
) -> None:
    """Each (registration, session) owns one ledger entry; zero hours means no entry."""
    earned: list[dict[str, Any]] = []
    nothing: list[str] = []
    for row in rows:
        key = f"{row.record.registration_id}:{row.record.session_id}"
        if row.credited_hours <= 0:
            nothing.append(key)
            continue
        earned.append(
            {
                "id": new_id(),
                "teacher_id": row.teacher_id,
                "source": repository.ATTENDANCE_SOURCE,
                "source_key": key,
                "hours": row.credited_hours,
                "centre_id": event.host_centre_id,
                "event_id": event.id,
                "title": event.title,
                "occurred_on": local_date(sessions[row.record.session_id], event.timezone),
                "created_at": row.recorded_at,
            }
        )
    await repository.upsert_credits(session, earned)
    await repository.remove_credits(session, repository.ATTENDANCE_SOURCE, nothing)


async def record_attendance(
    session: AsyncSession,
    *,
    principal: Principal,
    event_id: uuid.UUID,
    records: list[AttendanceRecordIn],
    directory: httpx.AsyncClient,
) -> Recorded:
    # Authorised before the lock: a network admin's check calls the directory over HTTP.
    await ensure_manages_host(
        principal, (await get_event(session, event_id=event_id)).host_centre_id, directory
    )
    event = await lock_event(session, event_id)
    assert event is not None  # events are cancelled, never deleted
    sessions = {s.id: s for s in (await sessions_of(session, [event_id]))[event_id]}
    registrations = await repository.lock_registrations(
        session, event_id, list({r.registration_id for r in records})
    )
    _check(records, registrations, sessions)
    now = utcnow()
    rows = [
        RecordedRow(
            record=r,
            teacher_id=registrations[r.registration_id].teacher_id,
            credited_hours=credited_hours(sessions[r.session_id], r.status, r.minutes),
            recorded_by=principal.subject,
            recorded_at=now,
        )
        for r in records
    ]
    await repository.upsert_attendance(session, [row.attendance_values() for row in rows])
    await _write_credits(session, event, sessions, rows)
    touched = await _update_statuses(session, registrations, now=now)
    return Recorded(rows=rows, registrations=touched)


async def _update_statuses(
    session: AsyncSession, registrations: dict[uuid.UUID, Registration], *, now: datetime
) -> list[Registration]:
    summaries = await repository.attendance_summaries(session, list(registrations))
    for registration_id, summary in summaries.items():
        registration = registrations[registration_id]
        status = _derived_status(summary)
        if registration.status != status:
            registration.status, registration.updated_at = status, now
    await session.flush()
    return sorted(registrations.values(), key=lambda r: r.id)
