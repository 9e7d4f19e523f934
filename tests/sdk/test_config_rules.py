"""Config rules through every client kind: CreateConfigRule / GetConfigRule / UpdateConfigRule
/ ListConfigRules / DeleteConfigRules / ActiveConfigRules / DeactiveConfigRules /
StartConfigRuleEvaluation, the scope parameters (checked by which resources get results),
ClientToken idempotency, error codes, cross-account isolation, and the managed-rule
catalogue (ListManagedRules, GetManagedRule).

Every test works in an account of its own (`fresh_account`), or in one made per module for
the read-only scope data set."""

from __future__ import annotations

import glob
import json
import re
import time
import uuid

import pytest

from clients import make_client
from confpack_process import REPO_ROOT
from inventory import OSS_BUCKET, WIDGET, delete, put, resource
from rules import (
    ALIYUN, CHANGE, CUSTOM_CONFIGURATION, CUSTOM_FC, all_results, call, create_condition, create_managed, error,
    get_rule, list_rules, operate_items, rule_verdicts, wait_for, wait_for_verdicts, wait_until_evaluated,
)

PUBLIC = {"AccessControlList": {"Grant": "public-read"}}
PRIVATE = {"AccessControlList": {"Grant": "private"}}
#: Managed rule: a bucket is NON_COMPLIANT when its ACL grants public read.
READ_RULE = "oss-bucket-public-read-prohibited"
#: Managed rule with a parameter: an EIP is COMPLIANT when Bandwidth >= `bandwidth` (default 10).
EIP = "ACS::EIP::EipAddress"
EIP_RULE = "eip-bandwidth-limit"
RULE_ID = re.compile(r"cr-[0-9a-f]{20}")
#: The managed-rule catalogue as shipped.
CATALOGUE = [rule for path in sorted(glob.glob(str(REPO_ROOT / "crates/confpack-rules/data/managed_rules/*.json")))
             for rule in json.load(open(path, encoding="utf-8"))]


def now_ms() -> int:
    return int(time.time() * 1000)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- create, get, update ------------------------------------------------------------------


def test_a_managed_rule_with_parameters_is_created_evaluated_and_shown(account_client, fresh_account):
    before = now_ms()
    rule_id = create_managed(account_client, EIP_RULE, "eip at least 20", InputParameters={"bandwidth": "20"},
                             RiskLevel=3, Description="EIPs need 20 Mbit/s")
    assert RULE_ID.fullmatch(rule_id), rule_id
    # Resources after the rule's first evaluation: their results come from change-triggered
    # evaluation, and once they are all there no evaluation of the old rule is still on its way
    # (see test_rule_evaluation.py::test_a_rule_change_racing_change_triggered_evaluation).
    wait_until_evaluated(account_client, rule_id)
    put(account_client, [resource(f"eip-{bw}", EIP, Configuration={"Bandwidth": bw}) for bw in (5, 10, 25)])

    assert wait_for_verdicts(account_client, rule_id, {"eip-5": "NON_COMPLIANT", "eip-10": "NON_COMPLIANT", "eip-25": "COMPLIANT"})
    rule = wait_until_evaluated(account_client, rule_id)
    assert rule["ConfigRuleId"] == rule_id
    assert rule["ConfigRuleArn"] == f"acs:config::{fresh_account.account_id}:rule/{rule_id}"
    assert rule["AccountId"] == fresh_account.account_id
    assert rule["ConfigRuleName"] == "eip at least 20" and rule["Description"] == "EIPs need 20 Mbit/s"
    assert rule["ConfigRuleState"] == "ACTIVE"
    assert rule["RiskLevel"] == 3, "the given RiskLevel wins over the managed rule's"
    assert rule["InputParameters"] == {"bandwidth": "20"}
    assert rule["Source"]["Owner"] == ALIYUN and rule["Source"]["Identifier"] == EIP_RULE
    assert rule["ConfigRuleTriggerTypes"] == CHANGE
    assert rule["ResourceTypesScope"] == EIP and rule["Scope"]["ComplianceResourceTypes"] == [EIP]
    assert rule["ManagedRule"]["Identifier"] == EIP_RULE
    assert set(rule["ManagedRule"]["CompulsoryInputParameterDetails"]) == {"bandwidth"}
    assert all(d["EventSource"] == "aliyun.config" for d in rule["Source"]["SourceDetails"])
    assert before <= rule["CreateTimestamp"] <= now_ms()
    status = rule["ConfigRuleEvaluationStatus"]
    assert status["FirstEvaluationStarted"] is True
    assert rule["CreateTimestamp"] <= status["LastSuccessfulEvaluationTimestamp"] <= now_ms()
    listed = all_results(account_client, ConfigRuleId=rule_id)
    assert rule["Compliance"] == {"ComplianceType": "NON_COMPLIANT",
                                  "Count": sum(r["ComplianceType"] == "NON_COMPLIANT" for r in listed)} == {"ComplianceType": "NON_COMPLIANT", "Count": 2}
    assert {r["RiskLevel"] for r in listed} == {3}

    # A lower minimum makes every EIP compliant; the count follows.
    assert call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, InputParameters={"bandwidth": 5})["ConfigRuleId"] == rule_id
    wait_for_verdicts(account_client, rule_id, {"eip-5": "COMPLIANT", "eip-10": "COMPLIANT", "eip-25": "COMPLIANT"})
    updated = wait_until_evaluated(account_client, rule_id)
    assert updated["InputParameters"] == {"bandwidth": "5"}, "numbers are kept as their text"
    assert updated["Compliance"] == {"ComplianceType": "COMPLIANT", "Count": 3}
    assert updated["ModifiedTimestamp"] >= updated["CreateTimestamp"]
    assert (updated["ConfigRuleName"], updated["Description"], updated["RiskLevel"]) == ("eip at least 20", "EIPs need 20 Mbit/s", 3), \
        "fields not given keep their values"


