//! Inventory conformance cases: versions, diffs, deletion, paging, counts, the change feed
//! and account isolation.

use confpack_inventory::diff::prepare;
use confpack_inventory::input::parse_resource;
use confpack_model::{AccountId, PreparedResource, PutOutcome, ResourceEventType};
use confpack_store::{CountGroup, ResourceQuery, Store, StoreError, TimelineQuery};
use serde_json::{Value, json};

use crate::cases::Reopen;

const NOW: i64 = 1_764_000_000_000;

fn bucket(id: &str, acl: &str) -> PreparedResource {
    let item = json!({
        "ResourceId": id, "ResourceType": "ACS::OSS::Bucket", "Region": "cn-hangzhou",
        "Tags": {"env": ["prod"]},
        "Configuration": {"AccessControlList": {"Grant": acl}, "StorageClass": "Standard"}
    });
    prepare(parse_resource(&item).expect("valid item"))
}

fn typed(resource_type: &str, id: &str, region: &str) -> PreparedResource {
    let item = json!({"ResourceId": id, "ResourceType": resource_type, "Region": region, "Configuration": {"Id": id}});
    prepare(parse_resource(&item).expect("valid item"))
}

async fn account(store: &dyn Store, name: &str) -> AccountId {
    store.create_account(name, NOW).await.expect("account").0.id
}

fn window() -> TimelineQuery {
    TimelineQuery { start_ms: 0, end_ms: i64::MAX, before_version: None, limit: 100 }
}

pub async fn puts_create_change_and_skip_unchanged(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-a").await;
    let first = store.put_resources(acct, &[bucket("b1", "private"), bucket("b2", "private")], NOW).await.expect("put");
    assert_eq!(first, vec![(PutOutcome::Created, 1), (PutOutcome::Created, 1)]);
    let again = store.put_resources(acct, &[bucket("b1", "private")], NOW + 1).await.expect("put");
    assert_eq!(again, vec![(PutOutcome::Unchanged, 1)]);
    let changed = store.put_resources(acct, &[bucket("b1", "public-read")], NOW + 2).await.expect("put");
    assert_eq!(changed, vec![(PutOutcome::Changed, 2)]);
    let stored = store.get_resource(acct, "ACS::OSS::Bucket", "b1").await.expect("get").expect("present");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.update_time, NOW + 2);
    assert_eq!(stored.record.configuration["AccessControlList"]["Grant"], "public-read");
    assert_eq!(stored.record.tags["env"], vec!["prod".to_owned()]);
    assert!(!stored.deleted);
}

pub async fn the_timeline_holds_every_version_with_its_diff(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-b").await;
    store.put_resources(acct, &[bucket("b1", "private")], NOW).await.expect("put");
    let only = store.resource_timeline(acct, "ACS::OSS::Bucket", "b1", &window()).await.expect("timeline");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].event_type, ResourceEventType::Discovered);
    assert_eq!(only[0].configuration_diff["StorageClass"], json!([null, "Standard"]));

    store.put_resources(acct, &[bucket("b1", "public-read")], NOW + 10).await.expect("put");
    store.delete_resources(acct, "ACS::OSS::Bucket", &["b1".to_owned()], NOW + 20).await.expect("delete");
    let all = store.resource_timeline(acct, "ACS::OSS::Bucket", "b1", &window()).await.expect("timeline");
    let events: Vec<_> = all.iter().map(|v| (v.version, v.event_type, v.capture_time)).collect();
    assert_eq!(
        events,
        vec![
            (3, ResourceEventType::Remove, NOW + 20),
            (2, ResourceEventType::Modify, NOW + 10),
            (1, ResourceEventType::Discovered, NOW)
        ]
    );
    assert_eq!(
        all[1].configuration_diff,
        json!({"AccessControlList": [{"Grant": "private"}, {"Grant": "public-read"}]})
    );
    assert_eq!(all[2].configuration_diff["AccessControlList"], json!([null, {"Grant": "private"}]));
    assert_eq!(all[0].configuration_diff, json!({}));

    let page = store
        .resource_timeline(
            acct,
            "ACS::OSS::Bucket",
            "b1",
            &TimelineQuery { before_version: Some(3), limit: 1, ..window() },
        )
        .await
        .expect("page");
    assert_eq!(page.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2]);
    let windowed = store
        .resource_timeline(
            acct,
            "ACS::OSS::Bucket",
            "b1",
            &TimelineQuery { start_ms: NOW + 5, end_ms: NOW + 15, ..window() },
        )
        .await
        .expect("window");
    assert_eq!(windowed.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2]);
}

