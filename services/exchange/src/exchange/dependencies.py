"""Request dependencies shared by the exchange service's routers."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from exchange.ledger import LedgerCredential
from shared.language_maps import language_preferences


def directory_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.peers["directory"]
    return client


def events_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient = request.app.state.peers["events"]
    return client


def ledger_credential(request: Request) -> LedgerCredential:
    credential: LedgerCredential = request.app.state.ledger_credential
    return credential


DirectoryDep = Annotated[httpx.AsyncClient, Depends(directory_client)]
EventsDep = Annotated[httpx.AsyncClient, Depends(events_client)]
LedgerCredentialDep = Annotated[LedgerCredential, Depends(ledger_credential)]
Languages = Annotated[list[str], Depends(language_preferences)]
