"""The landing page: the four portals of the platform."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from healthcode.config import AppSettings
from healthcode.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, settings: AppSettings) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"dev": settings.env != "prod"})


@router.get("/api/docs", response_class=HTMLResponse, name="api_docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over /api/openapi.json, served by the platform itself (works without the internet)."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})
