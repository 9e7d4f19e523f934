"""The resource inventory written through confpack's `PutDiscoveredResources` /
`DeleteDiscoveredResources` extensions and read back through the SDKs' typed
`ListDiscoveredResources`, `GetDiscoveredResource` and `GetResourceConfigurationTimeline`:
round trips, versions and diffs, deletion, all-or-nothing batches, cross-account isolation,
timeline paging, and the XML form of List and Put. Each test works in an account of its own."""

from __future__ import annotations

import json
import time
import uuid

import pytest

import rawhttp
from clients import assert_request_id, expect_error, make_client
from inventory import (
    ECS_INSTANCE, OSS_BUCKET, RAM_USER, WIDGET,
    counts_by_region, counts_by_type, delete, get, ids, list_all, list_page, put, resource, timeline,
)

TAGS = {"env": ["prod"], "team": ["blue", "green"]}
CONFIGURATION = {
    "AccessControlList": {"Grant": "private"},
    "ServerSideEncryptionRule": {"SSEAlgorithm": "None"},
    "StorageClass": "Standard",
    "Versioning": ["Enabled", 3, None, True],
    "Location": "oss-cn-hangzhou",
}
ENVELOPE = {
    "ResourceName": "Bucket One",
    "ResourceGroupId": "rg-acfmzawhxxc****",
    "AvailabilityZone": "cn-hangzhou-h",
    "ResourceCreationTime": 1624961112000,
    "ResourceStatus": "Running",
    "VpcId": "vpc-bp1e8ctdhg2rbl4f2****",
    "VSwitchId": "vsw-bp1t2ve5v6s0jm1yj****",
}


def now_ms() -> int:
    return int(time.time() * 1000)


def assert_envelope(found: dict, account_id: int, region: str = "cn-hangzhou") -> None:
    """The envelope fields shared by a List profile and a Get detail, as put."""
    assert found["AccountId"] == account_id
    assert found["Region"] == region
    assert found["ResourceDeleted"] == 1
    for field in ("ResourceName", "AvailabilityZone", "ResourceCreationTime", "ResourceStatus", "VpcId", "VSwitchId"):
        assert found[field] == ENVELOPE[field], field
    assert json.loads(found["Tags"]) == TAGS


