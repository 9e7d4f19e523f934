"""The gateway in front of every action: who may call, as each official SDK sees it, with
keys and accounts managed through the admin CLI while the server runs."""

import os
import stat
import uuid

import pytest

from clients import expect_error

UNKNOWN_PACK = "cp-0123456789abcdef0123"
# Getting this far means the caller was authenticated and its call reached the handler.
AUTHENTICATED = ("Invalid.CompliancePackId.Value", 400, "The specified CompliancePackId does not exist.")


def reaches_the_handler(client) -> tuple:
    error = expect_error(client, "GetCompliancePackReport", CompliancePackId=UNKNOWN_PACK)
    return (error.code, error.status, error.message)


def test_the_credentials_file_is_private(server):
    assert stat.S_IMODE(os.stat(server.credentials_path).st_mode) == 0o600
    credentials = server.credentials
    assert isinstance(credentials.account_id, int)
    assert credentials.access_key_id and credentials.access_key_secret


# What each SDK reports for a wrong secret. The server answers 400 SignatureDoesNotMatch with
# "server string to sign is:<its string>", whose start shows which signature version it
# verified (GenerateCompliancePackReport is a POST). The old SDK compares that string with its
# own and, when they agree, renames the error InvalidAccessKeySecret, so its answer also
# proves that server and SDK canonicalised the request alike.
MISMATCH = "Specified signature is not matched with our calculation. server string to sign is:"
WRONG_SECRET = {
    "v3": ("SignatureDoesNotMatch", MISMATCH + "ACS3-HMAC-SHA256\n"),
    "v3-signature-v1": ("SignatureDoesNotMatch", MISMATCH + "POST&%2F&"),
    "old-sdk": ("InvalidAccessKeySecret", "The AccessKeySecret is incorrect. Please check your AccessKeyId and AccessKeySecret."),
}


def test_a_wrong_secret_is_signature_does_not_match(server, client_kind, make_sdk_client):
    client = make_sdk_client(server, server.credentials.with_secret("not-the-secret"))
    error = expect_error(client, "GenerateCompliancePackReport", CompliancePackId=UNKNOWN_PACK)
    code, message = WRONG_SECRET[client_kind]
    assert (error.code, error.status) == (code, 400)
    assert error.message.startswith(message)
    if error.body is not None:
        assert error.body["Code"] == "SignatureDoesNotMatch"


def test_an_unknown_access_key_id_is_not_found(server, make_sdk_client):
    client = make_sdk_client(server, server.credentials.with_key_id("LTAI" + uuid.uuid4().hex[:20]))
    error = expect_error(client, "GenerateCompliancePackReport", CompliancePackId=UNKNOWN_PACK)
    assert (error.code, error.status, error.message) == ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")


def test_a_second_account_created_by_the_cli_can_call(admin_server, make_sdk_client):
    second = admin_server.create_account(f"second-{uuid.uuid4().hex[:8]}")
    assert second.account_id != admin_server.credentials.account_id
    assert second.access_key_id != admin_server.credentials.access_key_id
    assert reaches_the_handler(make_sdk_client(admin_server, second)) == AUTHENTICATED


def test_a_key_created_by_the_cli_can_call(admin_server, make_sdk_client):
    first = admin_server.credentials
    extra = admin_server.create_key(first.account_id)
    assert extra.account_id == first.account_id
    assert extra.access_key_id != first.access_key_id
    assert reaches_the_handler(make_sdk_client(admin_server, extra)) == AUTHENTICATED


@pytest.mark.parametrize(
    ("revoke", "expected"),
    [
        (lambda server, c: server.admin("keys", "disable", c.access_key_id),
         ("InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled.")),
        (lambda server, c: server.admin("keys", "delete", c.access_key_id),
         ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")),
        (lambda server, c: server.admin("accounts", "disable", str(c.account_id)),
         ("AccountNotExisted", 404, "Your account does not exist.")),
    ],
    ids=["key-disabled", "key-deleted", "account-disabled"],
)
def test_a_revoked_caller_is_refused(admin_server, make_sdk_client, revoke, expected):
    credentials = admin_server.create_account(f"revoked-{uuid.uuid4().hex[:8]}")
    client = make_sdk_client(admin_server, credentials)
    assert reaches_the_handler(client) == AUTHENTICATED
    revoke(admin_server, credentials)
    error = expect_error(client, "GetCompliancePackReport", CompliancePackId=UNKNOWN_PACK)
    assert (error.code, error.status, error.message) == expected


def test_a_burst_over_the_rate_limit_is_throttled(throttled_server, make_sdk_client):
    """The server admits 3 requests per second per key; 20 back-to-back calls from a fresh
    key must meet Throttling.User after at least one admitted call."""
    first = throttled_server.credentials
    client = make_sdk_client(throttled_server, throttled_server.create_key(first.account_id))
    errors = []
    for _ in range(20):
        errors.append(expect_error(client, "GetCompliancePackReport", CompliancePackId=UNKNOWN_PACK))
        if errors[-1].code == "Throttling.User":
            break
    assert (errors[0].code, errors[0].status) == AUTHENTICATED[:2]
    throttled = errors[-1]
    assert (throttled.code, throttled.status, throttled.message) == (
        "Throttling.User", 400, "Request was denied due to user flow control."
    ), [e.code for e in errors]
