"""Evaluation results through every client kind: change-triggered evaluation of changed and
deleted resources, managed rules run on their catalogue test configurations, condition rules,
CUSTOM_FC rules fed by PutEvaluations (with DeleteMode), ignoring results until a date and
reverting them, the compliance timeline, result paging with NextToken, the counters
(GetResourceComplianceByConfigRule, GetComplianceSummary, GetConfigRuleSummaryByRiskLevel)
traced back to the listed results, and the previews (EvaluatePreConfigRules,
ListPreManagedRules).

Rules that are changed later are created before the resources they evaluate, and the test
waits for the resources' results: once they are there, no change-triggered evaluation of the
old rule is still on its way (see test_a_rule_change_racing_change_triggered_evaluation)."""

from __future__ import annotations

import collections
import datetime
import glob
import itertools
import json
import re
import time
import uuid

import pytest

from clients import make_client
from confpack_process import REPO_ROOT
from inventory import OSS_BUCKET, WIDGET, delete, get, put, resource
from rules import (
    CHANGE, CUSTOM_FC, all_results, call, create_condition, create_managed, error, get_rule, qualifier, resource_key,
    results_page, rule_verdicts, verdicts, wait_for, wait_for_verdicts, wait_until_evaluated,
)

PUBLIC = {"AccessControlList": {"Grant": "public-read"}}
PRIVATE = {"AccessControlList": {"Grant": "private"}}
READ_RULE = "oss-bucket-public-read-prohibited"
EIP = "ACS::EIP::EipAddress"
EIP_RULE = "eip-bandwidth-limit"
GADGET = "ACS::Acme::Gadget"
FUNCTION_ARN = "acs:fc:cn-hangzhou:1234567890:services/config/functions/check"
CATALOGUE = [rule for path in sorted(glob.glob(str(REPO_ROOT / "crates/confpack-rules/data/managed_rules/*.json")))
             for rule in json.load(open(path, encoding="utf-8"))]


def timeless(rule: dict) -> bool:
    """Whether the rule's verdicts depend only on the configuration: no day counting (its
    tests assume a fixed evaluation time) and no related resources."""
    text = json.dumps(rule)
    return ("DaysSince" not in text and "DaysUntil" not in text and "related" not in rule
            and not any("related" in t or "now" in t for t in rule["tests"]))


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def create_fc(client, name: str = "fc rule", types: list[str] | None = None, **params) -> str:
    return call(client, "CreateConfigRule", SourceOwner=CUSTOM_FC, SourceIdentifier=FUNCTION_ARN, ConfigRuleName=name,
                ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=types or [OSS_BUCKET], **params)["ConfigRuleId"]


def result_token(client, rule_id: str) -> str:
    """The extension field `ResultToken` of GetConfigRule, read untyped (no SDK model has it)."""
    return client.call_untyped("GetConfigRule", ConfigRuleId=rule_id)["ConfigRule"]["ResultToken"]


def rule_created_first(client, identifier: str, name: str, **params) -> str:
    """A managed rule whose creation-time evaluation is over before the test stores resources."""
    rule_id = create_managed(client, identifier, name, **params)
    wait_until_evaluated(client, rule_id)
    return rule_id


def by_resource(results: list[dict]) -> dict[str, dict]:
    return {qualifier(r)["ResourceId"]: r for r in results}


# --- change-triggered evaluation ----------------------------------------------------------


def test_a_changed_resource_is_evaluated_again_and_a_deleted_one_loses_its_result(account_client, fresh_account):
    rule_id = rule_created_first(account_client, READ_RULE, "public read")
    put(account_client, [resource("b-1", Configuration=PUBLIC), resource("b-2", Configuration=PRIVATE)])
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT", "b-2": "COMPLIANT"})
    first = by_resource(all_results(account_client, ConfigRuleId=rule_id))["b-1"]
    assert first["InvokingEventMessageType"] == CHANGE
    assert qualifier(first)["ResourceOwnerId"] == fresh_account.account_id and qualifier(first)["RegionId"] == "cn-hangzhou"
    assert first["EvaluationId"] and first["RiskLevel"] == 1
    annotation = json.loads(first["Annotation"])
    assert annotation["property"] == "$.AccessControlList.Grant" and annotation["configuration"] == "public-read", annotation
    assert annotation["reason"], annotation
    assert first["LastNonCompliantRecordTimestamp"] == first["ResultRecordedTimestamp"]

    put(account_client, [resource("b-1", Configuration=PRIVATE)])
    wait_for_verdicts(account_client, rule_id, {"b-1": "COMPLIANT", "b-2": "COMPLIANT"})
    fixed = by_resource(all_results(account_client, ConfigRuleId=rule_id))["b-1"]
    assert fixed["ResultRecordedTimestamp"] > first["ResultRecordedTimestamp"]
    assert fixed["LastNonCompliantRecordTimestamp"] == first["LastNonCompliantRecordTimestamp"], "kept from the last NON_COMPLIANT"
    assert fixed["LastCompliantFixedTimestamp"] == fixed["ResultRecordedTimestamp"]
    assert get_rule(account_client, rule_id)["Compliance"] == {"ComplianceType": "COMPLIANT", "Count": 2}

    delete(account_client, OSS_BUCKET, ["b-1"])
    wait_for_verdicts(account_client, rule_id, {"b-2": "COMPLIANT"})
    assert (call(account_client, "ListResourceEvaluationResults", ResourceId="b-1")["EvaluationResults"].get("EvaluationResultList") or []) == []
    assert get_rule(account_client, rule_id)["Compliance"] == {"ComplianceType": "COMPLIANT", "Count": 1}

    # The timeline of b-1 under the rule, newest first: appeared NON_COMPLIANT, fixed, removed.
    line = call(account_client, "GetResourceComplianceTimeline", ResourceType=OSS_BUCKET, ResourceId="b-1",
                Region="cn-hangzhou")["ResourceComplianceTimeline"]
    items = line["ComplianceList"]
    assert [json.loads(i["ConfigurationDiff"]) for i in items] == [
        {"public read": ["COMPLIANT", ""]}, {"public read": ["NON_COMPLIANT", "COMPLIANT"]}, {"public read": ["", "NON_COMPLIANT"]}]
    assert [i["CaptureTime"] for i in items] == sorted((i["CaptureTime"] for i in items), reverse=True)
    for item in items:
        assert (item["ResourceId"], item["ResourceType"], item["Region"]) == ("b-1", OSS_BUCKET, "cn-hangzhou")
        assert item["AccountId"] == str(fresh_account.account_id)
        rules = json.loads(item["Configuration"])["ConfigRuleList"]
        assert [r["ConfigRuleId"] for r in rules] == [rule_id]
    assert json.loads(items[1]["Configuration"])["ComplianceType"] == "COMPLIANT"
    assert "NextToken" not in line or not line["NextToken"]


