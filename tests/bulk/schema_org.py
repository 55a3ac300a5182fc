"""The part of the schema.org vocabulary pdnet's JSON-LD uses, and a checker for documents.

Each type lists its parent and the properties schema.org defines on it with their ranges
(https://schema.org/<Type>, "Properties from ..."); a document passes when every property it
uses is defined on its type or an ancestor and every value is in that property's range.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

SCHEMA = "https://schema.org/"
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")

TYPES: dict[str, tuple[str | None, dict[str, tuple[str, ...]]]] = {
    "Thing": (
        None,
        {
            "name": ("Text",),
            "alternateName": ("Text",),
            "description": ("Text",),
            "url": ("URL",),
            "identifier": ("PropertyValue", "Text", "URL"),
            "sameAs": ("URL",),
        },
    ),
    "Organization": (
        "Thing",
        {
            "address": ("PostalAddress", "Text"),
            "email": ("Text",),
            "telephone": ("Text",),
            "location": ("Place", "PostalAddress", "Text", "VirtualLocation"),
            "knowsAbout": ("Text", "Thing", "URL"),
            "knowsLanguage": ("Language", "Text"),
            "memberOf": ("Organization", "ProgramMembership"),
            "award": ("Text",),
        },
    ),
    "EducationalOrganization": ("Organization", {"alumni": ("Person",)}),
    "Place": (
        "Thing",
        {"address": ("PostalAddress", "Text"), "geo": ("GeoCoordinates", "GeoShape")},
    ),
    "Intangible": ("Thing", {}),
    "StructuredValue": ("Intangible", {}),
    "GeoCoordinates": (
        "StructuredValue",
        {
            "latitude": ("Number", "Text"),
            "longitude": ("Number", "Text"),
            "address": ("PostalAddress", "Text"),
            "addressCountry": ("Country", "Text"),
        },
    ),
    "ContactPoint": ("StructuredValue", {"email": ("Text",), "telephone": ("Text",)}),
    "PostalAddress": (
        "ContactPoint",
        {
            "streetAddress": ("Text",),
            "postalCode": ("Text",),
            "addressLocality": ("Text",),
            "addressRegion": ("Text",),
            "addressCountry": ("Country", "Text"),
        },
    ),
    "PropertyValue": (
        "StructuredValue",
        {"propertyID": ("Text", "URL"), "value": ("Boolean", "Number", "StructuredValue", "Text")},
    ),
    "VirtualLocation": ("Intangible", {}),
    "Event": (
        "Thing",
        {
            "startDate": ("Date", "DateTime"),
            "endDate": ("Date", "DateTime"),
            "duration": ("Duration",),
            "eventStatus": ("EventStatusType",),
            "eventAttendanceMode": ("EventAttendanceModeEnumeration",),
            "location": ("Place", "PostalAddress", "Text", "VirtualLocation"),
            "organizer": ("Organization", "Person"),
            "contributor": ("Organization", "Person"),
            "inLanguage": ("Language", "Text"),
            "keywords": ("DefinedTerm", "Text", "URL"),
            "maximumAttendeeCapacity": ("Integer",),
            "remainingAttendeeCapacity": ("Integer",),
            "subEvent": ("Event",),
        },
    ),
    "CourseInstance": (
        "Event",
        {"courseMode": ("Text", "URL"), "courseWorkload": ("Text",), "instructor": ("Person",)},
    ),
}
ENUMERATIONS = {
    "EventStatusType": {
        "EventScheduled",
        "EventCancelled",
        "EventPostponed",
        "EventRescheduled",
        "EventMovedOnline",
    },
    "EventAttendanceModeEnumeration": {
        "OfflineEventAttendanceMode",
        "OnlineEventAttendanceMode",
        "MixedEventAttendanceMode",
    },
}

REQUIRED = {
    # What consumers of these types look for first (e.g. search engines' event listings).
    "EducationalOrganization": ("name", "address"),
    "CourseInstance": ("name", "startDate", "location", "eventStatus"),
}


def ancestors(type_name: str) -> list[str]:
    chain: list[str] = []
    current: str | None = type_name
    while current is not None:
        chain.append(current)
        current = TYPES[current][0]
    return chain


def _property_range(type_name: str, prop: str) -> tuple[str, ...] | None:
    for name in ancestors(type_name):
        if prop in TYPES[name][1]:
            return TYPES[name][1][prop]
    return None


def _is_iso(value: str, kind: type) -> bool:
    try:
        (datetime if kind is datetime else date).fromisoformat(value)
    except ValueError:
        return False
    return True


def _fits(value: Any, range_name: str, path: str, problems: list[str]) -> bool:
    if range_name == "Text":
        return isinstance(value, str)
    if range_name == "URL":
        return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))
    if range_name == "Number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if range_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if range_name == "Boolean":
        return isinstance(value, bool)
    if range_name == "Date":
        return isinstance(value, str) and _is_iso(value, date)
    if range_name == "DateTime":
        return isinstance(value, str) and "T" in value and _is_iso(value, datetime)
    if range_name == "Duration":
        return isinstance(value, str) and bool(ISO_DURATION.match(value))
    if range_name in ENUMERATIONS:
        members = ENUMERATIONS[range_name]
        return isinstance(value, str) and value.removeprefix(SCHEMA) in members
    if isinstance(value, dict) and range_name in TYPES:
        node_type = value.get("@type")
        if not isinstance(node_type, str) or node_type not in TYPES:
            return False
        if range_name not in ancestors(node_type):
            return False
        problems.extend(check_node(value, path))
        return True
    return False


def check_node(node: dict[str, Any], path: str = "$") -> list[str]:
    """Every way `node` departs from the vocabulary, as readable strings."""
    problems: list[str] = []
    node_type = node.get("@type")
    if node_type not in TYPES:
        return [f"{path}: unknown @type {node_type!r}"]
    for prop, value in node.items():
        if prop in {"@context", "@type", "@id"}:
            continue
        ranges = _property_range(node_type, prop)
        if ranges is None:
            problems.append(f"{path}.{prop}: not a property of {node_type} or its ancestors")
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}.{prop}[{index}]" if isinstance(value, list) else f"{path}.{prop}"
            nested: list[str] = []
            if not any(_fits(item, r, where, nested) for r in ranges):
                problems.append(f"{where}: {item!r} is none of {', '.join(ranges)}")
            problems.extend(nested)
    return problems


def check_document(document: dict[str, Any], expected_type: str) -> list[str]:
    problems = []
    if document.get("@context") not in ("https://schema.org", "https://schema.org/"):
        problems.append(f"@context is {document.get('@context')!r}, not https://schema.org")
    if document.get("@type") != expected_type:
        problems.append(f"@type is {document.get('@type')!r}, not {expected_type}")
    for prop in REQUIRED.get(expected_type, ()):
        if prop not in document:
            problems.append(f"{prop} is missing")
    return problems + check_node(document)
