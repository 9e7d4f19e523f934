"""Compliance packs through every client kind: a pack from a template id, from explicit
ConfigRules and from TemplateContent (round-tripped through GetCompliancePack), listing
with filters, the pack-level counters traced to the rules' results, deleting with and
without the pack's rules, idempotent creation, the documented errors and account
isolation."""

from __future__ import annotations

import json
import re

from inventory import OSS_BUCKET, put, resource
from rules import call, error, get_rule, list_rules, operate_items, rule_verdicts, wait_for, wait_for_verdicts

MLPS_L3 = "ct-5f26ff4e06a300c49609"
OSS_TEMPLATE = "ct-a5edff4e06a3004a5e15"
PUBLIC = {"AccessControlList": {"Grant": "public-read"}, "Versioning": "Enabled"}
PRIVATE = {"AccessControlList": {"Grant": "private"}, "StorageClass": "Standard"}
READ_RULE = "oss-bucket-public-read-prohibited"
VERSIONING_RULE = "oss-bucket-versioning-enabled"


def create(client, name: str, **params) -> str:
    body = call(client, "CreateCompliancePack", CompliancePackName=name, **params)
    pack_id = body["CompliancePackId"]
    assert re.fullmatch(r"cp-[0-9a-f]{20}", pack_id), pack_id
    return pack_id


def get(client, pack_id: str) -> dict:
    return call(client, "GetCompliancePack", CompliancePackId=pack_id)["CompliancePack"]


def explicit_rules() -> list[dict]:
    return [
        {"ManagedRuleIdentifier": READ_RULE, "ConfigRuleName": "read", "RiskLevel": 1},
        {"ManagedRuleIdentifier": VERSIONING_RULE, "ConfigRuleName": "versions"},
    ]


def pack_rule_ids(client, pack_id: str) -> dict[str, str]:
    """{ManagedRuleIdentifier: ConfigRuleId} of the pack's rules."""
    return {r["ManagedRuleIdentifier"]: r["ConfigRuleId"] for r in get(client, pack_id)["ConfigRules"]}


def test_a_pack_from_a_template_id(account_client):
    pack_id = create(account_client, "oss baseline", CompliancePackTemplateId=OSS_TEMPLATE)
    pack = get(account_client, pack_id)
    assert (pack["Status"], pack["CompliancePackTemplateId"], pack["RiskLevel"]) == ("ACTIVE", OSS_TEMPLATE, 2)
    assert len(pack["ConfigRules"]) == 9 and all(r["ConfigRuleName"].startswith("oss baseline-") for r in pack["ConfigRules"])
    rule = get_rule(account_client, pack["ConfigRules"][0]["ConfigRuleId"])
    assert rule["CreateBy"]["CompliancePackId"] == pack_id and rule["CreateBy"]["CompliancePackName"] == "oss baseline"
    listed = list_rules(account_client, CompliancePackId=pack_id, PageSize=100)
    assert listed["TotalCount"] == 9


def test_a_large_template_keeps_its_unimplemented_rules_visible(server, fresh_account):
    from clients import make_client

    client = make_client("v3", server.endpoint, fresh_account)
    pack_id = create(client, "mlps", CompliancePackTemplateId=MLPS_L3)
    raw = client.call_untyped("GetCompliancePack", CompliancePackId=pack_id)["CompliancePack"]
    implemented = len(raw["ConfigRules"])
    assert implemented >= 58 and implemented + len(raw["UnimplementedRules"]) == 86


def test_explicit_rules_evaluate_and_the_counters_trace_to_results(account_client):
    pack_id = create(account_client, "explicit", ConfigRules=explicit_rules(), RiskLevel=1)
    ids = pack_rule_ids(account_client, pack_id)
    assert set(ids) == {READ_RULE, VERSIONING_RULE}
    put(account_client, [resource("b-open", Configuration=PUBLIC), resource("b-closed", Configuration=PRIVATE)])
    wait_for_verdicts(account_client, ids[READ_RULE], {"b-open": "NON_COMPLIANT", "b-closed": "COMPLIANT"})
    versions = wait_for_verdicts(account_client, ids[VERSIONING_RULE], {"b-open": "COMPLIANT", "b-closed": "NON_COMPLIANT"})
    assert versions

    by_rule = call(account_client, "GetConfigRuleComplianceByPack", CompliancePackId=pack_id)["ConfigRuleComplianceResult"]
    assert (by_rule["TotalCount"], by_rule["NonCompliantCount"], by_rule["CompliantCount"]) == (2, 2, 0)
    assert {c["ConfigRuleId"]: c["ComplianceType"] for c in by_rule["ConfigRuleCompliances"]} == {
        ids[READ_RULE]: "NON_COMPLIANT", ids[VERSIONING_RULE]: "NON_COMPLIANT"}
    by_resource = call(account_client, "GetResourceComplianceByPack", CompliancePackId=pack_id)["ResourceComplianceResult"]
    assert (by_resource["TotalCount"], by_resource["NonCompliantCount"], by_resource["CompliantCount"]) == (2, 2, 0)

    listed = call(account_client, "ListCompliancePacks", RiskLevel=1)["CompliancePacksResult"]
    assert [p["CompliancePackId"] for p in listed["CompliancePacks"]] == [pack_id]
    assert call(account_client, "ListCompliancePacks", RiskLevel=3)["CompliancePacksResult"]["TotalCount"] == 0
    assert call(account_client, "ListCompliancePacks", Status="ACTIVE")["CompliancePacksResult"]["TotalCount"] == 1


