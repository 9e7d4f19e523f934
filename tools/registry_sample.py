#!/usr/bin/env python3
"""Show or extend a resource type's sample configuration in the inventory registry.

    tools/registry_sample.py show ACS::OSS::Bucket
    tools/registry_sample.py merge ACS::OSS::Bucket '{"Versioning": {"Status": "Enabled"}}'
    tools/registry_sample.py add ACS::DTS::Instance "DTS DescribeDtsJobs item" '{"DtsJobId": "..."}' [--global]

`add` registers a new type with its source (which product API item the configuration
mirrors) and sample. `merge` deep-merges the given JSON object into SampleConfiguration (objects merge key by key,
anything else replaces) and rewrites the file in its one-entry-per-line layout. The file is
locked during the edit, so several people (or agents) can extend different types at once.
"""

import fcntl
import json
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "crates/confpack-inventory/data/resource_types.json"


def merge(base, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value


def render(types):
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    entries = []
    for t in types:
        lines = [f"    {json.dumps(k, ensure_ascii=False)}: {compact(v) if k == 'SampleConfiguration' else json.dumps(v, ensure_ascii=False)}" for k, v in t.items()]
        entries.append("  {\n" + ",\n".join(lines) + "\n  }")
    return "[\n" + ",\n".join(entries) + "\n]\n"


def main(argv):
    if len(argv) < 3 or argv[1] not in ("show", "merge", "add") or (argv[1] == "merge" and len(argv) != 4) \
            or (argv[1] == "add" and len(argv) not in (5, 6)):
        sys.exit(__doc__)
    with open(PATH, "r+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        types = json.load(f)
        entry = next((t for t in types if t["ResourceType"] == argv[2]), None)
        if argv[1] == "add":
            if entry is not None:
                sys.exit(f"{argv[2]} is registered already")
            sample = json.loads(argv[4])
            if not isinstance(sample, dict):
                sys.exit("the sample must be a JSON object")
            entry = {"ResourceType": argv[2]}
            if argv[5:] == ["--global"]:
                entry["Global"] = True
            entry.update({"Source": argv[3], "SampleConfiguration": sample})
            types.append(entry)
            f.seek(0)
            f.write(render(types))
            f.truncate()
            return
        if entry is None:
            sys.exit(f"{argv[2]} is not registered")
        if argv[1] == "show":
            print(json.dumps(entry["SampleConfiguration"], indent=2, ensure_ascii=False))
            return
        extra = json.loads(argv[3])
        if not isinstance(extra, dict):
            sys.exit("the merged value must be a JSON object")
        merge(entry["SampleConfiguration"], extra)
        f.seek(0)
        f.write(render(types))
        f.truncate()


if __name__ == "__main__":
    main(sys.argv)
