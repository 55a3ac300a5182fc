"""REST endpoints for matching: offers for an educator, educators for an offer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from exchange.dependencies import DirectoryDep, Languages
from exchange.matching import service
from exchange.matching.scoring import WEIGHTS, Fit
from exchange.offers.routes import offer_read
from exchange.offers.schemas import OfferRead
from shared.auth import CurrentPrincipal, MaybePrincipal
from shared.db import SessionDep
from shared.problems import InvalidInput

router = APIRouter(tags=["matching"])

MatchLimit = Annotated[int, Query(ge=1, le=100, description="How many, best first (1–100).")]
_SCORING = ", ".join(f"{name} {weight:g}" for name, weight in WEIGHTS.items())


class ReasonRead(BaseModel):
    criterion: str
    points: float = Field(description="What this criterion added to the score.")
    weight: float = Field(description="The most it could add.")
    detail: str


class OfferMatch(BaseModel):
    score: float = Field(ge=0, le=1)
    reasons: list[ReasonRead]
    offer: OfferRead


class OfferMatches(BaseModel):
    educator_id: uuid.UUID
    items: list[OfferMatch]


class EducatorSuggestion(BaseModel):
    score: float = Field(ge=0, le=1)
    reasons: list[ReasonRead]
    educator_id: uuid.UUID
    centre_id: uuid.UUID
    kind: str
    subjects: list[str]
    languages: list[str]
    methods: list[str]


class EducatorSuggestions(BaseModel):
    offer_id: uuid.UUID
    items: list[EducatorSuggestion]


def _reasons(found: Fit) -> list[ReasonRead]:
    return [ReasonRead(**vars(r)) for r in found.reasons]


@router.get(
    "/v1/offer-matches",
    summary="Offers ranked for an educator, with the reasons for each score",
    response_model=OfferMatches,
    description=f"Scores run from 0 to 1; the criteria's weights are {_SCORING}. Open offers "
    "at other centres with a place left that share a subject or a language with the educator. "
    "A hidden profile is ranked only for the educator and their managers.",
)
async def offer_matches(
    educator_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: MaybePrincipal,
    directory: DirectoryDep,
    languages: Languages,
    available_from: date | None = None,
    available_to: date | None = None,
    limit: MatchLimit = 20,
) -> OfferMatches:
    available = None
    if available_from is not None or available_to is not None:
        if available_from is None or available_to is None or available_to < available_from:
            raise InvalidInput(
                "query.available_to: give available_from and available_to, in order",
                errors=[{"field": "query.available_to", "message": "both, in order"}],
            )
        available = (available_from, available_to)
    _, ranked = await service.offers_for_educator(
        session,
        educator_id=educator_id,
        authorization=request.headers.get("authorization") if principal else None,
        available=available,
        directory=directory,
        limit=limit,
    )
    return OfferMatches(
        educator_id=educator_id,
        items=[
            OfferMatch(
                score=r.fit.score, reasons=_reasons(r.fit), offer=offer_read(r.offer, languages)
            )
            for r in ranked
        ],
    )


@router.get(
    "/v1/offers/{offer_id}/suggested-educators",
    summary="Educators suggested for an offer (host centre managers)",
    response_model=EducatorSuggestions,
    description=f"Educators of other centres open to exchange, best first; scores run from 0 "
    f"to 1 with the weights {_SCORING}. The dates criterion counts the days left free by their "
    "confirmed exchanges.",
)
async def suggested_educators(
    offer_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    limit: MatchLimit = 20,
) -> EducatorSuggestions:
    offer, suggested = await service.educators_for_offer(
        session,
        principal=principal,
        authorization=request.headers.get("authorization"),
        offer_id=offer_id,
        directory=directory,
        limit=limit,
    )
    return EducatorSuggestions(
        offer_id=offer.id,
        items=[
            EducatorSuggestion(
                score=s.fit.score,
                reasons=_reasons(s.fit),
                educator_id=s.educator.id,
                centre_id=s.educator.centre_id,
                kind=s.educator.kind,
                subjects=list(s.educator.subjects),
                languages=list(s.educator.languages),
                methods=list(s.educator.methods),
            )
            for s in suggested
        ],
    )
