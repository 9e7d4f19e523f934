#!/usr/bin/env python3
"""Pushes an NDJSON inventory into a running confpack through PutDiscoveredResources.

Signs every request with signature V1 (standard library only), sends batches of up to
1000 resources from a few threads, and prints one JSON line: resources, seconds, rate.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import sys
import time
import urllib.parse
import urllib.request
import uuid


def encode(text):
    return urllib.parse.quote(text, safe="-_.~")


def signed_query(key_id, secret, body_params):
    params = {
        "Action": "PutDiscoveredResources",
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


def send(endpoint, key_id, secret, batch):
    body_params = {"Resources": "[" + ",".join(batch) + "]"}
    url = f"{endpoint}/?{signed_query(key_id, secret, body_params)}"
    data = urllib.parse.urlencode(body_params, quote_via=urllib.parse.quote).encode()
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    return answer["CreatedCount"] + answer["ChangedCount"] + answer["UnchangedCount"]


def batches(path, size):
    batch = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line:
                batch.append(line)
                if len(batch) == size:
                    yield batch
                    batch = []
    if batch:
        yield batch


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--credentials", required=True, help="credentials.json of the account")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("file")
    args = parser.parse_args()
    if not args.endpoint.startswith(("http://127.", "http://localhost")):
        sys.exit("refusing a non-loopback endpoint")
    creds = json.load(open(args.credentials))
    started = time.monotonic()
    total = 0
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        pending = set()
        for batch in batches(args.file, args.batch):
            pending.add(pool.submit(send, args.endpoint, creds["AccessKeyId"], creds["AccessKeySecret"], batch))
            if len(pending) >= args.threads * 2:
                done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                total += sum(f.result() for f in done)
        total += sum(f.result() for f in pending)
    seconds = time.monotonic() - started
    print(json.dumps({"resources": total, "seconds": round(seconds, 2), "per_second": round(total / seconds)}))


if __name__ == "__main__":
    main()
