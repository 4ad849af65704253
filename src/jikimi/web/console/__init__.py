"""The console (``/console/``) for the privacy officer and handlers: each page module has a router,
included here; its menu entries are in ``jikimi.web.menu``."""

from fastapi import APIRouter

from jikimi.web.console import auth, dashboard, ledger, policy, registers, review, rights

router = APIRouter(prefix="/console", include_in_schema=False)
router.include_router(auth.router)
router.include_router(dashboard.router)
router.include_router(rights.router)
router.include_router(review.router)
router.include_router(ledger.router)
router.include_router(policy.router)
router.include_router(registers.router)