pub async fn deletion_keeps_history_and_unknown_ids_write_nothing(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-c").await;
    store.put_resources(acct, &[bucket("b1", "private"), bucket("b2", "private")], NOW).await.expect("put");
    let refused =
        store.delete_resources(acct, "ACS::OSS::Bucket", &["b1".to_owned(), "ghost".to_owned()], NOW + 1).await;
    assert!(matches!(refused, Err(StoreError::NotFound(ref m)) if m.contains("ghost")), "{refused:?}");
    assert!(
        !store.get_resource(acct, "ACS::OSS::Bucket", "b1").await.expect("get").expect("present").deleted,
        "nothing was written"
    );

    assert_eq!(store.delete_resources(acct, "ACS::OSS::Bucket", &["b1".to_owned()], NOW + 2).await.expect("delete"), 1);
    assert_eq!(store.delete_resources(acct, "ACS::OSS::Bucket", &["b1".to_owned()], NOW + 3).await.expect("again"), 0);
    let gone = store.get_resource(acct, "ACS::OSS::Bucket", "b1").await.expect("get").expect("kept");
    assert!(gone.deleted);
    assert_eq!(gone.version, 2);

    let live =
        store.list_resources(acct, &ResourceQuery { limit: 10, ..ResourceQuery::default() }).await.expect("list");
    assert_eq!(live.items.iter().map(|r| r.record.resource_id.as_str()).collect::<Vec<_>>(), vec!["b2"]);
    let dead = store
        .list_resources(acct, &ResourceQuery { deleted: true, limit: 10, ..ResourceQuery::default() })
        .await
        .expect("list");
    assert_eq!(dead.items.iter().map(|r| r.record.resource_id.as_str()).collect::<Vec<_>>(), vec!["b1"]);

    let back = store.put_resources(acct, &[bucket("b1", "private")], NOW + 4).await.expect("rediscover");
    assert_eq!(back, vec![(PutOutcome::Changed, 3)]);
}

