"""ListCompliancePackTemplates through every client kind: the template library (at least 20
templates, the vendor's template ids where known), its filters and paging, each rule's
parameter defaults, and rules the catalogue does not implement, which stay listed."""

from __future__ import annotations

from clients import OldSdkClient, expect_error, make_client

MLPS_L3 = "ct-5f26ff4e06a300c49609"
ECS_BEST_PRACTICE = "ct-3d20ff4e06a30027f76e"


# aliyun-python-sdk-config 2.2.14 predates these filters: its request class has no setter.
OLD_SDK_LACKS = {"FilterType", "ResourceTypes", "RuleRiskLevel"}


def templates(client, **params) -> dict:
    untyped = isinstance(client, OldSdkClient) and OLD_SDK_LACKS & set(params)
    call = client.call_untyped if untyped else client.call
    return call("ListCompliancePackTemplates", **params)["CompliancePackTemplatesResult"]


def all_templates(client, **params) -> list[dict]:
    found, page = [], 1
    while True:
        result = templates(client, PageNumber=page, PageSize=7, **params)
        found += result.get("CompliancePackTemplates") or []
        if page * 7 >= result["TotalCount"]:
            assert len(found) == result["TotalCount"]
            return found
        page += 1


def test_the_library_pages_through_at_least_twenty_templates(client):
    listed = all_templates(client)
    ids = [t["CompliancePackTemplateId"] for t in listed]
    assert len(ids) >= 20 and len(set(ids)) == len(ids)
    assert MLPS_L3 in ids and ECS_BEST_PRACTICE in ids
    first = templates(client)
    assert (first["PageNumber"], first["PageSize"], len(first["CompliancePackTemplates"])) == (1, 10, 10)


def test_one_template_with_its_rules_and_parameter_defaults(client):
    (ecs,) = templates(client, CompliancePackTemplateId=ECS_BEST_PRACTICE)["CompliancePackTemplates"]
    assert ecs["CompliancePackTemplateName"] == "ECS Compliance Management Best Practice"
    rules = {r["ManagedRuleIdentifier"]: r for r in ecs["ConfigRules"]}
    retention = rules["ecs-snapshot-retention-days"]
    assert retention["DefaultEnable"] is True and retention["ResourceTypesScope"]
    assert any(p["ParameterName"] and p["ParameterValue"] for p in retention["ConfigRuleParameters"])
    assert templates(client, CompliancePackTemplateId="ct-000000000000000000ff")["TotalCount"] == 0


def test_filters_narrow_templates_and_rules(client):
    regulations = all_templates(client, FilterType="LAW")
    names = {t["CompliancePackTemplateName"] for t in regulations}
    assert any("MLPS Level 3" in n for n in names) and any("PCI" in n for n in names)
    assert not any("Security Group Best Practice" == n for n in names)
    high = templates(client, CompliancePackTemplateId=MLPS_L3, RuleRiskLevel=1)["CompliancePackTemplates"][0]
    assert high["ConfigRules"] and all(r["RiskLevel"] == 1 for r in high["ConfigRules"])
    for t in all_templates(client, ResourceTypes="ACS::OSS::Bucket"):
        assert t["ConfigRules"] and all("ACS::OSS::Bucket" in r["ResourceTypesScope"].split(",") for r in t["ConfigRules"])


def test_unimplemented_rules_are_listed_as_such(server):
    """The extension fields need the raw response (the typed SDK models drop unknown keys)."""
    client = make_client("v3", server.endpoint, server.credentials)
    result = client.call_untyped("ListCompliancePackTemplates", CompliancePackTemplateId=MLPS_L3)["CompliancePackTemplatesResult"]
    (mlps,) = result["CompliancePackTemplates"]
    implemented = [r for r in mlps["ConfigRules"] if r["Implemented"]]
    missing = [r for r in mlps["ConfigRules"] if not r["Implemented"]]
    assert (mlps["ImplementedRuleCount"], mlps["TotalRuleCount"]) == (len(implemented), len(mlps["ConfigRules"]))
    assert all(r["DefaultEnable"] is False and r["ManagedRuleName"] for r in missing)
    assert all(r["DefaultEnable"] is True for r in implemented)


def test_a_bad_filter_type_is_refused(client):
    failure = expect_error(client, "ListCompliancePackTemplates", untyped=isinstance(client, OldSdkClient), FilterType="LAWS")
    assert (failure.status, failure.code) == (400, "InvalidParameter") and "FilterType" in failure.message