def test_defaults_of_a_managed_rule(account_client):
    rule_id = create_managed(account_client, EIP_RULE, "defaults")
    rule = wait_until_evaluated(account_client, rule_id)
    assert rule["RiskLevel"] == 3, "the managed rule's risk level"
    assert rule["InputParameters"] == {}
    assert rule["Compliance"] == {"ComplianceType": "INSUFFICIENT_DATA", "Count": 0}, "nothing to evaluate yet"
    put(account_client, [resource("eip-9", EIP, Configuration={"Bandwidth": 9}), resource("eip-10", EIP, Configuration={"Bandwidth": 10})])
    wait_for_verdicts(account_client, rule_id, {"eip-9": "NON_COMPLIANT", "eip-10": "COMPLIANT"})  # default bandwidth 10


# --- scopes -------------------------------------------------------------------------------

#: The scope data set: OSS buckets, all public (so that every bucket in scope is NON_COMPLIANT).
SCOPE_BUCKETS = [
    resource("b-hz-prod", region="cn-hangzhou", ResourceGroupId="rg-a", Tags={"env": ["prod"], "team": ["x"]}),
    resource("b-hz-dev", region="cn-hangzhou", ResourceGroupId="rg-b", Tags={"env": ["dev"]}),
    resource("b-sh-prod", region="cn-shanghai", ResourceGroupId="rg-a", Tags={"env": ["prod"]}),
    resource("b-sh-none", region="cn-shanghai"),
    resource("b-bj-test", region="cn-beijing", ResourceGroupId="rg-b", Tags={"env": ["test"], "team": ["x"]}),
]
EVERY_BUCKET = {b["ResourceId"] for b in SCOPE_BUCKETS}

SCOPES = {
    "none": ({}, EVERY_BUCKET),
    "region": ({"RegionIdsScope": ["cn-hangzhou"]}, {"b-hz-prod", "b-hz-dev"}),
    "two-regions": ({"RegionIdsScope": ["cn-hangzhou", "cn-beijing"]}, {"b-hz-prod", "b-hz-dev", "b-bj-test"}),
    "resource-group": ({"ResourceGroupIdsScope": ["rg-a"]}, {"b-hz-prod", "b-sh-prod"}),
    "tag-key": ({"TagKeyScope": "env"}, {"b-hz-prod", "b-hz-dev", "b-sh-prod", "b-bj-test"}),
    "tag-key-and-value": ({"TagKeyScope": "env", "TagValueScope": "prod"}, {"b-hz-prod", "b-sh-prod"}),
    "tags-or": ({"TagsScope": [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "x"}]},
                {"b-hz-prod", "b-sh-prod", "b-bj-test"}),
    "tags-and": ({"TagsScope": [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "x"}], "TagKeyLogicScope": "AND"},
                 {"b-hz-prod"}),
    "exclude-tags": ({"ExcludeTagsScope": [{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "x"}]},
                     {"b-sh-prod", "b-sh-none"}),
    "exclude-resource-ids": ({"ExcludeResourceIdsScope": ["b-hz-prod", "b-sh-none"]}, {"b-hz-dev", "b-sh-prod", "b-bj-test"}),
    "resource-ids": ({"ResourceIdsScope": ["b-hz-dev", "b-bj-test"]}, {"b-hz-dev", "b-bj-test"}),
    "exclude-region": ({"ExcludeRegionIdsScope": ["cn-shanghai"]}, {"b-hz-prod", "b-hz-dev", "b-bj-test"}),
    "exclude-resource-group": ({"ExcludeResourceGroupIdsScope": ["rg-b"]}, {"b-hz-prod", "b-sh-prod", "b-sh-none"}),
    "resource-name": ({"ResourceNameScope": "prod"}, {"b-hz-prod", "b-sh-prod"}),
    "combined": ({"RegionIdsScope": ["cn-hangzhou", "cn-shanghai"], "TagKeyScope": "env", "ExcludeResourceIdsScope": ["b-hz-dev"]},
                 {"b-hz-prod", "b-sh-prod"}),
    "nothing": ({"RegionIdsScope": ["eu-central-1"]}, set()),
}

#: How GetConfigRule reports each scope parameter: lists as comma-joined text.
ECHOED_AS_TEXT = {"RegionIdsScope", "ResourceGroupIdsScope", "ResourceIdsScope", "ExcludeRegionIdsScope",
                  "ExcludeResourceGroupIdsScope", "ExcludeResourceIdsScope", "TagKeyScope", "TagValueScope",
                  "TagKeyLogicScope", "ResourceNameScope"}


@pytest.fixture(scope="module")
def scope_account(server):
    """An account holding the scope data set (only rules are added to it by the tests)."""
    credentials = server.create_account(unique("scopes"))
    put(make_client("v3", server.endpoint, credentials), [{**b, "Configuration": PUBLIC} for b in SCOPE_BUCKETS])
    return credentials