@pytest.mark.parametrize("in_body", [True, False], ids=["params-in-body", "params-in-query"])
def test_put_list_get_timeline_round_trip(account_client, fresh_account, in_body):
    started = now_ms()
    as_objects = resource("bucket-objects", **ENVELOPE, Tags=TAGS, Configuration=CONFIGURATION)
    as_strings = resource("bucket-strings", **ENVELOPE, Tags=json.dumps(TAGS), Configuration=json.dumps(CONFIGURATION))
    user = {"ResourceId": "u-208449", "ResourceType": RAM_USER, "Configuration": {"UserName": "test123"}}

    answer = put(account_client, [as_objects, as_strings, user], in_body=in_body)

    assert_request_id(answer["RequestId"])
    assert (answer["CreatedCount"], answer["ChangedCount"], answer["UnchangedCount"]) == (3, 0, 0)
    assert [(r["ResourceId"], r["ResourceType"], r["Outcome"]) for r in answer["Results"]] == [
        ("bucket-objects", OSS_BUCKET, "CREATED"), ("bucket-strings", OSS_BUCKET, "CREATED"), ("u-208449", RAM_USER, "CREATED"),
    ]
    assert all(isinstance(r["Version"], int) for r in answer["Results"])

    page = list_page(account_client, MaxResults=10)
    assert page["TotalCount"] == 3 and page["MaxResults"] == 10
    assert "NextToken" not in page, "a single, last page carries no NextToken"
    profiles = page["DiscoveredResourceProfileList"]
    assert ids(profiles) == ["bucket-objects", "bucket-strings", "u-208449"]
    for profile, result in zip(profiles[:2], answer["Results"][:2]):
        assert_envelope(profile, fresh_account.account_id)
        assert profile["ResourceType"] == OSS_BUCKET
        assert profile["ResourceGroupId"] == ENVELOPE["ResourceGroupId"]
        assert profile["Version"] == result["Version"]
        assert started - 1000 <= profile["UpdateTime"] <= now_ms() + 1000
    assert profiles[2]["Region"] == "global", "a global type put without Region lives in region global"

    details = [get(account_client, OSS_BUCKET, name) for name in ("bucket-objects", "bucket-strings")]
    for detail in details:
        assert_envelope(detail, fresh_account.account_id)
        assert json.loads(detail["Configuration"]) == CONFIGURATION
    # Objects and JSON strings store the same resource: only the ids differ.
    assert {k: v for k, v in details[0].items() if k != "ResourceId"} == {k: v for k, v in details[1].items() if k != "ResourceId"}
    assert json.loads(get(account_client, RAM_USER, "u-208449", Region="global")["Configuration"]) == {"UserName": "test123"}

    line = timeline(account_client, OSS_BUCKET, "bucket-strings", "cn-hangzhou")
    assert "NextToken" not in line
    [capture] = line["ConfigurationList"]
    assert capture["ResourceEventType"] == "DISCOVERED"
    assert json.loads(capture["ConfigurationDiff"]) == {key: [None, value] for key, value in CONFIGURATION.items()}
    assert capture["AccountId"] == fresh_account.account_id
    assert (capture["ResourceId"], capture["ResourceType"], capture["Region"]) == ("bucket-strings", OSS_BUCKET, "cn-hangzhou")
    assert (capture["ResourceName"], capture["AvailabilityZone"]) == (ENVELOPE["ResourceName"], ENVELOPE["AvailabilityZone"])
    assert capture["ResourceCreateTime"] == str(ENVELOPE["ResourceCreationTime"])
    assert isinstance(capture["CaptureTime"], str) and started - 1000 <= int(capture["CaptureTime"]) <= now_ms() + 1000
    assert (capture["Relationship"], capture["RelationshipDiff"]) == ("", "")
    assert json.loads(capture["Tags"]) == TAGS

    # Re-putting the objects as JSON strings (keys in another order) changes nothing.
    reordered = dict(reversed(list(CONFIGURATION.items())))
    again = put(account_client, [{**as_objects, "Tags": json.dumps(TAGS), "Configuration": json.dumps(reordered)}], in_body=in_body)
    assert [r["Outcome"] for r in again["Results"]] == ["UNCHANGED"]


def test_get_checks_region_and_required_parameters(account_client):
    put(account_client, [resource("b-1", Configuration={"A": 1})])
    assert get(account_client, OSS_BUCKET, "b-1", Region="cn-hangzhou", ComplianceOption=1)["ResourceId"] == "b-1"

    error = expect_error(account_client, "GetDiscoveredResource", ResourceType=OSS_BUCKET, ResourceId="b-1", Region="cn-shanghai")
    assert (error.status, error.code) == (400, "ResourceNotExists")
    error = expect_error(account_client, "GetDiscoveredResource", ResourceType=OSS_BUCKET, ResourceId="b-2")
    assert (error.status, error.code) == (400, "ResourceNotExists")
    error = expect_error(account_client, "GetDiscoveredResource", ResourceType=ECS_INSTANCE, ResourceId="b-1")
    assert (error.status, error.code) == (400, "ResourceNotExists"), "the type is part of the resource's identity"
    error = expect_error(account_client, "GetDiscoveredResource", ResourceType=OSS_BUCKET)
    assert (error.status, error.code) == (400, "MissingParameter") and "ResourceId" in error.message
    error = expect_error(account_client, "GetDiscoveredResource", ResourceId="b-1")
    assert (error.status, error.code) == (400, "MissingParameter") and "ResourceType" in error.message


