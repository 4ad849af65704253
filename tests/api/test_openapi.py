"""The OpenAPI document lists every endpoint, each with a summary and a description."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from jikimi.api import errors as api_errors
from jikimi.api.contract import TAG_NAMES
from jikimi.api.operations import IDEMPOTENT, OPERATION_IDS
from jikimi.errors import JikimiError

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
    # service events
    ("get", "/v1/events"),
    # the privacy center
    ("post", "/v1/privacy/sessions"),
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
    "checkUsageNotice", "queueUsageNotices", "listEvents", "issuePrivacyLink",
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


# -- the contract a generated client is built from (issue 17) ----------------------------------------


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("POST /v1/subjects (collectSubject)", operation)`` for every operation of the document."""
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield f"{method.upper()} {path} ({op.get('operationId')})", op


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def _examples(document: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    """Every example of a media type: its own (``example``, ``examples``) and its schema's."""
    found = [media["example"]] if "example" in media else []
    found += [named["value"] for named in media.get("examples", {}).values()]
    schema = media.get("schema", {})
    for branch in [schema, *schema.get("anyOf", [])]:  # an optional body: anyOf [model, null]
        found += _resolve(document, branch).get("examples", [])
    return found


def _invalid(document: dict[str, Any], schema: dict[str, Any], example: Any) -> list[str]:
    """Why ``example`` does not fit ``schema`` (its ``$ref``s resolved against the document)."""
    validator = jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )
    return [f"{list(error.instance_path)}: {error.message}" for error in validator.iter_errors(example)]


def _stable_codes() -> set[str]:
    """The codes of the error tree, and the API's own (``jikimi.api.errors``)."""
    codes: set[str] = set()
    kinds: list[type[JikimiError]] = [JikimiError]
    while kinds:
        kind = kinds.pop()
        codes.add(kind.code)
        kinds += kind.__subclasses__()
    return codes | {api_errors.REQUEST_INVALID, api_errors.TOO_LARGE, api_errors.INTERNAL}


def _success(op: dict[str, Any]) -> dict[str, Any]:
    return op["responses"][min(status for status in op["responses"] if status.startswith("2"))]


def test_every_operation_has_one_known_tag_and_texts_in_korean_and_english(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {tag["name"] for tag in document["tags"]} == TAG_NAMES
    for tag in document["tags"]:
        assert _hangul(tag["description"]) and _latin(tag["description"]), tag["name"]
    for name, op in _operations(document):
        assert len(op.get("tags", [])) == 1 and op["tags"][0] in TAG_NAMES, f"{name}: tags {op.get('tags')}"
        summary, description = op.get("summary", ""), op.get("description", "")
        assert re.fullmatch(r"[^()]*[\uac00-\ud7a3][^()]* \([^()]*[A-Za-z][^()]*\)", summary), (
            f"{name}: summary {summary!r} is not '한국어 (English)'"
        )
        assert _hangul(description) and _latin(description), f"{name}: description in Korean and English"
        first_hangul = min(i for i, ch in enumerate(description) if _hangul(ch))
        first_latin = min(i for i, ch in enumerate(description) if _latin(ch) and ch.isalpha())
        assert first_hangul <= first_latin or description[:first_hangul].strip("` ").isascii(), (
            f"{name}: the description starts in Korean"
        )


def test_every_operation_shows_an_example_of_its_request_and_its_success(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    missing = []
    for name, op in _operations(document):
        if "requestBody" in op:
            body = op["requestBody"]["content"]["application/json"]
            if not _examples(document, body):
                missing.append(f"{name}: request")
        if not any(_examples(document, media) for media in _success(op).get("content", {}).values()):
            missing.append(f"{name}: success response")
    assert not missing, "no example: " + ", ".join(missing)


def test_every_example_fits_its_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    misfits = []
    for name, op in _operations(document):
        media_types = [("request", op["requestBody"]["content"])] if "requestBody" in op else []
        media_types += [(status, response.get("content", {})) for status, response in op["responses"].items()]
        for where, content in media_types:
            for media in content.values():
                for example in _examples(document, media):
                    misfits += [
                        f"{name} {where}: {why}"
                        for why in _invalid(document, media.get("schema", {}), example)
                    ]
    for component, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            misfits += [f"{component}: {why}" for why in _invalid(document, schema, example)]
    assert not misfits, "\n".join(misfits)


def test_every_error_status_is_the_envelope_with_a_real_stable_code(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    codes = _stable_codes()
    for name, op in _operations(document):
        errors = {status: response for status, response in op["responses"].items() if status.startswith("4")}
        if op.get("security"):
            assert "401" in errors and set(errors) - {"422"}, f"{name}: behind a token, 401 is documented"
        assert "422" in errors, f"{name}: 422 (one check refuses a NUL in any parameter)"
        for status, response in errors.items():
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}, f"{name} {status}"
            examples = media.get("examples", {})
            assert examples, f"{name} {status}: no example"
            for example in examples.values():
                error = example["value"]["error"]
                assert error["code"] in codes, f"{name} {status}: {error['code']} is not a stable code"
                assert error["code"] in response["description"], (
                    f"{name} {status}: {error['code']} not described"
                )
    assert "HTTPValidationError" not in document["components"]["schemas"]  # one envelope, not FastAPI's


def test_the_bearer_scheme_says_how_to_get_a_token_and_how_long_it_lives(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["HTTPBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "/v1/login" in scheme["description"] and "12" in scheme["description"]
    assert _hangul(scheme["description"]) and "revoke" in scheme["description"]


def test_the_idempotency_key_header_is_on_exactly_the_state_changing_operations(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    with_header = set()
    for name, op in _operations(document):
        headers = [
            p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"
        ]
        if headers:
            (header,) = headers
            assert header["required"] is False and header["schema"]["maxLength"] == 255, name
            assert "409" in op["responses"] and "422" in op["responses"], name
            with_header.add(op["operationId"])
    assert with_header == IDEMPOTENT


def test_every_model_example_is_accepted_by_its_model(client: TestClient) -> None:
    from pydantic import BaseModel

    from jikimi.api.contract import models_with_examples

    client.get("/openapi.json")  # every router imported
    refused, models = [], list(models_with_examples(BaseModel))
    assert len(models) >= 70  # the request and response models of every router
    for model, examples in models:
        for example in examples:
            try:
                model.model_validate_json(json.dumps(example))
            except ValueError as exc:
                refused.append(f"{model.__module__}.{model.__name__}: {str(exc).splitlines()[:3]}")
    assert not refused, "\n".join(refused)


def test_the_headers_a_client_reads_are_documented_where_they_come(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for name, op in _operations(document):
        responses = op["responses"]
        for status, header in (("401", "WWW-Authenticate"), ("429", "Retry-After")):
            if status in responses:
                assert header in responses[status].get("headers", {}), f"{name} {status}: {header}"
        if op["operationId"] in IDEMPOTENT:
            assert "Retry-After" in responses["409"]["headers"], name
            assert "Idempotent-Replayed" in _success(op)["headers"], name


def test_the_api_doc_lists_every_operation_id() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`([a-z][A-Za-z]+)`", text))
    assert set(OPERATION_IDS.values()) <= listed, sorted(set(OPERATION_IDS.values()) - listed)


def _hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def _latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


def test_every_schema_has_its_own_plain_name(client: TestClient) -> None:
    """Two models of one name become module-qualified schemas, which some generators skip
    (openapi-python-client did so for two operations): every name is plain and once."""
    names = client.get("/openapi.json").json()["components"]["schemas"]
    qualified = sorted(name for name in names if "__" in name)
    assert qualified == [], f"rename the models behind {qualified}"
