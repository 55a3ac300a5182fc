"""REST endpoints for loans: `/v1/loans`, check-out, check-in, renewals."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from resources.access import ensure_manages_owner
from resources.catalogue.repository import position_after
from resources.dependencies import DirectoryDep
from resources.loans import service
from resources.loans.schemas import CheckIn, CheckOut, LoanPage, LoanRead, Renewal
from resources.models import Kit, Loan
from shared.auth import CurrentPrincipal
from shared.db import SessionDep
from shared.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, encode_cursor

router = APIRouter(tags=["loans"])


@router.post(
    "/v1/reservations/{reservation_id}/checkout",
    summary="Hand out a reservation's items (owner staff)",
    status_code=status.HTTP_201_CREATED,
    response_model=LoanRead,
)
async def check_out(
    reservation_id: uuid.UUID,
    data: CheckOut,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> LoanRead:
    loan = await service.check_out(
        session, principal=principal, reservation_id=reservation_id, data=data, directory=directory
    )
    return LoanRead.build(loan)


@router.get("/v1/loans", summary="Loans: yours, or a centre's (its staff)", response_model=LoanPage)
async def list_loans(
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
    centre: Annotated[
        uuid.UUID | None, Query(description="Loans of kits this centre owns (its staff).")
    ] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue ones.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    after: CursorQuery = None,
) -> LoanPage:
    stmt = select(Loan)
    if centre is None:
        stmt = stmt.where(Loan.borrower_id == principal.subject)
    else:
        await ensure_manages_owner(principal, centre, directory)
        owned = select(Kit.id).where(Kit.owner_centre_id == centre)
        stmt = stmt.where(Loan.kit_id.in_(owned))
    if overdue:
        stmt = stmt.where(Loan.status == "out", Loan.overdue_since.is_not(None))
    last_id = position_after(after)
    if last_id is not None:
        stmt = stmt.where(Loan.id > last_id)
    rows = list((await session.execute(stmt.order_by(Loan.id).limit(limit + 1))).scalars())
    next_cursor = encode_cursor("id", [str(rows[limit - 1].id)]) if len(rows) > limit else None
    return LoanPage(items=[LoanRead.build(r) for r in rows[:limit]], next_cursor=next_cursor)


@router.get(
    "/v1/loans/{loan_id}", summary="One loan (its borrower, owner staff)", response_model=LoanRead
)
async def get_loan(
    loan_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal, directory: DirectoryDep
) -> LoanRead:
    loan, _ = await service.visible_loan(
        session, principal=principal, loan_id=loan_id, directory=directory
    )
    return LoanRead.build(loan)


@router.post(
    "/v1/loans/{loan_id}/checkin",
    summary="Take the items back with a condition report (owner staff)",
    response_model=LoanRead,
)
async def check_in(
    loan_id: uuid.UUID,
    data: CheckIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> LoanRead:
    """Consumables used are refilled from the spare stock; when it falls below the
    component's threshold, a restock task opens."""
    loan = await service.check_in(
        session, principal=principal, loan_id=loan_id, data=data, directory=directory
    )
    return LoanRead.build(loan)


@router.post(
    "/v1/loans/{loan_id}/renew",
    summary="Keep the items longer (borrower or owner staff)",
    response_model=LoanRead,
)
async def renew(
    loan_id: uuid.UUID,
    data: Renewal,
    session: SessionDep,
    principal: CurrentPrincipal,
    directory: DirectoryDep,
) -> LoanRead:
    """Within the kit's renewal limit, and only if nobody else has the extra days (409)."""
    loan = await service.renew(
        session, principal=principal, loan_id=loan_id, data=data, directory=directory
    )
    return LoanRead.build(loan)