@pytest.mark.parametrize("case", SCOPES.values(), ids=SCOPES.keys())
def test_scope_selects_the_evaluated_resources(server, scope_account, client_kind, case):
    scope, expected = case
    client = make_client(client_kind, server.endpoint, scope_account)
    rule_id = create_managed(client, READ_RULE, unique("scope"), **scope)
    try:
        rule = wait_until_evaluated(client, rule_id)
        assert rule_verdicts(client, rule_id) == dict.fromkeys(expected, "NON_COMPLIANT")
        assert rule["Compliance"] == ({"ComplianceType": "NON_COMPLIANT", "Count": len(expected)} if expected
                                      else {"ComplianceType": "INSUFFICIENT_DATA", "Count": 0})
        for name, value in scope.items():
            shown = rule[name]
            if name in ECHOED_AS_TEXT:
                assert shown == (",".join(value) if isinstance(value, list) else value), name
            else:
                assert shown == value, name
    finally:
        call(client, "DeleteConfigRules", ConfigRuleIds=rule_id)


def test_resource_types_scope_narrows_a_rule_of_several_types(account_client):
    waf, waf3 = "ACS::WAF::Instance", "ACS::WAF3::Instance"
    put(account_client, [resource("waf-1", waf), resource("waf3-1", waf3)])
    every = create_managed(account_client, "waf-instance-logging-enabled", "both types")
    narrowed = create_managed(account_client, "waf-instance-logging-enabled", "waf3 only", ResourceTypesScope=[waf3])

    wait_for(lambda: set(rule_verdicts(account_client, every)), lambda ids: ids == {"waf-1", "waf3-1"}, "both WAF results")
    wait_until_evaluated(account_client, narrowed)
    assert set(rule_verdicts(account_client, narrowed)) == {"waf3-1"}
    rule = get_rule(account_client, narrowed)
    assert rule["ResourceTypesScope"] == waf3 and rule["Scope"]["ComplianceResourceTypes"] == [waf3]
    assert sorted(get_rule(account_client, every)["Scope"]["ComplianceResourceTypes"]) == sorted([waf, waf3])

    failure = error(account_client, "CreateConfigRule", SourceOwner=ALIYUN, SourceIdentifier=READ_RULE, ConfigRuleName="foreign",
                    ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=[waf3])
    assert (failure.status, failure.code) == (400, "InvalidParameter")
    assert "ResourceTypesScope" in failure.message and waf3 in failure.message, failure.message


def test_narrowing_the_scope_removes_results_of_resources_left_outside(account_client):
    rule_id = create_managed(account_client, READ_RULE, "narrowed later")
    wait_until_evaluated(account_client, rule_id)
    put(account_client, [resource("b-hz", region="cn-hangzhou", Configuration=PUBLIC),
                         resource("b-sh", region="cn-shanghai", Configuration=PUBLIC)])
    wait_for_verdicts(account_client, rule_id, {"b-hz": "NON_COMPLIANT", "b-sh": "NON_COMPLIANT"})

    call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, RegionIdsScope=["cn-shanghai"])
    wait_for_verdicts(account_client, rule_id, {"b-sh": "NON_COMPLIANT"})
    assert get_rule(account_client, rule_id)["RegionIdsScope"] == "cn-shanghai"

    call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, RegionIdsScope=[])
    wait_for_verdicts(account_client, rule_id, {"b-hz": "NON_COMPLIANT", "b-sh": "NON_COMPLIANT"})


def test_old_sdk_flat_resource_types_scope_on_a_condition_rule(server, fresh_account):
    client = make_client("old-sdk", server.endpoint, fresh_account)
    body = call(client, "CreateConfigRule", old_sdk_setters=True, SourceOwner=CUSTOM_CONFIGURATION, ConfigRuleName="flat",
                ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=[WIDGET],
                Conditions=json.dumps({"featurePath": "$.Size", "operator": "Greater", "desired": 1}))
    assert get_rule(client, body["ConfigRuleId"])["ResourceTypesScope"] == WIDGET


def test_old_sdk_flat_resource_types_scope_narrows_a_managed_rule(server, fresh_account):
    client = make_client("old-sdk", server.endpoint, fresh_account)
    put(client, [resource("waf-1", "ACS::WAF::Instance"), resource("waf3-1", "ACS::WAF3::Instance")])
    rule_id = call(client, "CreateConfigRule", old_sdk_setters=True, SourceOwner=ALIYUN, SourceIdentifier="waf-instance-logging-enabled",
                   ConfigRuleName="flat", ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=["ACS::WAF3::Instance"])["ConfigRuleId"]
    wait_until_evaluated(client, rule_id)
    assert set(rule_verdicts(client, rule_id)) == {"waf3-1"}


# --- errors -------------------------------------------------------------------------------


def create_error(client, **params):
    base = {"SourceOwner": ALIYUN, "SourceIdentifier": READ_RULE, "ConfigRuleName": unique("bad"), "ConfigRuleTriggerTypes": CHANGE}
    return error(client, "CreateConfigRule", **{**base, **params})


def condition_error(client, conditions):
    return create_error(client, SourceOwner=CUSTOM_CONFIGURATION, SourceIdentifier=None, ResourceTypesScope=[WIDGET],
                        Conditions=conditions if isinstance(conditions, str) else json.dumps(conditions))


