"""The three kinds of official SDK client the suite drives, behind one small interface.

* ``v3``: `alibabacloud-config20200907` as shipped, signing with ACS3-HMAC-SHA256.
* ``v3-signature-v1``: the same SDK with ``signature_algorithm='v2'``, which makes it sign
  with signature V1 (HMAC-SHA1, `Signature` in the query string).
* ``old-sdk``: `aliyun-python-sdk-config` on `aliyun-python-sdk-core`, signature V1.

Each client calls an action through the SDK's own typed request class (``call``) or through
the SDK's generic entry point (``call_untyped``, for names no typed class exists for), and
turns the SDK's exception into an :class:`ApiError` so tests compare one shape.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import re
from typing import Any, Callable

from alibabacloud_config20200907 import models as config_models
from alibabacloud_config20200907.client import Client as V3SdkClient
from alibabacloud_tea_openapi import exceptions as v3_exceptions
from alibabacloud_tea_openapi import models as open_api_models
from aliyunsdkcore.acs_exception.exceptions import ServerException as OldSdkServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from darabonba.runtime import RuntimeOptions

from confpack_process import Credentials

API_VERSION = "2020-09-07"
CLIENT_KINDS = ("v3", "v3-signature-v1", "old-sdk")

_UPPER_CASE_UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


def assert_request_id(value: object) -> None:
    """A RequestId is an upper-case UUID, e.g. `6EC7AED1-172F-42AE-9C12-295BC2ADB751`."""
    assert isinstance(value, str) and _UPPER_CASE_UUID.fullmatch(value), f"RequestId {value!r} is not an upper-case UUID"


@dataclasses.dataclass(frozen=True)
class ApiError:
    """An error response as an SDK reports it."""

    status: int
    code: str
    message: str
    request_id: str
    #: The parsed JSON error document, where the SDK exposes it (the V3 SDK does).
    body: dict[str, Any] | None


class SdkCallSucceeded(AssertionError):
    """A call that should have failed returned a response."""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class V3Client:
    """`alibabacloud-config20200907`; ``signature_algorithm='v2'`` selects signature V1."""

    def __init__(self, endpoint: str, credentials: Credentials, signature_algorithm: str | None = None):
        config = open_api_models.Config(
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.access_key_secret,
            endpoint=endpoint,
            protocol="http",
        )
        config.signature_algorithm = signature_algorithm
        self._sdk = V3SdkClient(config)

    def call(self, action: str, **params: str) -> dict[str, Any]:
        """Calls e.g. ``generate_compliance_pack_report(GenerateCompliancePackReportRequest(...))``."""
        request = getattr(config_models, f"{action}Request")(**{_snake(k): v for k, v in params.items()})
        return getattr(self._sdk, _snake(action))(request).body.to_map()

    def call_untyped(self, action: str, *, in_body: bool = False, **params: str) -> dict[str, Any]:
        """Calls `action` through the SDK's generic `call_api`, parameters in the query, or
        in the form body when `in_body`."""
        api = open_api_models.Params(
            action=action,
            version=API_VERSION,
            protocol="HTTPS",  # the client's protocol='http' takes precedence
            pathname="/",
            method="POST",
            auth_type="AK",
            style="RPC",
            req_body_type="formData",
            body_type="json",
        )
        request = open_api_models.OpenApiRequest(body=params) if in_body else open_api_models.OpenApiRequest(query=params)
        return self._sdk.call_api(api, request, RuntimeOptions())["body"]

    @staticmethod
    def error_from(exception: Exception) -> ApiError:
        """Reads `status_code`, `code`, `request_id` and the body (`data`) of the SDK's
        `ClientException` (4xx) or `ServerException` (5xx); `message` there is the SDK's
        own "code: 400, <Message> request id: <id>" summary, so the Message comes from `data`."""
        if not isinstance(exception, v3_exceptions.AlibabaCloudException):
            raise exception
        expected = v3_exceptions.ServerException if exception.status_code >= 500 else v3_exceptions.ClientException
        assert isinstance(exception, expected), f"HTTP {exception.status_code} raised {type(exception).__name__}"
        body = {k: v for k, v in exception.data.items() if k != "statusCode"}  # statusCode is added by the SDK
        return ApiError(exception.status_code, exception.code, body.get("Message"), exception.request_id, body)


class OldSdkClient:
    """`aliyun-python-sdk-core` with the `aliyunsdkconfig` request classes."""

    def __init__(self, endpoint: str, credentials: Credentials):
        self.endpoint = endpoint
        self.sdk = AcsClient(credentials.access_key_id, credentials.access_key_secret, "cn-shanghai")

    def typed_request(self, action: str, **params: str):
        """The SDK's request object for `action`, with each parameter set via `set_<Name>`."""
        module = importlib.import_module(f"aliyunsdkconfig.request.v20200907.{action}Request")
        request = getattr(module, f"{action}Request")()
        for name, value in params.items():
            getattr(request, f"set_{name}")(value)
        request.set_endpoint(self.endpoint)
        request.set_protocol_type("http")
        return request

    def call(self, action: str, **params: str) -> dict[str, Any]:
        return json.loads(self.sdk.do_action_with_exception(self.typed_request(action, **params)))

    def call_untyped(self, action: str, *, in_body: bool = False, **params: str) -> dict[str, Any]:
        """Calls `action` with the SDK's `CommonRequest`, parameters in the query
        (`add_query_param`), or in the form body (`add_body_params`) when `in_body`."""
        request = CommonRequest(domain=self.endpoint, version=API_VERSION, action_name=action)
        request.set_method("POST")
        request.set_protocol_type("http")
        for name, value in params.items():
            if in_body:
                request.add_body_params(name, value)
            else:
                request.add_query_param(name, value)
        return json.loads(self.sdk.do_action_with_exception(request))

    @staticmethod
    def error_from(exception: Exception) -> ApiError:
        """Reads the SDK's `ServerException` getters; it keeps no HostId nor raw body."""
        if not isinstance(exception, OldSdkServerException):
            raise exception
        return ApiError(
            exception.get_http_status(),
            exception.get_error_code(),
            exception.get_error_msg(),
            exception.get_request_id(),
            None,
        )


Client = V3Client | OldSdkClient


def make_client(kind: str, endpoint: str, credentials: Credentials) -> Client:
    """A client of `kind` (one of CLIENT_KINDS) for `endpoint`, signing with `credentials`."""
    if kind == "v3":
        return V3Client(endpoint, credentials)
    if kind == "v3-signature-v1":
        return V3Client(endpoint, credentials, signature_algorithm="v2")
    if kind == "old-sdk":
        return OldSdkClient(endpoint, credentials)
    raise ValueError(f"unknown client kind {kind!r}")


def expect_error(client: Client, action: str, *, untyped: bool = False, in_body: bool = False, **params: str) -> ApiError:
    """Calls `action` (typed unless `untyped`; untyped with the parameters in the form body
    when `in_body`), expects the SDK to raise, and returns the error, having checked the
    one thing every error carries: an upper-case UUID RequestId."""
    call: Callable[..., dict[str, Any]] = functools.partial(client.call_untyped, in_body=in_body) if untyped else client.call
    try:
        response = call(action, **params)
    except Exception as exception:  # noqa: BLE001 - error_from re-raises what it does not know
        error = client.error_from(exception)
    else:
        raise SdkCallSucceeded(f"{action} succeeded: {response}")
    assert_request_id(error.request_id)
    return error
