"""Mutations: the REST actions, with the same request models, rules and parties.

Each mutation runs in its own transaction; an expected failure (403, 404, 409...) leaves
nothing written and comes back as an error whose `extensions` carry the problem's type,
status and details (e.g. `currentStatus` and `allowedNext` for an illegal transition).
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON
from strawberry.types import Info

from exchange.applications import actions
from exchange.applications import service as applications
from exchange.applications.actions import Caller, Ledger
from exchange.applications.schemas import (
    ActionNote,
    ApplicationAmend,
    ApplicationCreate,
    ConfirmAgreement,
    ExchangeReport,
    ReasonRequired,
)
from exchange.graphql.errors import as_graphql_errors, in_transaction, parse_input
from exchange.graphql.types import ExchangeApplication, ExchangeOffer
from exchange.models import Application
from exchange.offers import service as offers
from exchange.offers.schemas import OfferCreate, OfferUpdate
from shared.auth import Principal, principal_of
from shared.graphql_types import parse_id
from shared.problems import Unauthorized


def _caller(info: Info) -> Caller:
    principal = principal_of(info)
    if principal is None:
        raise as_graphql_errors(Unauthorized("This action needs a bearer token."))
    return Caller(principal, info.context.request.app.state.peers["directory"])


def _principal(info: Info) -> Principal:
    return _caller(info).principal


async def _act(info: Info, work: Any) -> ExchangeApplication:
    row: Application = await in_transaction(info.context.db, work)
    return ExchangeApplication.from_row(row)


def _note(reason: str | None) -> str | None:
    note: ActionNote = parse_input(ActionNote, {"reason": reason} if reason else {}, "reason")
    return note.reason


def _reason(reason: str) -> str:
    required: ReasonRequired = parse_input(ReasonRequired, {"reason": reason}, "reason")
    return required.reason


def _simple_action(action: str, description: str) -> Any:
    """The mutation for one of `actions.SIMPLE_ACTIONS`; `reason` is required to decline or
    cancel, optional otherwise."""

    async def with_note(
        info: Info, id: strawberry.ID, reason: str | None = None
    ) -> ExchangeApplication:
        caller, app_id, note = _caller(info), parse_id(id), _note(reason)
        return await _act(
            info, lambda s: actions.take_simple_action(s, caller, app_id, action, note)
        )

    async def with_reason(info: Info, id: strawberry.ID, reason: str) -> ExchangeApplication:
        caller, app_id, why = _caller(info), parse_id(id), _reason(reason)
        return await _act(
            info, lambda s: actions.take_simple_action(s, caller, app_id, action, why)
        )

    resolver = with_reason if action in actions.REASON_REQUIRED else with_note
    return strawberry.mutation(resolver=resolver, description=description)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Offer placements (host centre managers). `input` has the "
        "fields of REST `POST /v1/offers`."
    )
    async def create_exchange_offer(self, info: Info, input: JSON) -> ExchangeOffer:
        data: OfferCreate = parse_input(OfferCreate, input, "input")
        caller = _caller(info)

        async def work(session: AsyncSession) -> Any:
            return await offers.create_offer(
                session, principal=caller.principal, data=data, directory=caller.directory
            )

        return ExchangeOffer.from_row(await in_transaction(info.context.db, work))

    @strawberry.mutation(
        description="Change an offer (host centre managers); fields of REST "
        "`PATCH /v1/offers/{id}`; `ifMatch` the version you read."
    )
    async def update_exchange_offer(
        self, info: Info, id: strawberry.ID, input: JSON, if_match: int | None = None
    ) -> ExchangeOffer:
        data: OfferUpdate = parse_input(OfferUpdate, input, "input")
        caller = _caller(info)
        offer_id = parse_id(id)

        async def work(session: AsyncSession) -> Any:
            return await offers.update_offer(
                session,
                principal=caller.principal,
                offer_id=offer_id,
                data=data,
                if_match=f'"{if_match}"' if if_match is not None else None,
                directory=caller.directory,
            )

        return ExchangeOffer.from_row(await in_transaction(info.context.db, work))

    @strawberry.mutation(
        description="Apply to an offer (the educator themself). `input` has "
        "the fields of REST `POST /v1/offers/{id}/applications`."
    )
    async def submit_exchange_application(
        self, info: Info, offer_id: strawberry.ID, input: JSON
    ) -> ExchangeApplication:
        data: ApplicationCreate = parse_input(ApplicationCreate, input, "input")
        caller = _caller(info)
        offer = parse_id(offer_id, "offerId")
        authorization = info.context.request.headers.get("authorization")

        async def work(session: AsyncSession) -> Any:
            return await applications.submit(
                session,
                principal=caller.principal,
                authorization=authorization,
                offer_id=offer,
                data=data,
                directory=caller.directory,
            )

        return await _act(info, work)

    approve_exchange_application = _simple_action(
        "approve", "submitted → home_approved (home centre)."
    )

    decline_exchange_application = _simple_action(
        "decline",
        "→ declined (home centre when submitted, host when approved); a reason is required.",
    )

    accept_exchange_application = _simple_action(
        "accept", "home_approved → accepted (host centre; takes a place)."
    )

    @strawberry.mutation(
        description="Confirm the agreement (home and host centres, each once; "
        "`side` only for someone managing both)."
    )
    async def confirm_exchange_agreement(
        self, info: Info, id: strawberry.ID, side: str | None = None
    ) -> ExchangeApplication:
        body: ConfirmAgreement = parse_input(ConfirmAgreement, {"side": side}, "side")
        caller, app_id = _caller(info), parse_id(id)
        return await _act(info, lambda s: actions.confirm(s, caller, app_id, body.side))

    start_exchange = _simple_action("start", "confirmed → in_progress (host centre).")

    @strawberry.mutation(description="One side's report (a language map); both → completed.")
    async def report_on_exchange(
        self, info: Info, id: strawberry.ID, report: JSON, side: str | None = None
    ) -> ExchangeApplication:
        body: ExchangeReport = parse_input(
            ExchangeReport, {"report": report, "side": side}, "report"
        )
        caller, app_id = _caller(info), parse_id(id)
        return await _act(info, lambda s: actions.report(s, caller, app_id, body.report, body.side))

    @strawberry.mutation(
        description="completed → recognised (home centre); credits the educator's CPD ledger once."
    )
    async def recognise_exchange(self, info: Info, id: strawberry.ID) -> ExchangeApplication:
        caller, app_id = _caller(info), parse_id(id)
        state = info.context.request.app.state
        ledger = Ledger(state.peers["events"], state.ledger_credential)
        return await _act(info, lambda s: actions.recognise(s, caller, app_id, ledger))

    withdraw_exchange_application = _simple_action(
        "withdraw", "→ withdrawn (the applicant, before the exchange starts)."
    )

    cancel_exchange_application = _simple_action(
        "cancel", "→ cancelled (home or host centre); a reason is required."
    )

    @strawberry.mutation(
        description="New dates or terms (fields of REST `PATCH "
        "/v1/applications/{id}`); past submitted, approval starts again."
    )
    async def amend_exchange_application(
        self, info: Info, id: strawberry.ID, input: JSON, if_match: int | None = None
    ) -> ExchangeApplication:
        data: ApplicationAmend = parse_input(ApplicationAmend, input, "input")
        caller, app_id = _caller(info), parse_id(id)
        tag = f'"{if_match}"' if if_match is not None else None
        return await _act(info, lambda s: actions.amend(s, caller, app_id, data, tag))
