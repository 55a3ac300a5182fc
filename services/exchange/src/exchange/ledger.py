"""Crediting a recognised exchange to the educator's CPD ledger in the events service.

The events service takes credits from clients holding scope `ledger:write` and is idempotent
on (`source`, `source_key`): the exchange posts with its application's id as the key and a
body derived only from the agreed terms, so a retry after any failure finds the first entry
instead of adding a second one.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx

from exchange.errors import LedgerRefused, LedgerUnavailable
from exchange.settings import ExchangeSettings
from shared.dev_issuer import DevIssuer

LEDGER_WRITE_SCOPE = "ledger:write"
CREDIT_SOURCE = "exchange"
_MINTED_TTL_S = 600


class LedgerCredential:
    """The bearer token this service presents to the events service.

    In production it is the configured client-credential token. Locally (development and
    tests) the development issuer's key sits beside `jwks_file`, and short-lived tokens are
    minted from it as needed.
    """

    def __init__(self, settings: ExchangeSettings) -> None:
        self._static = settings.ledger_token.get_secret_value() if settings.ledger_token else None
        self._issuer: DevIssuer | None = None
        if self._static is None and settings.environment != "production" and settings.jwks_file:
            issuer = DevIssuer(settings.jwks_file.parent)
            if issuer.private_key_path.exists():
                self._issuer = issuer
        self._minted: tuple[str, float] | None = None

    def authorization(self) -> str:
        if self._static is not None:
            return f"Bearer {self._static}"
        if self._issuer is None:
            raise LedgerUnavailable(
                "No credential for the CPD ledger is configured (EXCHANGE_LEDGER_TOKEN); "
                "nothing was changed.",
                retry_after_s=60,
            )
        if self._minted is None or self._minted[1] < time.time() + 60:
            token = self._issuer.mint(
                subject="service:exchange", scope=LEDGER_WRITE_SCOPE, ttl_s=_MINTED_TTL_S
            )
            self._minted = (token, time.time() + _MINTED_TTL_S)
        return f"Bearer {self._minted[0]}"


@dataclass(frozen=True)
class Credit:
    teacher_id: str
    hours: Decimal
    source_key: str
    title: dict[str, str]
    centre_id: uuid.UUID
    occurred_on: date

    def body(self) -> dict[str, object]:
        return {
            "teacher_id": self.teacher_id,
            "hours": str(self.hours),
            "source": CREDIT_SOURCE,
            "source_key": self.source_key,
            "title": self.title,
            "centre_id": str(self.centre_id),
            "occurred_on": self.occurred_on.isoformat(),
        }


async def post_credit(
    client: httpx.AsyncClient, credential: LedgerCredential, credit: Credit
) -> uuid.UUID:
    """The ledger entry's id, whether this post created it or an earlier one did."""
    try:
        response = await client.post(
            "/v1/ledger/credits",
            json=credit.body(),
            headers={"Authorization": credential.authorization()},
        )
    except httpx.TransportError as exc:
        raise LedgerUnavailable(
            "The events service (CPD ledger) cannot be reached; nothing was changed. "
            "Retry shortly.",
            retry_after_s=10,
        ) from exc
    if response.status_code >= 500:
        raise LedgerUnavailable(
            "The events service (CPD ledger) is failing; nothing was changed. Retry shortly.",
            retry_after_s=10,
        )
    if response.status_code in (200, 201):
        return uuid.UUID(response.json()["id"])
    detail = _detail(response)
    if response.status_code in (401, 403):
        raise LedgerUnavailable(
            f"The CPD ledger refused this service's credential ({detail}); nothing was changed.",
            retry_after_s=60,
        )
    raise LedgerRefused(
        f"The CPD ledger refused the credit: {detail}", ledger_status=response.status_code
    )


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or response.json().get("title"))
    except ValueError:
        return f"HTTP {response.status_code}"