def test_a_resource_leaving_the_scope_by_a_change_loses_its_result(account_client):
    rule_id = rule_created_first(account_client, READ_RULE, "prod only", TagKeyScope="env", TagValueScope="prod")
    put(account_client, [resource("b-1", Configuration=PUBLIC, Tags={"env": ["prod"]}),
                         resource("b-2", Configuration=PUBLIC, Tags={"env": ["prod"]})])
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT", "b-2": "NON_COMPLIANT"})
    # b-1 leaves the scope; b-2 (same call) changes verdict, which shows when the call was evaluated.
    put(account_client, [resource("b-1", Configuration=PUBLIC, Tags={"env": ["dev"]}),
                         resource("b-2", Configuration=PRIVATE, Tags={"env": ["prod"]})])
    wait_for(lambda: rule_verdicts(account_client, rule_id).get("b-2"), lambda v: v == "COMPLIANT", "b-2's new result")
    assert rule_verdicts(account_client, rule_id) == {"b-2": "COMPLIANT"}


def test_a_rule_change_racing_change_triggered_evaluation(server, fresh_account):
    """A rule changed while change-triggered evaluation of a large batch is under way.

    The feed loop reads the account's rules once per batch and writes the batch's results at
    its end. Results carry the rule's revision and the store refuses those of an older one,
    so none of the 500 buckets may keep a result of the rule after it was narrowed to a
    region none of them is in, however the timing falls."""
    client = make_client("v3", server.endpoint, fresh_account)
    rule_id = rule_created_first(client, READ_RULE, "narrowed during a batch")
    put(client, [resource(f"b-{n:03d}", region="cn-hangzhou", Configuration=PUBLIC) for n in range(500)])
    time.sleep(0.03)  # let the feed loop read the rule as it is now
    call(client, "UpdateConfigRule", ConfigRuleId=rule_id, RegionIdsScope=["cn-shanghai"])
    put(client, [resource("marker", region="cn-shanghai", Configuration=PUBLIC)])  # evaluated in a later batch
    wait_for(lambda: rule_verdicts(client, rule_id).get("marker"), lambda v: v == "NON_COMPLIANT", "the marker's result")
    wait_until_evaluated(client, rule_id)
    stale = set(rule_verdicts(client, rule_id)) - {"marker"}
    assert not stale, f"{len(stale)} results of the rule's old scope survived UpdateConfigRule"


def test_a_rule_deletion_racing_change_triggered_evaluation(server, fresh_account):
    """The same race with DeleteConfigRules: no result computed for the deleted rule may land
    after the deletion (it would be listed without a rule and counted by GetComplianceSummary)."""
    client = make_client("v3", server.endpoint, fresh_account)
    rule_id = rule_created_first(client, READ_RULE, "deleted during a batch")
    marker = rule_created_first(client, EIP_RULE, "marker")
    put(client, [resource(f"b-{n:03d}", region="cn-hangzhou", Configuration=PUBLIC) for n in range(500)])
    time.sleep(0.03)
    call(client, "DeleteConfigRules", ConfigRuleIds=rule_id)
    put(client, [resource("eip-1", EIP, Configuration={"Bandwidth": 50})])  # evaluated in a later batch
    wait_for_verdicts(client, marker, {"eip-1": "COMPLIANT"})
    orphans = [r for r in all_results(client) if qualifier(r)["ConfigRuleId"] == rule_id]
    summary = call(client, "GetComplianceSummary")["ComplianceSummary"]["ComplianceSummaryByResource"]
    assert not orphans, f"{len(orphans)} results of the deleted rule {rule_id} were written after DeleteConfigRules"
    assert summary["NonCompliantCount"] == 0


# --- managed rules on their catalogue test configurations ---------------------------------


def catalogue_cases() -> list[tuple[str, dict, list[tuple[str, dict, str]]]]:
    """(identifier, InputParameters, [(resource id, configuration, expected)]) for every
    parameter set the catalogue tests of the timeless managed rules use."""
    cases = []
    for rule in filter(timeless, CATALOGUE):
        groups: dict[str, list] = collections.defaultdict(list)
        for n, test in enumerate(rule["tests"]):
            groups[json.dumps(test.get("parameters") or {}, sort_keys=True)].append(
                (f"{rule['identifier']}-{n}", test["configuration"], test["expected"]))
        cases += [(rule["identifier"], json.loads(params), tests) for params, tests in groups.items()]
    return cases


#: A sample of managed rules run as real rules (all of them run in the pre-evaluation test).
LIVE_RULES = ["eip-bandwidth-limit", "oss-bucket-referer-limit", "ecs-snapshot-retention-days", "ram-user-mfa-check",
              "vswitch-available-ip-count", "ecs-security-group-risky-ports-check-with-protocol", "oss-bucket-versioning-enabled",
              "slb-listener-https-enabled", "rds-instances-in-vpc", "ack-cluster-encryption-enabled"]


def evaluate_catalogue_cases(client, cases) -> None:
    """Stores each case's test configurations as resources of the rule's first type, creates
    one rule per case with the case's InputParameters and ResourceIdsScope = its resources,
    and checks every verdict."""
    spec = {r["identifier"]: r for r in CATALOGUE}
    resources = {}
    for identifier, _, tests in cases:
        for resource_id, configuration, _ in tests:
            resources[resource_id] = resource(resource_id, spec[identifier]["resourceTypes"][0], Configuration=configuration)
    items = list(resources.values())
    for start in range(0, len(items), 1000):
        put(client, items[start:start + 1000])
    expected = {}
    for n, (identifier, params, tests) in enumerate(cases):
        rule_id = create_managed(client, identifier, f"{identifier} {n}", InputParameters=params or None,
                                 ResourceIdsScope=[t[0] for t in tests])
        expected[rule_id] = ({t[0]: t[2] for t in tests}, identifier, params)
    for rule_id, (wanted, identifier, params) in expected.items():
        wait_until_evaluated(client, rule_id)
        assert rule_verdicts(client, rule_id) == wanted, (identifier, params)


def test_managed_rules_evaluate_their_test_configurations(account_client):
    """A sample of managed rules, with and without InputParameters, through every client kind."""
    cases = [case for case in catalogue_cases() if case[0] in LIVE_RULES]
    assert {case[0] for case in cases} == set(LIVE_RULES)
    assert any(params for _, params, _ in cases)
    evaluate_catalogue_cases(account_client, cases)


