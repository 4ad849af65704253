"""The API's operation ids: the names a generated client gives its methods (``collectSubject``,
``readSubject``). They are part of the contract: ``create_app`` names every route from this table
and refuses to start with a route it does not name, and ``tests/api/test_openapi.py`` pins the
table — renaming one is a breaking change and must be deliberate (a CHANGELOG entry)."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.utils import generate_unique_id

OWN_PREFIXES = ("/v1/", "/healthz")

OPERATION_IDS: dict[tuple[str, str], str] = {
    ("get", "/healthz"): "getHealth",
    ("post", "/v1/login"): "logIn",
    # subjects: collection, reads, records, consents
    ("post", "/v1/subjects"): "collectSubject",
    ("post", "/v1/subjects/{subject_id}/items"): "collectItems",
    ("get", "/v1/subjects/{subject_id}"): "getSubject",
    ("post", "/v1/subjects/{subject_id}/read"): "readSubject",
    ("post", "/v1/read"): "readSubjects",
    ("post", "/v1/subjects/{subject_id}/records"): "addRecord",
    ("post", "/v1/subjects/{subject_id}/records/read"): "readRecords",
    ("get", "/v1/subjects/{subject_id}/consents"): "listConsents",
    ("post", "/v1/subjects/{subject_id}/consents/{purpose}"): "giveConsent",
    ("post", "/v1/subjects/{subject_id}/consents/{purpose}/withdraw"): "withdrawConsent",
    ("post", "/v1/subjects/{subject_id}/guardian-consent"): "confirmGuardianConsent",
    # the lifecycle
    ("post", "/v1/subjects/{subject_id}/withdraw"): "withdrawSubject",
    ("post", "/v1/subjects/{subject_id}/separated/read"): "readSeparated",
    ("post", "/v1/subjects/{subject_id}/reactivate"): "reactivateSubject",
    ("get", "/v1/ledger"): "getDestructionLedger",
    # handlers and the access log
    ("post", "/v1/roles"): "defineRole",
    ("post", "/v1/handlers"): "createHandler",
    ("get", "/v1/handlers"): "listHandlers",
    ("post", "/v1/handlers/{login}/role"): "changeHandlerRole",
    ("post", "/v1/handlers/{login}/disable"): "disableHandler",
    ("post", "/v1/handlers/{login}/unlock"): "unlockHandler",
    ("post", "/v1/handlers/{login}/revoke-tokens"): "revokeHandlerTokens",
    ("get", "/v1/audit/verify"): "verifyAccessLog",
    ("get", "/v1/audit/report"): "getAccessLogReport",
    # free text
    ("post", "/v1/pii/scan"): "scanText",
    ("post", "/v1/pii/mask"): "maskText",
    # rights requests
    ("get", "/v1/rights/grounds"): "listRefusalGrounds",
    ("get", "/v1/rights/requests"): "listRightsRequests",
    ("post", "/v1/rights/requests"): "receiveRightsRequest",
    ("get", "/v1/rights/requests/{request_id}"): "getRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/verification"): "sendVerificationCode",
    ("post", "/v1/rights/requests/{request_id}/verify"): "verifyRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/start"): "startRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/extend"): "extendRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/refuse"): "refuseRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/answer"): "answerRightsRequest",
    ("post", "/v1/rights/requests/{request_id}/correction"): "applyCorrection",
    ("post", "/v1/rights/requests/{request_id}/deletion"): "carryOutDeletion",
    ("post", "/v1/rights/requests/{request_id}/stop"): "carryOutProcessingStop",
    ("post", "/v1/rights/requests/{request_id}/consent-withdrawal"): "carryOutConsentWithdrawal",
    ("get", "/v1/rights/requests/{request_id}/package.json"): "getAccessPackageJson",
    ("get", "/v1/rights/requests/{request_id}/package.html"): "getAccessPackageHtml",
    ("get", "/v1/rights/packages/{token}"): "openAccessPackageLink",
    # sharing
    ("post", "/v1/provisions"): "provideToThirdParty",
    ("get", "/v1/provisions"): "listProvisions",
    ("post", "/v1/subjects/{subject_id}/third-parties/{third_party}/consent"): "giveThirdPartyConsent",
    ("post", "/v1/subjects/{subject_id}/third-parties/{third_party}/withdraw"): "withdrawThirdPartyConsent",
    ("get", "/v1/processors"): "listProcessors",
    ("post", "/v1/processors/sync"): "syncProcessors",
    ("get", "/v1/subjects/{subject_id}/processors"): "listSubjectProcessors",
    ("post", "/v1/exports/stats"): "exportStatistics",
    # advertising (정보통신망법 50)
    ("post", "/v1/marketing/check"): "checkMarketingSend",
    ("get", "/v1/subjects/{subject_id}/ad-consents"): "listAdConsents",
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}"): "giveAdConsent",
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}/withdraw"): "withdrawAdConsent",
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}/reconfirm"): "reconfirmAdConsent",
    # breach response
    ("post", "/v1/incidents"): "openIncident",
    ("get", "/v1/incidents"): "listIncidents",
    ("post", "/v1/incidents/{incident_id}/affected"): "addAffectedSubjects",
    ("get", "/v1/incidents/{incident_id}"): "getIncident",
    ("get", "/v1/incidents/{incident_id}/report"): "getIncidentReport",
    ("post", "/v1/incidents/{incident_id}/report"): "recordIncidentReport",
    ("post", "/v1/incidents/{incident_id}/notify"): "notifyIncidentSubjects",
    ("post", "/v1/incidents/{incident_id}/close"): "closeIncident",
    ("get", "/v1/postings"): "listPostings",
    # complaints
    ("post", "/v1/complaints"): "receiveComplaint",
    ("get", "/v1/complaints"): "listComplaints",
    ("get", "/v1/complaints/{complaint_id}"): "getComplaint",
    ("post", "/v1/complaints/{complaint_id}/answer"): "answerComplaint",
    # policy changes and the yearly usage notice
    ("post", "/v1/policy/announce"): "announcePolicyChange",
    ("get", "/v1/notices/usage"): "checkUsageNotice",
    ("post", "/v1/notices/usage"): "queueUsageNotices",
    # service events
    ("get", "/v1/events"): "listEvents",
    # the privacy center
    ("post", "/v1/privacy/sessions"): "issuePrivacyLink",
}
"""``(method, path)`` → the operation id; every route of the API is here, each id once."""

NOT_STATE_CHANGING: frozenset[str] = frozenset(
    {
        "logIn",  # a new token each time: a repeated login is a new session, not a repeat
        "readSubject",  # reads are POSTs so nothing personal goes in a URL; each read is logged anew
        "readSubjects",
        "readRecords",
        "readSeparated",
        "scanText",
        "maskText",
        "checkMarketingSend",
        "exportStatistics",
        "issuePrivacyLink",  # a new link each time, like a login; the answer (a credential) is never kept
    }
)
"""The POSTs that change nothing (reads, checks, a login, a link into the privacy center): an
``Idempotency-Key`` means nothing to them — a repeated read is read and logged again, and its answer
(personal values, a credential) is never kept."""

IDEMPOTENT: frozenset[str] = frozenset(
    name for (method, _), name in OPERATION_IDS.items() if method == "post" and name not in NOT_STATE_CHANGING
)
"""The state-changing operations (every other POST): they take an ``Idempotency-Key`` header, and a
repeat with the same key and body gets the first answer instead of doing the change again."""


def operation_id(route: APIRoute) -> str:
    """The id of ``route`` (FastAPI's ``generate_unique_id_function``): from ``OPERATION_IDS``. A
    jikimi route (``/v1/…``, ``/healthz``) the table does not name stops the app from being built, so
    none is ever generated; a route the embedding application adds keeps FastAPI's own id."""
    methods = sorted(route.methods or ())
    ids = {OPERATION_IDS.get((method.lower(), route.path_format)) for method in methods}
    if len(ids) == 1 and None not in ids:
        (found,) = ids
        assert found is not None
        return found
    if route.path_format.startswith(OWN_PREFIXES):
        raise RuntimeError(f"name the operation {methods} {route.path_format} in jikimi/api/operations.py")
    return generate_unique_id(route)
