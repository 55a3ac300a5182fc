"""iCalendar (RFC 5545) calendars of events: one VEVENT per session.

Every meeting of a multi-session course is its own VEVENT (UID `{session_id}@pdnet`), so a
calendar shows each meeting at its real time instead of one block spanning weeks. An event
without sessions (none are made that way today) gets one VEVENT with UID `{event_id}@pdnet`.

The output is a pure function of the stored rows and the caller's languages — DTSTAMP is the
event's last change, not "now" — so the same data always gives the same bytes and the same ETag.
That reading of DTSTAMP is RFC 5545's for objects without METHOD, which these calendars omit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import icalendar
from icalendar.enums import STATUS

from events.feeds.presentation import (
    event_url,
    local,
    location_text,
    status_word,
    title_text,
    venue_point,
)
from events.feeds.repository import FeedItem
from events.models import Event, Session
from shared.language_maps import pick

PRODID = "-//European STEM PD Centre Network//pdnet events//EN"
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
SUGGESTED_REFRESH = timedelta(hours=1)
EVENT_STATUS = {
    "scheduled": STATUS.CONFIRMED,
    "postponed": STATUS.TENTATIVE,
    "cancelled": STATUS.CANCELLED,
}


@dataclass(frozen=True)
class Reader:
    """Who the calendar is written for: their languages, and where the API is reached."""

    languages: Sequence[str]
    base_url: str


def session_uid(session: Session) -> str:
    return f"{session.id}@pdnet"


def _summary(event: Event, session: Session | None, position: str, reader: Reader) -> str:
    summary = title_text(event, reader.languages)
    session_title = pick(session.title, reader.languages) if session else None
    if session_title:
        summary = f"{summary}: {session_title}"
    elif position:
        summary = f"{summary} ({position})"
    word = status_word(event, reader.languages)
    return f"{word}: {summary}" if word else summary


def _description(event: Event, reader: Reader) -> str | None:
    text = pick(event.description, reader.languages)
    word = status_word(event, reader.languages)
    if word and event.status_reason:
        # The reason is what a subscriber needs first when their course is called off.
        return f"{word}: {event.status_reason}" + (f"\n\n{text}" if text else "")
    return text


def _vevent(
    event: Event, session: Session | None, position: str, reader: Reader
) -> icalendar.Event:
    vevent = icalendar.Event.new(
        uid=session_uid(session) if session else f"{event.id}@pdnet",
        start=local(session.starts_at if session else event.starts_at, event),
        end=local(session.ends_at if session else event.ends_at, event),
        stamp=event.updated_at,
        created=event.created_at,
        last_modified=event.updated_at,
        sequence=event.version,
        status=EVENT_STATUS.get(event.status, STATUS.CONFIRMED),
        summary=_summary(event, session, position, reader),
        description=_description(event, reader),
        location=location_text(event),
        url=event_url(reader.base_url, event.id),
        categories=list(event.subjects),
    )
    point = venue_point(event)
    if point is not None:
        vevent.add("geo", point)
    return vevent


def vevents_of(item: FeedItem, reader: Reader) -> list[icalendar.Event]:
    sessions = item.sessions
    if not sessions:
        return [_vevent(item.event, None, "", reader)]
    count = len(sessions)
    return [
        _vevent(item.event, s, f"{i}/{count}" if count > 1 else "", reader)
        for i, s in enumerate(sessions, start=1)
    ]


def calendar_of(
    items: Sequence[FeedItem], reader: Reader, *, uid: str, name: str | None = None
) -> icalendar.Calendar:
    """A calendar of the items' sessions, with a VTIMEZONE for every zone they use."""
    calendar = icalendar.Calendar.new(prodid=PRODID, uid=uid, name=name)
    if name is not None:
        # Subscribed calendars: hints for how often to poll (RFC 7986, and what Outlook reads).
        calendar.add("refresh-interval", SUGGESTED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(SUGGESTED_REFRESH))
    for item in items:
        for vevent in vevents_of(item, reader):
            calendar.add_component(vevent)
    first, last = _date_range(items)
    # Transitions only for the dates the calendar covers: small, and the same for the same data.
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def _date_range(items: Sequence[FeedItem]) -> tuple[date, date]:
    starts = [item.event.starts_at for item in items]
    ends = [item.event.ends_at for item in items]
    if not starts:
        return date(2000, 1, 1), date(2000, 1, 2)
    return (min(starts) - timedelta(days=1)).date(), (max(ends) + timedelta(days=1)).date()
