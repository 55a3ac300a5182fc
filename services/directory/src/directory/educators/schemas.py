"""REST shapes of educators. Contact details appear only for those entitled to see them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.api_models import StrictModel
from shared.language_maps import LanguageTag, LongText, pick
from shared.taxonomy import Audience, EmailAddress, PhoneNumber, Subject

EducatorKind = Literal["teacher_educator", "phd_student"]
Method = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Contact(StrictModel):
    email: EmailAddress | None = None
    phone: PhoneNumber | None = None


class EducatorCreate(StrictModel):
    centre_id: uuid.UUID
    display_name: DisplayName
    kind: EducatorKind
    user_subject: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="The `sub` of the educator's own login."
    )
    subjects: list[Subject] = Field(default_factory=list, max_length=20)
    levels: list[Audience] = Field(default_factory=list, max_length=4)
    methods: list[Method] = Field(default_factory=list, max_length=20, examples=[["inquiry_based"]])
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)
    available_for_exchange: bool = False
    bio: LongText | None = None
    public_profile: bool = Field(False, description="Consent to show the profile publicly.")
    contact: Contact | None = None


class EducatorUpdate(StrictModel):
    display_name: DisplayName | None = None
    subjects: list[Subject] | None = Field(None, max_length=20)
    levels: list[Audience] | None = Field(None, max_length=4)
    methods: list[Method] | None = Field(None, max_length=20)
    languages: list[LanguageTag] | None = Field(None, max_length=20)
    available_for_exchange: bool | None = None
    bio: LongText | None = None
    public_profile: bool | None = None
    contact: Contact | None = None

    __omittable__ = (
        "display_name",
        "subjects",
        "levels",
        "methods",
        "languages",
        "available_for_exchange",
        "public_profile",
    )


class EducatorRead(BaseModel):
    id: uuid.UUID
    centre_id: uuid.UUID
    display_name: str
    kind: str
    subjects: list[str]
    levels: list[str]
    methods: list[str]
    languages: list[str]
    available_for_exchange: bool
    bio: dict[str, str] | None
    bio_text: str | None
    public_profile: bool
    contact: Contact | None = Field(
        None, description="Only for the educator and the managers of their centre."
    )
    user_subject: str | None = Field(
        None,
        description="The `sub` of the educator's login; only for the educator and the "
        "managers of their centre (other services use it to recognise the educator).",
    )
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_educator(
        cls, educator: Any, languages: list[str], *, with_contact: bool
    ) -> EducatorRead:
        contact = None
        if with_contact and (educator.email or educator.phone):
            contact = Contact(email=educator.email, phone=educator.phone)
        return cls(
            id=educator.id,
            centre_id=educator.centre_id,
            display_name=educator.display_name,
            kind=educator.kind,
            subjects=educator.subjects,
            levels=educator.levels,
            methods=educator.methods,
            languages=educator.languages,
            available_for_exchange=educator.available_for_exchange,
            bio=educator.bio,
            bio_text=pick(educator.bio, languages),
            public_profile=educator.public_profile,
            contact=contact,
            user_subject=educator.user_subject if with_contact else None,
            created_at=educator.created_at,
            updated_at=educator.updated_at,
            version=educator.version,
        )


class EducatorPage(BaseModel):
    items: list[EducatorRead]
    next_cursor: str | None = None
