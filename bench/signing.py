"""Signature V1 requests with the standard library only, shared by the benchmark clients."""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
import uuid


def encode(text):
    return urllib.parse.quote(text, safe="-_.~")


def signed_query(action, key_id, secret, body_params):
    """The query string of a signed POST whose form body carries `body_params`."""
    params = {
        "Action": action,
        "Version": "2020-09-07",
        "Format": "JSON",
        "AccessKeyId": key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    everything = sorted({**params, **body_params}.items())
    canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in everything)
    to_sign = "POST&%2F&" + encode(canonical)
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in params.items())


def call(endpoint, key_id, secret, action, body_params, timeout=120):
    """Calls `action` with `body_params` in the form body; returns the decoded JSON answer."""
    url = f"{endpoint}/?{signed_query(action, key_id, secret, body_params)}"
    data = urllib.parse.urlencode(body_params, quote_via=urllib.parse.quote).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)
