"""Reading the resource inventory through the SDKs' typed calls: `ListDiscoveredResources`
paging (also while resources are being written) and filters, the two
`GetDiscoveredResourceCountsGroupBy*` actions, and `GetResourceConfigurationSample`.

The paging and filter data sets are stored once per module, each in an account of its own,
and only read by the tests."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import uuid

import pytest

from clients import OldSdkClient, expect_error, make_client
from inventory import (
    ECS_INSTANCE, OSS_BUCKET, OSS_SAMPLE_KEYS, RAM_USER, WIDGET,
    counts_by_region, counts_by_type, delete, ids, keys, list_all, list_page, put, resource,
)

DAY_MS = 24 * 3600 * 1000


def now_ms() -> int:
    return int(time.time() * 1000)


# --- paging -------------------------------------------------------------------------------


def mixed_resources() -> list[dict]:
    """250 resources of six types, with ids whose bytewise order differs from a
    case-insensitive or natural one: upper case before lower, '-' before '_', digits,
    multi-byte UTF-8 after ASCII; `ACS::ECS::instance` is a type of its own after
    `ACS::ECS::Instance`."""
    items = [resource(f"bucket-{n:03d}", OSS_BUCKET, "cn-hangzhou" if n % 2 else "cn-shanghai") for n in range(70)]
    items += [resource(name, OSS_BUCKET) for name in ("Bucket-UPPER", "bucket_under", "bucket-é", "bucket-z", "9bucket")]
    items += [resource(f"u-{n}", RAM_USER, None) for n in range(45)]  # u-0, u-1, u-10, … : not numeric order
    items += [resource(f"i-{hashlib.sha1(str(n).encode()).hexdigest()[:10]}", ECS_INSTANCE, "cn-beijing") for n in range(60)]
    items += [resource(f"i-lower-{n:02d}", "ACS::ECS::instance", "cn-beijing") for n in range(19)]
    items += [resource(f"w-{chr(0x41 + n % 26)}{n}", WIDGET, "eu-central-1") for n in range(50)]
    items += [{"ResourceId": "acct", "ResourceType": "ACS::::Account", "Region": "global", "Configuration": {}}]
    assert len(items) == 250
    assert len({(item["ResourceType"], item["ResourceId"]) for item in items}) == 250
    return items


@pytest.fixture(scope="module")
def paging_account(server):
    """An account holding the 250 mixed resources, and their keys in the specified order."""
    credentials = server.create_account(f"paging-{uuid.uuid4().hex[:12]}")
    items = mixed_resources()
    answer = put(make_client("v3", server.endpoint, credentials), items)
    assert answer["CreatedCount"] == 250
    expected = sorted((item["ResourceType"], item["ResourceId"]) for item in items)
    assert sorted(expected, key=lambda k: (k[0].encode(), k[1].encode())) == expected, "code point order is bytewise order"
    return credentials, expected


def walk(client, sizes) -> list[dict]:
    """Pages through the whole list, the n-th request asking for `sizes[n]` (cycled),
    checking each page's echo, TotalCount, size and NextToken."""
    pages = []
    token = None
    for size in itertools.cycle(sizes):
        page = list_page(client, MaxResults=size, **({"NextToken": token} if token else {}))
        assert page["MaxResults"] == size
        pages.append(page)
        listed = page.get("DiscoveredResourceProfileList") or []
        token = page.get("NextToken")
        assert len(listed) <= size
        if token:
            assert len(listed) == size, "only the last page may be short"
        else:
            return pages
        assert len(pages) < 1000, "paging does not end"


@pytest.mark.parametrize(
    "sizes", [[100], [50], [37], [1], [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100], [100, 1, 99, 2]],
    ids=["100", "50", "37", "1", "fibonacci", "100-1-99-2"],
)
def test_paging_sees_every_resource_once_in_order(server, paging_account, client_kind, sizes):
    credentials, expected = paging_account
    client = make_client(client_kind, server.endpoint, credentials)

    pages = walk(client, sizes)

    assert {page["TotalCount"] for page in pages} == {250}
    seen = keys([p for page in pages for p in page.get("DiscoveredResourceProfileList") or []])
    assert len(seen) == len(set(seen)), "duplicates"
    assert seen == expected, "every resource once, in (ResourceType, ResourceId) bytewise order"
    if sizes == [50]:
        assert len(pages) == 5, "250 = 5 × 50: no empty page after the last full one"
    if sizes == [100]:
        assert [len(page["DiscoveredResourceProfileList"]) for page in pages] == [100, 100, 50]


