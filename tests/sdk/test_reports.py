"""Compliance reports through every client kind: inventory → pack → evaluation →
GenerateCompliancePackReport → poll GetCompliancePackReport → download the XLSX without an
AccessKey and read it back with openpyxl, its numbers checked against the pack-compliance
actions and its non-compliant rows against the non-compliant results. Also: a second
Generate while one runs, ClientToken replays and mismatches, unknown packs, disabled
accounts, altered and expired links, the other formats, rules reports, and a crash
(SIGKILL) right after Generate followed by a restart, and a report that fails every attempt."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pathlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from typing import Iterator

import openpyxl
import pytest

from clients import expect_error, make_client
from conftest import _serve
from confpack_process import ConfpackServer
from inventory import put, resource
from rules import all_results, call, error, wait_for, wait_for_verdicts

READ_RULE = "oss-bucket-public-read-prohibited"
VERSIONING_RULE = "oss-bucket-versioning-enabled"
PUBLIC = {"AccessControlList": {"Grant": "public-read"}, "Versioning": "Enabled"}
PRIVATE = {"AccessControlList": {"Grant": "private"}, "StorageClass": "Standard"}
REPORT_DEADLINE_SECONDS = 30.0


def make_pack(client, name: str = "audited") -> tuple[str, dict[str, str]]:
    """A pack of two OSS rules over four buckets, evaluated; returns its id and rules."""
    put(client, [resource("b-open", Configuration=PUBLIC), resource("b-closed", Configuration=PRIVATE),
                 resource("b-open-2", Configuration=PUBLIC), resource("b-versioned", Configuration={**PRIVATE, "Versioning": "Enabled"})])
    pack_id = call(client, "CreateCompliancePack", CompliancePackName=name, ConfigRules=[
        {"ManagedRuleIdentifier": READ_RULE, "RiskLevel": 1}, {"ManagedRuleIdentifier": VERSIONING_RULE, "RiskLevel": 2}])["CompliancePackId"]
    pack = call(client, "GetCompliancePack", CompliancePackId=pack_id)["CompliancePack"]
    rules = {r["ManagedRuleIdentifier"]: r["ConfigRuleId"] for r in pack["ConfigRules"]}
    wait_for_verdicts(client, rules[READ_RULE], {"b-open": "NON_COMPLIANT", "b-open-2": "NON_COMPLIANT",
                                                 "b-closed": "COMPLIANT", "b-versioned": "COMPLIANT"})
    wait_for_verdicts(client, rules[VERSIONING_RULE], {"b-open": "COMPLIANT", "b-open-2": "COMPLIANT",
                                                       "b-closed": "NON_COMPLIANT", "b-versioned": "COMPLIANT"})
    return pack_id, rules


def get_report(client, pack_id: str, **extra) -> dict:
    if extra:
        return client.call_untyped("GetCompliancePackReport", CompliancePackId=pack_id, **extra)["CompliancePackReport"]
    return call(client, "GetCompliancePackReport", CompliancePackId=pack_id)["CompliancePackReport"]


def wait_complete(client, pack_id: str, after: int = 0) -> dict:
    return wait_for(lambda: get_report(client, pack_id),
                    lambda r: r["ReportStatus"] == "COMPLETE" and r["ReportCreateTimestamp"] > after,
                    f"the report of {pack_id}", timeout=REPORT_DEADLINE_SECONDS)


def download(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as failure:
        return failure.code, {k.lower(): v for k, v in failure.headers.items()}, failure.read()


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def overview_counts(rows: list[list]) -> dict[str, tuple[int, int, int]]:
    """{compliance type: (rules, resources, pairs)} from the overview's counts table."""
    start = next(i for i, r in enumerate(rows) if r[0] == "Counts by compliance type") + 2
    counts = {}
    for row in rows[start:]:
        if row[0] in (None, "Total"):
            break
        counts[row[0]] = (int(row[1]), int(row[2]), int(row[3]))
    return counts


