"""A service's background loop, started with the app and cancelled cleanly when it stops.

Every replica runs one; the loops themselves must be safe with many replicas (they claim rows
with `FOR UPDATE SKIP LOCKED`), so no process is special.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def background_loop(
    start: Callable[[], Coroutine[Any, Any, None]], *, enabled: bool
) -> AsyncIterator[None]:
    task = asyncio.create_task(start()) if enabled else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