def test_every_timeless_managed_rule_evaluates_its_test_configurations(server, fresh_account):
    """The whole catalogue (but rules that count days or read related resources), once,
    through the V3 SDK."""
    cases = catalogue_cases()
    assert len({case[0] for case in cases}) >= 100
    evaluate_catalogue_cases(make_client("v3", server.endpoint, fresh_account), cases)


# --- condition rules ----------------------------------------------------------------------

SIZE_AND_COLOUR = {"operator": "and", "children": [
    {"featurePath": "$.Size", "operator": "GreaterOrEquals", "desired": 10},
    {"operator": "or", "children": [
        {"featurePath": "$.Colour", "operator": "StringIn", "desired": ["red", "blue"]},
        {"featurePath": "$.Labels", "operator": "Contains", "desired": "vip", "ifMissing": "NON_COMPLIANT"},
    ]},
]}


SLB = "ACS::SLB::LoadBalancer"
ECS = "ACS::ECS::Instance"
MULTI_ZONE_RULE = "slb-all-listener-servers-multi-zone"


def load_balancer(lb_id: str, *servers: str) -> dict:
    backends = [{"ServerId": s, "Type": "ecs"} for s in servers]
    return resource(lb_id, SLB, Configuration={"MasterZoneId": "cn-hangzhou-h", "SlaveZoneId": "cn-hangzhou-i",
                                                "BackendServers": {"BackendServer": backends}})


def test_a_rule_reading_related_resources_reads_them_from_the_store(account_client):
    """The rule is created after the inventory, so its first evaluation reads every
    instance's backends from the store (in one query per page): live ones only, of this
    account only."""
    put(account_client, [
        resource("i-h1", ECS, Configuration={"InstanceId": "i-h1", "ZoneId": "cn-hangzhou-h"}),
        resource("i-h2", ECS, Configuration={"InstanceId": "i-h2", "ZoneId": "cn-hangzhou-h"}),
        resource("i-i1", ECS, Configuration={"InstanceId": "i-i1", "ZoneId": "cn-hangzhou-i"}),
        resource("i-gone", ECS, Configuration={"InstanceId": "i-gone", "ZoneId": "cn-hangzhou-i"}),
        load_balancer("lb-spread", "i-h1", "i-i1"),
        load_balancer("lb-one-zone", "i-h1", "i-h2"),
        load_balancer("lb-other-zone-deleted", "i-h1", "i-gone"),
    ])
    delete(account_client, ECS, ["i-gone"])
    rule_id = create_managed(account_client, MULTI_ZONE_RULE, "backends in two zones")
    wait_for_verdicts(account_client, rule_id, {"lb-spread": "COMPLIANT", "lb-one-zone": "NON_COMPLIANT",
                                                "lb-other-zone-deleted": "NON_COMPLIANT"})


def test_a_condition_rule_end_to_end(account_client):
    rule_id = create_condition(account_client, "size and colour", SIZE_AND_COLOUR, [WIDGET, GADGET], RiskLevel=1,
                               Description="big and red or blue, or a VIP")
    sized = create_condition(account_client, "size only", {"featurePath": "$.Size", "operator": "GreaterOrEquals", "desired": 10,
                                                           "ifMissing": "NOT_APPLICABLE"}, [WIDGET])
    wait_until_evaluated(account_client, rule_id)
    wait_until_evaluated(account_client, sized)
    put(account_client, [
        resource("w-ok", WIDGET, Configuration={"Size": 12, "Colour": "red"}),
        resource("w-small", WIDGET, Configuration={"Size": 3, "Colour": "blue"}),
        resource("w-green", WIDGET, Configuration={"Size": 20, "Colour": "green"}),
        resource("w-vip", WIDGET, Configuration={"Size": 20, "Colour": "green", "Labels": ["vip", "new"]}),
        resource("w-nosize", WIDGET, Configuration={"Colour": "red"}),
        resource("g-1", GADGET, Configuration={"Size": 10, "Colour": "blue"}),
        resource("b-1", OSS_BUCKET, Configuration={"Size": 10, "Colour": "blue"}),  # not in scope
    ])
    wait_for_verdicts(account_client, sized, {"w-ok": "COMPLIANT", "w-small": "NON_COMPLIANT", "w-green": "COMPLIANT",
                                              "w-vip": "COMPLIANT", "w-nosize": "NOT_APPLICABLE"})
    found = wait_for(lambda: rule_verdicts(account_client, rule_id), lambda v: len(v) == 6, "six results")
    assert {k: v for k, v in found.items() if k != "w-nosize"} == {
        "w-ok": "COMPLIANT", "w-small": "NON_COMPLIANT", "w-green": "NON_COMPLIANT", "w-vip": "COMPLIANT", "g-1": "COMPLIANT"}
    assert found["w-nosize"] in ("NON_COMPLIANT", "INSUFFICIENT_DATA"), "a missing Size does not pass GreaterOrEquals"
    results = by_resource(all_results(account_client, ConfigRuleId=rule_id))
    annotation = json.loads(results["w-green"]["Annotation"])
    assert annotation["reason"] and "$.Colour" in json.dumps(annotation), annotation
    assert {r["RiskLevel"] for r in results.values()} == {1}

    raw = account_client.call_untyped("GetConfigRule", ConfigRuleId=rule_id)["ConfigRule"]
    assert json.loads(raw["Conditions"]) == SIZE_AND_COLOUR
    assert raw["Source"] == {"Identifier": "size and colour", "Owner": "CUSTOM_CONFIGURATION",
                             "SourceDetails": [{"EventSource": "aliyun.config", "MaximumExecutionFrequency": "TwentyFour_Hours", "MessageType": CHANGE}]}
    assert sorted(raw["Scope"]["ComplianceResourceTypes"]) == sorted([WIDGET, GADGET])

    # A new condition re-evaluates every resource in scope.
    call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id,
         Conditions=json.dumps({"featurePath": "$.Size", "operator": "Greater", "desired": 2, "ifMissing": "COMPLIANT"}))
    wait_for_verdicts(account_client, rule_id, {"w-ok": "COMPLIANT", "w-small": "COMPLIANT", "w-green": "COMPLIANT",
                                                "w-vip": "COMPLIANT", "w-nosize": "COMPLIANT", "g-1": "COMPLIANT"})


# --- CUSTOM_FC and PutEvaluations ---------------------------------------------------------


def evaluation(resource_id: str, compliance: str, **fields) -> dict:
    return {"complianceResourceId": resource_id, "complianceResourceType": OSS_BUCKET, "complianceType": compliance, **fields}


