"""Who may see and act on an application: the applicant, the home (sending) centre's managers
and the host centre's managers — each side only on its own steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sqlalchemy import ColumnElement, Uuid, cast, or_, true
from sqlalchemy.dialects.postgresql import ARRAY

from exchange.models import Application
from shared.auth import Principal, Role
from shared.centre_directory import ensure_manages_centre, manages_centre

Side = str
"""`applicant`, `home` or `host`."""


@dataclass(frozen=True)
class Parties:
    """The sides the caller may act for on one application."""

    applicant: bool
    home: bool
    host: bool

    @property
    def sides(self) -> frozenset[Side]:
        found = {"applicant"} if self.applicant else set()
        found |= {"home"} if self.home else set()
        found |= {"host"} if self.host else set()
        return frozenset(found)

    @property
    def any(self) -> bool:
        return self.applicant or self.home or self.host


async def parties_of(
    principal: Principal | None, application: Application, directory: httpx.AsyncClient
) -> Parties:
    if principal is None:
        return Parties(False, False, False)
    return Parties(
        applicant=principal.subject == application.applicant_subject,
        home=await manages_centre(principal, application.home_centre_id, directory),
        host=await manages_centre(principal, application.host_centre_id, directory),
    )


async def ensure_manages_host(
    principal: Principal, host_centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> None:
    await ensure_manages_centre(
        principal,
        host_centre_id,
        directory,
        refusal="Only the host centre's managers and its networks' admins may do this.",
    )


def _uuid_array(values: frozenset[uuid.UUID]) -> ColumnElement[list[uuid.UUID]]:
    array_type: ARRAY[uuid.UUID] = ARRAY(Uuid())
    return cast(sorted(values), array_type)  # type: ignore[arg-type]


def visible_applications(principal: Principal) -> ColumnElement[bool]:
    """SQL for "applications this caller may see", for listings.

    Network admins are matched against the networks the centres belonged to when the
    application was made (listings stay one query); single reads and every action check
    the directory's current answer instead.
    """
    if principal.is_platform_admin:
        return true()
    clauses: list[ColumnElement[bool]] = [Application.applicant_subject == principal.subject]
    if Role.CENTRE_MANAGER in principal.roles and principal.centre_ids:
        ids = sorted(principal.centre_ids)
        clauses.append(Application.home_centre_id.in_(ids))
        clauses.append(Application.host_centre_id.in_(ids))
    if Role.NETWORK_ADMIN in principal.roles and principal.network_ids:
        networks = _uuid_array(principal.network_ids)
        clauses.append(Application.home_network_ids.overlap(networks))
        clauses.append(Application.host_network_ids.overlap(networks))
    return or_(*clauses)