MALFORMED_CONDITIONS = {
    "not-json": ("{featurePath: $.A", "not valid JSON"),
    "unknown-operator": ({"featurePath": "$.A", "operator": "Nope", "desired": "1"}, '"Nope"'),
    "group-operator": ({"operator": "xor", "children": [{"featurePath": "$.A", "operator": "IsEmpty"}]}, '"xor"'),
    "empty-group": ({"operator": "and", "children": []}, "no children"),
    "bad-path": ({"featurePath": "$..[", "operator": "StringEquals", "desired": "x"}, "featurePath"),
    "jayway-length": ({"featurePath": "$.Tags.length()", "operator": "Equals", "desired": 1}, "featurePath"),
    "missing-desired": ({"featurePath": "$.A", "operator": "StringEquals"}, "desired"),
    "not-an-object": ([1], "object"),
    "nested-bad-child": ({"operator": "or", "children": [{"featurePath": "$.A", "operator": "IsEmpty"},
                                                         {"featurePath": "$.B", "operator": "Bogus", "desired": 1}]}, "children[1]"),
}


@pytest.mark.parametrize("case", MALFORMED_CONDITIONS.values(), ids=MALFORMED_CONDITIONS.keys())
def test_malformed_conditions_are_refused(account_client, case):
    conditions, said = case
    failure = condition_error(account_client, conditions)
    assert (failure.status, failure.code) == (400, "Invalid.Conditions.Value")
    assert failure.message.startswith("The specified Conditions is invalid: ") and said in failure.message, failure.message
    assert list_rules(account_client)["TotalCount"] == 0, "nothing was created"


def test_create_errors(account_client):
    failure = create_error(account_client, SourceIdentifier="no-such-managed-rule")
    assert (failure.status, failure.code) == (400, "ManagedRuleNotExists")
    assert '"no-such-managed-rule"' in failure.message and "ListManagedRules" in failure.message, failure.message

    cases = [
        ({"SourceIdentifier": None}, "MissingParameter", "SourceIdentifier"),
        ({"ConfigRuleName": None}, "MissingParameter", "ConfigRuleName"),
        ({"SourceOwner": None}, "MissingParameter", "SourceOwner"),
        ({"SourceOwner": "SOMEONE"}, "InvalidParameter", "SourceOwner"),
        ({"RiskLevel": 4}, "InvalidParameter", "RiskLevel"),
        ({"MaximumExecutionFrequency": "Every_Minute"}, "InvalidParameter", "MaximumExecutionFrequency"),
        ({"ConfigRuleTriggerTypes": "WhenIFeelLikeIt"}, "InvalidParameter", "ConfigRuleTriggerTypes"),
        ({"InputParameters": {"nonsense": "1"}}, "InvalidParameter", "nonsense"),
        ({"ConfigRuleName": "n" * 129}, "InvalidParameter", "ConfigRuleName"),
        ({"Description": "d" * 501}, "InvalidParameter", "Description"),
        ({"TagValueScope": "prod"}, "InvalidParameter", "TagKeyScope"),
        ({"TagKeyLogicScope": "XOR"}, "InvalidParameter", "TagKeyLogicScope"),
        ({"ResourceTypesScope": ["not a type"]}, "InvalidParameter", "ResourceTypesScope"),
        ({"SourceOwner": CUSTOM_CONFIGURATION, "SourceIdentifier": None, "ResourceTypesScope": [WIDGET]}, "MissingParameter", "Conditions"),
        ({"SourceOwner": CUSTOM_CONFIGURATION, "SourceIdentifier": None, "Conditions": json.dumps({"featurePath": "$.A", "operator": "IsEmpty"})},
         "MissingParameter", "ResourceTypesScope"),
        ({"SourceOwner": CUSTOM_FC, "SourceIdentifier": "acs:fc:cn-hangzhou:1:services/s/functions/f"}, "MissingParameter", "ResourceTypesScope"),
    ]
    for params, code, named in cases:
        failure = create_error(account_client, **params)
        assert (failure.status, failure.code) == (400, code), (params, failure)
        assert named in failure.message, (params, failure.message)
    assert list_rules(account_client)["TotalCount"] == 0, "nothing was created"


def test_rule_names_are_unique_in_an_account(account_client):
    first = create_managed(account_client, READ_RULE, "taken")
    other = create_managed(account_client, EIP_RULE, "free")
    failure = create_error(account_client, ConfigRuleName="taken", SourceIdentifier=EIP_RULE)
    assert (failure.status, failure.code) == (400, "ConfigRuleExists") and '"taken"' in failure.message, failure.message
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId=other, ConfigRuleName="taken")
    assert (failure.status, failure.code) == (400, "ConfigRuleExists")
    assert get_rule(account_client, other)["ConfigRuleName"] == "free"
    assert list_rules(account_client)["TotalCount"] == 2
    call(account_client, "DeleteConfigRules", ConfigRuleIds=first)
    assert create_managed(account_client, EIP_RULE, "taken") != first, "a deleted rule's name is free again"


def test_update_errors(account_client):
    rule_id = create_managed(account_client, READ_RULE, "to update")
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId="cr-00000000000000000000", Description="x")
    assert (failure.status, failure.code) == (400, "ConfigRuleNotExists") and "cr-00000000000000000000" in failure.message
    failure = error(account_client, "UpdateConfigRule", Description="x")
    assert (failure.status, failure.code) == (400, "MissingParameter") and "ConfigRuleId" in failure.message
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, InputParameters={"days": "3"})
    assert (failure.status, failure.code) == (400, "InvalidParameter") and '"days"' in failure.message, failure.message
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, RiskLevel=0)
    assert (failure.status, failure.code) == (400, "InvalidParameter") and "RiskLevel" in failure.message
    condition = create_condition(account_client, "condition", {"featurePath": "$.Size", "operator": "Greater", "desired": 1}, [WIDGET])
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId=condition, Conditions='{"operator": "and"}')
    assert (failure.status, failure.code) == (400, "Invalid.Conditions.Value") and "no children" in failure.message, failure.message
    stored = account_client.call_untyped("GetConfigRule", ConfigRuleId=condition)["ConfigRule"]["Conditions"]  # an extension field
    assert json.loads(stored) == {"featurePath": "$.Size", "operator": "Greater", "desired": 1}, "a refused update changes nothing"