def test_put_evaluations_feeds_a_custom_fc_rule(account_client, fresh_account):
    fc = create_fc(account_client, RiskLevel=1)
    marker = rule_created_first(account_client, READ_RULE, "marker")
    put(account_client, [resource("b-1", Configuration=PUBLIC), resource("b-2", Configuration=PUBLIC),
                         resource("b-3", region="cn-shanghai", Configuration=PUBLIC, ResourceGroupId="rg-9")])
    wait_for_verdicts(account_client, marker, dict.fromkeys(["b-1", "b-2", "b-3"], "NON_COMPLIANT"))
    assert rule_verdicts(account_client, fc) == {}, "confpack does not evaluate a CUSTOM_FC rule itself"
    token = result_token(account_client, fc)
    assert re.fullmatch(r"rt-[0-9a-f]{32}", token), token

    ordering = int(time.time() * 1000) - 60_000
    assert call(account_client, "PutEvaluations", ResultToken=token, Evaluations=json.dumps([
        evaluation("b-1", "NON_COMPLIANT", annotation="bucket is world-readable", orderingTimestamp=ordering),
        evaluation("b-2", "COMPLIANT", accountId=fresh_account.account_id),
        evaluation("b-3", "NOT_APPLICABLE"),
        evaluation("x-unknown", "COMPLIANT", complianceRegionId="cn-beijing"),
    ]))["Result"] is True
    assert rule_verdicts(account_client, fc) == {"b-1": "NON_COMPLIANT", "b-2": "COMPLIANT", "b-3": "NOT_APPLICABLE", "x-unknown": "COMPLIANT"}
    results = by_resource(all_results(account_client, ConfigRuleId=fc))
    assert json.loads(results["b-1"]["Annotation"]) == {"reason": "bucket is world-readable"}
    assert results["b-1"]["EvaluationResultIdentifier"]["OrderingTimestamp"] == ordering
    assert results["b-1"]["RiskLevel"] == 1
    assert qualifier(results["b-3"])["RegionId"] == "cn-shanghai", "region of the stored resource"
    assert qualifier(results["b-3"])["ResourceGroupId"] == "rg-9"
    assert qualifier(results["x-unknown"])["RegionId"] == "cn-beijing"
    assert get_rule(account_client, fc)["Compliance"] == {"ComplianceType": "NON_COMPLIANT", "Count": 1}

    call(account_client, "PutEvaluations", ResultToken=token, Evaluations=json.dumps([evaluation("b-1", "COMPLIANT")]))
    assert rule_verdicts(account_client, fc)["b-1"] == "COMPLIANT", "a later evaluation replaces the result"
    assert by_resource(all_results(account_client, ConfigRuleId=fc))["b-1"]["LastCompliantFixedTimestamp"]

    # DeleteMode: the call's evaluations are the rule's whole result set.
    call(account_client, "PutEvaluations", ResultToken=token, DeleteMode=True, Evaluations=json.dumps([evaluation("b-2", "NON_COMPLIANT")]))
    assert rule_verdicts(account_client, fc) == {"b-2": "NON_COMPLIANT"}
    call(account_client, "PutEvaluations", ResultToken=token, DeleteMode=False, Evaluations=json.dumps([evaluation("b-1", "COMPLIANT")]))
    assert rule_verdicts(account_client, fc) == {"b-1": "COMPLIANT", "b-2": "NON_COMPLIANT"}
    call(account_client, "PutEvaluations", ResultToken=token, DeleteMode=True, Evaluations="[]")
    assert rule_verdicts(account_client, fc) == {}
    assert rule_verdicts(account_client, marker) == dict.fromkeys(["b-1", "b-2", "b-3"], "NON_COMPLIANT"), "other rules untouched"

    # A change of a resource does not make confpack evaluate the CUSTOM_FC rule either.
    put(account_client, [resource("b-1", Configuration=PRIVATE)])
    wait_for(lambda: rule_verdicts(account_client, marker).get("b-1"), lambda v: v == "COMPLIANT", "b-1 re-evaluated")
    assert rule_verdicts(account_client, fc) == {}


def test_put_evaluations_errors(account_client, fresh_account):
    fc = create_fc(account_client)
    token = result_token(account_client, fc)
    good = json.dumps([evaluation("b-1", "COMPLIANT")])
    failure = error(account_client, "PutEvaluations", ResultToken="rt-00000000000000000000000000000000", Evaluations=good)
    assert (failure.status, failure.code) == (400, "Invalid.ResultToken.Value") and "GetConfigRule" in failure.message
    failure = error(account_client, "PutEvaluations", Evaluations=good)
    assert (failure.status, failure.code) == (400, "MissingParameter") and "ResultToken" in failure.message
    for evaluations, named in [
        ("not json", "Evaluations"),
        (json.dumps([evaluation("b-1", "MAYBE")]), "Evaluations[0].complianceType"),
        (json.dumps([evaluation("b-1", "COMPLIANT"), {"complianceResourceType": OSS_BUCKET, "complianceType": "COMPLIANT"}]),
         "Evaluations[1].complianceResourceId"),
        (json.dumps([evaluation("b-1", "COMPLIANT", accountId=fresh_account.account_id + 1)]), "Evaluations[0].accountId"),
    ]:
        failure = error(account_client, "PutEvaluations", ResultToken=token, Evaluations=evaluations)
        assert (failure.status, failure.code) == (400, "InvalidParameter") and named in failure.message, (named, failure.message)
    assert rule_verdicts(account_client, fc) == {}, "a refused call writes nothing"

    call(account_client, "DeleteConfigRules", ConfigRuleIds=fc)
    failure = error(account_client, "PutEvaluations", ResultToken=token, Evaluations=good)
    assert failure.code == "Invalid.ResultToken.Value", "the token dies with its rule"


# --- ignore and revert --------------------------------------------------------------------


