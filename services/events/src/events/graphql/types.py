"""GraphQL types of the events subgraph. Each wraps the same rows the REST API reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from events import models
from events.catalogue.repository import cursor_for
from events.graphql.upcoming import CentreEventsKey
from shared.graphql_types import LocalizedText, localized, localized_texts, page_size, parse_id
from shared.pagination import Connection, InvalidCursor, connection_from, decode_cursor


def position_after(after: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (starts_at, id) keyset position an `after` cursor stands for."""
    if after is None:
        return None
    starts, last_id = decode_cursor(after, "starts", 2)
    try:
        position = datetime.fromisoformat(starts), uuid.UUID(last_id)
    except (TypeError, ValueError):
        raise InvalidCursor("The cursor is not one this API issued.") from None
    if position[0].tzinfo is None:  # we only issue instants with an offset
        raise InvalidCursor("The cursor is not one this API issued.")
    return position


def event_connection(rows: Sequence[models.Event], *, has_next: bool) -> Connection[Event]:
    # Any edge's cursor is a valid `after`: it is the keyset position of that event.
    return connection_from(
        [Event.from_row(r) for r in rows], [cursor_for(r) for r in rows], has_next=has_next
    )


@strawberry.federation.type(
    keys=["id"], description="A centre of the directory; this subgraph adds its events."
)
class Centre:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Centre:
        # The events service knows centres only by id; the directory resolves everything else.
        return cls(id=id)

    # Nullable, as every field one subgraph adds to another's entity: when this service cannot
    # answer, a gateway nulls only this field and keeps the directory's data beside it.
    @strawberry.field(
        description="Upcoming events hosted or co-hosted here, soonest first (null only when the "
        "events service could not answer)."
    )
    async def events(
        self, info: Info, first: int = 10, after: str | None = None
    ) -> Connection[Event] | None:
        key = CentreEventsKey(
            centre_id=parse_id(self.id), limit=page_size(first), position=position_after(after)
        )
        # Batched: a page of 50 centres costs one query, not 50.
        rows = await info.context.loaders.centre_events.load(key)
        info.context.loaders.prime_events(rows)
        return event_connection(rows[:first], has_next=len(rows) > first)


@strawberry.type(description="One meeting of an event; CPD hours are credited per session.")
class EventSession:
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    cpd_hours: float
    titles_map: strawberry.Private[dict[str, str] | None]

    @classmethod
    def from_row(cls, row: models.Session) -> EventSession:
        return cls(
            id=strawberry.ID(str(row.id)),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            cpd_hours=float(row.cpd_hours),
            titles_map=row.title,
        )

    @strawberry.field
    def title(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.titles_map, lang, info)


@strawberry.federation.type(
    keys=["id"], description="One run of a course, workshop, residential course or science fair."
)
class Event:
    id: strawberry.ID
    row: strawberry.Private[models.Event]

    @classmethod
    def from_row(cls, row: models.Event) -> Event:
        return cls(id=strawberry.ID(str(row.id)), row=row)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Event | None:
        row = await info.context.loaders.event.load(parse_id(id))
        return cls.from_row(row) if row else None

    @strawberry.field(description="The title in `lang`, else the caller's Accept-Language.")
    def title(self, info: Info, lang: str | None = None) -> str:
        return localized(self.row.title, lang, info) or ""

    @strawberry.field
    def titles(self) -> list[LocalizedText]:
        return localized_texts(self.row.title)

    @strawberry.field
    def description(self, info: Info, lang: str | None = None) -> str | None:
        return localized(self.row.description, lang, info)

    @strawberry.field
    def descriptions(self) -> list[LocalizedText]:
        return localized_texts(self.row.description)

    @strawberry.field(description="Runs of the same course share a key.")
    def course_key(self) -> str | None:
        return self.row.course_key

    @strawberry.field(
        description="course, workshop, residential, science_fair, network_meeting, webinar, "
        "seminar."
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="face_to_face, online or blended.")
    def delivery_mode(self) -> str:
        return self.row.delivery_mode

    @strawberry.field(description="Languages the event is taught in (not those of its texts).")
    def languages(self) -> list[str]:
        return list(self.row.languages)

    @strawberry.field
    def audiences(self) -> list[str]:
        return list(self.row.audiences)

    @strawberry.field
    def subjects(self) -> list[str]:
        return list(self.row.subjects)

    @strawberry.field(description="The host centre's country (ISO 3166-1 alpha-2).")
    def country(self) -> str | None:
        return self.row.country

    @strawberry.field(description="The host centre's NUTS region.")
    def region(self) -> str | None:
        return self.row.region

    @strawberry.field
    def online_url(self) -> str | None:
        return self.row.online_url

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.row.starts_at

    @strawberry.field
    def ends_at(self) -> datetime:
        return self.row.ends_at

    @strawberry.field(description="IANA time zone of the venue, e.g. Europe/Helsinki.")
    def timezone(self) -> str:
        return self.row.timezone

    @strawberry.field
    def registration_opens_at(self) -> datetime:
        return self.row.registration_opens_at

    @strawberry.field
    def registration_closes_at(self) -> datetime:
        return self.row.registration_closes_at

    @strawberry.field
    def capacity(self) -> int:
        return self.row.capacity

    @strawberry.field
    def seats_available(self) -> int:
        return max(self.row.capacity - self.row.seats_taken, 0)

    @strawberry.field
    def waitlist_available(self) -> int:
        return max(self.row.waitlist_capacity - self.row.waitlist_count, 0)

    @strawberry.field(description="Places are confirmed by the host centre.")
    def requires_approval(self) -> bool:
        return self.row.requires_approval

    @strawberry.field(description="scheduled, cancelled or postponed.")
    def status(self) -> str:
        return self.row.status

    @strawberry.field
    async def sessions(self, info: Info) -> list[EventSession]:
        rows = await info.context.loaders.sessions.load(self.row.id)
        return [EventSession.from_row(s) for s in rows]

    @strawberry.field(description="CPD hours of all sessions together.")
    async def total_cpd_hours(self, info: Info) -> float:
        rows = await info.context.loaders.sessions.load(self.row.id)
        return float(sum((s.cpd_hours for s in rows), Decimal(0)))

    @strawberry.field
    def host_centre(self) -> Centre:
        return Centre(id=strawberry.ID(str(self.row.host_centre_id)))

    @strawberry.field
    def co_host_centres(self) -> list[Centre]:
        return [Centre(id=strawberry.ID(str(c))) for c in self.row.co_host_centre_ids]


@strawberry.type(description="The caller's place, or waitlist place, on an event.")
class Registration:
    id: strawberry.ID
    status: str
    waitlist_position: int | None = strawberry.field(
        description="Place in the queue (1 = next), only while waitlisted."
    )
    offer_expires_at: datetime | None = strawberry.field(
        description="Accept the offered place before this."
    )
    requested_at: datetime
    school: str | None
    event_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: models.Registration, rank: int | None) -> Registration:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            waitlist_position=rank,
            offer_expires_at=row.offer_expires_at,
            requested_at=row.requested_at,
            school=row.school,
            event_id=row.event_id,
        )

    @strawberry.field(description="Null if the event has since gone back to draft.")
    async def event(self, info: Info) -> Event | None:
        row = await info.context.loaders.event.load(self.event_id)
        return Event.from_row(row) if row else None
