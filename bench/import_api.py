#!/usr/bin/env python3
"""Pushes an NDJSON inventory into a running confpack through PutDiscoveredResources.

Signs every request with signature V1 (standard library only), sends batches of up to
1000 resources from a few threads, and prints one JSON line: resources, seconds, rate.
"""
import argparse
import concurrent.futures
import json
import sys
import time

from signing import call


def send(endpoint, key_id, secret, batch):
    answer = call(endpoint, key_id, secret, "PutDiscoveredResources", {"Resources": "[" + ",".join(batch) + "]"})
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