def test_ignore_until_a_date_and_revert(account_client, fresh_account):
    rule_id = rule_created_first(account_client, READ_RULE, "ignorable")
    put(account_client, [resource(f"b-{n}", Configuration=PUBLIC) for n in (1, 2, 3)])
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT", "b-2": "NON_COMPLIANT", "b-3": "NON_COMPLIANT"})

    def key(resource_id):
        return resource_key(fresh_account.account_id, OSS_BUCKET, resource_id, "cn-hangzhou")

    yesterday, later = (utc_today() - datetime.timedelta(days=1)).isoformat(), (utc_today() + datetime.timedelta(days=30)).isoformat()
    call(account_client, "IgnoreEvaluationResults", ConfigRuleId=rule_id, IgnoreDate=yesterday, Reason="expired already", Resources=[key("b-1")])
    assert rule_verdicts(account_client, rule_id)["b-1"] == "NON_COMPLIANT", "an ignore whose date has passed does not hold"

    assert set(call(account_client, "IgnoreEvaluationResults", ConfigRuleId=rule_id, IgnoreDate=later, Reason="accepted risk",
                    Resources=[key("b-1"), key("b-2")])) == {"RequestId"}
    assert rule_verdicts(account_client, rule_id) == {"b-1": "IGNORED", "b-2": "IGNORED", "b-3": "NON_COMPLIANT"}
    ignored = all_results(account_client, ConfigRuleId=rule_id, ComplianceType="IGNORED")
    assert sorted(qualifier(r)["ResourceId"] for r in ignored) == ["b-1", "b-2"]
    assert {qualifier(r)["IgnoreDate"] for r in ignored} == {later}
    assert verdicts(all_results(account_client, ConfigRuleId=rule_id, ComplianceType="NON_COMPLIANT")) == {"b-3": "NON_COMPLIANT"}
    assert get_rule(account_client, rule_id)["Compliance"] == {"ComplianceType": "NON_COMPLIANT", "Count": 1}, "ignored results do not count"
    counts = call(account_client, "GetResourceComplianceByConfigRule", ConfigRuleId=rule_id)["ComplianceResult"]
    assert {c["ComplianceType"]: c["Count"] for c in counts["Compliances"]} == {"IGNORED": 2, "NON_COMPLIANT": 1} and counts["TotalCount"] == 3
    only = call(account_client, "GetResourceComplianceByConfigRule", ConfigRuleId=rule_id, ComplianceType="IGNORED")["ComplianceResult"]
    assert only == {"Compliances": [{"ComplianceType": "IGNORED", "Count": 2}], "TotalCount": 2}
    by_b1 = call(account_client, "ListResourceEvaluationResults", ResourceId="b-1")["EvaluationResults"]["EvaluationResultList"]
    assert [r["ComplianceType"] for r in by_b1] == ["IGNORED"]

    # A re-evaluation after a change keeps the ignore; b-3's new verdict shows the change was evaluated.
    put(account_client, [resource("b-1", Configuration={**PUBLIC, "Comment": "changed"}), resource("b-3", Configuration=PRIVATE)])
    wait_for(lambda: rule_verdicts(account_client, rule_id).get("b-3"), lambda v: v == "COMPLIANT", "b-3 re-evaluated")
    assert rule_verdicts(account_client, rule_id) == {"b-1": "IGNORED", "b-2": "IGNORED", "b-3": "COMPLIANT"}

    assert set(call(account_client, "RevertEvaluationResults", ConfigRuleId=rule_id, Resources=[key("b-1")])) == {"RequestId"}
    assert rule_verdicts(account_client, rule_id) == {"b-1": "NON_COMPLIANT", "b-2": "IGNORED", "b-3": "COMPLIANT"}
    assert qualifier(by_resource(all_results(account_client, ConfigRuleId=rule_id))["b-1"])["IgnoreDate"] == ""
    wait_until_evaluated(account_client, rule_id)  # Revert re-evaluates the rule

    # Without IgnoreDate the ignore holds until reverted; RevertEvaluation=true lifts every ignore.
    call(account_client, "IgnoreEvaluationResults", ConfigRuleId=rule_id, Resources=[key("b-3")])
    assert rule_verdicts(account_client, rule_id) == {"b-1": "NON_COMPLIANT", "b-2": "IGNORED", "b-3": "IGNORED"}
    call(account_client, "StartConfigRuleEvaluation", ConfigRuleId=rule_id, RevertEvaluation=True)
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT", "b-2": "NON_COMPLIANT", "b-3": "COMPLIANT"})


def test_ignore_errors(account_client, fresh_account):
    rule_id = create_managed(account_client, READ_RULE, "ignore errors")
    own = resource_key(fresh_account.account_id, OSS_BUCKET, "b-1", "cn-hangzhou")
    cases = [
        ({"ConfigRuleId": "cr-00000000000000000000", "Resources": [own]}, "ConfigRuleNotExists", "cr-00000000000000000000"),
        ({"Resources": [own]}, "MissingParameter", "ConfigRuleId"),
        ({"ConfigRuleId": rule_id}, "MissingParameter", "Resources"),
        ({"ConfigRuleId": rule_id, "Resources": [{k: v for k, v in own.items() if k != "Region"}]}, "MissingParameter", "Resources.1.Region"),
        ({"ConfigRuleId": rule_id, "Resources": [own, {**own, "ResourceAccountId": fresh_account.account_id + 1}]},
         "InvalidParameter", "Resources.2.ResourceAccountId"),
        ({"ConfigRuleId": rule_id, "Resources": [own], "IgnoreDate": "31/12/2030"}, "InvalidParameter", "IgnoreDate"),
    ]
    for params, code, named in cases:
        failure = error(account_client, "IgnoreEvaluationResults", **params)
        assert (failure.status, failure.code) == (400, code) and named in failure.message, (params, failure)
    for params, code, named in cases[:5]:
        failure = error(account_client, "RevertEvaluationResults", **params)
        assert (failure.status, failure.code) == (400, code) and named in failure.message, (params, failure)


def test_an_impossible_ignore_date_is_refused(account_client, fresh_account):
    rule_id = create_managed(account_client, READ_RULE, "impossible date")
    own = resource_key(fresh_account.account_id, OSS_BUCKET, "b-1", "cn-hangzhou")
    failure = error(account_client, "IgnoreEvaluationResults", ConfigRuleId=rule_id, Resources=[own], IgnoreDate="2030-02-30")
    assert (failure.status, failure.code) == (400, "InvalidParameter") and "IgnoreDate" in failure.message


# --- paging -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paging_account(server):
    """Two rules over 23 buckets (46 results) and a third rule on one bucket only."""
    credentials = server.create_account(f"result-pages-{uuid.uuid4().hex[:8]}")
    client = make_client("v3", server.endpoint, credentials)
    read = create_managed(client, READ_RULE, "public read")
    versioned = create_condition(client, "versioned", {"featurePath": "$.Versioning", "operator": "StringEquals", "desired": "Enabled", "ifMissing": "NON_COMPLIANT"}, [OSS_BUCKET])
    third = create_managed(client, "oss-bucket-logging-enabled", "logging", ResourceIdsScope=["b-07"])
    buckets = [resource(f"b-{n:02d}", region="cn-hangzhou" if n % 3 else "cn-shanghai",
                        Configuration={**(PUBLIC if n % 2 else PRIVATE), **({"Versioning": "Enabled"} if n % 4 else {})}) for n in range(23)]
    put(client, buckets)
    for rule_id, count in ((read, 23), (versioned, 23), (third, 1)):
        wait_for(lambda: len(rule_verdicts(client, rule_id)), lambda n: n == count, f"{count} results of {rule_id}")
    expected = sorted((r, OSS_BUCKET, f"b-{n:02d}") for r in (read, versioned) for n in range(23))
    expected = sorted(expected + [(third, OSS_BUCKET, "b-07")])
    return credentials, expected, (read, versioned, third)


