"""GraphQL types every subgraph shares. Federation requires a shared value type or input to be
declared identically in each subgraph, so it is declared once, here."""

from __future__ import annotations

import strawberry


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
