"""제3자 제공, 수탁자, 가명처리: provision to third parties, processors, de-identified statistics.

``Sharing`` is the service (``jikimi.sharing``): ``provide`` (decided per subject by
``decisions``, every provision a ledger row and every attempt an access-log row), third-party
consents, the ledger, the processor registry, and ``export_stats`` (``deidentify`` + ``stats``).
"""

from __future__ import annotations

from jikimi.core import Core
from jikimi.sharing.decisions import REASONS, RecipientFacts, decide_provision
from jikimi.sharing.deidentify import DEFAULT_K
from jikimi.sharing.processors import ProcessorHolding, RegisteredProcessor, Registering
from jikimi.sharing.provide import MAX_PROVIDE, Providing, ProvisionRecord, ProvisionResult, SubjectQuery
from jikimi.sharing.stats import Exporting, StatsExport


class Sharing(Providing, Registering, Exporting):
    """Provision to third parties, processors and statistics exports over a ``Core``."""

    def __init__(self, core: Core) -> None:
        self.core = core


__all__ = [
    "DEFAULT_K",
    "MAX_PROVIDE",
    "REASONS",
    "ProcessorHolding",
    "ProvisionRecord",
    "ProvisionResult",
    "RecipientFacts",
    "RegisteredProcessor",
    "Sharing",
    "StatsExport",
    "SubjectQuery",
    "decide_provision",
]
