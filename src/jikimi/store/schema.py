"""The whole schema: the metadata every table module defines its tables on, with all of them loaded
(what migrations are compared with)."""

from __future__ import annotations

from jikimi.store import face_tables as _face_tables  # noqa: F401  (registers its tables)
from jikimi.store import integration_tables as _integration_tables  # noqa: F401  (registers its tables)
from jikimi.store import notice_tables as _notice_tables  # noqa: F401  (registers its tables)
from jikimi.store.tables import metadata

__all__ = ["metadata"]
