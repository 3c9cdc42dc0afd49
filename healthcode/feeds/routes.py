"""Feed API for data providers."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])