def test_versions_diffs_and_deletion(account_client):
    first = {"Acl": "private", "Class": "Standard", "Gone": 1}
    second = {"Acl": "public-read", "Class": "Standard", "New": True}
    bucket = resource("b-life", Tags={"env": ["dev"]}, Configuration=first)
    other = resource("b-other", Configuration={"Acl": "private"})
    created = put(account_client, [bucket, other])
    version = created["Results"][0]["Version"]

    unchanged = put(account_client, [bucket])
    assert (unchanged["CreatedCount"], unchanged["ChangedCount"], unchanged["UnchangedCount"]) == (0, 0, 1)
    assert unchanged["Results"] == [{"ResourceId": "b-life", "ResourceType": OSS_BUCKET, "Outcome": "UNCHANGED", "Version": version}]
    assert len(timeline(account_client, OSS_BUCKET, "b-life", "cn-hangzhou")["ConfigurationList"]) == 1
    assert list_page(account_client, MaxResults=10, ResourceId="b-life")["DiscoveredResourceProfileList"][0]["Version"] == version

    changed = put(account_client, [{**bucket, "Configuration": second}])
    assert (changed["CreatedCount"], changed["ChangedCount"], changed["UnchangedCount"]) == (0, 1, 0)
    assert changed["Results"][0]["Outcome"] == "CHANGED" and changed["Results"][0]["Version"] > version
    captures = timeline(account_client, OSS_BUCKET, "b-life", "cn-hangzhou")["ConfigurationList"]
    assert [c["ResourceEventType"] for c in captures] == ["MODIFY", "DISCOVERED"], "newest first"
    assert json.loads(captures[0]["ConfigurationDiff"]) == {"Acl": ["private", "public-read"], "New": [None, True], "Gone": [1, None]}
    assert int(captures[0]["CaptureTime"]) >= int(captures[1]["CaptureTime"])
    assert json.loads(get(account_client, OSS_BUCKET, "b-life")["Configuration"]) == second
    assert list_page(account_client, MaxResults=10, ResourceId="b-life")["DiscoveredResourceProfileList"][0]["Version"] == changed["Results"][0]["Version"]

    retagged = put(account_client, [{**bucket, "Configuration": second, "Tags": {"env": ["prod"]}}])
    assert retagged["Results"][0]["Outcome"] == "CHANGED", "tags are part of what a version records"
    captures = timeline(account_client, OSS_BUCKET, "b-life", "cn-hangzhou")["ConfigurationList"]
    assert [c["ResourceEventType"] for c in captures] == ["MODIFY", "MODIFY", "DISCOVERED"]
    assert json.loads(captures[0]["Tags"]) == {"env": ["prod"]} and json.loads(captures[1]["Tags"]) == {"env": ["dev"]}
    assert json.loads(captures[0]["ConfigurationDiff"]) == {}

    assert delete(account_client, OSS_BUCKET, ["b-life"])["DeletedCount"] == 1
    detail = get(account_client, OSS_BUCKET, "b-life")
    assert detail["ResourceDeleted"] == 0
    assert json.loads(detail["Configuration"]) == second, "a deleted resource keeps its last configuration"
    captures = timeline(account_client, OSS_BUCKET, "b-life", "cn-hangzhou")["ConfigurationList"]
    assert [c["ResourceEventType"] for c in captures] == ["REMOVE", "MODIFY", "MODIFY", "DISCOVERED"]

    assert ids(list_all(account_client)) == ["b-other"], "the default list shows live resources only"
    deleted = list_all(account_client, ResourceDeleted=0)
    assert ids(deleted) == ["b-life"] and deleted[0]["ResourceDeleted"] == 0
    assert ids(list_all(account_client, ResourceDeleted=1)) == ["b-other"]
    assert list_page(account_client, MaxResults=10)["TotalCount"] == 1
    assert counts_by_region(account_client) == {"cn-hangzhou": 1}
    assert counts_by_type(account_client) == {OSS_BUCKET: 1}


def test_deleting_an_unknown_id_deletes_nothing(account_client):
    put(account_client, [resource("b-1"), resource("b-2")])
    error = expect_error(
        account_client, "DeleteDiscoveredResources", untyped=True, in_body=True, ResourceType=OSS_BUCKET, ResourceIds="b-1,b-missing"
    )
    assert (error.status, error.code) == (400, "ResourceNotExists")
    assert "b-missing" in error.message
    assert ids(list_all(account_client)) == ["b-1", "b-2"]
    assert get(account_client, OSS_BUCKET, "b-1")["ResourceDeleted"] == 1
    assert len(timeline(account_client, OSS_BUCKET, "b-1", "cn-hangzhou")["ConfigurationList"]) == 1

    error = expect_error(account_client, "DeleteDiscoveredResources", untyped=True, in_body=True, ResourceType=WIDGET, ResourceIds="b-1")
    assert (error.status, error.code) == (400, "ResourceNotExists"), "b-1 is a bucket, not a widget"
    assert delete(account_client, OSS_BUCKET, ["b-1", "b-2"])["DeletedCount"] == 2
    assert list_all(account_client) == []

    error = expect_error(account_client, "DeleteDiscoveredResources", untyped=True, in_body=True, ResourceIds="b-1")
    assert (error.status, error.code) == (400, "MissingParameter") and "ResourceType" in error.message
    error = expect_error(account_client, "DeleteDiscoveredResources", untyped=True, in_body=True, ResourceType=OSS_BUCKET)
    assert (error.status, error.code) == (400, "MissingParameter") and "ResourceIds" in error.message