def walk(client, action: str, sizes, **filters) -> list[dict]:
    items, token = [], None
    for size in itertools.cycle(sizes):
        body = call(client, action, MaxResults=size, NextToken=token, **filters)["EvaluationResults"]
        assert body["MaxResults"] == size
        page = body.get("EvaluationResultList") or []
        items += page
        token = body.get("NextToken")
        if not token:
            assert len(page) <= size
            return items
        assert len(page) == size, "only the last page may be short"
        assert len(items) < 1000, "paging does not end"
    raise AssertionError("unreachable")


def keys(results: list[dict]) -> list[tuple[str, str, str]]:
    return [(qualifier(r)["ConfigRuleId"], qualifier(r)["ResourceType"], qualifier(r)["ResourceId"]) for r in results]


@pytest.mark.parametrize("sizes", [[7], [1, 2, 50], [47], [100]], ids=["7", "1-2-50", "47", "100"])
def test_result_pages_have_no_duplicates_and_no_gaps(server, paging_account, client_kind, sizes):
    credentials, expected, _ = paging_account
    client = make_client(client_kind, server.endpoint, credentials)
    seen = keys(walk(client, "ListConfigRuleEvaluationResults", sizes))
    assert len(seen) == len(set(seen)) == 47, "no duplicates"
    assert seen == expected, "every result once, in (rule, type, id) order"


def test_result_pages_with_filters(server, paging_account, client_kind):
    credentials, expected, (read, versioned, third) = paging_account
    client = make_client(client_kind, server.endpoint, credentials)
    every = walk(client, "ListConfigRuleEvaluationResults", [100])
    for filters, keep in [
        ({"ComplianceType": "NON_COMPLIANT"}, lambda r: r["ComplianceType"] == "NON_COMPLIANT"),
        ({"ConfigRuleId": versioned}, lambda r: qualifier(r)["ConfigRuleId"] == versioned),
        ({"ConfigRuleId": read, "ComplianceType": "COMPLIANT"},
         lambda r: qualifier(r)["ConfigRuleId"] == read and r["ComplianceType"] == "COMPLIANT"),
        ({"Regions": "cn-shanghai"}, lambda r: qualifier(r)["RegionId"] == "cn-shanghai"),
        ({"ResourceTypes": OSS_BUCKET}, lambda r: True),
        ({"ResourceTypes": WIDGET}, lambda r: False),
    ]:
        wanted = keys([r for r in every if keep(r)])
        assert wanted or filters == {"ResourceTypes": WIDGET}
        assert keys(walk(client, "ListConfigRuleEvaluationResults", [4], **filters)) == wanted, filters
    assert len(keys(walk(client, "ListConfigRuleEvaluationResults", [3], ComplianceType="NON_COMPLIANT"))) == \
        sum(r["ComplianceType"] == "NON_COMPLIANT" for r in every)

    by_resource_pages = walk(client, "ListResourceEvaluationResults", [1], ResourceId="b-07")
    assert sorted(qualifier(r)["ConfigRuleId"] for r in by_resource_pages) == sorted([read, versioned, third])
    assert len(walk(client, "ListResourceEvaluationResults", [2], ResourceId="b-07", ComplianceType="NON_COMPLIANT")) == \
        sum(r["ComplianceType"] == "NON_COMPLIANT" for r in by_resource_pages)
    assert walk(client, "ListResourceEvaluationResults", [10], ResourceId="b-07", ResourceType=WIDGET) == []

    default = results_page(client)
    assert default["MaxResults"] == 10 and len(default["EvaluationResultList"]) == 10 and default["NextToken"]


def test_result_paging_errors(server, paging_account, client_kind):
    client = make_client(client_kind, server.endpoint, paging_account[0])
    for params, named in [({"MaxResults": 0}, "MaxResults"), ({"MaxResults": 101}, "MaxResults"),
                          ({"MaxResults": 5, "NextToken": "garbage"}, "NextToken"),
                          ({"MaxResults": 5, "ComplianceType": "BOGUS"}, "ComplianceType")]:
        failure = error(client, "ListConfigRuleEvaluationResults", **params)
        assert (failure.status, failure.code) == (400, "InvalidParameter") and named in failure.message, params
    failure = error(client, "ListConfigRuleEvaluationResults", ConfigRuleId="cr-00000000000000000000")
    assert (failure.status, failure.code) == (400, "ConfigRuleNotExists")
    failure = error(client, "ListConfigRuleEvaluationResults", CompliancePackId="cp-00000000000000000000")
    assert (failure.status, failure.code) == (400, "Invalid.CompliancePackId.Value")
    failure = error(client, "ListResourceEvaluationResults", MaxResults=5)
    assert (failure.status, failure.code) == (400, "MissingParameter") and "ResourceId" in failure.message


def test_compliance_timeline_pages(account_client):
    rule_id = rule_created_first(account_client, READ_RULE, "flip-flop")
    grants = ["public-read", "private", "public-read-write", "private", "public-read"]
    for n, grant in enumerate(grants):
        put(account_client, [resource("b-1", Configuration={"AccessControlList": {"Grant": grant}})])
        wanted = "COMPLIANT" if grant == "private" else "NON_COMPLIANT"
        wait_for(lambda: all_results(account_client, ConfigRuleId=rule_id), lambda r: len(r) == 1 and r[0]["ComplianceType"] == wanted
                 and json.loads(r[0]["Annotation"] or "{}").get("configuration", grant) == grant, f"evaluation {n}")
    items, token = [], None
    for _ in range(10):
        line = call(account_client, "GetResourceComplianceTimeline", ResourceType=OSS_BUCKET, ResourceId="b-1", Region="cn-hangzhou",
                    MaxResults=1, NextToken=token)["ResourceComplianceTimeline"]
        assert line["MaxResults"] == 1 and len(line["ComplianceList"]) <= 1
        items += line["ComplianceList"]
        token = line.get("NextToken")
        if not token:
            break
    diffs = [json.loads(i["ConfigurationDiff"])["flip-flop"] for i in items]
    assert diffs == [["COMPLIANT", "NON_COMPLIANT"], ["NON_COMPLIANT", "COMPLIANT"], ["COMPLIANT", "NON_COMPLIANT"],
                     ["NON_COMPLIANT", "COMPLIANT"], ["", "NON_COMPLIANT"]], "one page per change, newest first"
    captured = [i["CaptureTime"] for i in items]
    assert captured == sorted(captured, reverse=True)
    now = int(time.time() * 1000)
    windowed = call(account_client, "GetResourceComplianceTimeline", ResourceType=OSS_BUCKET, ResourceId="b-1", Region="cn-hangzhou",
                    StartTime=now - 86_400_000 * 2, EndTime=now - 86_400_000)["ResourceComplianceTimeline"]
    assert (windowed.get("ComplianceList") or []) == [], "nothing happened yesterday"
    failure = error(account_client, "GetResourceComplianceTimeline", ResourceType=OSS_BUCKET, ResourceId="b-1")
    assert (failure.status, failure.code) == (400, "MissingParameter") and "Region" in failure.message


