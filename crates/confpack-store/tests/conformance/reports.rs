//! Report-store conformance cases: one report in progress per subject, leases taken over
//! after a crash, completion replacing the earlier report, shared secrets, and results
//! snapshots that do not see writes made while they are read.

use confpack_model::{AccountId, ReportJob, ReportKind};
use confpack_store::{SnapshotItem, Store, StoreError};

use crate::cases::Reopen;
use crate::rules::{NOW, account, result, rules};

fn job(account: AccountId, id: &str, pack: &str, created_ms: i64) -> ReportJob {
    ReportJob {
        report_id: id.into(),
        account_id: account,
        kind: ReportKind::Pack,
        subject: pack.into(),
        rule_ids: Vec::new(),
        state: "CREATING".into(),
        created_ms,
        snapshot_ms: None,
        attempts: 0,
        error: String::new(),
    }
}

pub async fn one_report_per_pack_is_created_at_a_time(store: &dyn Store, reopen: &Reopen<'_>) {
    let a = account(store, "a").await;
    let b = account(store, "b").await;
    store.begin_report(&job(a, "cpr-1", "cp-1", NOW)).await.expect("begin");
    assert!(matches!(store.begin_report(&job(a, "cpr-2", "cp-1", NOW)).await, Err(StoreError::Conflict(_))));
    store.begin_report(&job(a, "cpr-3", "cp-2", NOW + 1)).await.expect("another pack");
    store.begin_report(&job(b, "cpr-4", "cp-1", NOW + 2)).await.expect("another account");
    let rules_job = ReportJob {
        kind: ReportKind::Rules,
        subject: String::new(),
        rule_ids: vec!["cr-1".into()],
        ..job(a, "crp-1", "", NOW + 3)
    };
    store.begin_report(&rules_job).await.expect("rules report");

    let first = store.claim_report(NOW, 1000).await.expect("claim").expect("a job");
    assert_eq!((first.report_id.as_str(), first.attempts), ("cpr-1", 1));
    // A crash: the job stays leased, and is claimed again once the lease ran out.
    let store = reopen().await;
    let store = store.as_ref();
    for expected in ["cpr-3", "cpr-4", "crp-1"] {
        assert_eq!(store.claim_report(NOW + 10, 1000).await.expect("claim").expect("job").report_id, expected);
    }
    assert!(store.claim_report(NOW + 10, 1000).await.expect("claim").is_none(), "all leased");
    let again = store.claim_report(NOW + 1001, 1000).await.expect("claim").expect("reclaimed");
    assert_eq!((again.report_id.as_str(), again.attempts), ("cpr-1", 2));
    assert!(store.renew_report("cpr-1", NOW + 5000).await.expect("renew"));

    assert_eq!(store.complete_report("cpr-1", NOW + 20).await.expect("complete"), Some(Vec::new()));
    assert_eq!(store.complete_report("cpr-1", NOW + 21).await.expect("again"), None, "completed once");
    assert!(!store.renew_report("cpr-1", NOW + 6000).await.expect("renew"), "no longer creating");
    // A second report of the pack replaces the first when it completes.
    store.begin_report(&job(a, "cpr-5", "cp-1", NOW + 30)).await.expect("next report");
    let listed: Vec<String> =
        store.reports_of(a, ReportKind::Pack, "cp-1").await.expect("list").into_iter().map(|j| j.report_id).collect();
    assert_eq!(listed, ["cpr-5", "cpr-1"], "newest first, the previous one kept meanwhile");
    assert_eq!(store.complete_report("cpr-5", NOW + 40).await.expect("complete"), Some(vec!["cpr-1".to_owned()]));
    let kept = store.reports_of(a, ReportKind::Pack, "cp-1").await.expect("list");
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].state.as_str(), kept[0].snapshot_ms), ("COMPLETE", Some(NOW + 40)));

    store.fail_report("cpr-3", "disk full").await.expect("fail");
    let failed = store.get_report(a, "cpr-3").await.expect("get").expect("exists");
    assert_eq!((failed.state.as_str(), failed.error.as_str()), ("FAILED", "disk full"));
    assert!(store.get_report(b, "cpr-3").await.expect("get").is_none(), "other accounts do not see it");
    let rules_report = store.get_report(a, "crp-1").await.expect("get").expect("exists");
    assert_eq!((rules_report.kind, rules_report.rule_ids), (ReportKind::Rules, vec!["cr-1".to_owned()]));

    assert_eq!(store.delete_reports_of(a, ReportKind::Pack, "cp-1").await.expect("delete"), ["cpr-5"]);
    assert!(store.reports_of(a, ReportKind::Pack, "cp-1").await.expect("list").is_empty());
    assert_eq!(
        store.reports_of(b, ReportKind::Pack, "cp-1").await.expect("list").len(),
        1,
        "other accounts keep theirs"
    );

    let secret = store.service_secret("report-links", "first").await.expect("secret");
    assert_eq!(secret, "first");
    assert_eq!(store.service_secret("report-links", "second").await.expect("secret"), "first", "made once");
}