BAD_ITEMS = {
    "missing-ResourceId": ({"ResourceType": OSS_BUCKET, "Region": "cn-hangzhou", "Configuration": {}}, "ResourceId"),
    "Configuration-a-number": (resource("bad", Configuration=42), "Configuration"),
    "Configuration-an-array": (resource("bad", Configuration=[{"Grant": "private"}]), "Configuration"),
    "Configuration-not-JSON": (resource("bad", Configuration='{"Grant": "private"'), "Configuration"),
    "unknown-field": (resource("bad", Colour="red"), "Colour"),
    "missing-ResourceType": ({"ResourceId": "bad", "Region": "cn-hangzhou", "Configuration": {}}, "ResourceType"),
    "missing-Region-of-a-regional-type": (resource("bad", region=None), "Region"),
}


@pytest.mark.parametrize("case", BAD_ITEMS.values(), ids=BAD_ITEMS.keys())
def test_one_bad_item_fails_the_whole_batch(account_client, case):
    bad_item, field = case
    put(account_client, [resource("b-existing", Configuration={"Acl": "private"})])

    batch = [
        resource("b-existing", Configuration={"Acl": "public-read"}),
        resource("b-new-1"),
        bad_item,
        resource("b-new-2", WIDGET),
    ]
    error = expect_error(account_client, "PutDiscoveredResources", untyped=True, in_body=True, Resources=json.dumps(batch))

    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "item 2 (from 0)" in error.message, error.message
    assert f"field {field}" in error.message, error.message
    page = list_page(account_client, MaxResults=10)
    assert page["TotalCount"] == 1 and ids(page["DiscoveredResourceProfileList"]) == ["b-existing"]
    assert json.loads(get(account_client, OSS_BUCKET, "b-existing")["Configuration"]) == {"Acl": "private"}
    assert len(timeline(account_client, OSS_BUCKET, "b-existing", "cn-hangzhou")["ConfigurationList"]) == 1


def test_batch_size_limits(account_client):
    batch = [resource(f"b-{n:04d}") for n in range(1001)]
    error = expect_error(account_client, "PutDiscoveredResources", untyped=True, in_body=True, Resources=json.dumps(batch))
    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "Resources" in error.message and "1000" in error.message, error.message
    assert list_page(account_client, MaxResults=1)["TotalCount"] == 0

    answer = put(account_client, batch[:1000])
    assert (answer["CreatedCount"], len(answer["Results"])) == (1000, 1000)
    assert list_page(account_client, MaxResults=1)["TotalCount"] == 1000


@pytest.mark.parametrize(
    "resources", ['[{"ResourceId": "b-1"', '{"ResourceId": "b-1"}', "[]", "not json at all"],
    ids=["truncated-JSON", "an-object", "an-empty-array", "not-JSON"],
)
def test_a_malformed_resources_parameter_is_invalid(account_client, resources):
    error = expect_error(account_client, "PutDiscoveredResources", untyped=True, in_body=True, Resources=resources)
    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "Resources" in error.message, error.message


def test_a_missing_resources_parameter_is_missing(account_client):
    error = expect_error(account_client, "PutDiscoveredResources", untyped=True, in_body=True)
    assert (error.status, error.code) == (400, "MissingParameter")
    assert "Resources" in error.message, error.message