def test_list_parameter_errors(server, paging_account, client_kind):
    client = make_client(client_kind, server.endpoint, paging_account[0])
    error = expect_error(client, "ListDiscoveredResources")
    assert (error.status, error.code) == (400, "MissingParameter") and "MaxResults" in error.message
    for bad in (0, 101, "ten"):
        error = expect_error(client, "ListDiscoveredResources", MaxResults=bad)
        assert (error.status, error.code) == (400, "InvalidParameter") and "MaxResults" in error.message, bad
    for garbage in ("garbage", "eyJub3QiOiJhIGN1cnNvciJ9", "%%%"):
        error = expect_error(client, "ListDiscoveredResources", MaxResults=10, NextToken=garbage)
        assert (error.status, error.code) == (400, "InvalidParameter") and "NextToken" in error.message, garbage


def test_paging_while_resources_are_written(account_client):
    """Between page requests, new resources arrive both before and after the cursor and
    already-listed and not-yet-listed resources change: the walk still lists every
    pre-existing resource exactly once, in order."""
    existing = [resource(f"i-{n:03d}", ECS_INSTANCE, "cn-beijing", Configuration={"Rev": 0}) for n in range(0, 120, 2)]
    put(account_client, existing)
    expected = {(ECS_INSTANCE, item["ResourceId"]) for item in existing}

    seen: list[tuple[str, str]] = []
    token = None
    for round_number in itertools.count():
        page = list_page(account_client, MaxResults=7, **({"NextToken": token} if token else {}))
        seen += keys(page.get("DiscoveredResourceProfileList") or [])
        token = page.get("NextToken")
        if not token:
            break
        cursor = seen[-1][1]
        writes = [
            resource(f"i-000-new-{round_number}", ECS_INSTANCE, "cn-beijing"),  # before the cursor
            resource(f"{cursor}-after-{round_number}", ECS_INSTANCE, "cn-beijing"),  # right after it
            resource(f"zz-{round_number}", WIDGET, "cn-beijing"),  # a type after every instance
            resource(f"a-{round_number}", "ACS::Acme::Gadget", "cn-beijing"),  # a type before every instance
            {**existing[0], "Configuration": {"Rev": round_number + 1}},  # listed already
            {**existing[-1], "Configuration": {"Rev": round_number + 1}},  # not listed yet
        ]
        put(account_client, writes)
        assert round_number < 100, "paging does not end"

    assert len(seen) == len(set(seen)), f"duplicates: {sorted(k for k in seen if seen.count(k) > 1)}"
    assert seen == sorted(seen), "pages continue in order"
    assert expected <= set(seen), f"missing: {sorted(expected - set(seen))}"


# --- filters ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filter_account(server):
    """An account with seven live resources and one deleted, all stored just now."""
    credentials = server.create_account(f"filters-{uuid.uuid4().hex[:12]}")
    client = make_client("v3", server.endpoint, credentials)
    put(client, [
        resource("b-1", OSS_BUCKET, "cn-hangzhou"),
        resource("b-2", OSS_BUCKET, "cn-shanghai", ResourceName="Bucket Two"),
        resource("b-3", OSS_BUCKET, "cn-beijing"),
        resource("b-gone", OSS_BUCKET, "cn-shanghai"),
        resource("u-1", RAM_USER, None),
        resource("i-1", ECS_INSTANCE, "cn-hangzhou"),
        resource("i-2", ECS_INSTANCE, "cn-shanghai"),
        resource("w-1", WIDGET, "cn-hangzhou"),
    ])
    delete(client, OSS_BUCKET, ["b-gone"])
    return credentials


