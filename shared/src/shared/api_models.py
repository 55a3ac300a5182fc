"""Base classes for request and response bodies."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")