def test_template_content_round_trips(account_client):
    first = create(account_client, "exported", ConfigRules=explicit_rules())
    content = get(account_client, first)["TemplateContent"]
    exported = json.loads(content)
    assert {r["managedRuleIdentifier"] for r in exported["configRuleTemplates"]} == {READ_RULE, VERSIONING_RULE}
    # The file's name wins over the call's.
    exported["compliancePackTemplate"]["compliancePackName"] = "imported"
    second = create(account_client, "ignored", TemplateContent=json.dumps(exported))
    pack = get(account_client, second)
    assert pack["CompliancePackName"] == "imported"
    assert {r["ManagedRuleIdentifier"] for r in pack["ConfigRules"]} == {READ_RULE, VERSIONING_RULE}


def test_deleting_a_pack_deletes_its_rules_unless_asked_to_keep_them(account_client):
    gone = create(account_client, "gone", ConfigRules=explicit_rules())
    gone_rules = list(pack_rule_ids(account_client, gone).values())
    kept = create(account_client, "kept", ConfigRules=explicit_rules())
    kept_rules = list(pack_rule_ids(account_client, kept).values())
    # A pack's rule cannot be deleted on its own.
    items = operate_items(call(account_client, "DeleteConfigRules", ConfigRuleIds=gone_rules[0]))
    assert items[gone_rules[0]] == (False, "ConfigRuleCanNotDelete")

    body = call(account_client, "DeleteCompliancePacks", CompliancePackIds=gone)
    assert body["OperateCompliancePacksResult"]["OperateCompliancePacks"] == [
        {"CompliancePackId": gone, "ErrorCode": "", "Success": True}]
    assert error(account_client, "GetConfigRule", ConfigRuleId=gone_rules[0]).code == "ConfigRuleNotExists"
    call(account_client, "DeleteCompliancePacks", CompliancePackIds=kept, DeleteRule=False)
    assert get_rule(account_client, kept_rules[0])["CreateBy"] in ({}, None) or not get_rule(account_client, kept_rules[0])["CreateBy"].get("CompliancePackId")
    assert error(account_client, "GetCompliancePack", CompliancePackId=kept).code == "Invalid.CompliancePackId.Value"
    again = call(account_client, "DeleteCompliancePacks", CompliancePackIds=kept)["OperateCompliancePacksResult"]
    assert again["OperateCompliancePacks"] == [{"CompliancePackId": kept, "ErrorCode": "Invalid.CompliancePackId.Value", "Success": False}]


def test_client_token_replays_creation(account_client):
    first = call(account_client, "CreateCompliancePack", CompliancePackName="once", ConfigRules=explicit_rules(), ClientToken="pack-token-1")
    again = call(account_client, "CreateCompliancePack", CompliancePackName="once", ConfigRules=explicit_rules(), ClientToken="pack-token-1")
    assert first["CompliancePackId"] == again["CompliancePackId"]
    assert call(account_client, "ListCompliancePacks")["CompliancePacksResult"]["TotalCount"] == 1
    mismatch = error(account_client, "CreateCompliancePack", CompliancePackName="other", ConfigRules=explicit_rules(), ClientToken="pack-token-1")
    assert (mismatch.status, mismatch.code) == (400, "IdempotentParameterMismatch")


def test_documented_errors(account_client):
    cases = [
        ({"CompliancePackName": "x", "CompliancePackTemplateId": "ct-000000000000000000ff"}, "Invalid.CompliancePackTemplateId.Value"),
        ({"CompliancePackName": "x"}, "Invalid.ConfigRules.Empty"),
        ({"CompliancePackName": "x", "ConfigRules": [{"ManagedRuleIdentifier": "no-such-rule"}]}, "Invalid.ConfigRules.Value"),
        ({"CompliancePackName": "x", "ConfigRules": [{"ConfigRuleId": "cr-00000000000000000000"}]}, "Invalid.ConfigRules.Value"),
        ({"CompliancePackName": "x" * 129, "ConfigRules": explicit_rules()}, "Invalid.CompliancePackName.Value"),
    ]
    for params, code in cases:
        failure = error(account_client, "CreateCompliancePack", **params)
        assert (failure.status, failure.code) == (400, code), (params, failure)
    create(account_client, "taken", ConfigRules=explicit_rules())
    assert error(account_client, "CreateCompliancePack", CompliancePackName="taken", ConfigRules=explicit_rules()).code == "CompliancePackExists"
    assert call(account_client, "ListCompliancePacks")["CompliancePacksResult"]["TotalCount"] == 1, "failed creations leave nothing"
    assert list_rules(account_client, PageSize=100)["TotalCount"] == 2
    size = error(account_client, "DeleteCompliancePacks", CompliancePackIds=",".join(f"cp-{i:020x}" for i in range(6)))
    assert (size.status, size.code) == (400, "Invalid.CompliancePackIds.SizeExceed")
    for action in ("GetCompliancePack", "GetConfigRuleComplianceByPack", "GetResourceComplianceByPack"):
        assert error(account_client, action, CompliancePackId="cp-00000000000000000000").code == "Invalid.CompliancePackId.Value"


