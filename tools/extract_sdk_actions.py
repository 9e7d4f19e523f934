#!/usr/bin/env python3
"""Derive confpack's action table from the official V3 SDK's metadata.

Reads `alibabacloud_config20200907/client.py` of the installed SDK and prints one line per
action: `Action<TAB>HTTP method`, sorted by name. With `--check FILE` it compares the SDK
with the checked-in table instead and exits 1 on any drift.
"""
import argparse
import pathlib
import re
import sys

import alibabacloud_config20200907

PARAMS = re.compile(r"action = '(\w+)',\s*version = '2020-09-07',.*?method = '(\w+)'", re.S)


def sdk_actions():
    source = pathlib.Path(alibabacloud_config20200907.__file__).with_name("client.py").read_text()
    table = {}
    for action, method in PARAMS.findall(source):
        if table.setdefault(action, method) != method:
            sys.exit(f"{action}: the SDK declares two methods")
    return table


def render(table):
    lines = ["# Action\tMethod   (derived from alibabacloud-config20200907 by tools/extract_sdk_actions.py)"]
    lines += [f"{name}\t{method}" for name, method in sorted(table.items())]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", type=pathlib.Path, help="compare with this checked-in table")
    args = parser.parse_args()
    text = render(sdk_actions())
    if args.check:
        if args.check.read_text() != text:
            sys.exit(f"{args.check} differs from the SDK's actions; regenerate it with {sys.argv[0]}")
        print(f"{args.check}: {len(sdk_actions())} actions, identical to the SDK")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
