"""API docs pages (Swagger UI at `/docs`, ReDoc at `/redoc`) with their scripts and
styles served by the service itself: offices may have no internet."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute

__all__ = ["ASSETS", "serve_docs"]

ASSETS = "/docs/assets"


def serve_docs(app: FastAPI) -> None:
    """Replace FastAPI's docs pages (which load from a CDN) with local ones."""
    docs, redoc, redirect = app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url
    replaced = {docs, redoc, redirect} - {None}
    app.router.routes[:] = [r for r in app.router.routes if _path(r) not in replaced]
    if docs is None and redoc is None:
        return
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), "docs")
    openapi_url = app.openapi_url or "/openapi.json"

    if docs is not None:

        @app.get(docs, include_in_schema=False)
        async def swagger_ui(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=redirect,
                swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )

        if redirect is not None:

            @app.get(redirect, include_in_schema=False)
            async def swagger_ui_redirect() -> HTMLResponse:
                return get_swagger_ui_oauth2_redirect_html()

    if redoc is not None:

        @app.get(redoc, include_in_schema=False)
        async def redoc_html(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
                with_google_fonts=False,
            )


def _path(route: BaseRoute) -> str | None:
    return getattr(route, "path", None)
