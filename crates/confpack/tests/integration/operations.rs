//! Operations: health, metrics, flow control, graceful shutdown, the PostgreSQL backend.

use std::io::Write;
use std::time::Duration;

use sqlx_free_pg::PgDatabase;

use crate::server::Server;

const UNKNOWN_PACK: &str = "cp-fdc8626622af00f91234";

#[tokio::test]
async fn health_and_metrics_are_served() {
    let server = Server::start(&[]);
    let client = server.client();
    client.expect_seed_answer().await;
    let health = reqwest::get(format!("{}/healthz", server.endpoint)).await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    let metrics =
        reqwest::get(format!("{}/metrics", server.endpoint)).await.expect("metrics").text().await.expect("text");
    assert!(
        metrics.contains(
            r#"confpack_requests_total{action="GetCompliancePackReport",code="Invalid.CompliancePackId.Value"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("confpack_request_duration_seconds_bucket"), "{metrics}");
}

#[tokio::test]
async fn callers_over_their_rate_are_throttled() {
    let server = Server::start(&["--rate-limit", "3"]);
    let client = server.client();
    let mut codes = Vec::new();
    for _ in 0..12 {
        let reply = client.send_v1(client.v1("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])).await;
        codes.push(reply.code());
    }
    assert!(codes.iter().any(|c| c == "Throttling.User"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "Invalid.CompliancePackId.Value"), "{codes:?}");
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let server = Server::start(&[]);
    let client = server.client();
    client.expect_seed_answer().await;
    let status = server.stop();
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn the_postgres_backend_serves_the_same_answers() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let server = Server::start(&["--database", &db.url]);
    let client = server.client();
    client
        .send_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]))
        .await
        .expect_error(400, "Invalid.CompliancePackId.Value");
    let created = server.admin(&["accounts", "create", "--name", "pg-team", "--database", &db.url]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(server.stop().success());
    tokio::time::sleep(Duration::from_millis(50)).await;
    db.drop_database();
}

/// A scratch PostgreSQL database made with `psql`, so this crate needs no SQL driver.
mod sqlx_free_pg {
    use std::process::Command;

    use super::Write;

    const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    pub struct PgDatabase {
        admin_url: String,
        name: String,
        pub url: String,
    }

    fn psql(url: &str, sql: &str) -> Result<(), String> {
        let out = Command::new("psql")
            .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()) }
    }

    impl PgDatabase {
        pub async fn create() -> Option<Self> {
            let admin_url = std::env::var("CONFPACK_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
            let name = format!("confpack_it_{}", uuid::Uuid::new_v4().simple());
            if let Err(why) = psql(&admin_url, &format!("CREATE DATABASE {name}")) {
                assert!(
                    std::env::var("CONFPACK_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "PostgreSQL is required (CONFPACK_REQUIRE_POSTGRES=1) but {admin_url} is unusable: {why}"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "\n*** SKIPPED: server on PostgreSQL: {admin_url} is unusable ({why}) ***\n"
                );
                return None;
            }
            let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base).to_owned();
            let url = format!("{base}/{name}");
            Some(Self { admin_url, name, url })
        }

        pub fn drop_database(self) {
            let _ = psql(&self.admin_url, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
