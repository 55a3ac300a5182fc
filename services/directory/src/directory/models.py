"""The directory's tables: networks and their membership graph, centres, labels, educators."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from shared.clock import new_id, utcnow
from shared.db import service_metadata
from shared.outbox import include_integration_tables


class Point(UserDefinedType[Any]):
    """PostgreSQL's built-in `point`; GiST-indexable without any extension."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "point"


class Base(DeclarativeBase):
    metadata = service_metadata()


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Network(Timestamped, Base):
    __tablename__ = "networks"
    __table_args__ = (
        CheckConstraint("kind IN ('european', 'national', 'regional', 'thematic')", name="kind"),
        UniqueConstraint("data_source", "origin_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    description: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    kind: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(Text)
    data_source: Mapped[str | None] = mapped_column(String(64))
    origin_id: Mapped[str | None] = mapped_column(String(200))


class Membership(Base):
    """An edge of the network graph: a centre or a network belongs to a network, for a time."""

    __tablename__ = "network_memberships"
    __table_args__ = (
        CheckConstraint("num_nonnulls(centre_id, member_network_id) = 1", name="one_member"),
        CheckConstraint("member_network_id IS DISTINCT FROM network_id", name="not_self"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint(
            "role IN ('member', 'coordinator', 'hub', 'partner', 'observer')", name="role"
        ),
        Index("ix_network_memberships_centre_id", "centre_id"),
        Index("ix_network_memberships_member_network_id", "member_network_id"),
        Index("ix_network_memberships_network_id", "network_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    centre_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("centres.id", ondelete="CASCADE")
    )
    member_network_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16), default="member")
    starts_on: Mapped[date] = mapped_column(Date, server_default=func.current_date())
    ends_on: Mapped[date | None] = mapped_column(Date)


class Centre(Timestamped, Base):
    __tablename__ = "centres"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'inactive', 'temporarily_closed')", name="status"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="coords"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="coords_pair"),
        UniqueConstraint("data_source", "origin_id"),
        Index("ix_centres_search", "search", postgresql_using="gin"),
        Index("ix_centres_location", "location", postgresql_using="gist"),
        Index("ix_centres_subjects", "subjects", postgresql_using="gin"),
        Index("ix_centres_audiences", "audiences", postgresql_using="gin"),
        Index("ix_centres_languages", "languages", postgresql_using="gin"),
        Index("ix_centres_country_region", "country", "region"),
        Index("ix_centres_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    description: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(5))
    address: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    lat: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float | None] = mapped_column(Double)
    location: Mapped[Any] = mapped_column(
        Point(), Computed("point(lon, lat)", persisted=True), nullable=True
    )
    website: Mapped[str | None] = mapped_column(Text)
    public_email: Mapped[str | None] = mapped_column(String(254))
    public_phone: Mapped[str | None] = mapped_column(String(40))
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    audiences: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), server_default="{}")
    status: Mapped[str] = mapped_column(String(20), default="active")
    data_source: Mapped[str | None] = mapped_column(String(64))
    origin_id: Mapped[str | None] = mapped_column(String(200))
    # Maintained by a trigger: each text analysed with its own language's configuration.
    search: Mapped[Any] = mapped_column(TSVECTOR, nullable=True, deferred=True)


class CentreIdentifier(Base):
    """An external identifier with its scheme (Erasmus OID, PIC, a national register)."""

    __tablename__ = "centre_identifiers"
    __table_args__ = (Index("ix_centre_identifiers_centre_id", "centre_id"),)

    scheme: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))


class QualityLabel(Timestamped, Base):
    """An award such as Austria's RECC label: issuer, validity, evidence, one or more holders."""

    __tablename__ = "quality_labels"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        Index("ix_quality_labels_scheme", "scheme"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    scheme: Mapped[str] = mapped_column(String(40))
    name: Mapped[dict[str, str]] = mapped_column(JSONB(none_as_null=True))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    evidence_url: Mapped[str | None] = mapped_column(Text)


class LabelHolder(Base):
    __tablename__ = "label_holders"
    __table_args__ = (Index("ix_label_holders_centre_id", "centre_id"),)

    label_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quality_labels.id", ondelete="CASCADE"), primary_key=True
    )
    centre_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True
    )


class Educator(Timestamped, Base):
    """A teacher educator or PhD student. Contact details are personal data, never public."""

    __tablename__ = "educators"
    __table_args__ = (
        CheckConstraint("kind IN ('teacher_educator', 'phd_student')", name="kind"),
        Index("ix_educators_centre_id", "centre_id"),
        Index("ix_educators_subjects", "subjects", postgresql_using="gin"),
        UniqueConstraint("user_subject"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("centres.id", ondelete="RESTRICT"))
    user_subject: Mapped[str | None] = mapped_column(String(200))
    """The `sub` of the educator's own login, which lets them see and edit their record."""
    display_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    subjects: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    levels: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    methods: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(12)), server_default="{}")
    available_for_exchange: Mapped[bool] = mapped_column(Boolean, default=False)
    bio: Mapped[dict[str, str] | None] = mapped_column(JSONB(none_as_null=True))
    public_profile: Mapped[bool] = mapped_column(Boolean, default=False)
    """Consent: may the profile (never the contact details) be shown to the public."""
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))


class ApiKey(Base):
    """A machine credential for one network's integrations; only its SHA-256 is kept."""

    __tablename__ = "api_keys"
    __table_args__ = (
        UniqueConstraint("key_hash"),
        Index("ix_api_keys_network_id_id", "network_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    network_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(12))
    """The key's first characters, so people can tell their keys apart."""
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


include_integration_tables(Base.metadata)