pub async fn snapshots_do_not_see_later_writes(store: &dyn Store, _: &Reopen<'_>) {
    let a = account(store, "a").await;
    rules(store, a, &["cr-1", "cr-2"]).await;
    let writes: Vec<_> =
        (0..50).map(|i| result(if i % 2 == 0 { "cr-1" } else { "cr-2" }, &format!("b{i:02}"), "COMPLIANT")).collect();
    store.put_results(a, &writes, false, NOW).await.expect("put");
    let ids = ["cr-1".to_owned(), "cr-2".to_owned()];
    let (sink, mut source) = tokio::sync::mpsc::channel(1);
    let snapshot = store.snapshot_results(a, &ids, NOW, sink);
    let reader = async {
        // Once the rules wait in the one-item channel, the snapshot has begun (the rules were
        // read in it) and is held up before it reads the results. Meanwhile: results change,
        // one is added and one deleted.
        while source.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let changed: Vec<_> = (0..50)
            .map(|i| result(if i % 2 == 0 { "cr-1" } else { "cr-2" }, &format!("b{i:02}"), "NON_COMPLIANT"))
            .collect();
        store.put_results(a, &changed, false, NOW + 1).await.expect("concurrent put");
        store.put_results(a, &[result("cr-1", "b99", "NON_COMPLIANT")], false, NOW + 1).await.expect("added");
        store.delete_resource_results(a, "ACS::OSS::Bucket", "b49", NOW + 1).await.expect("deleted");
        let mut items = Vec::new();
        while let Some(item) = source.recv().await {
            items.push(item);
        }
        items
    };
    let (sent, items) = tokio::join!(snapshot, reader);
    assert_eq!(sent.expect("snapshot"), 50);
    let SnapshotItem::Rules(rules) = &items[0] else { panic!("rules come first") };
    assert_eq!(rules.iter().map(|r| r.rule_id.as_str()).collect::<Vec<_>>(), ["cr-1", "cr-2"]);
    let SnapshotItem::ResourceCounts(counts) = &items[1] else { panic!("then the resource counters") };
    assert_eq!(counts, &[("COMPLIANT".to_owned(), 50)], "counted in the same snapshot");
    let mut results: Vec<_> = items[2..]
        .iter()
        .flat_map(|i| match i {
            SnapshotItem::Results(batch) => {
                batch.iter().map(|r| (r.write.resource_id.clone(), r.effective_type.clone()))
            }
            _ => panic!("rules and counters only once"),
        })
        .collect();
    results.sort();
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|(_, t)| t == "COMPLIANT"), "no later write is visible");
    results.dedup();
    assert_eq!(results.len(), 50, "each result once");
    // The store has the writes all the same.
    let (sink, mut source) = tokio::sync::mpsc::channel(100);
    let after = tokio::spawn(async move {
        let mut n = 0;
        while let Some(item) = source.recv().await {
            if let SnapshotItem::Results(batch) = item {
                n += batch.iter().filter(|r| r.effective_type == "NON_COMPLIANT").count();
            }
        }
        n
    });
    store.snapshot_results(a, &ids, NOW + 2, sink).await.expect("second snapshot");
    assert_eq!(after.await.expect("reader"), 50, "49 changed and one added");
}
