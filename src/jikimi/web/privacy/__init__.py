"""The privacy center (``/privacy/``) for data subjects and guardians: each page module has a
router, included here; its menu entries are in ``jikimi.web.menu``."""

from fastapi import APIRouter

router = APIRouter(prefix="/privacy", include_in_schema=False)
