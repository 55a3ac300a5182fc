"""Request and response bodies of `/v1/webhooks`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.api_models import StrictModel

EventType = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=100)]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000)]
Status = Literal["active", "disabled"]


class WebhookCreate(StrictModel):
    url: Url
    """Where to POST deliveries: https (http only outside production)."""
    event_types: list[EventType] = Field(min_length=1, max_length=50)
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    personal_data: bool = False
    """Full payloads for events about people; only a platform admin may ask for them."""


class WebhookUpdate(StrictModel):
    __omittable__ = ("url", "event_types", "status", "personal_data")

    url: Url | None = None
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=50)
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    status: Status | None = None
    """`disabled` pauses deliveries; `active` resumes them, from where they stopped."""
    personal_data: bool | None = None


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str | None
    status: Status
    disabled_reason: str | None
    personal_data: bool
    network_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str
    """`whsec_...`: verify each delivery's signature with it. Shown only in this response."""


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next_cursor: str | None = None


class DeliveryRead(BaseModel):
    id: uuid.UUID
    """Sent as `webhook-id`; the same on every attempt, so receivers can drop duplicates."""
    event_id: uuid.UUID
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None = None
