"""REST endpoints for iCalendar feeds and JSON-LD."""

from fastapi import APIRouter

router = APIRouter(tags=["feeds"])
