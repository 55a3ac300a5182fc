"""REST shapes of quality labels."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from shared.api_models import StrictModel
from shared.language_maps import ShortText, pick
from shared.taxonomy import WebAddress

Scheme = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class LabelCreate(StrictModel):
    scheme: Scheme = Field(examples=["RECC"])
    name: ShortText
    issuer: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    valid_from: date
    valid_to: date | None = None
    evidence_url: WebAddress | None = None
    holders: list[uuid.UUID] = Field(min_length=1, max_length=50, description="Centre ids.")

    @model_validator(mode="after")
    def _validity(self) -> LabelCreate:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class LabelUpdate(StrictModel):
    name: ShortText | None = None
    issuer: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    evidence_url: WebAddress | None = None
    holders: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=50)

    __omittable__ = ("name", "issuer", "valid_from", "holders")


class LabelRead(BaseModel):
    id: uuid.UUID
    scheme: str
    name: dict[str, str]
    name_text: str
    issuer: str
    valid_from: date
    valid_to: date | None
    current: bool = Field(description="Valid today.")
    evidence_url: str | None
    holders: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_label(
        cls, label: Any, holders: list[uuid.UUID], languages: list[str], today: date
    ) -> LabelRead:
        return cls(
            id=label.id,
            scheme=label.scheme,
            name=label.name,
            name_text=pick(label.name, languages) or "",
            issuer=label.issuer,
            valid_from=label.valid_from,
            valid_to=label.valid_to,
            current=label.valid_from <= today
            and (label.valid_to is None or label.valid_to >= today),
            evidence_url=label.evidence_url,
            holders=holders,
            created_at=label.created_at,
            updated_at=label.updated_at,
            version=label.version,
        )


class LabelPage(BaseModel):
    items: list[LabelRead]
    next_cursor: str | None = None
