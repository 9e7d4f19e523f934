//! `confpack import`: files, directories and stdin; rejected lines named with file and
//! line; the summary; and the data visible through the API afterwards.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::server::{Server, binary};

fn line(id: &str, acl: &str) -> String {
    json!({"ResourceId": id, "ResourceType": "ACS::OSS::Bucket", "Region": "cn-hangzhou", "Configuration": {"AccessControlList": {"Grant": acl}}}).to_string()
}

fn import(server: &Server, args: &[&str], stdin: Option<&[u8]>) -> (bool, Value, String) {
    let account = server.credentials()["AccountId"].to_string();
    let mut child = Command::new(binary())
        .args(["import", "--account", &account, "--data-dir"])
        .arg(&server.data_dir)
        .args(args)
        .env_remove("CONFPACK_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default()).expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("import finishes");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let summary = stdout.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    (out.status.success(), summary, String::from_utf8_lossy(&out.stderr).to_string())
}

#[tokio::test]
async fn ndjson_and_arrays_import_and_reimport_as_unchanged() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.ndjson"), format!("{}\n\n{}\n", line("b1", "private"), line("b2", "private")))
        .expect("write");
    std::fs::write(
        dir.path().join("b.json"),
        format!("[\n{},\n{}\n]\n", line("b3", "private"), line("b4", "public-read")),
    )
    .expect("write");
    std::fs::write(dir.path().join("ignored.txt"), "not read").expect("write");
    let (ok, summary, stderr) = import(&server, &[dir.path().to_str().expect("utf-8 path")], None);
    assert!(ok, "{stderr}");
    assert_eq!(summary["Created"], 4, "{summary}");
    assert!(stderr.contains("created 4, changed 0, unchanged 0, rejected 0"), "{stderr}");

    let (ok, summary, _) = import(&server, &[dir.path().join("b.json").to_str().expect("path")], None);
    assert!(ok);
    assert_eq!((summary["Created"].as_u64(), summary["Unchanged"].as_u64()), (Some(0), Some(2)));

    let (ok, summary, _) = import(&server, &["-"], Some(format!("{}\n", line("b1", "public-read")).as_bytes()));
    assert!(ok);
    assert_eq!(summary["Changed"], 1);

    let client = server.client();
    let list = client.send_v1(client.v1("ListDiscoveredResources", &[("MaxResults", "10")])).await.json();
    assert_eq!(list["DiscoveredResourceProfiles"]["TotalCount"], 4);
}

#[tokio::test]
async fn bad_lines_are_named_and_the_rest_is_imported() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mixed.ndjson");
    let mut bytes = format!(
        "{}\n{}\n",
        line("b1", "private"),
        json!({"ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}})
    )
    .into_bytes();
    bytes.extend_from_slice(format!("{}\n", line("b2", "private")).as_bytes());
    bytes.extend_from_slice(b"{\"ResourceId\": \"\xff\"}\n");
    bytes.extend_from_slice(format!("{}\n", line("never-read", "private")).as_bytes());
    std::fs::write(&path, bytes).expect("write");
    let (ok, summary, stderr) = import(&server, &[path.to_str().expect("path")], None);
    assert!(!ok, "rejections make the command fail");
    assert!(stderr.contains("mixed.ndjson:2: item 2: field ResourceId: is required"), "{stderr}");
    assert!(stderr.contains("mixed.ndjson:line 4: the text is not valid UTF-8"), "{stderr}");
    assert_eq!((summary["Created"].as_u64(), summary["Rejected"].as_u64()), (Some(2), Some(2)), "{summary}");

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, format!("[\n{},\n{{\"ResourceId\": \n", line("b9", "private"))).expect("write");
    let (ok, summary, stderr) = import(&server, &[broken.to_str().expect("path")], None);
    assert!(!ok);
    assert!(stderr.contains("broken.json:line 4"), "{stderr}");
    assert_eq!(summary["Created"], 1, "{summary}");
}

#[test]
fn an_unknown_account_or_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(binary())
        .args(["import", "--account", "42", "--data-dir"])
        .arg(dir.path())
        .arg(dir.path().join("nope.json"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nope.json: no such file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("one.ndjson");
    std::fs::write(&file, line("b1", "private")).expect("write");
    let out = Command::new(binary())
        .args(["import", "--account", "42", "--data-dir"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("account 42 not found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
