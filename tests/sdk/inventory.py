"""Helpers for the resource-inventory scenarios: building resources, storing them through
confpack's extension actions, and reading them back through the SDKs' typed discovery calls.

`PutDiscoveredResources` and `DeleteDiscoveredResources` are confpack's own actions, so no
SDK has a typed request for them: they go through each SDK's generic call (V3 `call_api`,
old SDK `CommonRequest`), their parameters in the form body unless a test says otherwise.
Everything else here is the SDK's typed method for the action."""

from __future__ import annotations

import json
from typing import Any

from clients import Client

OSS_BUCKET = "ACS::OSS::Bucket"
RAM_USER = "ACS::RAM::User"
ECS_INSTANCE = "ACS::ECS::Instance"  # not in confpack's registry: stored as a custom type
WIDGET = "ACS::Acme::Widget"  # a custom type of no real product

#: The vendor's verbatim OSS bucket sample (reference §6), top-level keys in its order.
OSS_SAMPLE_KEYS = [
    "AccessControlList", "ServerSideEncryptionRule", "Comment", "CreationDate", "Owner", "StorageClass",
    "DataRedundancyType", "AllowEmptyReferer", "Name", "BucketPolicy", "ExtranetEndpoint", "IntranetEndpoint", "Location",
]


def resource(resource_id: str, resource_type: str = OSS_BUCKET, region: str | None = "cn-hangzhou", **fields: Any) -> dict[str, Any]:
    """One `Resources` item; `Configuration` defaults to a small object naming the resource.
    `region=None` leaves Region out (global types default it to `global`)."""
    item: dict[str, Any] = {"ResourceId": resource_id, "ResourceType": resource_type}
    if region is not None:
        item["Region"] = region
    item["Configuration"] = {"Name": resource_id}
    item.update(fields)
    return item


def put(client: Client, items: list[dict[str, Any]], *, in_body: bool = True) -> dict[str, Any]:
    """`PutDiscoveredResources` with `Resources` = the items as a JSON array."""
    return client.call_untyped("PutDiscoveredResources", in_body=in_body, Resources=json.dumps(items))


def delete(client: Client, resource_type: str, resource_ids: list[str]) -> dict[str, Any]:
    """`DeleteDiscoveredResources` of `resource_ids` (comma-joined) of one type."""
    return client.call_untyped("DeleteDiscoveredResources", in_body=True, ResourceType=resource_type, ResourceIds=",".join(resource_ids))


def list_page(client: Client, **params: Any) -> dict[str, Any]:
    """One `ListDiscoveredResources` page: its `DiscoveredResourceProfiles`."""
    return client.call("ListDiscoveredResources", **params)["DiscoveredResourceProfiles"]


def list_all(client: Client, page_size: int = 100, **filters: Any) -> list[dict[str, Any]]:
    """Every profile matching `filters`, following NextToken to the last page."""
    profiles: list[dict[str, Any]] = []
    token = None
    while True:
        page = list_page(client, MaxResults=page_size, **filters, **({"NextToken": token} if token else {}))
        profiles += page.get("DiscoveredResourceProfileList") or []
        token = page.get("NextToken")
        if not token:
            return profiles


def ids(profiles: list[dict[str, Any]]) -> list[str]:
    return [p["ResourceId"] for p in profiles]


def keys(profiles: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(ResourceType, ResourceId) of each profile; Python orders str by code point, which
    for UTF-8 text is the same as bytewise order."""
    return [(p["ResourceType"], p["ResourceId"]) for p in profiles]


def get(client: Client, resource_type: str, resource_id: str, **params: Any) -> dict[str, Any]:
    """`GetDiscoveredResource`: its `DiscoveredResourceDetail`."""
    return client.call("GetDiscoveredResource", ResourceType=resource_type, ResourceId=resource_id, **params)["DiscoveredResourceDetail"]


def timeline(client: Client, resource_type: str, resource_id: str, region: str, **params: Any) -> dict[str, Any]:
    """One `GetResourceConfigurationTimeline` page: its `ResourceConfigurationTimeline`."""
    return client.call(
        "GetResourceConfigurationTimeline", ResourceType=resource_type, ResourceId=resource_id, Region=region, **params
    )["ResourceConfigurationTimeline"]


def counts_by_region(client: Client, **params: Any) -> dict[str, int]:
    """`GetDiscoveredResourceCountsGroupByRegion` as {Region: ResourceCount}, checking GroupName."""
    summary = client.call("GetDiscoveredResourceCountsGroupByRegion", **params).get("DiscoveredResourceCountsSummary") or []
    for row in summary:
        assert row["GroupName"] == row["Region"], row
    counts = {row["Region"]: row["ResourceCount"] for row in summary}
    assert len(counts) == len(summary), f"a region is reported twice: {summary}"
    return counts


def counts_by_type(client: Client, **params: Any) -> dict[str, int]:
    """`GetDiscoveredResourceCountsGroupByResourceType` as {ResourceType: ResourceCount}."""
    summary = client.call("GetDiscoveredResourceCountsGroupByResourceType", **params).get("DiscoveredResourceCountsSummary") or []
    for row in summary:
        assert row["GroupName"] == row["ResourceType"], row
    counts = {row["ResourceType"]: row["ResourceCount"] for row in summary}
    assert len(counts) == len(summary), f"a type is reported twice: {summary}"
    return counts
