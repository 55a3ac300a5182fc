"""One call per service wires the integration surface: change feed, webhooks, API keys.

A service lists its event types, includes `integration_routers(...)` and enters
`integration_lifespan(...)` in its own lifespan; the webhook worker then runs in every replica
(it is safe to), except under tests, which drive it themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.api_keys import IntrospectedApiKeys
from shared.auth import ApiKeyResolver
from shared.background import background_loop
from shared.changes import changes_router
from shared.settings import BaseServiceSettings
from shared.webhooks import worker
from shared.webhooks.routes import webhooks_router


def integration_routers(event_types: Iterable[str]) -> list[APIRouter]:
    types = tuple(event_types)
    return [changes_router(types), webhooks_router(types)]


@asynccontextmanager
async def integration_lifespan(
    app: FastAPI, settings: BaseServiceSettings, *, api_keys: ApiKeyResolver | None = None
) -> AsyncIterator[None]:
    """API keys are checked by `api_keys`, or by asking the directory (`peers["directory"]`)."""
    app.state.api_keys = api_keys or IntrospectedApiKeys(
        lambda: app.state.peers["directory"], ttl_s=settings.api_key_cache_s
    )
    async with background_loop(
        lambda: worker.run_forever(app.state.db, settings),
        enabled=settings.run_webhook_worker and settings.environment != "test",
    ):
        yield