def test_another_account_cannot_see_or_touch_a_resource(server, account_client, fresh_account, client_kind):
    other = make_client(client_kind, server.endpoint, server.create_account(f"other-{uuid.uuid4().hex[:12]}"))
    put(account_client, [resource("b-private", Configuration={"Acl": "private"}), resource("u-1", RAM_USER, None)])

    for resource_type, resource_id, region in ((OSS_BUCKET, "b-private", "cn-hangzhou"), (RAM_USER, "u-1", "global")):
        error = expect_error(other, "GetDiscoveredResource", ResourceType=resource_type, ResourceId=resource_id)
        assert (error.status, error.code) == (400, "ResourceNotExists")
        error = expect_error(other, "GetResourceConfigurationTimeline", ResourceType=resource_type, ResourceId=resource_id, Region=region)
        assert (error.status, error.code) == (400, "ResourceNotExists")
        error = expect_error(
            other, "DeleteDiscoveredResources", untyped=True, in_body=True, ResourceType=resource_type, ResourceIds=resource_id
        )
        assert (error.status, error.code) == (400, "ResourceNotExists")
    page = list_page(other, MaxResults=100)
    assert (page["TotalCount"], page.get("DiscoveredResourceProfileList") or []) == (0, [])
    assert list_all(other, ResourceDeleted=0) == []
    assert counts_by_region(other) == {} and counts_by_type(other) == {}
    # A NextToken from the owner's listing does not open the owner's resources to another account.
    token = list_page(account_client, MaxResults=1)["NextToken"]
    try:
        borrowed = list_page(other, MaxResults=100, NextToken=token)
    except Exception as exception:  # noqa: BLE001 - refusing the token is as good as an empty page
        refused = other.error_from(exception)
        assert (refused.status, refused.code) == (400, "InvalidParameter")
    else:
        assert (borrowed["TotalCount"], borrowed.get("DiscoveredResourceProfileList") or []) == (0, [])

    # The same id in the other account is a resource of its own.
    assert put(other, [resource("b-private", Configuration={"Acl": "public-read"})])["Results"][0]["Outcome"] == "CREATED"
    mine = get(account_client, OSS_BUCKET, "b-private")
    assert (mine["ResourceDeleted"], json.loads(mine["Configuration"])) == (1, {"Acl": "private"})
    assert mine["AccountId"] == fresh_account.account_id
    assert len(timeline(account_client, OSS_BUCKET, "b-private", "cn-hangzhou")["ConfigurationList"]) == 1
    assert json.loads(get(other, OSS_BUCKET, "b-private")["Configuration"]) == {"Acl": "public-read"}


def test_timeline_pages_and_time_window(account_client):
    configurations = [{"Acl": "private"}, {"Acl": "public-read"}, {"Acl": "public-read-write"}]
    for configuration in configurations:
        put(account_client, [resource("b-t", Configuration=configuration)])
        time.sleep(0.01)  # distinct capture times, to the millisecond

    full = timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou")
    assert full["MaxResults"] == 10, "MaxResults defaults to 10"
    captures = full["ConfigurationList"]
    assert [c["ResourceEventType"] for c in captures] == ["MODIFY", "MODIFY", "DISCOVERED"]
    times = [int(c["CaptureTime"]) for c in captures]
    assert times[0] > times[1] > times[2], "newest first"

    pages = []
    token = None
    for _ in range(4):
        page = timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", MaxResults=1, **({"NextToken": token} if token else {}))
        assert page["MaxResults"] == 1
        pages.append(page["ConfigurationList"])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [1, 1, 1], "three versions, one a page, no NextToken after the last"
    assert [p[0] for p in pages] == captures
    assert [json.loads(p[0]["ConfigurationDiff"])["Acl"] for p in pages] == [
        ["public-read", "public-read-write"], ["private", "public-read"], [None, "private"],
    ]

    newest, middle, oldest = times
    window = timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", StartTime=oldest + 1, EndTime=newest - 1)["ConfigurationList"]
    assert window == [captures[1]]
    assert timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", StartTime=newest + 1, EndTime=newest + 60_000)["ConfigurationList"] == []
    assert timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", EndTime=oldest - 1, StartTime=oldest - 3_600_000)["ConfigurationList"] == []
    since_middle = timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", StartTime=oldest + 1, MaxResults=1)
    assert since_middle["ConfigurationList"] == [captures[0]] and since_middle.get("NextToken")
    rest = timeline(account_client, OSS_BUCKET, "b-t", "cn-hangzhou", StartTime=oldest + 1, MaxResults=1, NextToken=since_middle["NextToken"])
    assert rest["ConfigurationList"] == [captures[1]]


