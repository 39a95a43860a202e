"""HTTP routes of the notify service: delivery log, units directory, delivery receipts."""

from motcua_notify.entrypoints.http.dependencies import Services
from motcua_notify.entrypoints.http.directory import router as directory_router
from motcua_notify.entrypoints.http.notifications import router as notifications_router
from motcua_notify.entrypoints.http.receipts import router as receipts_router

__all__ = [
    "Services",
    "directory_router",
    "notifications_router",
    "receipts_router",
]
