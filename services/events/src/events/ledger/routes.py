"""REST endpoints for attendance, the ledger and certificates."""

from fastapi import APIRouter

router = APIRouter(tags=["attendance and CPD hours"])
