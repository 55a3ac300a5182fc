"""Certificates of participation as European Learning Model (ELM v3) / EDC JSON-LD credentials.

The document is built from stored facts only (no "now"), so downloading it twice gives the
same credential with the same id; it changes only when the attendance behind it changes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from events.access import manages_host
from events.errors import RegistrationNotFound
from events.ledger import repository
from events.ledger.errors import NotAttended
from events.ledger.hours import iso_duration
from events.models import Attendance, Event, Registration, Session
from shared.auth import Principal

JSONLD_MEDIA_TYPE = "application/ld+json"
CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "http://data.europa.eu/snb/model/context/edc-ap",
]
_CREDENTIAL_NAMESPACE = uuid.UUID("9d3c3a53-4a3e-4a55-9d0c-2f1a7f0e6b1e")


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _period(urn: str, starts_at: datetime, ends_at: datetime) -> dict[str, Any]:
    return {
        "id": f"{urn}:period",
        "type": "PeriodOfTime",
        "startDate": _instant(starts_at),
        "endDate": _instant(ends_at),
    }


def centre_urn(centre_id: uuid.UUID) -> str:
    return f"urn:pdnet:centre:{centre_id}"


async def centre_name(directory: httpx.AsyncClient, centre_id: uuid.UUID) -> dict[str, str] | None:
    """The centre's name map from the directory, or None: a certificate does not need it."""
    try:
        response = await directory.get(f"/v1/centres/{centre_id}")
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    name = response.json().get("name")
    return name if isinstance(name, dict) else None


def _session_part(attendance: Attendance, session: Session, event: Event) -> dict[str, Any]:
    urn = f"urn:pdnet:session:{session.id}"
    return {
        "id": urn,
        "type": "LearningActivity",
        "title": session.title or event.title,
        "workload": iso_duration(attendance.credited_hours),
        "temporal": _period(urn, session.starts_at, session.ends_at),
    }


def _teacher(teacher_id: str) -> tuple[str, dict[str, Any]]:
    urn = f"urn:pdnet:teacher:{quote(teacher_id, safe='')}"
    identifier = {
        "id": f"{urn}:id",
        "type": "Identifier",
        "notation": teacher_id,
        "schemeName": "pdnet teacher id",
    }
    return urn, identifier


def _claim(
    registration: Registration,
    event: Event,
    attended: list[tuple[Attendance, Session]],
    issuer: dict[str, Any],
    issued: str,
) -> dict[str, Any]:
    urn = f"urn:pdnet:registration:{registration.id}:participation"
    return {
        "id": urn,
        "type": "LearningActivity",
        "title": event.title,
        "workload": iso_duration(sum((a.credited_hours for a, _ in attended), Decimal(0))),
        "temporal": _period(urn, event.starts_at, event.ends_at),
        "awardedBy": {
            "id": f"{urn}:awarding",
            "type": "AwardingProcess",
            "awardingBody": [issuer],
            "awardingDate": issued,
        },
        "specifiedBy": {
            "id": f"urn:pdnet:event:{event.id}",
            "type": "LearningActivitySpecification",
            "title": event.title,
        },
        "hasPart": [_session_part(a, s, event) for a, s in attended],
    }


def build_credential(
    *,
    registration: Registration,
    event: Event,
    attended: list[tuple[Attendance, Session]],
    issuer_name: dict[str, str] | None,
) -> dict[str, Any]:
    """The credential for an attended registration; see the certificate route for its shape."""
    issued = _instant(max(a.recorded_at for a, _ in attended))
    issuer: dict[str, Any] = {"id": centre_urn(event.host_centre_id), "type": "Organisation"}
    if issuer_name:
        issuer["legalName"] = issuer_name
    claim = _claim(registration, event, attended, issuer, issued)
    # Same facts, same id: the id is derived from what the credential says.
    facts = f"{registration.id}|{claim['workload']}|{','.join(str(s.id) for _, s in attended)}"
    subject_urn, identifier = _teacher(registration.teacher_id)
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid5(_CREDENTIAL_NAMESPACE, facts)}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": issuer,
        "issuanceDate": issued,
        "issued": issued,
        "validFrom": issued,
        "credentialSubject": {
            "id": subject_urn,
            "type": "Person",
            "identifier": identifier,
            "hasClaim": claim,
        },
    }


async def certificate(
    session: AsyncSession,
    *,
    principal: Principal,
    registration_id: uuid.UUID,
    directory: httpx.AsyncClient,
) -> dict[str, Any]:
    """For the registered teacher and the host's staff; missing for anyone else."""
    registration = await session.get(Registration, registration_id)
    event = None if registration is None else await session.get(Event, registration.event_id)
    if (
        registration is None
        or event is None
        or not (
            principal.subject == registration.teacher_id
            or await manages_host(principal, event.host_centre_id, directory)
        )
    ):
        raise RegistrationNotFound(f"No registration of yours has id {registration_id}.")
    if registration.status != "attended":
        raise NotAttended(
            f"Certificates are issued for attended registrations; this one is "
            f"{registration.status}.",
            current_status=registration.status,
        )
    attended = await repository.attended_sessions(session, registration.id)
    if not attended:
        raise NotAttended(
            "No session of this registration is recorded as attended.",
            current_status=registration.status,
        )
    return build_credential(
        registration=registration,
        event=event,
        attended=attended,
        issuer_name=await centre_name(directory, event.host_centre_id),
    )
