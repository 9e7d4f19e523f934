"""The error document itself, byte for byte where the vendor fixes it: JSON and XML bodies
read raw, from hand-signed requests (V1 GET, V1 POST, V3) and from the old SDK asked for XML.

JSON: `{RequestId, HostId, Code, Message, Recommend}`. XML: the declaration, then root
`<Error>` (never `<{Action}Response>`) with the same five children in that order, the
Recommend link inside CDATA."""

from __future__ import annotations

import dataclasses
import uuid
import warnings
from typing import Callable

import pytest

import rawhttp
from clients import OldSdkClient, assert_request_id, expect_error, make_client
from confpack_process import Credentials

XML_PROLOGUE = "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>"
FIELDS = ["RequestId", "HostId", "Code", "Message", "Recommend"]
UNKNOWN_PACK = "cp-a8a8626622af0082c0de"


@dataclasses.dataclass(frozen=True)
class Case:
    """One error a request can provoke, and what the body must say."""

    action: str
    params: dict[str, str]
    code: str
    status: int
    message: str
    #: True when `message` is only the start of the message.
    prefix: bool = False
    credentials: Callable[[Credentials], Credentials] = lambda c: c


CASES = {
    "unknown-pack": Case(
        "GenerateCompliancePackReport", {"CompliancePackId": UNKNOWN_PACK},
        "Invalid.CompliancePackId.Value", 400, "The specified CompliancePackId does not exist.",
    ),
    "not-supported": Case(
        "ListAggregators", {}, "OperationNotSupported", 501, 'The action "ListAggregators"', prefix=True,
    ),
    "unknown-action": Case(
        "DescribeNoSuchThing", {}, "InvalidAction.NotFound", 404,
        "Specified api is not found, please check your url and method", prefix=True,
    ),
    # The V1 message quotes the string to sign, full of '&': the XML must escape it.
    "wrong-secret": Case(
        "GenerateCompliancePackReport", {"CompliancePackId": UNKNOWN_PACK}, "SignatureDoesNotMatch", 400,
        "Specified signature is not matched with our calculation. server string to sign is:", prefix=True,
        credentials=lambda c: c.with_secret("not-the-secret"),
    ),
    "unknown-key": Case(
        "GenerateCompliancePackReport", {"CompliancePackId": UNKNOWN_PACK}, "InvalidAccessKeyId.NotFound", 404,
        "Specified access key is not found.", credentials=lambda c: c.with_key_id("LTAI0000000000000000nokey"),
    ),
}


def assert_fields(fields: dict[str, str], case: Case) -> None:
    assert fields["Code"] == case.code
    message = fields["Message"]
    assert message.startswith(case.message) if case.prefix else message == case.message, message
    assert_request_id(fields["RequestId"])
    assert fields["HostId"], "HostId is empty"
    assert fields["Recommend"], "Recommend is empty"


def assert_xml_error(response: rawhttp.RawResponse, case: Case) -> None:
    assert response.status == case.status
    assert response.content_type.startswith("application/xml")
    assert response.text.startswith(XML_PROLOGUE), response.text
    root = response.xml()
    assert root.tag == "Error"
    assert [child.tag for child in root] == FIELDS
    assert all(len(child) == 0 for child in root), "error fields are plain text"
    assert "<Recommend><![CDATA[" in response.text
    assert_fields({child.tag: child.text for child in root}, case)


def assert_json_error(response: rawhttp.RawResponse, case: Case) -> None:
    assert response.status == case.status
    assert response.content_type.startswith("application/json")
    document = response.json()
    assert sorted(document) == sorted(FIELDS), document
    assert_fields(document, case)


@pytest.fixture(params=sorted(rawhttp.SIGNERS))
def signer(request):
    """Each way of signing by hand: `v1-get`, `v1-post`, `v3`."""
    return rawhttp.SIGNERS[request.param]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_xml_error_document(server, signer, case):
    response = signer(server.endpoint, case.credentials(server.credentials), case.action, case.params, format="XML")
    assert_xml_error(response, case)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_json_error_document_is_the_default(server, signer, case):
    response = signer(server.endpoint, case.credentials(server.credentials), case.action, case.params)
    assert_json_error(response, case)


@pytest.mark.parametrize(
    ("spelling", "check"),
    [("xml", assert_xml_error), ("Xml", assert_xml_error), ("JSON", assert_json_error), ("json", assert_json_error)],
)
def test_the_format_parameter_is_case_insensitive(server, signer, spelling, check):
    case = CASES["unknown-pack"]
    check(signer(server.endpoint, server.credentials, case.action, case.params, format=spelling), case)


@pytest.mark.parametrize("case", [CASES["unknown-pack"], CASES["not-supported"]], ids=["unknown-pack", "not-supported"])
def test_old_sdk_asking_for_xml_gets_the_xml_error_document(server, case):
    """`set_accept_format('XML')` with the SDK's `get_response`, which returns the raw
    response (`do_action_with_exception` would reset the format to JSON). The old SDK
    itself parses only JSON errors, so the raw body is what a caller gets."""
    client = OldSdkClient(server.endpoint, server.credentials)
    request = client.typed_request(case.action, **case.params)
    request.set_accept_format("XML")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_response is deprecated, not gone
        status, headers, body = client.sdk.get_response(request)
    assert_xml_error(rawhttp.RawResponse(status, headers.get("content-type", ""), body), case)


@pytest.mark.parametrize("kind", ["v3", "v3-signature-v1"])
def test_the_v3_sdk_exposes_the_whole_json_document(server, kind):
    case = CASES["unknown-pack"]
    error = expect_error(make_client(kind, server.endpoint, server.credentials), case.action, **case.params)
    assert sorted(error.body) == sorted(FIELDS)
    assert error.body["RequestId"] == error.request_id
    assert_fields(error.body, case)


def test_a_replayed_nonce_is_refused(server, signer):
    case = CASES["unknown-pack"]
    nonce = uuid.uuid4().hex
    first = signer(server.endpoint, server.credentials, case.action, case.params, nonce=nonce)
    assert_json_error(first, case)
    replay = signer(server.endpoint, server.credentials, case.action, case.params, nonce=nonce)
    assert_json_error(replay, Case(case.action, case.params, "SignatureNonceUsed", 400, "Specified signature nonce was used already."))