FILTERS = {
    "one-type": ({"ResourceTypes": OSS_BUCKET}, ["b-1", "b-2", "b-3"]),
    "two-types": ({"ResourceTypes": f"{OSS_BUCKET},{RAM_USER}"}, ["b-1", "b-2", "b-3", "u-1"]),
    "unknown-type": ({"ResourceTypes": "ACS::Nope::Thing"}, []),
    "one-region": ({"Regions": "cn-hangzhou"}, ["w-1", "i-1", "b-1"]),
    "two-regions": ({"Regions": "cn-hangzhou,global"}, ["w-1", "i-1", "b-1", "u-1"]),
    "type-and-region": ({"ResourceTypes": f"{OSS_BUCKET},{ECS_INSTANCE}", "Regions": "cn-shanghai"}, ["i-2", "b-2"]),
    "resource-id": ({"ResourceId": "i-2"}, ["i-2"]),
    "unknown-resource-id": ({"ResourceId": "i-3"}, []),
    "resource-name": ({"ResourceName": "Bucket Two"}, ["b-2"]),
    "exclude": ({"ExcludeResourceTypes": f"{OSS_BUCKET},{WIDGET}"}, ["i-1", "i-2", "u-1"]),
    "exclude-wins": ({"ResourceTypes": f"{OSS_BUCKET},{ECS_INSTANCE}", "ExcludeResourceTypes": OSS_BUCKET}, ["i-1", "i-2"]),
    "exclude-everything-asked": ({"ResourceTypes": OSS_BUCKET, "ExcludeResourceTypes": OSS_BUCKET}, []),
    "deleted": ({"ResourceDeleted": 0}, ["b-gone"]),
    "deleted-of-a-type": ({"ResourceDeleted": 0, "ResourceTypes": ECS_INSTANCE}, []),
    "live": ({"ResourceDeleted": 1, "Regions": "cn-shanghai"}, ["i-2", "b-2"]),
}


@pytest.mark.parametrize("case", FILTERS.values(), ids=FILTERS.keys())
def test_filters(server, filter_account, client_kind, case):
    filters, expected = case
    if "ResourceName" in filters and client_kind == "old-sdk":
        pytest.skip("aliyun-python-sdk-config 2.2.14's ListDiscoveredResourcesRequest has no ResourceName")
    client = make_client(client_kind, server.endpoint, filter_account)
    page = list_page(client, MaxResults=100, **filters)
    assert ids(page.get("DiscoveredResourceProfileList") or []) == expected
    assert page["TotalCount"] == len(expected)
    if expected:
        assert list_all(client, page_size=1, **filters) == page["DiscoveredResourceProfileList"], "filters hold across pages"


def test_update_time_window(server, filter_account, client_kind):
    client = make_client(client_kind, server.endpoint, filter_account)
    every = ids(list_all(client))
    assert len(every) == 7
    now = now_ms()
    assert ids(list_all(client, StartUpdateTimestamp=now - 3_600_000, EndUpdateTimestamp=now + 60_000)) == every
    assert ids(list_all(client, StartUpdateTimestamp=now + 60_000 - 30 * DAY_MS, EndUpdateTimestamp=now + 60_000)) == every, "30 days is allowed"
    assert list_all(client, StartUpdateTimestamp=now - 2 * DAY_MS, EndUpdateTimestamp=now - DAY_MS) == []
    assert list_all(client, StartUpdateTimestamp=now + 60_000, EndUpdateTimestamp=now + 120_000) == []
    windowed = list_page(client, MaxResults=100, ResourceTypes=OSS_BUCKET, StartUpdateTimestamp=now - 3_600_000, EndUpdateTimestamp=now + 60_000)
    assert (ids(windowed["DiscoveredResourceProfileList"]), windowed["TotalCount"]) == (["b-1", "b-2", "b-3"], 3)


@pytest.mark.parametrize(
    "window, code, named",
    [
        ({"StartUpdateTimestamp": 1_700_000_000_000}, "MissingParameter", "EndUpdateTimestamp"),
        ({"EndUpdateTimestamp": 1_700_000_000_000}, "MissingParameter", "StartUpdateTimestamp"),
        ({"StartUpdateTimestamp": 1_700_000_000_000, "EndUpdateTimestamp": 1_700_000_000_000 + 30 * DAY_MS + 1}, "InvalidParameter", None),
        ({"StartUpdateTimestamp": 1_700_000_000_000, "EndUpdateTimestamp": 1_700_000_000_000 + 90 * DAY_MS}, "InvalidParameter", None),
    ],
    ids=["start-only", "end-only", "30-days-and-1-ms", "90-days"],
)
def test_update_window_errors(server, filter_account, client_kind, window, code, named):
    client = make_client(client_kind, server.endpoint, filter_account)
    error = expect_error(client, "ListDiscoveredResources", MaxResults=10, **window)
    assert (error.status, error.code) == (400, code)
    if named:
        assert named in error.message, error.message


# --- counts -------------------------------------------------------------------------------


