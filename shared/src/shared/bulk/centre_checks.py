"""What an import of records owned by centres (events, kits) asks the directory.

Each distinct centre of a file is looked up once, however many rows name it; an unknown
centre is a rejected row, a directory that cannot answer is a 503 and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import httpx

from shared.auth import Principal, Role
from shared.bulk.imports import acts_for_networks
from shared.centre_directory import CentreFacts, centre_facts
from shared.problems import InvalidInput


async def facts_of_centres(
    directory: httpx.AsyncClient, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, CentreFacts | None]:
    """Each distinct centre's facts, None for a centre the directory does not know.

    One at a time: a file names a network's few dozen centres, and the directory's own
    request handling stays simple to reason about."""
    found: dict[uuid.UUID, CentreFacts | None] = {}
    for centre_id in sorted(set(ids)):
        try:
            found[centre_id] = await centre_facts(directory, centre_id, field="centre")
        except InvalidInput:
            found[centre_id] = None
    return found


def may_import_for(principal: Principal, centre: CentreFacts) -> bool:
    """Platform admins, the centre's managers, and admins (or `import` keys) of its networks."""
    if principal.is_platform_admin:
        return True
    if Role.CENTRE_MANAGER in principal.roles and centre.id in principal.centre_ids:
        return True
    return not acts_for_networks(principal).isdisjoint(centre.network_ids)