# --- counters -----------------------------------------------------------------------------


def test_counters_agree_with_the_listed_results(account_client, fresh_account):
    read = rule_created_first(account_client, READ_RULE, "public read")  # risk 1
    versioned = create_condition(account_client, "versioned", {"featurePath": "$.Versioning", "operator": "StringEquals", "desired": "Enabled", "ifMissing": "NON_COMPLIANT"},
                                 [OSS_BUCKET], RiskLevel=2)
    eip = rule_created_first(account_client, EIP_RULE, "bandwidth")  # risk 3
    idle = create_condition(account_client, "no widgets", {"featurePath": "$.Size", "operator": "Greater", "desired": 1}, [WIDGET], RiskLevel=2)
    for rule_id in (versioned, idle):
        wait_until_evaluated(account_client, rule_id)
    put(account_client, [
        resource("b-1", Configuration={**PUBLIC, "Versioning": "Enabled"}),  # read NC, versioned C
        resource("b-2", Configuration=PRIVATE),  # read C, versioned NC (ignored below)
        resource("b-3", Configuration={**PRIVATE, "Versioning": "Enabled"}),  # C, C
        resource("eip-low", EIP, Configuration={"Bandwidth": 5}),  # NC
        resource("eip-ok", EIP, Configuration={"Bandwidth": 20}),  # C
    ])
    wait_for_verdicts(account_client, read, {"b-1": "NON_COMPLIANT", "b-2": "COMPLIANT", "b-3": "COMPLIANT"})
    wait_for_verdicts(account_client, versioned, {"b-1": "COMPLIANT", "b-2": "NON_COMPLIANT", "b-3": "COMPLIANT"})
    wait_for_verdicts(account_client, eip, {"eip-low": "NON_COMPLIANT", "eip-ok": "COMPLIANT"})
    call(account_client, "IgnoreEvaluationResults", ConfigRuleId=versioned,
         Resources=[resource_key(fresh_account.account_id, OSS_BUCKET, "b-2", "cn-hangzhou")])

    listed = all_results(account_client, page_size=3)
    risk = {rule_id: get_rule(account_client, rule_id)["RiskLevel"] for rule_id in (read, versioned, eip, idle)}
    assert risk == {read: 1, versioned: 2, eip: 3, idle: 2}
    per_rule = collections.defaultdict(collections.Counter)
    per_resource = collections.defaultdict(list)
    for r in listed:
        q = qualifier(r)
        per_rule[q["ConfigRuleId"]][r["ComplianceType"]] += 1
        per_resource[(q["ResourceType"], q["ResourceId"])].append((r["ComplianceType"], r["RiskLevel"]))
        assert r["RiskLevel"] == risk[q["ConfigRuleId"]]

    # GetResourceComplianceByConfigRule and GetConfigRule's Compliance, per rule.
    for rule_id in risk:
        body = call(account_client, "GetResourceComplianceByConfigRule", ConfigRuleId=rule_id)["ComplianceResult"]
        assert {c["ComplianceType"]: c["Count"] for c in body.get("Compliances") or []} == dict(per_rule[rule_id]), rule_id
        assert body["TotalCount"] == sum(per_rule[rule_id].values())
        counts = per_rule[rule_id]
        expected = (("NON_COMPLIANT", counts["NON_COMPLIANT"]) if counts["NON_COMPLIANT"] else
                    ("COMPLIANT", counts["COMPLIANT"]) if counts["COMPLIANT"] else ("INSUFFICIENT_DATA", 0))
        assert get_rule(account_client, rule_id)["Compliance"] == {"ComplianceType": expected[0], "Count": expected[1]}, rule_id
    assert dict(per_rule[versioned]) == {"COMPLIANT": 2, "IGNORED": 1} and per_rule[idle] == collections.Counter()

    # GetComplianceSummary: rules with some NON_COMPLIANT result; resources by their worst verdict.
    summary = call(account_client, "GetComplianceSummary")["ComplianceSummary"]
    by_rule, by_resource_summary = summary["ComplianceSummaryByConfigRule"], summary["ComplianceSummaryByResource"]
    non_compliant_rules = {rule_id for rule_id, c in per_rule.items() if c["NON_COMPLIANT"]}
    assert non_compliant_rules == {read, eip}
    # A rule is compliant when it has compliant results and no non-compliant one: the idle
    # rule, with no decided result, is neither.
    compliant_rules = {rule_id for rule_id in risk if rule_id not in non_compliant_rules and per_rule[rule_id]["COMPLIANT"]}
    assert compliant_rules == {versioned}
    assert (by_rule["TotalCount"], by_rule["NonCompliantCount"], by_rule["CompliantCount"]) == (4, 2, 1)
    worst = {k: min((level for t, level in v if t == "NON_COMPLIANT"), default=None) for k, v in per_resource.items()}
    compliant = {k for k, v in per_resource.items() if worst[k] is None and any(t == "COMPLIANT" for t, _ in v)}
    assert (by_resource_summary["TotalCount"], by_resource_summary["NonCompliantCount"], by_resource_summary["CompliantCount"]) == \
        (len(per_resource), sum(w is not None for w in worst.values()), len(compliant)) == (5, 2, 3)
    assert (by_resource_summary["HighRiskRuleNonCompliantResourceCount"], by_resource_summary["MediumRiskRuleNonCompliantResourceCount"],
            by_resource_summary["LowRiskRuleNonCompliantResourceCount"]) == tuple(list(worst.values()).count(n) for n in (1, 2, 3)) == (1, 0, 1)
    now = int(time.time() * 1000)
    assert now - 60_000 < by_rule["ComplianceSummaryTimestamp"] <= now

    # GetConfigRuleSummaryByRiskLevel: per level, active rules with NON_COMPLIANT results and
    # compliant ones.
    levels = {s["RiskLevel"]: (s["NonCompliantCount"], s["CompliantCount"])
              for s in call(account_client, "GetConfigRuleSummaryByRiskLevel")["ConfigRuleSummaries"]}
    assert levels == {level: (sum(risk[r] == level for r in non_compliant_rules), sum(risk[r] == level for r in compliant_rules))
                      for level in (1, 2, 3)} == {1: (1, 0), 2: (0, 1), 3: (1, 0)}


