"""Hand-built, correctly signed requests, for what the SDKs do not let a caller see: the raw
body in either format, a chosen nonce, a replay. Signing uses the V3 SDK's own helpers
(`Utils.get_rpcsignature` for V1, `Utils.get_authorization` for ACS3-HMAC-SHA256), so the
requests are exactly what an Alibaba client would sign."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from typing import Any

from alibabacloud_tea_openapi.utils import Utils

from confpack_process import Credentials

API_VERSION = "2020-09-07"
FORM = "application/x-www-form-urlencoded"

# Local server: never go through a proxy configured in the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclasses.dataclass(frozen=True)
class RawResponse:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    def xml(self) -> ElementTree.Element:
        return ElementTree.fromstring(self.body)


def _encode(pairs: dict[str, str]) -> str:
    return "&".join(f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}" for k, v in sorted(pairs.items()))


def send(method: str, endpoint: str, query: dict[str, str], body: bytes = b"", headers: dict[str, str] | None = None) -> RawResponse:
    """Sends one request to `http://endpoint/?query` and returns the response, error or not."""
    url = f"http://{endpoint}/?{_encode(query)}" if query else f"http://{endpoint}/"
    request = urllib.request.Request(url, data=body if method == "POST" else None, headers=headers or {}, method=method)
    try:
        with _opener.open(request, timeout=10) as response:
            return RawResponse(response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return RawResponse(error.code, error.headers.get("Content-Type", ""), error.read())


def v1_request(
    endpoint: str,
    credentials: Credentials,
    action: str,
    params: dict[str, str],
    *,
    method: str = "GET",
    format: str | None = None,
    nonce: str | None = None,
) -> RawResponse:
    """A signature-V1 request: every parameter in the query (GET) or the form body (POST)."""
    signed = {
        "Action": action,
        "Version": API_VERSION,
        "AccessKeyId": credentials.access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce or str(uuid.uuid4()),
        "Timestamp": Utils.get_timestamp(),
        **params,
    }
    if format is not None:
        signed["Format"] = format
    signed["Signature"] = Utils.get_rpcsignature(signed, method, credentials.access_key_secret)
    if method == "GET":
        return send("GET", endpoint, signed)
    return send("POST", endpoint, {}, _encode(signed).encode(), {"Content-Type": FORM})


def v3_request(
    endpoint: str,
    credentials: Credentials,
    action: str,
    params: dict[str, str],
    *,
    format: str | None = None,
    nonce: str | None = None,
) -> RawResponse:
    """An ACS3-HMAC-SHA256 request: POST, `params` in the form body, `Format` in the query."""
    query = {"Format": format} if format is not None else {}
    body = _encode(params).encode()
    headers = {
        "host": endpoint,
        "content-type": FORM,
        "x-acs-action": action,
        "x-acs-version": API_VERSION,
        "x-acs-date": Utils.get_timestamp(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    signed = types.SimpleNamespace(method="POST", pathname="/", query=query, headers=headers)
    headers["Authorization"] = Utils.get_authorization(
        signed, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], credentials.access_key_id, credentials.access_key_secret
    )
    return send("POST", endpoint, query, body, headers)


#: The hand-signed request styles, by name: V1 as GET, V1 as POST, V3.
SIGNERS = {
    "v1-get": functools.partial(v1_request, method="GET"),
    "v1-post": functools.partial(v1_request, method="POST"),
    "v3": v3_request,
}
