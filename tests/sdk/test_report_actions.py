"""The report actions' parameter errors and the action dispatch, through each official SDK:
an unknown pack id gets the vendor's error contract for GenerateCompliancePackReport /
GetCompliancePackReport (the reports themselves are in test_reports.py)."""

import pytest

from clients import expect_error

UNKNOWN_PACK = "cp-fdc8626622af00f9a1b2"
PACK_NOT_FOUND = ("Invalid.CompliancePackId.Value", 400, "The specified CompliancePackId does not exist.")


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("GenerateCompliancePackReport", {}),
        ("GenerateCompliancePackReport", {"ClientToken": "123e4567-e89b-12d3-a456-426655440000"}),
        ("GenerateCompliancePackReport", {"ClientToken": "t" * 64}),
        ("GetCompliancePackReport", {}),
    ],
    ids=["generate", "generate-with-client-token", "generate-with-64-char-client-token", "get"],
)
def test_an_unknown_pack_is_invalid_compliance_pack_id(client, action, params):
    error = expect_error(client, action, CompliancePackId=UNKNOWN_PACK, **params)
    assert (error.code, error.status, error.message) == PACK_NOT_FOUND


@pytest.mark.parametrize("token", ["t" * 65, "jeton-\u00e9t\u00e9"], ids=["65-chars", "non-ascii"])
def test_a_bad_client_token_is_an_invalid_parameter_naming_it(client, token):
    error = expect_error(client, "GenerateCompliancePackReport", CompliancePackId=UNKNOWN_PACK, ClientToken=token)
    assert (error.code, error.status) == ("InvalidParameter", 400)
    assert "ClientToken" in error.message


@pytest.mark.parametrize("action", ["GenerateCompliancePackReport", "GetCompliancePackReport"])
def test_a_missing_pack_id_is_a_missing_parameter(client, action):
    error = expect_error(client, action)
    assert (error.code, error.status) == ("MissingParameter", 400)
    assert error.message == (
        'The input parameter "CompliancePackId" that is mandatory for processing this request is not supplied.'
    )


@pytest.mark.parametrize(
    ("action", "params"),
    [("ListAggregators", {}), ("GetAggregator", {"AggregatorId": "ca-0000000000000000"})],
    ids=["ListAggregators", "GetAggregator"],
)
def test_a_vendor_action_not_implemented_yet_is_operation_not_supported(client, action, params):
    error = expect_error(client, action, **params)
    assert (error.code, error.status) == ("OperationNotSupported", 501)
    assert f'"{action}"' in error.message


def test_an_unknown_action_is_invalid_action_not_found(client):
    error = expect_error(client, "DescribeNoSuchThing", untyped=True)
    assert (error.code, error.status) == ("InvalidAction.NotFound", 404)
    assert error.message.startswith("Specified api is not found, please check your url and method")
    assert "DescribeNoSuchThing" in error.message


def test_each_error_has_its_own_request_id(client):
    first, second = (expect_error(client, "GetCompliancePackReport", CompliancePackId=UNKNOWN_PACK) for _ in range(2))
    assert first.request_id != second.request_id
