"""The privacy center (``/privacy/``) for data subjects and guardians: each page module has a
router, included here; its menu entries are in ``jikimi.web.menu``."""

from fastapi import APIRouter

from jikimi.web.privacy import consents, entry, me, policy, rights

router = APIRouter(prefix="/privacy", include_in_schema=False)
for _module in (entry, policy, me, consents, rights):
    router.include_router(_module.router)
