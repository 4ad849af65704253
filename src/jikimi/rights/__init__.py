"""The rights desk (정보주체 권리, PIPA 35–38): requests with their legal deadlines, identity checks,
answers, refusals with their grounds, and the carrying out of corrections, deletions, stops and
consent withdrawals.

``model`` holds the rules (pure: request types, allowed moves, Civil Act deadlines, refusal
grounds); ``requests`` the shared steps and the readers; ``desk`` receiving and answering;
``carry_out`` the four requests closed by carrying them out, each in one unit of work;
``package`` the access package; ``answers`` the answer notice queued when a request closes, with
a protected link to the package (``links`` opens it); ``own`` the subject's own package and
requests in the privacy center; ``corrections`` and ``verification`` their helpers.
``RightsDesk`` is the service (``jikimi.rights``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from jikimi.core import Core
from jikimi.lifecycle.separation import Ending
from jikimi.rights.carry_out import CarryingOut
from jikimi.rights.desk import Steps
from jikimi.rights.links import Linking
from jikimi.rights.model import is_korean_public_holiday
from jikimi.rights.own import OwnView
from jikimi.rights.package import Package
from jikimi.rights.requests import Event, Received, RightsRequest
from jikimi.rights.verification import Verifier
from jikimi.vault.consents import Consenting


class RightsDesk(Steps, CarryingOut, Linking, OwnView):
    """Data-subject requests over a ``Core``; deletions end purposes through ``lifecycle`` and
    consent withdrawals go through the vault's ``consents``, in the request's own unit of work."""

    def __init__(
        self,
        core: Core,
        *,
        lifecycle: Ending,
        consents: Consenting,
        verifiers: Mapping[str, Verifier] | None = None,
        is_holiday: Callable[[date], bool] = is_korean_public_holiday,
    ) -> None:
        self.core = core
        self.lifecycle = lifecycle
        self.consents = consents
        self._verifiers = dict(verifiers) if verifiers is not None else None
        self._is_holiday = is_holiday


__all__ = ["Event", "Package", "Received", "RightsDesk", "RightsRequest"]
