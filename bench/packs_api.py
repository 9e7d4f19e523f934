#!/usr/bin/env python3
"""Creates a compliance pack from a template on a running confpack and times it: until the
pack is ACTIVE, until every rule of it has evaluated (no rule EVALUATING), and the pack
counters (GetConfigRuleComplianceByPack, GetResourceComplianceByPack; median of 5 calls).
With --server-pid, then generates the pack's report: the time from GenerateCompliancePackReport
to COMPLETE, the server's resident memory sampled every 50 ms meanwhile, and the XLSX's size.
Prints one JSON line."""
import argparse
import json
import statistics
import sys
import time
import urllib.request

from signing import call


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--credentials", required=True)
    parser.add_argument("--template", default="ct-5f26ff4e06a300c49609")
    parser.add_argument("--server-pid", type=int, help="measure report generation, sampling this process's RSS")
    args = parser.parse_args()
    if not args.endpoint.startswith("http://127.0.0.1:"):
        sys.exit("refusing a non-loopback endpoint")
    creds = json.load(open(args.credentials))
    api = lambda action, **params: call(args.endpoint, creds["AccessKeyId"], creds["AccessKeySecret"], action,
                                        {k: str(v) for k, v in params.items()}, timeout=600)

    started = time.monotonic()
    pack_id = api("CreateCompliancePack", CompliancePackName="bench", CompliancePackTemplateId=args.template)["CompliancePackId"]
    while api("GetCompliancePack", CompliancePackId=pack_id)["CompliancePack"]["Status"] != "ACTIVE":
        time.sleep(0.1)
    active = time.monotonic() - started

    rules = 0
    while True:
        page = api("ListConfigRules", CompliancePackId=pack_id, PageSize=100)["ConfigRules"]
        rules = page["TotalCount"]
        if not any(r["ConfigRuleState"] == "EVALUATING" for r in page["ConfigRuleList"]):
            break
        time.sleep(1)
    evaluated = time.monotonic() - started

    timings = {}
    answers = {}
    for action in ("GetConfigRuleComplianceByPack", "GetResourceComplianceByPack"):
        samples = []
        for _ in range(5):
            t = time.monotonic()
            answers[action] = api(action, CompliancePackId=pack_id)
            samples.append((time.monotonic() - t) * 1000)
        timings[action] = round(statistics.median(samples), 1)
    results = answers["GetResourceComplianceByPack"]["ResourceComplianceResult"]
    report = measure_report(api, pack_id, args.server_pid) if args.server_pid else {}
    print(json.dumps({**report,
        "pack": pack_id, "rules": rules, "active_seconds": round(active, 2), "evaluated_seconds": round(evaluated, 1),
        "rule_counters_ms": timings["GetConfigRuleComplianceByPack"],
        "resource_counters_ms": timings["GetResourceComplianceByPack"],
        "resources_evaluated": results["TotalCount"], "non_compliant_resources": results["NonCompliantCount"],
    }))


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_report(api, pack_id, pid):
    """Generate → COMPLETE, with the server's RSS before and its peak meanwhile."""
    before = rss_mib(pid)
    peak = before
    started = time.monotonic()
    api("GenerateCompliancePackReport", CompliancePackId=pack_id)
    while True:
        peak = max(peak, rss_mib(pid))
        report = api("GetCompliancePackReport", CompliancePackId=pack_id)["CompliancePackReport"]
        if report["ReportStatus"] == "COMPLETE":
            break
        time.sleep(0.05)
    seconds = time.monotonic() - started
    size = 0
    with urllib.request.urlopen(report["ReportUrl"], timeout=600) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
    return {"report_seconds": round(seconds, 1), "report_rss_before_mib": round(before), "report_peak_rss_mib": round(peak),
            "xlsx_mib": round(size / (1 << 20), 1)}


if __name__ == "__main__":
    main()