def test_counts_by_region_and_by_type(account_client):
    assert counts_by_region(account_client) == {} and counts_by_type(account_client) == {}
    put(account_client, [
        *(resource(f"b-hz-{n}", OSS_BUCKET, "cn-hangzhou") for n in range(3)),
        *(resource(f"b-sh-{n}", OSS_BUCKET, "cn-shanghai") for n in range(3)),
        resource("w-hz", WIDGET, "cn-hangzhou"),
        resource("u-1", RAM_USER, None),
        resource("u-2", RAM_USER, None),
    ])
    delete(account_client, OSS_BUCKET, ["b-sh-2"])

    assert counts_by_region(account_client) == {"cn-hangzhou": 4, "cn-shanghai": 2, "global": 2}
    assert counts_by_region(account_client, ResourceType=OSS_BUCKET) == {"cn-hangzhou": 3, "cn-shanghai": 2}
    assert counts_by_region(account_client, ResourceType=RAM_USER) == {"global": 2}
    assert counts_by_region(account_client, ResourceType=ECS_INSTANCE) == {}
    assert counts_by_type(account_client) == {OSS_BUCKET: 5, WIDGET: 1, RAM_USER: 2}
    assert counts_by_type(account_client, Region="cn-hangzhou") == {OSS_BUCKET: 3, WIDGET: 1}
    assert counts_by_type(account_client, Region="global") == {RAM_USER: 2}
    assert counts_by_type(account_client, Region="cn-beijing") == {}

    delete(account_client, RAM_USER, ["u-1", "u-2"])
    assert counts_by_region(account_client) == {"cn-hangzhou": 4, "cn-shanghai": 2}
    assert counts_by_type(account_client) == {OSS_BUCKET: 5, WIDGET: 1}


# --- sample -------------------------------------------------------------------------------


def sample(client, resource_type: str) -> dict:
    """`GetResourceConfigurationSample`: typed where the SDK has the request (the V3 SDK);
    the old SDK has no request class for it, so it goes through `CommonRequest`."""
    if isinstance(client, OldSdkClient):
        return client.call_untyped("GetResourceConfigurationSample", ResourceType=resource_type)["Sample"]
    return client.call("GetResourceConfigurationSample", ResourceType=resource_type)["Sample"]


def test_sample_of_an_oss_bucket_has_the_vendor_keys(client):
    found = sample(client, OSS_BUCKET)
    assert found["ResourceType"] == OSS_BUCKET
    configuration = json.loads(found["Configuration"])
    # The vendor's published keys lead, in its order; fields managed rules read may follow.
    assert list(configuration)[: len(OSS_SAMPLE_KEYS)] == OSS_SAMPLE_KEYS
    assert configuration["AccessControlList"] == {"Grant": "private"}
    assert configuration["ServerSideEncryptionRule"] == {"SSEAlgorithm": "None"}

    user = sample(client, RAM_USER)
    assert user["ResourceType"] == RAM_USER and user["Region"] == "global"
    assert {"UserName", "LoginProfile", "AccessKeys"} <= set(json.loads(user["Configuration"]))


def test_sample_of_an_unknown_type_is_invalid(client):
    untyped = isinstance(client, OldSdkClient)
    error = expect_error(client, "GetResourceConfigurationSample", untyped=untyped, ResourceType="ACS::Nope::Thing")
    assert (error.status, error.code) == (400, "InvalidParameter")
    assert "ResourceType" in error.message, error.message


def test_a_multi_byte_id_is_found_by_every_call(server, paging_account, client_kind):
    """`bucket-é` travels percent-encoded as UTF-8 in each SDK's signed query."""
    client = make_client(client_kind, server.endpoint, paging_account[0])
    page = list_page(client, MaxResults=10, ResourceId="bucket-é")
    assert (ids(page["DiscoveredResourceProfileList"]), page["TotalCount"]) == (["bucket-é"], 1)
    assert client.call("GetDiscoveredResource", ResourceType=OSS_BUCKET, ResourceId="bucket-é")["DiscoveredResourceDetail"]["ResourceId"] == "bucket-é"
    line = client.call("GetResourceConfigurationTimeline", ResourceType=OSS_BUCKET, ResourceId="bucket-é", Region="cn-hangzhou")
    assert [c["ResourceId"] for c in line["ResourceConfigurationTimeline"]["ConfigurationList"]] == ["bucket-é"]
