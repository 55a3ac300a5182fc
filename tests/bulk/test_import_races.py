"""Concurrent imports of the same source take turns: no centre is taken over in between."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from directory.models import Centre, Membership
from shared.testing import OpenService
from tests.bulk.files import a_centre_row, a_network, ndjson


async def test_two_networks_importing_the_same_origin_ids_at_once_cannot_both_win(
    open_service: OpenService,
) -> None:
    async with open_service("directory", isolated=False) as directory:
        networks = [await a_network(directory), await a_network(directory)]
        body = ndjson([a_centre_row(n) for n in range(30)])
        clients = [directory.as_role("network_admin", networks=[n]) for n in networks]

        responses = await asyncio.gather(
            *(
                client.post(
                    "/v1/centres/import",
                    params={"network": network, "source": "shared-portal"},
                    content=body,
                    headers={"Content-Type": "application/x-ndjson"},
                )
                for client, network in zip(clients, networks, strict=True)
            )
        )

        assert sorted(r.status_code for r in responses) == [200, 422]
        winner = networks[[r.status_code for r in responses].index(200)]
        loser = next(r for r in responses if r.status_code == 422).json()
        assert len(loser["rejected"]) == 30
        async with directory.session() as session:
            centres = await session.scalar(select(func.count()).select_from(Centre))
            members = (
                await session.execute(
                    select(Membership.network_id, func.count()).group_by(Membership.network_id)
                )
            ).all()
        assert centres == 30
        assert [(str(n), c) for n, c in members] == [(winner, 30)]