def test_timeline_parameter_errors(account_client):
    put(account_client, [resource("b-t")])
    error = expect_error(account_client, "GetResourceConfigurationTimeline", ResourceType=OSS_BUCKET, ResourceId="b-t")
    assert (error.status, error.code) == (400, "MissingParameter") and "Region" in error.message
    error = expect_error(account_client, "GetResourceConfigurationTimeline", ResourceType=OSS_BUCKET, ResourceId="b-t", Region="cn-beijing")
    assert (error.status, error.code) == (400, "ResourceNotExists")
    error = expect_error(
        account_client, "GetResourceConfigurationTimeline", ResourceType=OSS_BUCKET, ResourceId="b-t", Region="cn-hangzhou", NextToken="garbage!"
    )
    assert (error.status, error.code) == (400, "InvalidParameter") and "NextToken" in error.message
    error = expect_error(
        account_client, "GetResourceConfigurationTimeline", ResourceType=OSS_BUCKET, ResourceId="b-t", Region="cn-hangzhou",
        StartTime=now_ms(), EndTime=now_ms() - 60_000,
    )
    assert (error.status, error.code) == (400, "InvalidParameter")


# --- the raw documents: XML and JSON, from hand-signed V1 GET, V1 POST and V3 requests ---------


@pytest.mark.parametrize("signer", rawhttp.SIGNERS.keys())
def test_put_and_list_in_xml(server, fresh_account, signer):
    sign = rawhttp.SIGNERS[signer]
    items = [resource("b-x1", Tags={"k": ["v<&>"]}), resource("b-x2"), resource("u-x", RAM_USER, None)]

    response = sign(server.endpoint, fresh_account, "PutDiscoveredResources", {"Resources": json.dumps(items)}, format="XML")
    assert response.status == 200, response.text
    assert response.content_type.startswith("application/xml")
    root = response.xml()
    assert root.tag == "PutDiscoveredResourcesResponse"
    assert root.findtext("CreatedCount") == "3"
    assert [r.findtext("ResourceId") for r in root.findall("Results")] == ["b-x1", "b-x2", "u-x"]
    assert [r.findtext("Outcome") for r in root.findall("Results")] == ["CREATED"] * 3
    assert_request_id(root.findtext("RequestId"))

    response = sign(server.endpoint, fresh_account, "ListDiscoveredResources", {"MaxResults": "2"}, format="XML")
    assert response.status == 200, response.text
    assert response.content_type.startswith("application/xml")
    root = response.xml()
    assert root.tag == "ListDiscoveredResourcesResponse"
    assert_request_id(root.findtext("RequestId"))
    profiles = root.find("DiscoveredResourceProfiles")
    assert profiles is not None
    listed = profiles.findall("DiscoveredResourceProfileList")
    assert len(listed) == 2, "one repeated element per profile, no wrapper"
    assert [p.findtext("ResourceId") for p in listed] == ["b-x1", "b-x2"]
    assert json.loads(listed[0].findtext("Tags")) == {"k": ["v<&>"]}
    assert listed[0].findtext("ResourceDeleted") == "1"
    assert (profiles.findtext("MaxResults"), profiles.findtext("TotalCount")) == ("2", "3")
    token = profiles.findtext("NextToken")
    assert token

    response = sign(server.endpoint, fresh_account, "ListDiscoveredResources", {"MaxResults": "2", "NextToken": token}, format="XML")
    listed = response.xml().find("DiscoveredResourceProfiles")
    assert [p.findtext("ResourceId") for p in listed.findall("DiscoveredResourceProfileList")] == ["u-x"]
    assert listed.find("NextToken") is None, "the last page carries no NextToken"

    response = sign(server.endpoint, fresh_account, "ListDiscoveredResources", {"MaxResults": "2", "NextToken": token})
    assert response.status == 200 and response.content_type.startswith("application/json")
    document = response.json()
    assert set(document) == {"DiscoveredResourceProfiles", "RequestId"}
    assert set(document["DiscoveredResourceProfiles"]) == {"DiscoveredResourceProfileList", "MaxResults", "TotalCount"}
    assert ids(document["DiscoveredResourceProfiles"]["DiscoveredResourceProfileList"]) == ["u-x"]
