"""Bodies of `/v1/api-keys`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from shared.api_keys import Scope
from shared.api_models import StrictModel


class ApiKeyCreate(StrictModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    """What the key is for, e.g. "LUMA portal sync"."""
    network_id: uuid.UUID
    """The network the key acts for."""
    scopes: list[Scope] = Field(min_length=1, max_length=3)


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    network_id: uuid.UUID
    name: str
    key_prefix: str
    scopes: list[Scope]
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    """When a service last accepted the key (to within its cache time, see the docs)."""


class ApiKeyCreated(ApiKeyRead):
    key: str
    """Send as `Authorization: Bearer <key>`. Shown only in this response; store it safely."""


class ApiKeyPage(BaseModel):
    items: list[ApiKeyRead]
    next_cursor: str | None = None


class Introspection(StrictModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class IntrospectionResult(BaseModel):
    active: bool
    id: uuid.UUID | None = None
    network_id: uuid.UUID | None = None
    scopes: list[Scope] = []
