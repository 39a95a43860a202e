"""The live dashboard: one HTML page and its script and style, served by the app
(no CDN: offices may have no internet)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "dashboard_router", "static_files"]

STATIC = Path(__file__).resolve().parent.parent / "static"


def dashboard_router() -> APIRouter:
    """`/` redirects to `/dashboard`, the page itself."""
    router = APIRouter(tags=["dashboard"])

    @router.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @router.get(
        "/dashboard",
        summary="Live dashboard (Vietnamese, English toggle)",
        response_class=HTMLResponse,
    )
    async def dashboard() -> FileResponse:
        return FileResponse(STATIC / "dashboard.html", headers={"Cache-Control": "no-cache"})

    return router


def static_files() -> StaticFiles:
    """The page's script and style."""
    return StaticFiles(directory=STATIC)
