//! Rule evaluation across crashes: pending and interrupted evaluation jobs, and changes
//! stored while no server runs, are all evaluated once a server is back.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::Client;
use crate::server::Server;

fn buckets(range: std::ops::Range<usize>) -> Value {
    let items: Vec<Value> = range
        .map(|i| {
            let grant = if i % 4 == 0 { "public-read" } else { "private" };
            json!({"ResourceId": format!("b{i:05}"), "ResourceType": "ACS::OSS::Bucket", "Region": "cn-hangzhou",
                   "Configuration": {"AccessControlList": {"Grant": grant}}})
        })
        .collect();
    Value::Array(items)
}

async fn put(client: &Client, resources: &Value) {
    let mut call = client.v1("PutDiscoveredResources", &[]).into_post_form();
    call.body.push(("Resources".to_owned(), resources.to_string()));
    let reply = client.send_v1(call).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

async fn create_rule(client: &Client) -> String {
    let call = client.v1(
        "CreateConfigRule",
        &[
            ("ConfigRuleName", "no-public-read"),
            ("SourceOwner", "ALIYUN"),
            ("SourceIdentifier", "oss-bucket-public-read-prohibited"),
            ("ConfigRuleTriggerTypes", "ConfigurationItemChangeNotification"),
            ("ResourceTypesScope", "ACS::OSS::Bucket"),
            ("RiskLevel", "1"),
        ],
    );
    let reply = client.send_v1(call).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["ConfigRuleId"].as_str().expect("an id").to_owned()
}

/// Polls the rule's per-type counts until they equal `want` (compliant, non-compliant).
async fn wait_for_counts(client: &Client, rule_id: &str, want: (i64, i64), server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let reply = client.send_v1(client.v1("GetResourceComplianceByConfigRule", &[("ConfigRuleId", rule_id)])).await;
        let counts = reply.json()["ComplianceResult"]["Compliances"].clone();
        let count = |t: &str| {
            counts
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["ComplianceType"] == t)
                .map(|c| c["Count"].as_i64().unwrap_or(0))
                .sum::<i64>()
        };
        if (count("COMPLIANT"), count("NON_COMPLIANT")) == want {
            return;
        }
        assert!(Instant::now() < deadline, "counts stayed {counts}, want {want:?}; log:\n{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn results_are_complete_after_a_crash_during_evaluation() {
    let flags = ["--evaluation-lease-seconds", "1"];
    let server = Server::start(&flags);
    let client = server.client();
    put(&client, &buckets(0..1000)).await;
    put(&client, &buckets(1000..2000)).await;
    let rule_id = create_rule(&client).await;
    // Killed at once: the job may be pending, half done or finished (timing decides; the
    // lease-reclaim path itself is pinned by the store conformance suite). Whichever it
    // was, the restarted server must end with every bucket evaluated.
    let (dir, temp) = server.kill();
    let server = Server::start_in(&dir, &flags, temp);
    let client = server.client();
    wait_for_counts(&client, &rule_id, (1500, 500), &server).await;
    assert_eq!(server.stop().code(), Some(0));
}

#[tokio::test]
async fn changes_stored_while_no_server_runs_are_evaluated_on_start() {
    let server = Server::start(&[]);
    let client = server.client();
    put(&client, &buckets(0..8)).await;
    let rule_id = create_rule(&client).await;
    wait_for_counts(&client, &rule_id, (6, 2), &server).await;
    let account = server.credentials()["AccountId"].to_string().trim_matches('"').to_owned();
    let (dir, temp) = server.kill();

    // `confpack import` writes to the store with no server running.
    let file = dir.join("more.json");
    std::fs::write(&file, buckets(8..16).to_string()).expect("write input");
    let out = std::process::Command::new(crate::server::binary())
        .args(["import", "--account", &account, "--data-dir"])
        .arg(&dir)
        .arg(&file)
        .env_remove("CONFPACK_DATABASE")
        .output()
        .expect("run import");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let server = Server::start_in(&dir, &[], temp);
    wait_for_counts(&server.client(), &rule_id, (12, 4), &server).await;
    assert_eq!(server.stop().code(), Some(0));
}