pub async fn pages_follow_type_and_id_order_with_filters(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-d").await;
    let mut items: Vec<PreparedResource> = (0..7)
        .map(|i| typed("ACS::ECS::Instance", &format!("i-{i}"), if i % 2 == 0 { "cn-hangzhou" } else { "cn-beijing" }))
        .collect();
    items.push(typed("ACS::OSS::Bucket", "a-bucket", "cn-hangzhou"));
    items.push(typed("ACS::RAM::User", "alice", "global"));
    store.put_resources(acct, &items, NOW).await.expect("put");

    let mut seen = Vec::new();
    let mut query = ResourceQuery { limit: 4, ..ResourceQuery::default() };
    loop {
        let page = store.list_resources(acct, &query).await.expect("page");
        assert_eq!(page.total, 9);
        assert!(page.items.iter().all(|r| r.record.configuration == Value::Null), "lists carry no configurations");
        seen.extend(page.items.iter().map(|r| r.record.resource_id.clone()));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let expected = ["i-0", "i-1", "i-2", "i-3", "i-4", "i-5", "i-6", "a-bucket", "alice"];
    assert_eq!(seen, expected);

    let filtered = ResourceQuery {
        resource_types: vec!["ACS::ECS::Instance".into()],
        regions: vec!["cn-beijing".into()],
        limit: 10,
        ..ResourceQuery::default()
    };
    let page = store.list_resources(acct, &filtered).await.expect("filtered");
    assert_eq!(page.total, 3);
    let excluded = ResourceQuery {
        resource_types: vec!["ACS::ECS::Instance".into(), "ACS::OSS::Bucket".into()],
        exclude_resource_types: vec!["ACS::ECS::Instance".into()],
        limit: 10,
        ..ResourceQuery::default()
    };
    assert_eq!(store.list_resources(acct, &excluded).await.expect("excluded").total, 1, "exclusion wins");
    let by_id = ResourceQuery { resource_id: Some("alice".into()), limit: 10, ..ResourceQuery::default() };
    assert_eq!(store.list_resources(acct, &by_id).await.expect("by id").items.len(), 1);
    let by_time = ResourceQuery { update_time: Some((NOW + 1, NOW + 2)), limit: 10, ..ResourceQuery::default() };
    assert_eq!(store.list_resources(acct, &by_time).await.expect("by time").total, 0);
}

pub async fn paging_stays_correct_while_resources_are_added(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-e").await;
    let items: Vec<_> = (0..10).map(|i| typed("ACS::ECS::Instance", &format!("i-{i:02}"), "cn-hangzhou")).collect();
    store.put_resources(acct, &items, NOW).await.expect("put");
    let first =
        store.list_resources(acct, &ResourceQuery { limit: 5, ..ResourceQuery::default() }).await.expect("page");
    // Added while the client pages: one before the cursor, one after.
    store
        .put_resources(
            acct,
            &[typed("ACS::ECS::Instance", "i-00a", "cn-hangzhou"), typed("ACS::ECS::Instance", "i-99", "cn-hangzhou")],
            NOW,
        )
        .await
        .expect("put");
    let second = store
        .list_resources(acct, &ResourceQuery { limit: 100, after: first.next.clone(), ..ResourceQuery::default() })
        .await
        .expect("page");
    let ids: Vec<String> = first.items.iter().chain(&second.items).map(|r| r.record.resource_id.clone()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "no resource is listed twice");
    for i in 0..10 {
        assert!(ids.contains(&format!("i-{i:02}")), "i-{i:02} was not skipped");
    }
    assert!(ids.contains(&"i-99".to_owned()), "a resource added after the cursor is seen");
}

pub async fn counts_group_live_resources(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-f").await;
    let items = vec![
        typed("ACS::ECS::Instance", "i-1", "cn-hangzhou"),
        typed("ACS::ECS::Instance", "i-2", "cn-beijing"),
        typed("ACS::OSS::Bucket", "b", "cn-hangzhou"),
    ];
    store.put_resources(acct, &items, NOW).await.expect("put");
    store.delete_resources(acct, "ACS::ECS::Instance", &["i-2".to_owned()], NOW).await.expect("delete");
    let by_region = CountGroup::ByRegion { resource_type: None };
    assert_eq!(store.count_resources(acct, &by_region).await.expect("regions"), vec![("cn-hangzhou".to_owned(), 2)]);
    let by_type = CountGroup::ByType { region: None };
    assert_eq!(
        store.count_resources(acct, &by_type).await.expect("types"),
        vec![("ACS::ECS::Instance".to_owned(), 1), ("ACS::OSS::Bucket".to_owned(), 1)]
    );
    let buckets_by_region = CountGroup::ByRegion { resource_type: Some("ACS::OSS::Bucket".into()) };
    assert_eq!(
        store.count_resources(acct, &buckets_by_region).await.expect("filtered"),
        vec![("cn-hangzhou".to_owned(), 1)]
    );
    let types_in_beijing = CountGroup::ByType { region: Some("cn-beijing".into()) };
    assert!(store.count_resources(acct, &types_in_beijing).await.expect("filtered").is_empty());
}

pub async fn the_change_feed_lists_every_version_in_order(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-g").await;
    let start = store.changes_since(0, 1_000_000).await.expect("feed").last().map_or(0, |(seq, _)| *seq);
    store.put_resources(acct, &[bucket("b1", "private")], NOW).await.expect("put");
    store.put_resources(acct, &[bucket("b1", "private")], NOW).await.expect("unchanged");
    store.put_resources(acct, &[bucket("b1", "public-read")], NOW).await.expect("changed");
    let feed = store.changes_since(start, 100).await.expect("feed");
    let events: Vec<_> =
        feed.iter().map(|(_, c)| (c.account_id, c.resource_id.as_str(), c.version, c.event_type)).collect();
    assert_eq!(
        events,
        vec![(acct, "b1", 1, ResourceEventType::Discovered), (acct, "b1", 2, ResourceEventType::Modify)]
    );
    assert!(feed.windows(2).all(|w| w[0].0 < w[1].0));
}

pub async fn accounts_never_see_each_others_resources(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "inv-h").await;
    let b = account(store, "inv-i").await;
    store.put_resources(a, &[bucket("shared-name", "private")], NOW).await.expect("put");
    assert!(store.get_resource(b, "ACS::OSS::Bucket", "shared-name").await.expect("get").is_none());
    assert_eq!(
        store.list_resources(b, &ResourceQuery { limit: 10, ..ResourceQuery::default() }).await.expect("list").total,
        0
    );
    assert!(
        store.resource_timeline(b, "ACS::OSS::Bucket", "shared-name", &window()).await.expect("timeline").is_empty()
    );
    assert!(store.count_resources(b, &CountGroup::ByType { region: None }).await.expect("counts").is_empty());
    assert!(matches!(
        store.delete_resources(b, "ACS::OSS::Bucket", &["shared-name".to_owned()], NOW).await,
        Err(StoreError::NotFound(_))
    ));
    let created = store.put_resources(b, &[bucket("shared-name", "public-read")], NOW).await.expect("own copy");
    assert_eq!(created, vec![(PutOutcome::Created, 1)]);
}

