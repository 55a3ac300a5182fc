"""GraphQL types every subgraph shares. Federation requires a shared value type or input to be
declared identically in each subgraph, so it is declared once, here."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from shared.language_maps import pick
from shared.pagination import MAX_LIMIT
from shared.problems import InvalidInput


def parse_id(value: str | strawberry.ID, field: str = "id") -> uuid.UUID:
    """An ID argument as a UUID; a malformed one is reported, not a crash."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{field}: {value!r} is not a valid id") from exc


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_LIMIT:
        raise InvalidInput(f"first: must be between 1 and {MAX_LIMIT}")
    return first


def localized(texts: dict[str, str] | None, lang: str | None, info: Info) -> str | None:
    """The text in `lang` if given, else in the caller's Accept-Language, else the fallback."""
    languages: list[str] = getattr(info.context, "languages", [])
    return pick(texts, [lang, *languages] if lang else languages)


@strawberry.federation.type(shareable=True, description="A text in one language.")
class LocalizedText:
    lang: str
    text: str


def localized_texts(texts: dict[str, str] | None) -> list[LocalizedText]:
    return [LocalizedText(lang=k, text=v) for k, v in (texts or {}).items()]


@strawberry.input(description="A circle on the map: results lie within `radiusKm` of the point.")
class NearInput:
    lat: float
    lon: float
    radius_km: float = 50.0
