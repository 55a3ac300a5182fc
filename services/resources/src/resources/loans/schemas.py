"""REST shapes of loans."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from resources.catalogue.schemas import Condition
from shared.api_models import StrictModel


class CheckOut(StrictModel):
    item_ids: list[uuid.UUID] | None = Field(
        None, max_length=1000, description="Which items; default: the best-kept free ones."
    )

    @model_validator(mode="after")
    def _distinct(self) -> CheckOut:
        if self.item_ids is not None and len(set(self.item_ids)) != len(self.item_ids):
            raise ValueError("item_ids repeat")
        return self


class ItemReport(StrictModel):
    item_id: uuid.UUID
    condition: Condition
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ConsumableUse(StrictModel):
    component_id: uuid.UUID
    quantity: Annotated[int, Field(ge=0, le=1_000_000)]


class CheckIn(StrictModel):
    items: list[ItemReport] = Field(
        default_factory=list, max_length=1000, description="Condition of each returned item."
    )
    consumables_used: list[ConsumableUse] = Field(
        default_factory=list,
        max_length=100,
        description="Consumables used up; they are refilled from the owner's spare stock.",
    )


class Renewal(StrictModel):
    days: Annotated[int, Field(ge=1, le=60)] = Field(description="How many more days.")


class LoanRead(BaseModel):
    id: uuid.UUID
    reservation_id: uuid.UUID
    kit_id: uuid.UUID
    borrower_id: str
    item_ids: list[uuid.UUID]
    status: Literal["out", "returned"]
    due_on: date
    renewals: int
    overdue: bool
    overdue_since: date | None
    checked_out_at: datetime
    returned_at: datetime | None
    condition_report: list[dict[str, Any]] | None
    consumables_used: list[dict[str, Any]] | None

    @classmethod
    def build(cls, loan: Any) -> LoanRead:
        return cls(
            **{n: getattr(loan, n) for n in cls.model_fields if n != "overdue"},
            overdue=loan.overdue_since is not None and loan.status == "out",
        )


class LoanPage(BaseModel):
    items: list[LoanRead]
    next_cursor: str | None = None


class RestockTaskRead(BaseModel):
    id: uuid.UUID
    kit_id: uuid.UUID
    component_id: uuid.UUID
    stock: int
    threshold: int
    status: Literal["open", "done"]
    created_at: datetime
