"""Opaque ids for subjects, records and rights requests.

An id is 22 characters of URL-safe base64 (128 random bits). It never starts with ``-`` or ``_``: an
officer pastes ids into ``jikimi rights receive <subject>`` and a leading ``-`` would be read as an
option. Redrawing those (1 draw in 32) costs less than 0.05 bit of the 128.
"""

from __future__ import annotations

import secrets

ID_BYTES = 16


def new_id() -> str:
    """A fresh random id that is safe as a URL path segment and as a command-line argument."""
    while True:
        candidate = secrets.token_urlsafe(ID_BYTES)
        if candidate[0] not in "-_":
            return candidate
