"""schema.org JSON-LD of an event: a `CourseInstance`, its sessions as sub-events.

Centres and sessions are named by URN (`urn:pdnet:centre:{id}`, `urn:pdnet:session:{id}`) so
consumers can join them with the directory's JSON-LD without depending on a host name.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from events.feeds.presentation import event_url, local, title_text, venue_point
from events.models import Event, Session
from shared.language_maps import pick

JSONLD_MEDIA_TYPE = "application/ld+json"
SCHEMA = "https://schema.org/"
COURSE_MODE = {"face_to_face": "onsite", "online": "online", "blended": "blended"}
ATTENDANCE_MODE = {
    "face_to_face": "OfflineEventAttendanceMode",
    "online": "OnlineEventAttendanceMode",
    "blended": "MixedEventAttendanceMode",
}
EVENT_STATUS = {
    "scheduled": "EventScheduled",
    "postponed": "EventPostponed",
    "cancelled": "EventCancelled",
}


def _centre(centre_id: object) -> dict[str, str]:
    return {"@type": "Organization", "@id": f"urn:pdnet:centre:{centre_id}"}


def _place(event: Event) -> dict[str, Any] | None:
    venue = event.venue
    if not venue:
        return None
    address = {
        "@type": "PostalAddress",
        "streetAddress": venue.get("street"),
        "postalCode": venue.get("postcode"),
        "addressLocality": venue.get("locality"),
        "addressCountry": event.country,
    }
    place: dict[str, Any] = {
        "@type": "Place",
        "name": venue.get("name"),
        "address": {k: v for k, v in address.items() if v is not None},
    }
    point = venue_point(event)
    if point is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]}
    return {k: v for k, v in place.items() if v is not None}


def _location(event: Event) -> list[dict[str, Any]]:
    places = [_place(event)]
    if event.online_url:
        places.append({"@type": "VirtualLocation", "url": event.online_url})
    return [p for p in places if p]


def iso_duration(hours: Decimal) -> str:
    """CPD hours as an ISO 8601 duration, e.g. 7.5 → PT7H30M."""
    minutes = int((hours * 60).to_integral_value())
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def _sub_event(event: Event, session: Session, languages: Sequence[str]) -> dict[str, Any]:
    sub: dict[str, Any] = {
        "@type": "Event",
        "@id": f"urn:pdnet:session:{session.id}",
        "name": pick(session.title, languages) or title_text(event, languages),
        "startDate": local(session.starts_at, event).isoformat(),
        "endDate": local(session.ends_at, event).isoformat(),
    }
    if session.cpd_hours:
        sub["duration"] = iso_duration(session.cpd_hours)
    return sub


def course_instance(
    event: Event, sessions: Sequence[Session], languages: Sequence[str], *, base_url: str
) -> dict[str, Any]:
    url = event_url(base_url, event.id)
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CourseInstance",
        "@id": url,
        "url": url,
        "identifier": str(event.id),
        "name": title_text(event, languages),
        "description": pick(event.description, languages),
        "courseMode": COURSE_MODE.get(event.delivery_mode, event.delivery_mode),
        "eventAttendanceMode": SCHEMA + ATTENDANCE_MODE.get(event.delivery_mode, ""),
        "eventStatus": SCHEMA + EVENT_STATUS.get(event.status, "EventScheduled"),
        "startDate": local(event.starts_at, event).isoformat(),
        "endDate": local(event.ends_at, event).isoformat(),
        "inLanguage": list(event.languages) or None,
        "location": _location(event) or None,
        "organizer": _centre(event.host_centre_id),
        "contributor": [_centre(c) for c in event.co_host_centre_ids] or None,
        "keywords": list(event.subjects) or None,
        "maximumAttendeeCapacity": event.capacity,
        "remainingAttendeeCapacity": max(event.capacity - event.seats_taken, 0),
        "subEvent": [_sub_event(event, s, languages) for s in sessions] or None,
    }
    total_hours = sum((s.cpd_hours for s in sessions), Decimal(0))
    if total_hours:
        # CourseInstance's own property for the hours a course takes (timeRequired belongs to
        # CreativeWork, which a CourseInstance is not).
        document["courseWorkload"] = iso_duration(total_hours)
    # Absent rather than null: JSON-LD processors treat null as "delete this value".
    return {key: value for key, value in document.items() if value is not None}