# --- ClientToken --------------------------------------------------------------------------


def test_client_token_replays_create(server, account_client):
    token = uuid.uuid4().hex
    params = {"InputParameters": {"bandwidth": "15"}, "RegionIdsScope": ["cn-hangzhou"], "ClientToken": token}
    first = create_managed(account_client, EIP_RULE, "idempotent", **params)
    again = create_managed(account_client, EIP_RULE, "idempotent", **params)
    assert again == first
    assert [r["ConfigRuleId"] for r in list_rules(account_client)["ConfigRuleList"]] == [first], "one rule only"

    failure = create_error(account_client, SourceIdentifier=EIP_RULE, ConfigRuleName="idempotent", ClientToken=token,
                           InputParameters={"bandwidth": "16"}, RegionIdsScope=["cn-hangzhou"])
    assert (failure.status, failure.code) == (400, "IdempotentParameterMismatch")
    assert "client token" in failure.message.lower(), failure.message
    failure = create_error(account_client, SourceIdentifier=EIP_RULE, ConfigRuleName="another name", ClientToken=token)
    assert failure.code == "IdempotentParameterMismatch"
    assert list_rules(account_client)["TotalCount"] == 1

    # The token belongs to its account: another account's identical request creates its own rule.
    other = make_client("v3", server.endpoint, server.create_account(unique("other")))
    theirs = create_managed(other, EIP_RULE, "idempotent", **params)
    assert theirs != first and list_rules(other)["TotalCount"] == 1


def test_a_failed_request_does_not_use_up_its_token(account_client):
    token = uuid.uuid4().hex
    failure = create_error(account_client, SourceIdentifier="no-such-managed-rule", ConfigRuleName="retry", ClientToken=token)
    assert failure.code == "ManagedRuleNotExists"
    rule_id = create_managed(account_client, READ_RULE, "retry", ClientToken=token)
    assert create_managed(account_client, READ_RULE, "retry", ClientToken=token) == rule_id
    assert list_rules(account_client)["TotalCount"] == 1


def test_client_token_replays_update(account_client):
    rule_id = create_managed(account_client, READ_RULE, "update me")
    token = uuid.uuid4().hex
    # Each update re-evaluates the rule; waiting for that keeps the evaluation's status write
    # from overwriting the next update (a server race, see rules.wait_for_verdicts).
    wait_until_evaluated(account_client, rule_id)
    assert call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, Description="first", ClientToken=token)["ConfigRuleId"] == rule_id
    wait_until_evaluated(account_client, rule_id)
    call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, Description="second")
    wait_until_evaluated(account_client, rule_id)
    replay = call(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, Description="first", ClientToken=token)
    assert replay["ConfigRuleId"] == rule_id
    assert get_rule(account_client, rule_id)["Description"] == "second", "the replay did not apply the update again"
    failure = error(account_client, "UpdateConfigRule", ConfigRuleId=rule_id, Description="third", ClientToken=token)
    assert (failure.status, failure.code) == (400, "IdempotentParameterMismatch")


# --- state, deletion ----------------------------------------------------------------------


def test_deactivate_activate_and_delete(account_client):
    rule_id = create_managed(account_client, READ_RULE, "lifecycle")
    marker = create_managed(account_client, EIP_RULE, "marker")  # stays active: shows when a change was evaluated
    wait_until_evaluated(account_client, rule_id)
    wait_until_evaluated(account_client, marker)
    put(account_client, [resource("b-1", Configuration=PUBLIC)])
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT"})
    missing = "cr-ffffffffffffffffffff"

    assert operate_items(call(account_client, "DeactiveConfigRules", ConfigRuleIds=f"{rule_id},{missing}")) == {
        rule_id: (True, ""), missing: (False, "ConfigRuleNotExists")}
    rule = get_rule(account_client, rule_id)
    assert rule["ConfigRuleState"] == "INACTIVE"
    assert rule_verdicts(account_client, rule_id) == {"b-1": "NON_COMPLIANT"}, "past results stay visible"
    assert operate_items(call(account_client, "DeactiveConfigRules", ConfigRuleIds=rule_id)) == {rule_id: (False, "ConfigRuleStatusNotActive")}
    failure = error(account_client, "StartConfigRuleEvaluation", ConfigRuleId=rule_id)
    assert (failure.status, failure.code) == (400, "ConfigRuleStatusNotActive") and rule_id in failure.message
    assert [r["ConfigRuleId"] for r in list_rules(account_client, ConfigRuleState="INACTIVE")["ConfigRuleList"]] == [rule_id]

    # An inactive rule does not evaluate changes.
    put(account_client, [resource("b-2", Configuration=PUBLIC), resource("eip-1", EIP, Configuration={"Bandwidth": 50})])
    wait_for_verdicts(account_client, marker, {"eip-1": "COMPLIANT"})
    assert rule_verdicts(account_client, rule_id) == {"b-1": "NON_COMPLIANT"}

    assert operate_items(call(account_client, "ActiveConfigRules", ConfigRuleIds=rule_id)) == {rule_id: (True, "")}
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT", "b-2": "NON_COMPLIANT"})
    assert operate_items(call(account_client, "ActiveConfigRules", ConfigRuleIds=rule_id)) == {rule_id: (False, "ConfigRuleStatusNotInActive")}
    assert wait_until_evaluated(account_client, rule_id)["ConfigRuleState"] == "ACTIVE"

    assert operate_items(call(account_client, "DeleteConfigRules", ConfigRuleIds=f"{missing},{rule_id}")) == {
        rule_id: (True, ""), missing: (False, "ConfigRuleNotExists")}
    failure = error(account_client, "GetConfigRule", ConfigRuleId=rule_id)
    assert (failure.status, failure.code) == (400, "ConfigRuleNotExists") and rule_id in failure.message
    assert all(r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ConfigRuleId"] == marker
               for r in all_results(account_client)), "the deleted rule's results are gone"
    assert operate_items(call(account_client, "DeleteConfigRules", ConfigRuleIds=rule_id)) == {rule_id: (False, "ConfigRuleNotExists")}
    assert [r["ConfigRuleId"] for r in list_rules(account_client)["ConfigRuleList"]] == [marker]


