"""What every service asks the directory, the network's register of centres, over its REST API:
does a centre exist, where is it, which networks is it in — and so who may act for it.

Services never read the directory's database. When the directory cannot answer, writes that
depend on it are refused with a 503 and nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from shared.auth import Principal, Role
from shared.problems import Forbidden, InvalidInput, ServiceUnavailable


@dataclass(frozen=True)
class CentreFacts:
    id: uuid.UUID
    country: str
    region: str | None
    lat: float | None
    lon: float | None
    network_ids: frozenset[uuid.UUID]
    identifiers: tuple[tuple[str, str], ...] = ()
    """(scheme, value) pairs such as ("erasmus_oid", "E10208585") and ("pic", "999999999")."""


@dataclass(frozen=True)
class EducatorFacts:
    id: uuid.UUID
    centre_id: uuid.UUID
    kind: str
    user_subject: str | None
    """The `sub` of the educator's login; the directory shows it only to them and their managers."""
    subjects: tuple[str, ...]
    languages: tuple[str, ...]
    methods: tuple[str, ...]
    available_for_exchange: bool


class DirectoryUnavailable(ServiceUnavailable):
    title = "Directory unavailable"


async def _get(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    # GETs are idempotent, so one retry after a dropped connection is safe.
    for attempt in (1, 2):
        try:
            response = await client.get(path, headers=headers)
        except httpx.TransportError as exc:
            if attempt == 2:
                raise DirectoryUnavailable(
                    "The centre directory cannot be reached; nothing was written. Retry shortly.",
                    retry_after_s=10,
                ) from exc
            continue
        if response.status_code >= 500:
            raise DirectoryUnavailable(
                "The centre directory is failing; nothing was written. Retry shortly.",
                retry_after_s=10,
            )
        return response
    raise AssertionError("unreachable")


async def centre_facts(
    client: httpx.AsyncClient, centre_id: uuid.UUID, *, field: str
) -> CentreFacts:
    """The centre's location and networks; a 422 naming `field` if there is no such centre."""
    response = await _get(client, f"/v1/centres/{centre_id}")
    if response.status_code == 404:
        raise InvalidInput(
            f"{field}: no centre has id {centre_id}",
            errors=[{"field": f"body.{field}", "message": "no such centre"}],
        )
    response.raise_for_status()
    centre = response.json()
    networks = await _get(client, f"/v1/centres/{centre_id}/networks")
    network_ids = networks.json().get("network_ids", []) if networks.status_code == 200 else []
    location = centre.get("location") or {}
    return CentreFacts(
        id=centre_id,
        country=centre["country"],
        region=centre.get("region"),
        lat=location.get("lat"),
        lon=location.get("lon"),
        network_ids=frozenset(uuid.UUID(n) for n in network_ids),
        identifiers=tuple(
            (str(i["scheme"]), str(i["value"])) for i in centre.get("identifiers") or ()
        ),
    )


def educator_from_json(educator: dict[str, object]) -> EducatorFacts:
    def strings(name: str) -> tuple[str, ...]:
        value = educator.get(name)
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    subject = educator.get("user_subject")
    return EducatorFacts(
        id=uuid.UUID(str(educator["id"])),
        centre_id=uuid.UUID(str(educator["centre_id"])),
        kind=str(educator.get("kind", "")),
        user_subject=str(subject) if subject else None,
        subjects=strings("subjects"),
        languages=strings("languages"),
        methods=strings("methods"),
        available_for_exchange=bool(educator.get("available_for_exchange")),
    )


async def educator_facts(
    client: httpx.AsyncClient,
    educator_id: uuid.UUID,
    *,
    field: str,
    authorization: str | None = None,
) -> EducatorFacts:
    """The educator as the caller may see them (their token is forwarded, so a hidden profile
    is visible to the educator and their managers); a 422 naming `field` if not found."""
    headers = {"Authorization": authorization} if authorization else None
    response = await _get(client, f"/v1/educators/{educator_id}", headers)
    if response.status_code == 404:
        location = field if "." in field else f"body.{field}"
        raise InvalidInput(
            f"{location}: no educator you may see has id {educator_id}",
            errors=[{"field": location, "message": "no such educator"}],
        )
    response.raise_for_status()
    return educator_from_json(response.json())


async def networks_of(client: httpx.AsyncClient, centre_id: uuid.UUID) -> frozenset[uuid.UUID]:
    response = await _get(client, f"/v1/centres/{centre_id}/networks")
    if response.status_code != 200:
        return frozenset()
    return frozenset(uuid.UUID(n) for n in response.json().get("network_ids", []))


async def manages_centre(
    principal: Principal | None, centre_id: uuid.UUID, directory: httpx.AsyncClient
) -> bool:
    """Platform admins, the centre's managers, and admins of any network it belongs to."""
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    if Role.CENTRE_MANAGER in principal.roles and centre_id in principal.centre_ids:
        return True
    if Role.NETWORK_ADMIN in principal.roles and principal.network_ids:
        # Only network admins cost a call to the directory.
        return not principal.network_ids.isdisjoint(await networks_of(directory, centre_id))
    return False


async def ensure_manages_centre(
    principal: Principal, centre_id: uuid.UUID, directory: httpx.AsyncClient, *, refusal: str
) -> None:
    if not await manages_centre(principal, centre_id, directory):
        raise Forbidden(refusal)
