"""Multilingual text: values people read are maps from language tag to text.

Which languages a text is written in is separate from which languages a course is taught in;
this module is about the former. Reads pick one text with a fallback chain from the caller's
`Accept-Language` (or an explicit `lang`), then English, then whatever exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import Header, Query
from pydantic import AfterValidator, Field, StringConstraints

LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Z]{2}|-[A-Za-z]{4})?$"
_TAG = re.compile(LANGUAGE_TAG)
FALLBACK = "en"

LanguageTag = Annotated[
    str,
    StringConstraints(pattern=LANGUAGE_TAG),
    Field(description="BCP 47 language tag, e.g. `en`, `fi`, `fr-BE`.", examples=["en"]),
]
"""A language a text is written in (or a course is taught in)."""

QueryLanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_TAG)]
"""The same, as a repeated query parameter (where `Field` metadata is not allowed)."""


def _not_blank(value: dict[str, str]) -> dict[str, str]:
    for tag, text in value.items():
        if not text.strip():
            raise ValueError(f"the text for '{tag}' is blank")
    return value


_MAP_FIELD = Field(
    min_length=1,
    max_length=40,
    description='Text by language tag, e.g. {"en": "...", "fi": "..."}.',
    examples=[{"en": "LUMA Centre Finland", "fi": "LUMA-keskus Suomi"}],
    json_schema_extra={"propertyNames": {"pattern": LANGUAGE_TAG}},
)

ShortText = Annotated[
    dict[
        LanguageTag, Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"\S")]
    ],
    _MAP_FIELD,
    AfterValidator(_not_blank),
]
"""Names and titles: a language map of up to 300 characters per language."""

LongText = Annotated[
    dict[
        LanguageTag, Annotated[str, StringConstraints(min_length=1, max_length=8000, pattern=r"\S")]
    ],
    _MAP_FIELD,
    AfterValidator(_not_blank),
]
"""Descriptions: a language map of up to 8 000 characters per language."""


def parse_accept_language(header: str | None) -> list[str]:
    """Tags in the caller's order of preference; malformed parts are ignored, not refused."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        tag = tag.strip()
        if "-" in tag:
            base, _, region = tag.partition("-")
            tag = f"{base.lower()}-{region.upper()}"
        else:
            tag = tag.lower()
        if quality > 0 and _TAG.match(tag):
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def pick(texts: Mapping[str, str] | None, preferences: Sequence[str]) -> str | None:
    """The best text for the preferences: exact tag, then its base language, then English."""
    if not texts:
        return None
    for tag in preferences:
        if tag in texts:
            return texts[tag]
        base = tag.split("-")[0]
        if base in texts:
            return texts[base]
    if FALLBACK in texts:
        return texts[FALLBACK]
    return next(iter(texts.values()))


async def language_preferences(
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
    lang: Annotated[
        str | None,
        Query(pattern=LANGUAGE_TAG, description="Preferred language; overrides Accept-Language."),
    ] = None,
) -> list[str]:
    preferences = parse_accept_language(accept_language)
    return [lang, *preferences] if lang else preferences