def test_batch_errors(account_client):
    ids = ",".join(f"cr-{n:020x}" for n in range(21))
    for action in ("DeleteConfigRules", "ActiveConfigRules", "DeactiveConfigRules"):
        failure = error(account_client, action, ConfigRuleIds=ids)
        assert (failure.status, failure.code) == (400, "Invalid.ConfigRuleIds.SizeExceed"), action
        assert "20" in failure.message and "21" in failure.message, failure.message
        failure = error(account_client, action)
        assert (failure.status, failure.code) == (400, "MissingParameter") and "ConfigRuleIds" in failure.message, action
    twenty = ",".join(f"cr-{n:020x}" for n in range(20))
    assert set(operate_items(call(account_client, "DeleteConfigRules", ConfigRuleIds=twenty)).values()) == {(False, "ConfigRuleNotExists")}

    failure = error(account_client, "StartConfigRuleEvaluation", ConfigRuleId="cr-00000000000000000000")
    assert (failure.status, failure.code) == (400, "ConfigRuleNotExists")
    failure = error(account_client, "StartConfigRuleEvaluation")
    assert (failure.status, failure.code) == (400, "MissingParameter") and "ConfigRuleId" in failure.message
    failure = error(account_client, "StartConfigRuleEvaluation", CompliancePackId="cp-00000000000000000000")
    assert (failure.status, failure.code) == (400, "Invalid.CompliancePackId.Value")
    failure = error(account_client, "ActiveConfigRules", CompliancePackId="cp-00000000000000000000")
    assert (failure.status, failure.code) == (400, "Invalid.CompliancePackId.Value")


def test_start_evaluation_evaluates_the_whole_scope_again(account_client):
    rule_id = create_managed(account_client, READ_RULE, "manual")
    wait_until_evaluated(account_client, rule_id)
    put(account_client, [resource("b-1", Configuration=PUBLIC)])
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT"})
    first = all_results(account_client, ConfigRuleId=rule_id)[0]
    assert call(account_client, "StartConfigRuleEvaluation", ConfigRuleId=rule_id)["Result"] is True
    again = wait_for(lambda: all_results(account_client, ConfigRuleId=rule_id)[0],
                     lambda r: r["ConfigRuleInvokedTimestamp"] > first["ConfigRuleInvokedTimestamp"], "a new evaluation")
    assert again["InvokingEventMessageType"] == "Manual" and again["ComplianceType"] == "NON_COMPLIANT"


# --- isolation ----------------------------------------------------------------------------


def test_another_account_cannot_see_or_touch_the_rule(server, account_client, fresh_account, client_kind):
    put(account_client, [resource("b-1", Configuration=PUBLIC)])
    rule_id = create_managed(account_client, READ_RULE, "mine")
    fc_id = call(account_client, "CreateConfigRule", SourceOwner=CUSTOM_FC, SourceIdentifier="acs:fc:cn-hangzhou:1:services/s/functions/f",
                 ConfigRuleName="mine too", ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=[OSS_BUCKET])["ConfigRuleId"]
    token = account_client.call_untyped("GetConfigRule", ConfigRuleId=fc_id)["ConfigRule"]["ResultToken"]
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT"})

    intruder = make_client(client_kind, server.endpoint, server.create_account(unique("intruder")))
    put(intruder, [resource("b-1", Configuration=PUBLIC)])  # the same resource key in the other account
    for action, params in [
        ("GetConfigRule", {"ConfigRuleId": rule_id}),
        ("UpdateConfigRule", {"ConfigRuleId": rule_id, "Description": "hijacked"}),
        ("StartConfigRuleEvaluation", {"ConfigRuleId": rule_id}),
        ("ListConfigRuleEvaluationResults", {"ConfigRuleId": rule_id}),
        ("GetResourceComplianceByConfigRule", {"ConfigRuleId": rule_id}),
        ("IgnoreEvaluationResults", {"ConfigRuleId": rule_id, "Resources": [
            {"ResourceAccountId": fresh_account.account_id, "Region": "cn-hangzhou", "ResourceType": OSS_BUCKET, "ResourceId": "b-1"}]}),
    ]:
        failure = error(intruder, action, **params)
        assert (failure.status, failure.code) == (400, "ConfigRuleNotExists"), (action, failure)
    for action in ("DeleteConfigRules", "DeactiveConfigRules", "ActiveConfigRules"):
        assert operate_items(call(intruder, action, ConfigRuleIds=rule_id)) == {rule_id: (False, "ConfigRuleNotExists")}, action
    failure = error(intruder, "PutEvaluations", ResultToken=token, Evaluations=json.dumps(
        [{"complianceResourceId": "b-1", "complianceResourceType": OSS_BUCKET, "complianceType": "COMPLIANT"}]))
    assert (failure.status, failure.code) == (400, "Invalid.ResultToken.Value")

    assert list_rules(intruder)["TotalCount"] == 0 and list_rules(intruder, Keyword="mine")["ConfigRuleList"] == []
    assert all_results(intruder) == []
    assert call(intruder, "ListResourceEvaluationResults", ResourceId="b-1")["EvaluationResults"].get("EvaluationResultList") in (None, [])
    summary = call(intruder, "GetComplianceSummary")["ComplianceSummary"]
    assert summary["ComplianceSummaryByConfigRule"]["TotalCount"] == 0 and summary["ComplianceSummaryByResource"]["TotalCount"] == 0
    assert create_managed(intruder, READ_RULE, "mine") != rule_id, "rule names are per account"

    rule = get_rule(account_client, rule_id)
    assert rule["ConfigRuleState"] in ("ACTIVE", "EVALUATING") and rule["Description"] == ""
    assert rule_verdicts(account_client, rule_id) == {"b-1": "NON_COMPLIANT"}
    assert rule_verdicts(account_client, fc_id) == {}