def test_the_whole_flow_matches_the_api(account_client, fresh_account, server):
    pack_id, rules = make_pack(account_client)
    body = call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    assert body["CompliancePackId"] == pack_id
    report = wait_complete(account_client, pack_id)
    assert report["AccountId"] == fresh_account.account_id and report["CompliancePackId"] == pack_id
    assert report["ReportUrl"].startswith(f"http://{server.endpoint}/reports/")

    status, headers, content = download(report["ReportUrl"])
    assert status == 200, content
    assert headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{fresh_account.account_id}-{pack_id}-report-' in headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=False)
    assert workbook.sheetnames == ["Overview", "Non-compliant resources", "Evaluation results", "Rules"]
    overview = sheet_rows(workbook["Overview"])
    counts = overview_counts(overview)

    by_rule = call(account_client, "GetConfigRuleComplianceByPack", CompliancePackId=pack_id)["ConfigRuleComplianceResult"]
    by_resource = call(account_client, "GetResourceComplianceByPack", CompliancePackId=pack_id)["ResourceComplianceResult"]
    assert counts["NON_COMPLIANT"][0] == by_rule["NonCompliantCount"] == 2
    assert counts["COMPLIANT"][0] == by_rule["CompliantCount"]
    assert sum(c[0] for c in counts.values()) == by_rule["TotalCount"]
    assert counts["NON_COMPLIANT"][1] == by_resource["NonCompliantCount"] == 3
    assert counts["COMPLIANT"][1] == by_resource["CompliantCount"] == 1
    assert sum(c[1] for c in counts.values()) == by_resource["TotalCount"] == 4
    score = next(r[1] for r in overview if r[0] == "Compliance score")
    assert score == "62.50%"  # 5 compliant of 8 pairs
    pack = account_client.call_untyped("GetCompliancePack", CompliancePackId=pack_id)["CompliancePack"]
    assert f"{pack['ComplianceScore'] * 100:.2f}%" == score, "the same score as GetCompliancePack's"

    # The non-compliant rows are exactly the non-compliant results.
    sheet = sheet_rows(workbook["Non-compliant resources"])
    header = sheet[0]
    assert header[:4] == ["Rule name", "Rule identifier", "Rule id", "Risk level"]
    column = {name: i for i, name in enumerate(header)}
    rows = {(r[column["Rule id"]], r[column["Resource id"]]) for r in sheet[1:]}
    expected = {(r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleId"],
                 r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"])
                for r in all_results(account_client, CompliancePackId=pack_id, ComplianceType="NON_COMPLIANT")}
    assert rows == expected and len(sheet) - 1 == len(expected) == 3
    first = sheet[1]
    assert first[column["Resource type"]] == "ACS::OSS::Bucket" and first[column["Region"]] == "cn-hangzhou"
    assert first[column["Last evaluated (UTC)"]].endswith("UTC") and first[column["Reason"]]
    results = sheet_rows(workbook["Evaluation results"])
    assert len(results) - 1 == 8
    assert workbook["Evaluation results"].freeze_panes == "A2" and workbook["Evaluation results"].auto_filter.ref
    rule_rows = sheet_rows(workbook["Rules"])
    assert {r[1] for r in rule_rows[1:]} == set(rules.values())


def test_every_format_holds_the_same_report(account_client, server):
    pack_id, _ = make_pack(account_client)
    call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    wait_complete(account_client, pack_id)
    links = {fmt: get_report(account_client, pack_id, ReportFormat=fmt)["ReportUrl"] for fmt in ("xlsx", "html", "csv", "json")}
    assert len(set(links.values())) == 4
    downloads = {fmt: download(url) for fmt, url in links.items()}
    assert {fmt: d[0] for fmt, d in downloads.items()} == {"xlsx": 200, "html": 200, "csv": 200, "json": 200}
    assert downloads["html"][1]["content-type"] == "text/html; charset=utf-8"
    assert downloads["csv"][1]["content-type"] == "text/csv; charset=utf-8"
    assert downloads["json"][1]["content-type"] == "application/json"
    rows = list(csv.DictReader(io.StringIO(downloads["csv"][2].decode())))
    document = json.loads(downloads["json"][2])
    assert len(rows) == len(document["Results"]) == 8
    assert sum(1 for r in rows if r["Compliance"] == "NON_COMPLIANT") == document["Overview"]["Evaluations"]["NON_COMPLIANT"] == 3
    assert document["Overview"]["Resources"]["NON_COMPLIANT"] == 3
    page = downloads["html"][2].decode()
    assert "62.50%" in page and page.count("<tr>") >= 3
    for external in ("<script", "src=\"http", "href=\"http", "url(", "@import", "<link"):
        assert external not in page, f"the HTML report refers to {external}"
    failure = expect_error(account_client, "GetCompliancePackReport", untyped=True, CompliancePackId=pack_id, ReportFormat="pdf")
    assert (failure.status, failure.code) == (400, "InvalidParameter") and "ReportFormat" in failure.message


def test_a_new_report_replaces_the_previous_one(account_client):
    pack_id, rules = make_pack(account_client)
    call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    first = wait_complete(account_client, pack_id)
    # One bucket is fixed; the next report says so, and the old link is gone.
    put(account_client, [resource("b-open-2", Configuration={**PRIVATE, "Versioning": "Enabled"})])
    wait_for_verdicts(account_client, rules[READ_RULE], {"b-open": "NON_COMPLIANT", "b-open-2": "COMPLIANT",
                                                         "b-closed": "COMPLIANT", "b-versioned": "COMPLIANT"})
    wait_for_verdicts(account_client, rules[VERSIONING_RULE], {"b-open": "COMPLIANT", "b-open-2": "COMPLIANT",
                                                               "b-closed": "NON_COMPLIANT", "b-versioned": "COMPLIANT"})
    call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    second = wait_complete(account_client, pack_id, after=first["ReportCreateTimestamp"])
    assert second["ReportCreateTimestamp"] > first["ReportCreateTimestamp"]
    status, _, body = download(first["ReportUrl"])
    assert status == 404 and json.loads(body)["Code"] == "ReportNotFound"
    workbook = openpyxl.load_workbook(io.BytesIO(download(second["ReportUrl"])[2]))
    assert len(sheet_rows(workbook["Non-compliant resources"])) - 1 == 2


def test_altered_links_are_refused(account_client):
    pack_id, _ = make_pack(account_client)
    call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    url = wait_complete(account_client, pack_id)["ReportUrl"]
    base, query = url.split("?")
    params = dict(p.split("=") for p in query.split("&"))
    altered = [
        f"{base}?Expires={int(params['Expires']) + 3600}&Signature={params['Signature']}",
        f"{base}?Expires={params['Expires']}&Signature={'0' * 64}",
        f"{base.replace('.xlsx', '.csv')}?{query}",
        f"{base.replace('/reports/', '/reports/9')}?{query}",
        base,
    ]
    for link in altered:
        status, headers, body = download(link)
        assert status == 403, link
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["Code"] == "ReportUrl.SignatureDoesNotMatch"
    assert download(url)[0] == 200


def test_an_unknown_pack_is_refused_and_a_new_pack_has_no_report(server, client_kind):
    credentials = server.create_account(f"reports-{uuid.uuid4().hex[:8]}")
    client = make_client(client_kind, server.endpoint, credentials)
    failure = error(client, "GenerateCompliancePackReport", CompliancePackId="cp-0000000000000000abcd")
    assert (failure.status, failure.code, failure.message) == (400, "Invalid.CompliancePackId.Value", "The specified CompliancePackId does not exist.")
    pack_id = call(client, "CreateCompliancePack", CompliancePackName="p", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]
    report = get_report(client, pack_id)
    assert (report["ReportStatus"], report["ReportUrl"], report["ReportCreateTimestamp"]) == ("NONE", "", 0)


def test_rules_reports(account_client):
    pack_id, rules = make_pack(account_client)
    failure = error(account_client, "GenerateConfigRulesReport", ConfigRuleIds="cr-00000000000000000000")
    assert (failure.status, failure.code) == (400, "ConfigRuleNotExists")
    report_id = call(account_client, "GenerateConfigRulesReport", ConfigRuleIds=rules[READ_RULE])["ReportId"]
    assert report_id.startswith("crp-")
    done = wait_for(lambda: call(account_client, "GetConfigRulesReport", ReportId=report_id)["ConfigRulesReport"],
                    lambda r: r["ReportStatus"] == "COMPLETE", "the rules report", timeout=REPORT_DEADLINE_SECONDS)
    assert done["ReportId"] == report_id and done["ReportCreateTimestamp"] > 0
    latest = call(account_client, "GetConfigRulesReport")["ConfigRulesReport"]
    assert latest["ReportId"] == report_id
    status, headers, content = download(done["ReportUrl"])
    assert status == 200 and "-rules-report-" in headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert len(sheet_rows(workbook["Evaluation results"])) - 1 == 4, "only the one rule's results"
    missing = error(account_client, "GetConfigRulesReport", ReportId="crp-00000000000000000000")
    assert (missing.status, missing.code) == (400, "Invalid.ReportId.Value")


# --- a node without a report worker: jobs stay CREATING, deterministically -----------------


@pytest.fixture(scope="module")
def paused_server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    yield from _serve(confpack_bin, tmp_path_factory, "--no-report-worker")


@pytest.fixture
def paused_client(paused_server: ConfpackServer, client_kind: str):
    return make_client(client_kind, paused_server.endpoint, paused_server.create_account(f"paused-{uuid.uuid4().hex[:8]}"))


def test_a_second_generate_while_one_runs_is_refused(paused_client):
    pack_id = call(paused_client, "CreateCompliancePack", CompliancePackName="p", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]
    call(paused_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    failure = error(paused_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    assert (failure.status, failure.code) == (400, "CompliancePackReportCreating")
    report = get_report(paused_client, pack_id)
    assert report["ReportStatus"] == "CREATING" and report["ReportUrl"] == "" and report["ReportCreateTimestamp"] > 0
    call(paused_client, "GenerateConfigRulesReport")
    failure = error(paused_client, "GenerateConfigRulesReport")
    assert (failure.status, failure.code) == (400, "ConfigRuleReportCreating")


def test_client_token_replays_and_mismatches(paused_client):
    first = call(paused_client, "CreateCompliancePack", CompliancePackName="a", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]
    second = call(paused_client, "CreateCompliancePack", CompliancePackName="b", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]
    token = f"report-{uuid.uuid4()}"
    original = call(paused_client, "GenerateCompliancePackReport", CompliancePackId=first, ClientToken=token)
    started = get_report(paused_client, first)["ReportCreateTimestamp"]
    # The retry answers as the original did (not CompliancePackReportCreating) and starts nothing.
    again = call(paused_client, "GenerateCompliancePackReport", CompliancePackId=first, ClientToken=token)
    assert again["CompliancePackId"] == original["CompliancePackId"] == first
    assert get_report(paused_client, first)["ReportCreateTimestamp"] == started
    mismatch = error(paused_client, "GenerateCompliancePackReport", CompliancePackId=second, ClientToken=token)
    assert (mismatch.status, mismatch.code) == (400, "IdempotentParameterMismatch")
    assert get_report(paused_client, second)["ReportStatus"] == "NONE"


def test_a_disabled_account_does_not_exist(paused_server, client_kind):
    credentials = paused_server.create_account(f"disabled-{uuid.uuid4().hex[:8]}")
    client = make_client(client_kind, paused_server.endpoint, credentials)
    pack_id = call(client, "CreateCompliancePack", CompliancePackName="p", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])["CompliancePackId"]
    paused_server.admin("accounts", "disable", str(credentials.account_id))
    time.sleep(1.2)  # the AccessKey cache's second
    failure = expect_error(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    assert (failure.status, failure.code, failure.message) == (404, "AccountNotExisted", "Your account does not exist.")


# --- links that expire within a second ------------------------------------------------------


@pytest.fixture(scope="module")
def short_link_server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    yield from _serve(confpack_bin, tmp_path_factory, "--report-link-seconds", "1")


def test_expired_links_are_refused(short_link_server):
    client = make_client("v3", short_link_server.endpoint, short_link_server.credentials)
    pack_id, _ = make_pack(client)
    call(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    url = wait_complete(client, pack_id)["ReportUrl"]
    expires = int(url.split("Expires=")[1].split("&")[0])
    wait_for(lambda: download(url)[0], lambda s: s == 403, "the link to expire", timeout=5)
    status, _, body = download(url)
    assert json.loads(body)["Code"] == "ReportUrl.Expired" and "expired" in json.loads(body)["Message"]
    fresh = get_report(client, pack_id)["ReportUrl"]
    assert int(fresh.split("Expires=")[1].split("&")[0]) > expires
    assert download(fresh)[0] == 200


# --- a crash right after Generate ------------------------------------------------------------


@contextlib.contextmanager
def short_lease_server(confpack_bin, tmp_path_factory, name: str) -> Iterator[ConfpackServer]:
    """A server of its own whose report leases last 1 s; it must stop cleanly."""
    server = ConfpackServer(confpack_bin, tmp_path_factory.mktemp(name), "--report-lease-seconds", "1")
    server.start()
    try:
        yield server
    finally:
        assert server.stop() == 0


def test_a_crash_during_generation_recovers_after_restart(confpack_bin, tmp_path_factory):
    with short_lease_server(confpack_bin, tmp_path_factory, "crash") as server:
        client = make_client("v3", server.endpoint, server.credentials)
        pack_id, _ = make_pack(client)
        call(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
        # Killed wherever the job is: pending, being written, or done.
        server.kill()
        server.start()
        client = make_client("v3", server.endpoint, server.credentials)
        report = wait_complete(client, pack_id)
        status, _, content = download(report["ReportUrl"])
        assert status == 200
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert len(sheet_rows(workbook["Evaluation results"])) - 1 == 8, "a whole report, not part of one"
        leftovers = [p for p in (server.data_dir / "reports" / "objects").rglob("*") if p.name.startswith(".")]
        assert not leftovers, f"partial files were published: {leftovers}"


# --- a report that cannot be written ----------------------------------------------------------


def test_a_report_that_keeps_failing_is_given_up_and_says_why(confpack_bin, tmp_path_factory):
    with short_lease_server(confpack_bin, tmp_path_factory, "give-up") as server:
        client = make_client("v3", server.endpoint, server.credentials)
        pack_id, _ = make_pack(client)
        # A file where the worker makes its work directories: every attempt fails (as root too).
        work = server.data_dir / "reports" / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.write_text("not a directory")
        call(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
        assert get_report(client, pack_id)["ReportStatus"] == "CREATING"
        failed = wait_for(lambda: get_report(client, pack_id, ReportFormat="xlsx"), lambda r: r["ReportStatus"] != "CREATING",
                          "the report to be given up", timeout=REPORT_DEADLINE_SECONDS)
        assert failed["ReportStatus"] == "NONE" and failed["ReportUrl"] == "", failed
        assert "gave up after 3 attempts" in failed["ReportError"], failed
        # Once the disk is mended, a new Generate works and the error is gone.
        work.unlink()
        call(client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
        done = wait_complete(client, pack_id)
        assert "ReportError" not in get_report(client, pack_id, ReportFormat="xlsx") and done["ReportUrl"]


# --- the HTML report in a real browser --------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def page_requests(html: pathlib.Path, workdir: pathlib.Path) -> tuple[list[str], pathlib.Path]:
    """Renders `html` in headless Chromium; returns the URLs the page itself requested
    (from Chromium's network log: requests whose isolation key is the file's origin) and
    the screenshot."""
    shot, log = workdir / f"{html.stem}.png", workdir / f"{html.stem}-net.json"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--window-size=1280,2400",
                    f"--screenshot={shot}", f"--log-net-log={log}", html.as_uri()],
                   capture_output=True, timeout=120, check=True)
    text = log.read_text()
    if not text.rstrip().endswith("}"):  # the log of a browser that exited without closing it
        text = text.rstrip().rstrip(",") + "]}"
    events = json.loads(text)["events"]
    urls_of: dict[int, set[str]] = {}
    from_page: set[int] = set()
    for event in events:
        params = event.get("params") or {}
        if "url" in params:
            urls_of.setdefault(event["source"]["id"], set()).add(params["url"])
        if "file://" in str(params.get("network_isolation_key", "")):
            from_page.add(event["source"]["id"])
    urls = set().union(*(urls_of.get(source, set()) for source in from_page))
    return sorted(u for u in urls if not u.startswith(("file:", "data:"))), shot


def test_the_html_report_renders_without_external_requests(server, tmp_path):
    if not pathlib.Path(CHROMIUM).exists():
        if os.environ.get("CONFPACK_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{CHROMIUM} is missing and CONFPACK_REQUIRE_CHROMIUM=1")
        print("\n*** SKIPPED: the HTML report was not rendered: no Chromium at /usr/bin/chromium ***")
        pytest.skip("no Chromium")
    account_client = make_client("v3", server.endpoint, server.create_account(f"html-{uuid.uuid4().hex[:8]}"))
    pack_id, _ = make_pack(account_client)
    call(account_client, "GenerateCompliancePackReport", CompliancePackId=pack_id)
    wait_complete(account_client, pack_id)
    status, _, page = download(get_report(account_client, pack_id, ReportFormat="html")["ReportUrl"])
    assert status == 200
    report = tmp_path / "report.html"
    report.write_bytes(page)
    requests, shot = page_requests(report, tmp_path)
    assert requests == [], f"the report made external requests: {requests}"
    assert shot.stat().st_size > 20_000, "a rendered page, not a blank one"
    # The detector itself: a page with one external image is caught.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>')
    assert page_requests(control, tmp_path)[0] == ["http://127.0.0.1:9/pixel.png"]
