"""What the open formats show of an event, whatever the format: local times, place, status words.

Both the iCalendar feeds and the JSON-LD view read from here, so a calendar entry and a search
engine's card never disagree about where and when an event happens.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Sequence
from datetime import datetime, tzinfo

from events.models import Event
from shared.language_maps import pick

# Not every calendar client honours STATUS:CANCELLED on subscribed calendars (Google's does not),
# so the summary says it too, in the reader's language when we know the word.
STATUS_WORDS: dict[str, dict[str, str]] = {
    "cancelled": {
        "en": "Cancelled",
        "fi": "Peruttu",
        "sv": "Inställd",
        "de": "Abgesagt",
        "fr": "Annulé",
        "it": "Annullato",
    },
    "postponed": {
        "en": "Postponed",
        "fi": "Siirretty",
        "sv": "Uppskjuten",
        "de": "Verschoben",
        "fr": "Reporté",
        "it": "Rinviato",
    },
}


def zone_of(event: Event) -> tzinfo:
    """The event's IANA zone; UTC if the zone database no longer knows the stored name."""
    try:
        return zoneinfo.ZoneInfo(event.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local(instant: datetime, event: Event) -> datetime:
    return instant.astimezone(zone_of(event))


def event_url(base_url: str, event_id: uuid.UUID) -> str:
    return f"{base_url.rstrip('/')}/v1/events/{event_id}"


def title_text(event: Event, languages: Sequence[str]) -> str:
    return pick(event.title, languages) or ""


def status_word(event: Event, languages: Sequence[str]) -> str | None:
    """The word "Cancelled" or "Postponed" in the reader's language; None when scheduled."""
    words = STATUS_WORDS.get(event.status)
    return pick(words, languages) if words else None


def venue_text(event: Event) -> str | None:
    """The venue as one line: name, street, postcode and locality, whichever are known."""
    venue = event.venue or {}
    locality = " ".join(str(venue[k]) for k in ("postcode", "locality") if venue.get(k))
    parts = [str(venue[k]) for k in ("name", "street") if venue.get(k)]
    if locality:
        parts.append(locality)
    return ", ".join(parts) or None


def location_text(event: Event) -> str | None:
    """Where to go: the venue, the online link, or both for a blended event."""
    parts = [part for part in (venue_text(event), event.online_url) if part]
    return " / ".join(parts) or None


def venue_point(event: Event) -> tuple[float, float] | None:
    """The venue's own coordinates; the host centre's snapshot on the event is not the venue."""
    venue = event.venue or {}
    lat, lon = venue.get("lat"), venue.get("lon")
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)