# --- ListConfigRules ----------------------------------------------------------------------


def test_list_config_rules_filters_and_pages(account_client, fresh_account):
    put(account_client, [resource("b-1", Configuration=PUBLIC), resource("eip-1", EIP, Configuration={"Bandwidth": 50})])
    read = create_managed(account_client, READ_RULE, "Public Read Check")  # risk 1
    eip = create_managed(account_client, EIP_RULE, "eip bandwidth", Description="has a NeedLe inside")  # risk 3
    widget = create_condition(account_client, "widget size", {"featurePath": "$.Size", "operator": "Greater", "desired": 1}, [WIDGET])  # risk 2
    fc = call(account_client, "CreateConfigRule", SourceOwner=CUSTOM_FC, SourceIdentifier="acs:fc:cn-hangzhou:1:services/s/functions/f",
              ConfigRuleName="fc rule", ConfigRuleTriggerTypes=CHANGE, ResourceTypesScope=[OSS_BUCKET], RiskLevel=1)["ConfigRuleId"]
    off = create_managed(account_client, EIP_RULE, "switched off", RiskLevel=2)
    for rule_id in (read, eip, widget, fc, off):
        wait_until_evaluated(account_client, rule_id)
    call(account_client, "DeactiveConfigRules", ConfigRuleIds=off)
    wait_for_verdicts(account_client, read, {"b-1": "NON_COMPLIANT"})
    every = sorted([read, eip, widget, fc, off])

    page = list_rules(account_client, PageSize=100)
    assert (page["TotalCount"], page["PageNumber"], page["PageSize"]) == (5, 1, 100)
    assert sorted(r["ConfigRuleId"] for r in page["ConfigRuleList"]) == every
    item = next(r for r in page["ConfigRuleList"] if r["ConfigRuleId"] == read)
    assert item["ConfigRuleArn"] == f"acs:config::{fresh_account.account_id}:rule/{read}"
    assert item["AccountId"] == fresh_account.account_id
    assert (item["SourceOwner"], item["SourceIdentifier"], item["RiskLevel"]) == (ALIYUN, READ_RULE, 1)
    assert item["Compliance"] == {"ComplianceType": "NON_COMPLIANT", "Count": 1}
    assert item["ResourceTypesScope"] == OSS_BUCKET
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", item["CreateDate"]), item["CreateDate"]
    assert next(r for r in page["ConfigRuleList"] if r["ConfigRuleId"] == widget)["SourceOwner"] == CUSTOM_CONFIGURATION

    def ids(**filters):
        return sorted(r["ConfigRuleId"] for r in list_rules(account_client, PageSize=100, **filters)["ConfigRuleList"])

    assert ids(Keyword="needle") == [eip], "Keyword matches the description, case-insensitively"
    assert ids(Keyword="PUBLIC-READ") == [read], "… and the managed identifier"
    assert ids(Keyword=widget[-6:]) == [widget], "… and the rule id"
    assert ids(RiskLevel=1) == sorted([read, fc])
    assert ids(RiskLevel=2) == sorted([widget, off])
    assert ids(ConfigRuleState="INACTIVE") == [off]
    assert ids(ConfigRuleState="ACTIVE") == sorted([read, eip, widget, fc])
    assert ids(ResourceTypes=EIP) == sorted([eip, off])
    assert ids(ResourceTypes=f"{WIDGET},{OSS_BUCKET}") == sorted([read, widget, fc])
    assert ids(ConfigRuleName="eip") == [eip]
    assert ids(ComplianceType="NON_COMPLIANT") == [read]
    assert ids(ComplianceType="COMPLIANT") == sorted([eip, off]), "an inactive rule keeps its results"
    assert ids(Keyword="nothing like this") == []

    seen = []
    for number in (1, 2, 3):
        page = list_rules(account_client, PageSize=2, PageNumber=number)
        assert (page["TotalCount"], page["PageNumber"], page["PageSize"]) == (5, number, 2)
        seen += [r["ConfigRuleId"] for r in page["ConfigRuleList"]]
    assert sorted(seen) == every and len(seen) == 5, "three pages, no duplicates, no gaps"
    beyond = list_rules(account_client, PageSize=2, PageNumber=4)
    assert beyond["ConfigRuleList"] == [] and beyond["TotalCount"] == 5
    assert list_rules(account_client)["PageSize"] == 10, "PageSize defaults to 10"

    for params, named in [({"PageSize": 101}, "PageSize"), ({"PageSize": 0}, "PageSize"), ({"PageNumber": 0}, "PageNumber"), ({"RiskLevel": 5}, "RiskLevel")]:
        failure = error(account_client, "ListConfigRules", **params)
        assert (failure.status, failure.code) == (400, "InvalidParameter") and named in failure.message, params


