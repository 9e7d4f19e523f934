//! `confpack demo`: the first thing a newcomer runs. It starts the server on the embedded
//! store, loads a generated inventory into the first account, enables shipped templates as
//! packs through the API (signed requests, as any SDK sends them), waits for their
//! evaluation, generates their reports, and prints where everything is. The server then
//! keeps running until Ctrl-C, like `confpack serve`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use confpack_inventory::generate::{Generator, GeneratorOptions};
use confpack_protocol::signature::{percent_encode, v1};
use serde_json::Value;

use crate::admin::open_store;
use crate::args::{DemoArgs, LogFormat, ServeArgs, StoreArgs};
use crate::import::import_files;

/// How long the demo waits for the server, an evaluation or a report.
const PATIENCE: Duration = Duration::from_secs(300);

/// A minimal V1-signing client for the demo's own calls.
struct Api {
    http: reqwest::Client,
    endpoint: String,
    key_id: String,
    secret: String,
}

impl Api {
    async fn call(&self, action: &str, params: &[(&str, &str)]) -> anyhow::Result<Value> {
        let mut all: Vec<(String, String)> = vec![
            ("Action".into(), action.into()),
            ("Version".into(), "2020-09-07".into()),
            ("Format".into(), "JSON".into()),
            ("AccessKeyId".into(), self.key_id.clone()),
            ("SignatureMethod".into(), "HMAC-SHA1".into()),
            ("SignatureVersion".into(), "1.0".into()),
            ("SignatureNonce".into(), confpack_model::ids::hex_id("demo", 24)),
            ("Timestamp".into(), timestamp()),
        ];
        all.extend(params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let signature = v1::sign(&self.secret, &v1::string_to_sign("POST", &all));
        all.push(("Signature".into(), signature));
        let body = all
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .with_context(|| format!("calling {action}"))?;
        let status = response.status();
        let text = response.text().await.with_context(|| format!("reading the answer to {action}"))?;
        let document: Value =
            serde_json::from_str(&text).with_context(|| format!("the answer to {action} is not JSON"))?;
        if !status.is_success() {
            bail!("{action} failed: {document}");
        }
        Ok(document)
    }
}

fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

async fn wait_until<F, Fut>(what: &str, mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let started = Instant::now();
    while !done().await? {
        if started.elapsed() > PATIENCE {
            bail!("gave up waiting for {what} after {} s", PATIENCE.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Runs `confpack demo`.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let serve = ServeArgs {
        store: StoreArgs { data_dir: args.data_dir.clone(), database: None },
        listen: args.listen,
        rate_limit: 0,
        key_cache_seconds: 1,
        evaluation_lease_seconds: 30,
        reports_dir: None,
        report_link_seconds: 3600,
        public_url: None,
        report_lease_seconds: 30,
        no_report_worker: false,
        limits: crate::args::LimitsChoice::Generous,
        log_format: LogFormat::Text,
    };
    let server = tokio::spawn(crate::serve::run(serve));
    let endpoint = format!("http://{}", args.listen);
    let http = reqwest::Client::builder().no_proxy().build()?;
    let started = Instant::now();
    loop {
        if server.is_finished() {
            return server.await?.context("the server stopped");
        }
        if http.get(format!("{endpoint}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not answer on {endpoint} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let credentials_path = args.data_dir.join("credentials.json");
    let text = std::fs::read_to_string(&credentials_path)
        .with_context(|| format!("reading {}", credentials_path.display()))?;
    let credentials: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", credentials_path.display()))?;
    let field = |name: &str| {
        credentials[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("{} has no {name}", credentials_path.display()))
    };
    let account =
        credentials["AccountId"].as_i64().ok_or_else(|| anyhow!("{} has no AccountId", credentials_path.display()))?;
    let api =
        Api { http, endpoint: endpoint.clone(), key_id: field("AccessKeyId")?, secret: field("AccessKeySecret")? };

    // The inventory, unless an earlier demo left one.
    let listed = api.call("ListDiscoveredResources", &[("MaxResults", "1")]).await?;
    let have = listed.pointer("/DiscoveredResourceProfiles/TotalCount").and_then(Value::as_u64).unwrap_or(0);
    if have == 0 {
        let file = args.data_dir.join("demo-inventory.ndjson");
        write_inventory(&file, args.resources)?;
        let store = open_store(&StoreArgs { data_dir: args.data_dir.clone(), database: None }).await?;
        let loaded = import_files(store.as_ref(), confpack_model::AccountId::new(account), vec![file], 5000).await?;
        eprintln!("demo: loaded {} generated resources", loaded.created + loaded.changed + loaded.unchanged);
    }

    let existing = api.call("ListCompliancePacks", &[("PageSize", "100")]).await?;
    let known: BTreeMap<String, String> = existing
        .pointer("/CompliancePacksResult/CompliancePacks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((p["CompliancePackTemplateId"].as_str()?.to_owned(), p["CompliancePackId"].as_str()?.to_owned()))
        })
        .collect();
    let mut packs = Vec::new();
    for template in &args.templates {
        let pack_id = match known.get(template) {
            Some(id) => id.clone(),
            None => {
                let name = confpack_rules::templates::templates()
                    .get(template)
                    .map(|t| t.name.clone())
                    .ok_or_else(|| anyhow!("no template {template:?} (see ListCompliancePackTemplates)"))?;
                let created = api
                    .call(
                        "CreateCompliancePack",
                        &[("CompliancePackName", &name), ("CompliancePackTemplateId", template)],
                    )
                    .await?;
                created["CompliancePackId"].as_str().unwrap_or_default().to_owned()
            }
        };
        packs.push(pack_id);
    }
    for pack in &packs {
        wait_until("the packs' evaluation", || async {
            let rules = api.call("ListConfigRules", &[("CompliancePackId", pack), ("PageSize", "100")]).await?;
            let list =
                rules.pointer("/ConfigRules/ConfigRuleList").and_then(Value::as_array).cloned().unwrap_or_default();
            Ok(list.iter().all(|r| r["ConfigRuleState"] != "EVALUATING"))
        })
        .await?;
        api.call("GenerateCompliancePackReport", &[("CompliancePackId", pack)]).await?;
    }
    println!();
    println!("confpack is running at {endpoint}  (Ctrl-C stops it)");
    println!("credentials: {}", credentials_path.display());
    println!();
    for pack in &packs {
        wait_until("the reports", || async {
            let report = api.call("GetCompliancePackReport", &[("CompliancePackId", pack)]).await?;
            Ok(report.pointer("/CompliancePackReport/ReportStatus") == Some(&Value::from("COMPLETE")))
        })
        .await?;
        let got = api.call("GetCompliancePack", &[("CompliancePackId", pack)]).await?;
        let name = got.pointer("/CompliancePack/CompliancePackName").and_then(Value::as_str).unwrap_or(pack);
        let score = got
            .pointer("/CompliancePack/ComplianceScore")
            .and_then(Value::as_f64)
            .map_or_else(|| "-".to_owned(), |s| format!("{:.1}%", s * 100.0));
        println!("{name} ({pack}): compliance score {score}");
        for format in ["xlsx", "html"] {
            let report =
                api.call("GetCompliancePackReport", &[("CompliancePackId", pack), ("ReportFormat", format)]).await?;
            let url = report.pointer("/CompliancePackReport/ReportUrl").and_then(Value::as_str).unwrap_or_default();
            println!("  {format}: {url}");
        }
    }
    println!();
    println!("The official Python SDK against it (pip install alibabacloud-config20200907):");
    println!(
        "  import json; from alibabacloud_tea_openapi.models import Config; from alibabacloud_config20200907 import client, models"
    );
    println!(
        "  c = json.load(open({:?})); api = client.Client(Config(access_key_id=c[\"AccessKeyId\"], access_key_secret=c[\"AccessKeySecret\"], endpoint={:?}, protocol=\"http\"))",
        credentials_path.display().to_string(),
        args.listen.to_string()
    );
    println!("  print(api.list_compliance_packs(models.ListCompliancePacksRequest()).body.to_map())");
    server.await?.context("the server stopped")
}

fn write_inventory(path: &Path, resources: u64) -> anyhow::Result<()> {
    let mut generator = Generator::new(GeneratorOptions { resources, seed: 42, ..GeneratorOptions::default() })?;
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    generator.write_ndjson(&mut out).context("writing the demo inventory")?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}
