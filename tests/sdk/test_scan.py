"""`confpack scan` on committed fixtures: the offline report equals the report the server
path produces for the same data and pack (one expectation, two paths), the exit code
follows `--fail-on`, and malformed input or an unknown pack exit 2 naming what to fix."""

from __future__ import annotations

import json
import subprocess

import pytest

from clients import make_client
from confpack_process import REPO_ROOT
from inventory import put
from rules import call, wait_for

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "scan"
OSS_TEMPLATE = "ct-a5edff4e06a3004a5e15"
OSS_TEMPLATE_NAME = "OSS Compliance Management Best Practice"


def scan(confpack_bin, *args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(confpack_bin), "scan", *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def comparable(report: dict) -> tuple[list, dict]:
    """The results (by rule identifier, not rule name: names carry the pack's) and the
    overview's counters."""
    rows = sorted((r["ManagedRuleIdentifier"], r["ResourceType"], r["ResourceId"], r["ComplianceType"], r["Reason"], r["RiskLevel"])
                  for r in report["Results"])
    overview = {k: report["Overview"][k] for k in ("Rules", "Resources", "Evaluations", "EvaluationsByRiskLevel", "ComplianceScore", "RuleCount", "ResourceCount")}
    return rows, overview


@pytest.fixture(scope="module")
def offline(confpack_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("scan")
    done = scan(confpack_bin, FIXTURES / "inventory.ndjson", "--pack", OSS_TEMPLATE, "--out", out, "--fail-on", "none")
    assert done.returncode == 0, done.stderr
    for ext in ("xlsx", "html", "csv", "json"):
        assert (out / f"report.{ext}").is_file(), f"report.{ext} missing: {done.stdout}"
    assert "compliance score" in done.stderr and "NON_COMPLIANT" in done.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".confpack-scan-")], "the scratch store was removed"
    return json.loads((out / "report.json").read_text()), done


def test_scan_and_server_give_the_same_report(offline, server):
    report, _ = offline
    client = make_client("v3", server.endpoint, server.create_account("scan-twin"))
    items = [json.loads(line) for line in (FIXTURES / "inventory.ndjson").read_text().splitlines() if line.strip()]
    put(client, items)
    pack_id = call(client, "CreateCompliancePack", CompliancePackName="twin", CompliancePackTemplateId=OSS_TEMPLATE)["CompliancePackId"]
    wait_for(lambda: call(client, "ListConfigRules", CompliancePackId=pack_id, PageSize=100)["ConfigRules"]["ConfigRuleList"],
             lambda rules: all(r["ConfigRuleState"] != "EVALUATING" for r in rules), "the pack's evaluation")
    call(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    done = wait_for(lambda: client.call_untyped("GetCompliancePackReport", CompliancePackId=pack_id, ReportFormat="json")["CompliancePackReport"],
                    lambda r: r["ReportStatus"] == "COMPLETE", "the server's report", timeout=30)
    import urllib.request
    with urllib.request.urlopen(done["ReportUrl"], timeout=30) as response:
        online = json.loads(response.read())
    assert comparable(report) == comparable(online)
    assert len(report["Results"]) > 50 and report["Overview"]["Evaluations"]["NON_COMPLIANT"] > 0


def test_a_resource_given_twice_counts_once_in_its_last_version(confpack_bin, tmp_path):
    lines = [line for line in (FIXTURES / "inventory.ndjson").read_text().splitlines() if line.strip()]
    at = next(i for i, line in enumerate(lines) if json.loads(line)["ResourceType"] == "ACS::OSS::Bucket")
    bucket = json.loads(lines[at])
    bucket["Configuration"]["AccessControlList"]["Grant"] = "public-read-write"
    replaced = [*lines[:at], json.dumps(bucket), *lines[at + 1:]]
    (tmp_path / "replaced.ndjson").write_text("\n".join(replaced) + "\n")
    (tmp_path / "twice.ndjson").write_text("\n".join([*lines, json.dumps(bucket)]) + "\n")
    reports = {}
    for name in ("replaced", "twice"):
        done = scan(confpack_bin, tmp_path / f"{name}.ndjson", "--pack", OSS_TEMPLATE, "--format", "json",
                    "--out", tmp_path / name, "--fail-on", "none")
        assert done.returncode == 0, done.stderr
        reports[name] = json.loads((tmp_path / name / "report.json").read_text())
    assert "appear more than once" in done.stderr
    assert comparable(reports["twice"]) == comparable(reports["replaced"])
    mine = [r for r in reports["twice"]["Results"] if r["ResourceId"] == bucket["ResourceId"]]
    assert mine and len(mine) == len({r["ManagedRuleIdentifier"] for r in mine}), "one result per rule"
    assert any(r["ComplianceType"] == "NON_COMPLIANT" for r in mine), "the public-write version counts"


@pytest.mark.parametrize("fail_on", ["high", "medium", "low", "none"])
def test_the_exit_code_follows_fail_on(confpack_bin, offline, tmp_path, fail_on):
    report, _ = offline
    failing = {name: counts["NON_COMPLIANT"] for name, counts in report["Overview"]["EvaluationsByRiskLevel"].items()}
    levels = {"high": ["High"], "medium": ["High", "Medium"], "low": ["High", "Medium", "Low"], "none": []}[fail_on]
    expected = 1 if any(failing.get(level, 0) for level in levels) else 0
    done = scan(confpack_bin, FIXTURES / "inventory.ndjson", "--pack", OSS_TEMPLATE, "--format", "csv", "--out", tmp_path, "--fail-on", fail_on)
    assert done.returncode == expected, done.stderr
    if fail_on == "low":
        assert expected == 1, "the fixture has findings, so some level must fail"


def test_rules_can_be_added_and_a_template_named(confpack_bin, tmp_path):
    done = scan(confpack_bin, FIXTURES / "inventory.ndjson", "--pack", OSS_TEMPLATE_NAME.lower(),
                "--rule", "ram-user-mfa-check", "--format", "json", "--out", tmp_path, "--fail-on", "none")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert "ram-user-mfa-check" in {r["ManagedRuleIdentifier"] for r in report["Rules"]}
    assert report["Overview"]["Title"] == OSS_TEMPLATE_NAME


def test_malformed_input_exits_2_naming_file_and_line(confpack_bin, tmp_path):
    done = scan(confpack_bin, FIXTURES / "invalid.ndjson", "--pack", OSS_TEMPLATE, "--out", tmp_path)
    assert done.returncode == 2
    assert "invalid.ndjson:1: item 1: field Region" in done.stderr
    assert "invalid.ndjson:line 2" in done.stderr, "a line that is not JSON is named too"
    assert not (tmp_path / "report.xlsx").exists(), "no report of an incomplete input"


@pytest.mark.parametrize(("args", "message"), [
    (["--pack", "no-such-template"], "neither a template id or name nor a file"),
    (["--pack", OSS_TEMPLATE, "--format", "pdf"], "--format"),
    (["--pack", OSS_TEMPLATE, "--rule", "no-such-rule"], "no-such-rule"),
])
def test_usage_errors_exit_2(confpack_bin, tmp_path, args, message):
    done = scan(confpack_bin, FIXTURES / "inventory.ndjson", *args, "--out", tmp_path)
    assert done.returncode == 2 and message in done.stderr, done.stderr