# --- managed rules ------------------------------------------------------------------------


def test_list_managed_rules_is_the_catalogue(client):
    first = call(client, "ListManagedRules", PageSize=100)["ManagedRules"]
    assert first["TotalCount"] == len(CATALOGUE) >= 120
    listed = first["ManagedRuleList"]
    page = 2
    while len(listed) < first["TotalCount"]:
        more = call(client, "ListManagedRules", PageSize=100, PageNumber=page)["ManagedRules"]
        assert more["PageNumber"] == page and more["ManagedRuleList"]
        listed += more["ManagedRuleList"]
        page += 1
    identifiers = [r["Identifier"] for r in listed]
    assert len(identifiers) == len(set(identifiers)) and set(identifiers) == {r["identifier"] for r in CATALOGUE}
    by_id = {r["identifier"]: r for r in CATALOGUE}
    for item in listed:
        spec = by_id[item["Identifier"]]
        assert item["RiskLevel"] == spec["riskLevel"] and item["Scope"]["ComplianceResourceTypes"] == spec["resourceTypes"]
        assert item["ConfigRuleName"] == spec["name"] and item["Description"] == spec["description"]
        assert item["Labels"] == spec["labels"]

    def identifiers_for(**filters):
        body = call(client, "ListManagedRules", PageSize=100, **filters)["ManagedRules"]
        assert body["TotalCount"] == len(body["ManagedRuleList"]), "fits one page"
        return {r["Identifier"] for r in body["ManagedRuleList"]}

    assert identifiers_for(RiskLevel=1) == {r["identifier"] for r in CATALOGUE if r["riskLevel"] == 1}
    assert identifiers_for(ResourceTypes=OSS_BUCKET) == {r["identifier"] for r in CATALOGUE if OSS_BUCKET in r["resourceTypes"]}
    assert identifiers_for(Keyword="Versioning") == {r["identifier"] for r in CATALOGUE
                                                     if "versioning" in (r["identifier"] + r["name"] + r["description"]).lower()}
    assert identifiers_for(Keyword="oss", RiskLevel=2, ResourceTypes=OSS_BUCKET) == {
        r["identifier"] for r in CATALOGUE if r["riskLevel"] == 2 and OSS_BUCKET in r["resourceTypes"]}
    assert identifiers_for(Keyword="no rule says this") == set()


def test_get_managed_rule_details(client):
    rule = call(client, "GetManagedRule", Identifier="ram-password-policy-check")["ManagedRule"]
    spec = next(r for r in CATALOGUE if r["identifier"] == "ram-password-policy-check")
    assert rule["Identifier"] == "ram-password-policy-check" and rule["RiskLevel"] == spec["riskLevel"]
    assert rule["Scope"]["ComplianceResourceTypes"] == ["ACS::::Account"]
    compulsory = rule["CompulsoryInputParameterDetails"]
    assert set(compulsory) == {p["name"] for p in spec["parameters"]} and len(compulsory) == 9
    assert compulsory["minimumPasswordLength"]["defaultValue"] == "8"
    assert all({"type", "defaultValue", "description"} <= set(d) for d in compulsory.values())
    assert rule["OptionalInputParameterDetails"] == {}
    assert {d["MessageType"] for d in rule["SourceDetails"]} == {CHANGE, "ScheduledNotification"}

    referer = call(client, "GetManagedRule", Identifier="oss-bucket-referer-limit")["ManagedRule"]
    assert set(referer["CompulsoryInputParameterDetails"]) == {"allowEmptyReferer"}
    assert set(referer["OptionalInputParameterDetails"]) == {"allowReferers"}
    assert referer["OptionalInputParameterDetails"]["allowReferers"]["type"] == "List"

    failure = error(client, "GetManagedRule", Identifier="no-such-managed-rule")
    assert (failure.status, failure.code) == (400, "ManagedRuleNotExists") and '"no-such-managed-rule"' in failure.message
    failure = error(client, "GetManagedRule")
    assert (failure.status, failure.code) == (400, "MissingParameter") and "Identifier" in failure.message


def test_deleting_resources_does_not_break_rules(account_client):
    """A rule whose every resource was deleted is back to INSUFFICIENT_DATA with no results."""
    put(account_client, [resource("b-1", Configuration=PUBLIC)])
    rule_id = create_managed(account_client, READ_RULE, "emptied")
    wait_for_verdicts(account_client, rule_id, {"b-1": "NON_COMPLIANT"})
    delete(account_client, OSS_BUCKET, ["b-1"])
    wait_for_verdicts(account_client, rule_id, {})
    assert get_rule(account_client, rule_id)["Compliance"] == {"ComplianceType": "INSUFFICIENT_DATA", "Count": 0}