# --- previews -----------------------------------------------------------------------------


def test_pre_evaluation_agrees_with_the_catalogue_tests(client):
    """Every test configuration of every timeless managed rule, in one EvaluatePreConfigRules call."""
    items, expected = [], {}
    for rule in filter(timeless, CATALOGUE):
        for n, test in enumerate(rule["tests"]):
            logical_id = f"{rule['identifier']}#{n}"
            items.append({"ResourceLogicalId": logical_id, "ResourceType": rule["resourceTypes"][0],
                          "ResourceProperties": json.dumps(test["configuration"]),
                          "Rules": [{"Identifier": rule["identifier"], "InputParameters": json.dumps(test.get("parameters") or {})}]})
            expected[logical_id] = test["expected"]
    assert len(items) > 400
    found = call(client, "EvaluatePreConfigRules", ResourceEvaluateItems=items)["ResourceEvaluations"]
    assert [e["ResourceLogicalId"] for e in found] == [i["ResourceLogicalId"] for i in items]
    got = {e["ResourceLogicalId"]: e["Rules"][0]["ComplianceType"] for e in found}
    assert {k: v for k, v in got.items() if v != expected[k]} == {}, "verdicts differ from the catalogue tests"


def test_pre_evaluation_shapes_and_errors(client):
    public = json.dumps(PUBLIC)
    found = call(client, "EvaluatePreConfigRules", ResourceEvaluateItems=[
        {"ResourceLogicalId": "MyBucket", "ResourceType": "ALIYUN::OSS::Bucket", "ResourceProperties": public,
         "Rules": [{"Identifier": READ_RULE}, {"Identifier": EIP_RULE}]},
        {"ResourceLogicalId": "Everything", "ResourceType": OSS_BUCKET, "ResourceProperties": public},
    ])["ResourceEvaluations"]
    assert [(e["ResourceLogicalId"], e["ResourceType"]) for e in found] == [("MyBucket", "ALIYUN::OSS::Bucket"), ("Everything", OSS_BUCKET)]
    mine = {r["Identifier"]: r for r in found[0]["Rules"]}
    assert mine[READ_RULE]["ComplianceType"] == "NON_COMPLIANT" and json.loads(mine[READ_RULE]["Annotation"])["property"] == "$.AccessControlList.Grant"
    assert mine[EIP_RULE]["ComplianceType"] == "NOT_APPLICABLE" and EIP in json.loads(mine[EIP_RULE]["Annotation"])["reason"]
    assert {r["Identifier"] for r in found[1]["Rules"]} == {r["identifier"] for r in CATALOGUE if OSS_BUCKET in r["resourceTypes"]}, \
        "without Rules, every managed rule of the type"

    for items, code, named in [
        ([{"ResourceLogicalId": "X", "ResourceType": OSS_BUCKET, "ResourceProperties": public, "Rules": [{"Identifier": "no-such-managed-rule"}]}],
         "ManagedRuleNotExists", "no-such-managed-rule"),
        ([{"ResourceLogicalId": "X", "ResourceType": OSS_BUCKET, "ResourceProperties": "{not json"}], "InvalidParameter",
         "ResourceEvaluateItems.1.ResourceProperties"),
        ([{"ResourceLogicalId": "X", "ResourceType": OSS_BUCKET, "ResourceProperties": public}, {"ResourceLogicalId": "Y", "ResourceProperties": public}],
         "MissingParameter", "ResourceEvaluateItems.2.ResourceType"),
    ]:
        failure = error(client, "EvaluatePreConfigRules", ResourceEvaluateItems=items)
        assert (failure.status, failure.code) == (400, code) and named in failure.message, (named, failure)
    failure = error(client, "EvaluatePreConfigRules")
    assert (failure.status, failure.code) == (400, "MissingParameter") and "ResourceEvaluateItems" in failure.message


def test_list_pre_managed_rules(client):
    every = client.call_untyped("ListPreManagedRules", PageSize="100")
    assert every["TotalCount"] == len(CATALOGUE)
    oss = {r["identifier"] for r in CATALOGUE if OSS_BUCKET in r["resourceTypes"]}
    for types in ([OSS_BUCKET], ["ALIYUN::OSS::Bucket"]):
        body = call(client, "ListPreManagedRules", ResourceTypes=types, PageSize=100)
        listed = body["ManagedRules"]
        assert {r["Identifier"] for r in listed} == oss, types
        assert all(OSS_BUCKET in r["ResourceType"] for r in listed)
        assert all({"CompulsoryInputParameterDetails", "OptionalInputParameterDetails", "ConfigRuleName", "Description"} <= set(r) for r in listed)
    first = call(client, "ListPreManagedRules", ResourceTypes=[OSS_BUCKET], PageSize=5, PageNumber=1)
    second = call(client, "ListPreManagedRules", ResourceTypes=[OSS_BUCKET], PageSize=5, PageNumber=2)
    assert (second["PageNumber"], second["PageSize"]) == (2, 5)
    names = [r["Identifier"] for r in first["ManagedRules"] + second["ManagedRules"]]
    assert len(names) == len(set(names)) == 10 and set(names) <= oss
    assert call(client, "ListPreManagedRules", ResourceTypes=["ACS::Nope::Thing"]).get("ManagedRules") in (None, [])


# --- a resource's own compliance ----------------------------------------------------------


def test_get_discovered_resource_reports_compliance_when_asked(account_client):
    rule_id = rule_created_first(account_client, READ_RULE, "compliance option")
    put(account_client, [resource("b-open", Configuration=PUBLIC), resource("b-closed", Configuration=PRIVATE)])
    wait_for_verdicts(account_client, rule_id, {"b-open": "NON_COMPLIANT", "b-closed": "COMPLIANT"})
    assert get(account_client, OSS_BUCKET, "b-open", ComplianceOption=1)["ComplianceType"] == "NON_COMPLIANT"
    assert get(account_client, OSS_BUCKET, "b-closed", ComplianceOption=1)["ComplianceType"] == "COMPLIANT"
    assert "ComplianceType" not in get(account_client, OSS_BUCKET, "b-open")
