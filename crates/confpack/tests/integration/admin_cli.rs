//! The admin CLI contract: accounts and keys, run while the server serves the same data
//! directory, and the action listing.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::client::Client;
use crate::server::{Server, binary};

const UNKNOWN_PACK: &str = "cp-fdc8626622af00f91234";

fn json_line(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

#[tokio::test]
async fn a_fresh_data_dir_gets_an_account_and_a_private_credentials_file() {
    let server = Server::start(&[]);
    let credentials = server.credentials();
    assert_eq!(credentials["AccountId"].as_i64().map(|id| id.to_string().len()), Some(16));
    assert!(credentials["AccessKeyId"].as_str().is_some_and(|id| id.starts_with("LTAI")));
    let secret = credentials["AccessKeySecret"].as_str().expect("secret").to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(server.data_dir.join("credentials.json")).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let log = server.log();
    assert!(log.contains("credentials.json"), "the log names the credentials file");
    assert!(!log.contains(&secret), "the log must never contain the secret");
}

#[tokio::test]
async fn accounts_created_while_the_server_runs_can_call_it() {
    let server = Server::start(&[]);
    let created = json_line(&server.admin(&["accounts", "create", "--name", "audit-team"]));
    let keys: Vec<&str> = created.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["AccountId", "AccessKeyId", "AccessKeySecret"]);
    let client = Client::from_credentials(&server.endpoint, &created);
    client.expect_seed_answer().await;

    let listed = server.admin(&["accounts", "list"]);
    assert!(listed.status.success());
    let names: Vec<Value> =
        String::from_utf8_lossy(&listed.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(names.len(), 2);
    assert!(names.iter().any(|a| a["Name"] == "audit-team" && a["Status"] == "ENABLED"));
}

#[tokio::test]
async fn a_disabled_account_does_not_exist_for_the_api() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let client = server.client();
    let account = server.credentials()["AccountId"].to_string();
    assert!(server.admin(&["accounts", "disable", &account]).status.success());
    let reply = client.send_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])).await;
    assert_eq!(reply.expect_error(404, "AccountNotExisted"), "Your account does not exist.");
    assert!(server.admin(&["accounts", "enable", &account]).status.success());
    client
        .send_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]))
        .await
        .expect_error(400, "Invalid.CompliancePackId.Value");
}

#[tokio::test]
async fn keys_are_created_listed_and_deleted() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let account = server.credentials()["AccountId"].to_string();
    let created = json_line(&server.admin(&["keys", "create", &account]));
    assert_eq!(created["AccountId"].to_string(), account);
    let client = Client::from_credentials(&server.endpoint, &created);
    client.expect_seed_answer().await;

    let listed = server.admin(&["keys", "list", &account]);
    let text = String::from_utf8_lossy(&listed.stdout).to_string();
    assert_eq!(text.lines().count(), 2);
    assert!(!text.contains(created["AccessKeySecret"].as_str().expect("secret")), "listing never shows secrets");

    assert!(server.admin(&["keys", "delete", &client.key_id]).status.success());
    client
        .send_v1(client.v1("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]))
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");
    let again = server.admin(&["keys", "delete", &client.key_id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not found"));
}

#[test]
fn admin_commands_report_bad_input_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(binary())
        .args(["accounts", "disable", "not-a-number", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("account id"), "{}", String::from_utf8_lossy(&out.stderr));
    let out =
        Command::new(binary()).args(["keys", "create", "42", "--data-dir"]).arg(dir.path()).output().expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("account 42 not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_action_table_lists_the_whole_catalogue() {
    let out = Command::new(binary()).arg("actions").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let vendor: Vec<&str> = text.lines().filter(|l| l.ends_with("\tvendor")).collect();
    assert_eq!(vendor.len(), 154);
    assert!(text.lines().any(|l| l == "GenerateCompliancePackReport\tsupported\tvendor"));
    assert!(text.lines().any(|l| l == "ListAggregators\tnot-supported\tvendor"));
    let out = Command::new(binary()).args(["actions", "--supported"]).output().expect("run");
    let supported = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(supported.lines().any(|l| l == "GetCompliancePackReport"));
    assert!(!supported.contains("ListAggregators"));
}

#[tokio::test]
async fn restarting_keeps_the_account_and_does_not_rewrite_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Server::start_in(dir.path(), &[], None);
    let credentials = first.credentials();
    assert!(first.stop().success());
    let modified = std::fs::metadata(dir.path().join("credentials.json")).and_then(|m| m.modified()).expect("mtime");
    std::thread::sleep(Duration::from_millis(20));
    let second = Server::start_in(dir.path(), &[], None);
    assert_eq!(second.credentials(), credentials);
    assert_eq!(
        std::fs::metadata(dir.path().join("credentials.json")).and_then(|m| m.modified()).expect("mtime"),
        modified
    );
    let client = second.client();
    client.expect_seed_answer().await;
}
