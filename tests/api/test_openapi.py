"""The OpenAPI document lists every endpoint, each with a summary and a description."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from jikimi.api.operations import OPERATION_IDS

EXPECTED = {
    ("get", "/healthz"),
    ("post", "/v1/subjects"),
    ("post", "/v1/subjects/{subject_id}/items"),
    ("get", "/v1/subjects/{subject_id}"),
    ("post", "/v1/subjects/{subject_id}/read"),
    ("post", "/v1/read"),
    ("post", "/v1/subjects/{subject_id}/records"),
    ("post", "/v1/subjects/{subject_id}/records/read"),
    ("get", "/v1/subjects/{subject_id}/consents"),
    ("post", "/v1/subjects/{subject_id}/consents/{purpose}"),
    ("post", "/v1/subjects/{subject_id}/consents/{purpose}/withdraw"),
    ("post", "/v1/subjects/{subject_id}/guardian-consent"),
    ("post", "/v1/roles"),
    ("post", "/v1/handlers"),
    ("get", "/v1/handlers"),
    ("post", "/v1/handlers/{login}/role"),
    ("post", "/v1/handlers/{login}/disable"),
    ("post", "/v1/handlers/{login}/unlock"),
    ("post", "/v1/handlers/{login}/revoke-tokens"),
    ("post", "/v1/login"),
    ("get", "/v1/audit/verify"),
    ("get", "/v1/audit/report"),
    ("post", "/v1/pii/scan"),
    ("post", "/v1/pii/mask"),
    # the lifecycle
    ("post", "/v1/subjects/{subject_id}/withdraw"),
    ("post", "/v1/subjects/{subject_id}/separated/read"),
    ("post", "/v1/subjects/{subject_id}/reactivate"),
    ("get", "/v1/ledger"),
    # rights requests
    ("get", "/v1/rights/grounds"),
    ("get", "/v1/rights/requests"),
    ("post", "/v1/rights/requests"),
    ("get", "/v1/rights/requests/{request_id}"),
    ("post", "/v1/rights/requests/{request_id}/verification"),
    ("post", "/v1/rights/requests/{request_id}/verify"),
    ("post", "/v1/rights/requests/{request_id}/start"),
    ("post", "/v1/rights/requests/{request_id}/extend"),
    ("post", "/v1/rights/requests/{request_id}/refuse"),
    ("post", "/v1/rights/requests/{request_id}/answer"),
    ("post", "/v1/rights/requests/{request_id}/correction"),
    ("post", "/v1/rights/requests/{request_id}/deletion"),
    ("post", "/v1/rights/requests/{request_id}/stop"),
    ("post", "/v1/rights/requests/{request_id}/consent-withdrawal"),
    ("get", "/v1/rights/requests/{request_id}/package.json"),
    ("get", "/v1/rights/requests/{request_id}/package.html"),
    ("get", "/v1/rights/packages/{token}"),
    # sharing
    ("post", "/v1/provisions"),
    ("get", "/v1/provisions"),
    ("post", "/v1/subjects/{subject_id}/third-parties/{third_party}/consent"),
    ("post", "/v1/subjects/{subject_id}/third-parties/{third_party}/withdraw"),
    ("get", "/v1/processors"),
    ("post", "/v1/processors/sync"),
    ("get", "/v1/subjects/{subject_id}/processors"),
    ("post", "/v1/exports/stats"),
    # advertising (정보통신망법 50)
    ("post", "/v1/marketing/check"),
    ("get", "/v1/subjects/{subject_id}/ad-consents"),
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}"),
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}/withdraw"),
    ("post", "/v1/subjects/{subject_id}/ad-consents/{ad_channel}/reconfirm"),
    # breach response
    ("post", "/v1/incidents"),
    ("get", "/v1/incidents"),
    ("post", "/v1/incidents/{incident_id}/affected"),
    ("get", "/v1/incidents/{incident_id}"),
    ("get", "/v1/incidents/{incident_id}/report"),
    ("post", "/v1/incidents/{incident_id}/report"),
    ("post", "/v1/incidents/{incident_id}/notify"),
    ("post", "/v1/incidents/{incident_id}/close"),
    ("get", "/v1/postings"),
    # complaints (의견수렴 및 불만처리)
    ("post", "/v1/complaints"),
    ("get", "/v1/complaints"),
    ("get", "/v1/complaints/{complaint_id}"),
    ("post", "/v1/complaints/{complaint_id}/answer"),
    # policy changes and the yearly usage notice
    ("post", "/v1/policy/announce"),
    ("get", "/v1/notices/usage"),
    ("post", "/v1/notices/usage"),
}


PUBLIC = ("/healthz", "/v1/login", "/v1/rights/packages/{token}")


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    listed = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert listed == EXPECTED
    assert client.get("/docs").status_code == 200


def test_every_vault_endpoint_has_a_summary_and_a_description(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op.get("description", "").strip(), f"{method.upper()} {path} has no description"
            if not path.startswith("/v1/pii"):  # the PII router names its operations after its functions
                assert op.get("summary", "").strip(), f"{method.upper()} {path} has no summary"
                assert any("\uac00" <= ch <= "\ud7a3" for ch in op["summary"] + op["description"]), path


def test_authenticated_endpoints_declare_the_bearer_scheme(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            # an access package opened from its answer notice: the link's token is the credential
            public = path in PUBLIC or path.startswith("/v1/pii")
            assert bool(op.get("security")) is not public, f"{method.upper()} {path}"


PINNED = {
    "getHealth", "logIn", "collectSubject", "collectItems", "getSubject", "readSubject", "readSubjects",
    "addRecord", "readRecords", "listConsents", "giveConsent", "withdrawConsent", "confirmGuardianConsent",
    "withdrawSubject", "readSeparated", "reactivateSubject", "getDestructionLedger", "defineRole",
    "createHandler", "listHandlers", "changeHandlerRole", "disableHandler", "unlockHandler",
    "revokeHandlerTokens", "verifyAccessLog", "getAccessLogReport", "scanText", "maskText",
    "listRefusalGrounds", "listRightsRequests", "receiveRightsRequest", "getRightsRequest",
    "sendVerificationCode", "verifyRightsRequest", "startRightsRequest", "extendRightsRequest",
    "refuseRightsRequest", "answerRightsRequest", "applyCorrection", "carryOutDeletion",
    "carryOutProcessingStop", "carryOutConsentWithdrawal", "getAccessPackageJson", "getAccessPackageHtml",
    "openAccessPackageLink", "provideToThirdParty", "listProvisions", "giveThirdPartyConsent",
    "withdrawThirdPartyConsent", "listProcessors", "syncProcessors", "listSubjectProcessors",
    "exportStatistics", "checkMarketingSend", "listAdConsents", "giveAdConsent", "withdrawAdConsent",
    "reconfirmAdConsent", "openIncident", "listIncidents", "addAffectedSubjects", "getIncident",
    "getIncidentReport", "recordIncidentReport", "notifyIncidentSubjects", "closeIncident", "listPostings",
    "receiveComplaint", "listComplaints", "getComplaint", "answerComplaint", "announcePolicyChange",
    "checkUsageNotice", "queueUsageNotices",
}  # fmt: skip
"""The operation ids a generated client names its methods by. Renaming one breaks every client built
from an earlier document: change this set only deliberately, with a CHANGELOG entry."""


def test_every_operation_has_its_pinned_meaningful_id(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    ids = {
        (method, path): op["operationId"]
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }
    assert ids == OPERATION_IDS  # every route named in the table, and nothing generated
    assert set(ids.values()) == PINNED and len(PINNED) == len(ids)  # each id once, as pinned
    assert all(name[0].islower() and name.isalnum() for name in PINNED)  # camelCase: method names as they are


def test_a_new_jikimi_route_without_a_name_stops_the_app_and_an_embedders_route_keeps_fastapis() -> None:
    from fastapi.routing import APIRoute

    from jikimi.api.operations import operation_id

    def endpoint() -> None:
        return None

    with pytest.raises(RuntimeError, match="/v1/subjects/{subject_id}/new"):
        operation_id(APIRoute("/v1/subjects/{subject_id}/new", endpoint, methods=["POST"]))
    assert operation_id(APIRoute("/shop/orders", endpoint, methods=["GET"])) == "endpoint_shop_orders_get"
