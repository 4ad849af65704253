"""제3자 제공, 수탁자, 가명처리: provision to third parties, processors, de-identified statistics.

``Sharing(vault)`` is the service: ``provide`` (decided per subject by ``decisions``, every
provision a ledger row and every attempt an access-log row), third-party consents, the ledger,
the processor registry, and ``export_stats`` (``deidentify`` + ``stats``).
"""

from jikimi.sharing.decisions import REASONS, ProvisionDecision, RecipientFacts, decide_provision
from jikimi.sharing.deidentify import DEFAULT_K
from jikimi.sharing.processors import ProcessorHolding, RegisteredProcessor
from jikimi.sharing.service import MAX_PROVIDE, ProvisionRecord, ProvisionResult, Sharing, SubjectQuery
from jikimi.sharing.stats import StatsExport

__all__ = [
    "DEFAULT_K",
    "MAX_PROVIDE",
    "REASONS",
    "ProcessorHolding",
    "ProvisionDecision",
    "ProvisionRecord",
    "ProvisionResult",
    "RecipientFacts",
    "RegisteredProcessor",
    "Sharing",
    "StatsExport",
    "SubjectQuery",
    "decide_provision",
]
