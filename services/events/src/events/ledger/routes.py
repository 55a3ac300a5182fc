"""REST endpoints for attendance, the CPD-hours ledger, credits and certificates."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from events.dependencies import DirectoryDep, Languages
from events.ledger import attendance, certificate, service
from events.ledger.hours import GOAL_HOURS, progress
from events.ledger.schemas import (
    AttendancePage,
    AttendanceRead,
    AttendanceRecorded,
    AttendanceRecording,
    CentreTotal,
    CreditCreate,
    LedgerEntryRead,
    LedgerRead,
    RegistrationOutcome,
)
from events.models import Attendance, LedgerEntry
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.language_maps import pick
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(tags=["attendance and CPD hours"])

TeacherPath = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^\S+$")]


class JSONLDResponse(JSONResponse):
    media_type = certificate.JSONLD_MEDIA_TYPE


def _entry_read(entry: LedgerEntry, languages: list[str]) -> LedgerEntryRead:
    return LedgerEntryRead(
        id=entry.id,
        teacher_id=entry.teacher_id,
        source=entry.source,
        source_key=entry.source_key,
        hours=entry.hours,
        centre_id=entry.centre_id,
        event_id=entry.event_id,
        title=entry.title,
        title_text=pick(entry.title, languages),
        occurred_on=entry.occurred_on,
        created_at=entry.created_at,
    )


def _attendance_read(record: Attendance, teacher_id: str) -> AttendanceRead:
    return AttendanceRead(
        registration_id=record.registration_id,
        session_id=record.session_id,
        teacher_id=teacher_id,
        status=record.status,
        minutes=record.minutes,
        credited_hours=record.credited_hours,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
    )


@router.post(
    "/v1/events/{event_id}/attendance",
    summary="Record attendance per session (host staff)",
    response_model=AttendanceRecorded,
)
async def record_attendance(
    event_id: uuid.UUID,
    data: AttendanceRecording,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> AttendanceRecorded:
    """Up to 500 records, all written or none (a 422 names each bad `records.<index>`).

    `present` credits the session's CPD hours, `partial` its share by `minutes` (rounded to
    0.01 h), `excused` and `absent` nothing. Re-recording a session replaces its record and
    its ledger entry. A registration becomes `attended` when any session is present or
    partial, `no_show` when all its recorded sessions are absent, else stays `confirmed`.
    """
    recorded = await attendance.record_attendance(
        session, principal=principal, event_id=event_id, records=data.records, directory=directory
    )
    return AttendanceRecorded(
        records=[
            AttendanceRead(**row.attendance_values(), teacher_id=row.teacher_id)
            for row in recorded.rows
        ],
        registrations=[
            RegistrationOutcome.model_validate(r, from_attributes=True)
            for r in recorded.registrations
        ],
    )


@router.get(
    "/v1/events/{event_id}/attendance",
    summary="Attendance records of an event (host staff)",
    response_model=AttendancePage,
)
async def list_attendance(
    event_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> AttendancePage:
    rows, next_cursor = await service.list_attendance(
        session,
        principal=principal,
        event_id=event_id,
        directory=directory,
        limit=limit,
        after=after,
    )
    return AttendancePage(
        items=[_attendance_read(record, teacher) for record, teacher in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/v1/teachers/{teacher_id}/ledger",
    summary="A teacher's CPD hours across all centres (the teacher, platform admins)",
    response_model=LedgerRead,
)
async def read_ledger(
    teacher_id: TeacherPath,
    session: SessionDep,
    principal: CurrentPrincipal,
    languages: Languages,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> LedgerRead:
    """Entries most recent first, one page at a time; totals always cover every entry.

    Progress is measured against the 80 hours the LINKS partners recommend.
    """
    view = await service.read_ledger(
        session, principal=principal, teacher_id=teacher_id, limit=limit, after=after
    )
    share, remaining = progress(view.total_hours)
    return LedgerRead(
        teacher_id=teacher_id,
        total_hours=view.total_hours,
        goal_hours=GOAL_HOURS,
        progress=share,
        remaining_hours=remaining,
        by_centre=[
            CentreTotal(centre_id=centre_id, hours=hours)
            for centre_id, hours in view.by_centre.items()
        ],
        entries=[_entry_read(e, languages) for e in view.entries],
        next_cursor=view.next_cursor,
    )


@router.post(
    "/v1/ledger/credits",
    summary="Credit CPD hours earned elsewhere (platform admins, clients with ledger:write)",
    status_code=status.HTTP_201_CREATED,
    response_model=LedgerEntryRead,
    responses={
        200: {
            "model": LedgerEntryRead,
            "description": "A retry: the entry the first post created, unchanged.",
        }
    },
)
async def post_credit(
    data: CreditCreate, session: SessionDep, principal: CurrentPrincipal, languages: Languages
) -> JSONResponse:
    """Idempotent on (`source`, `source_key`): 201 the first time, 200 with the same entry
    for a retry with the same body, 409 if the key was used for a different credit."""
    entry, created = await service.post_credit(session, principal=principal, data=data)
    return JSONResponse(
        jsonable_encoder(_entry_read(entry, languages)), status_code=201 if created else 200
    )


@router.get(
    "/v1/registrations/{registration_id}/certificate",
    summary="Certificate of participation as an ELM / EDC JSON-LD credential",
    response_class=JSONLDResponse,
)
async def get_certificate(
    registration_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> JSONLDResponse:
    """For the registered teacher and the host's staff, once the registration is `attended`
    (else 409 naming its status). `application/ld+json`, European Learning Model v3 / EDC:

    - `@context`: the W3C VC v1 context and `http://data.europa.eu/snb/model/context/edc-ap`
    - `id`: `urn:uuid:…`, derived from the registration and its attended sessions, so a
      second download is the same credential until the attendance changes; `type`:
      `["VerifiableCredential", "EuropeanDigitalCredential"]`
    - `issuer`: `{id: "urn:pdnet:centre:<host centre id>", type: "Organisation",
      legalName?: {lang: text}}` (the name comes from the directory when it answers)
    - `issuanceDate`, `issued`, `validFrom`: when the attendance was last recorded
    - `credentialSubject`: `{id: "urn:pdnet:teacher:<teacher id>", type: "Person",
      identifier: {notation: <teacher id>, …}, hasClaim}`
    - `hasClaim`: `{type: "LearningActivity", title: {lang: text}, workload: "PT7H30M"
      (credited hours, ISO 8601), temporal: {type: "PeriodOfTime", startDate, endDate}
      (the event's dates), awardedBy: {type: "AwardingProcess", awardingBody: [issuer]},
      specifiedBy: {type: "LearningActivitySpecification", …}, hasPart: [one
      LearningActivity per attended session with its title, workload and temporal]}`

    The credential is unsigned: it carries no `proof`. Sealing it (eSeal / EDC issuer) is
    left to the integration that hands it to Europass.
    """
    document = await certificate.certificate(
        session, principal=principal, registration_id=registration_id, directory=directory
    )
    return JSONLDResponse(document)