def test_another_account_sees_nothing(server, account_client, fresh_account):
    from clients import make_client

    pack_id = create(account_client, "private", ConfigRules=explicit_rules())
    other = make_client("v3", server.endpoint, server.create_account("other-pack-account"))
    for action in ("GetCompliancePack", "GetConfigRuleComplianceByPack", "GetResourceComplianceByPack"):
        assert error(other, action, CompliancePackId=pack_id).code == "Invalid.CompliancePackId.Value"
    assert call(other, "ListCompliancePacks")["CompliancePacksResult"]["TotalCount"] == 0
    body = call(other, "DeleteCompliancePacks", CompliancePackIds=pack_id)["OperateCompliancePacksResult"]
    assert body["OperateCompliancePacks"][0]["Success"] is False
    assert get(account_client, pack_id)["Status"] == "ACTIVE"


def test_a_scope_change_passes_to_the_pack_rules_and_re_evaluates(account_client):
    pack_id = create(account_client, "scoped", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE, "ConfigRuleName": "read"}])
    rule_id = pack_rule_ids(account_client, pack_id)[READ_RULE]
    put(account_client, [resource("b-hz", region="cn-hangzhou", Configuration=PUBLIC),
                         resource("b-sh", region="cn-shanghai", Configuration=PUBLIC)])
    wait_for_verdicts(account_client, rule_id, {"b-hz": "NON_COMPLIANT", "b-sh": "NON_COMPLIANT"})
    call(account_client, "UpdateCompliancePack", CompliancePackId=pack_id, RegionIdsScope="cn-shanghai", Description="only Shanghai")
    wait_for_verdicts(account_client, rule_id, {"b-sh": "NON_COMPLIANT"})
    pack = get(account_client, pack_id)
    assert (pack["Scope"]["RegionIdsScope"], pack["Description"]) == ("cn-shanghai", "only Shanghai")
    assert get_rule(account_client, rule_id)["RegionIdsScope"] == "cn-shanghai"


def test_config_rules_on_update_replace_the_rule_set(account_client):
    pack_id = create(account_client, "replaced", ConfigRules=explicit_rules())
    before = pack_rule_ids(account_client, pack_id)
    call(account_client, "UpdateCompliancePack", CompliancePackId=pack_id,
         ConfigRules=[{"ManagedRuleIdentifier": READ_RULE, "RiskLevel": 3}, {"ManagedRuleIdentifier": "oss-zrs-enabled"}])
    after = pack_rule_ids(account_client, pack_id)
    assert set(after) == {READ_RULE, "oss-zrs-enabled"}
    assert after[READ_RULE] == before[READ_RULE], "a kept rule keeps its id"
    assert get_rule(account_client, after[READ_RULE])["RiskLevel"] == 3
    assert error(account_client, "GetConfigRule", ConfigRuleId=before[VERSIONING_RULE]).code == "ConfigRuleNotExists"


def test_attach_and_detach_rules(account_client):
    from rules import create_managed

    pack_id = create(account_client, "host", ConfigRules=[{"ManagedRuleIdentifier": READ_RULE}])
    loose = create_managed(account_client, VERSIONING_RULE, "loose")
    body = call(account_client, "AttachConfigRuleToCompliancePack", CompliancePackId=pack_id, ConfigRuleIds=f"{loose},cr-00000000000000000000")
    assert operate_items(body) == {loose: (True, ""), "cr-00000000000000000000": (False, "ConfigRuleNotExists")}
    assert get_rule(account_client, loose)["CreateBy"]["CompliancePackId"] == pack_id
    assert set(pack_rule_ids(account_client, pack_id)) == {READ_RULE, VERSIONING_RULE}
    body = call(account_client, "DetachConfigRuleToCompliancePack", CompliancePackId=pack_id, ConfigRuleIds=loose)
    assert operate_items(body) == {loose: (True, "")}
    assert set(pack_rule_ids(account_client, pack_id)) == {READ_RULE}
    items = operate_items(call(account_client, "DeleteConfigRules", ConfigRuleIds=loose))
    assert items[loose] == (True, ""), "a detached rule is an ordinary rule again"
    failure = error(account_client, "AttachConfigRuleToCompliancePack", CompliancePackId="cp-00000000000000000000", ConfigRuleIds=loose)
    assert failure.code == "Invalid.CompliancePackId.Value"