pub async fn a_resource_twice_in_one_batch_is_a_change(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-j").await;
    // The same resource twice in one batch: the second is a change of the first.
    let outcomes =
        store.put_resources(acct, &[bucket("dup", "private"), bucket("dup", "public-read")], NOW).await.expect("put");
    assert_eq!(outcomes, vec![(PutOutcome::Created, 1), (PutOutcome::Changed, 2)]);
    let timeline = store.resource_timeline(acct, "ACS::OSS::Bucket", "dup", &window()).await.expect("timeline");
    assert_eq!(timeline.len(), 2);
}

pub async fn concurrent_batches_all_succeed(store: &dyn Store, reopen: &Reopen<'_>) {
    let acct = account(store, "inv-k").await;
    let other = reopen().await;
    let other = other.as_ref();
    // Each batch reads what exists and then writes: two at once must queue, not fail.
    let batches = (0..8).map(|b| {
        let items: Vec<PreparedResource> = (0..50).map(|i| bucket(&format!("c{b}-{i}"), "private")).collect();
        async move {
            let target = if b % 2 == 0 { store } else { other };
            target.put_resources(acct, &items, NOW).await
        }
    });
    let results = futures_util::future::join_all(batches).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    let all = store.list_resources(acct, &ResourceQuery { limit: 10, ..ResourceQuery::default() }).await.expect("list");
    assert_eq!(all.total, 400);
}

pub async fn many_resources_are_read_at_once(store: &dyn Store, _: &Reopen<'_>) {
    let acct = account(store, "inv-many").await;
    let other = account(store, "inv-many-other").await;
    let items: Vec<PreparedResource> =
        (0..1200).map(|i| typed("ACS::ECS::Instance", &format!("i-{i:04}"), "cn-hangzhou")).collect();
    store.put_resources(acct, &items, NOW).await.expect("put");
    store.put_resources(acct, &[typed("ACS::ECS::Disk", "i-0001", "cn-hangzhou")], NOW).await.expect("put");
    store.put_resources(other, &[typed("ACS::ECS::Instance", "i-9999", "cn-hangzhou")], NOW).await.expect("put");
    store.delete_resources(acct, "ACS::ECS::Instance", &["i-0002".to_owned()], NOW + 1).await.expect("delete");

    // More ids than one query takes, some unknown, one of another account, one deleted.
    let mut wanted: Vec<String> = (0..1100).map(|i| format!("i-{i:04}")).collect();
    wanted.extend(["i-9999".to_owned(), "nope".to_owned()]);
    let found = store.get_resources(acct, "ACS::ECS::Instance", &wanted).await.expect("get many");
    let mut ids: Vec<&str> = found.iter().map(|r| r.record.resource_id.as_str()).collect();
    ids.sort_unstable();
    let expected: Vec<String> = (0..1100).map(|i| format!("i-{i:04}")).collect();
    assert_eq!(ids, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(found.iter().all(|r| r.record.resource_type == "ACS::ECS::Instance"));
    let one = found.iter().find(|r| r.record.resource_id == "i-0001").expect("i-0001");
    assert_eq!(one.record.configuration["Id"], "i-0001", "configurations are read");
    assert!(found.iter().find(|r| r.record.resource_id == "i-0002").expect("deleted ones too").deleted);
    assert!(store.get_resources(acct, "ACS::ECS::Instance", &[]).await.expect("none").is_empty());
}
