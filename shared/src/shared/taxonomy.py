"""Controlled vocabularies every service uses to describe STEM professional development."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

Subject = Literal[
    "mathematics",
    "physics",
    "chemistry",
    "biology",
    "earth_science",
    "computer_science",
    "technology",
    "engineering",
    "environmental_science",
    "astronomy",
    "integrated_stem",
]
Audience = Literal["primary", "secondary", "pre_service", "in_service"]

CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code.", examples=["FI"]),
]
NutsCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{0,3}$"),
    Field(description="NUTS region code (any level), e.g. `FI1B`.", examples=["FI1B"]),
]
EmailAddress = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$", max_length=254),
]
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ().-]{4,40}$")]
WebAddress = Annotated[
    str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2000)
]
