"""The console (``/console/``) for the privacy officer and handlers: each page module has a router,
included here; its menu entries are in ``jikimi.web.menu``."""

from fastapi import APIRouter

from jikimi.web.console import auth, dashboard, rights

router = APIRouter(prefix="/console", include_in_schema=False)
router.include_router(auth.router)
router.include_router(dashboard.router)
router.include_router(rights.router)
