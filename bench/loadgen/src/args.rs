//! The command line, and its validation into a [`Config`]: a loopback endpoint, a bounded
//! run (a duration or a request count, never more than [`HARD_CAP`]), and what answer
//! counts as the expected one.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use clap::{Parser, ValueEnum};
use hyper::Uri;

/// No run lasts longer than this, whatever the flags say.
pub const HARD_CAP: Duration = Duration::from_secs(10 * 60);

/// Most connections one run may open.
const MAX_CONNECTIONS: usize = 4096;

/// Signed-request load generator for confpack. Sends one cheap action over keep-alive
/// HTTP/1.1 connections to a loopback server, signing every request at send time, and
/// reports throughput and latency percentiles.
#[derive(Debug, Parser)]
#[command(name = "confpack-loadgen", version, about)]
pub struct RawArgs {
    /// Server base URL; only loopback hosts (127.0.0.0/8, ::1, localhost) are accepted.
    #[arg(long)]
    pub endpoint: String,
    /// AccessKey id to sign with.
    #[arg(long, env = "CONFPACK_ACCESS_KEY_ID")]
    pub key_id: String,
    /// AccessKey secret to sign with.
    #[arg(long, env = "CONFPACK_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub secret: String,
    /// Concurrent keep-alive connections, each with one request in flight.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Client runtime threads (1 leaves the other core of a 2-core machine to the server).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// How long to send for after the warm-up, e.g. `10s`, `1500ms`, `2m`.
    #[arg(long, conflicts_with = "requests")]
    pub duration: Option<String>,
    /// Send exactly this many measured requests instead of running for a duration.
    #[arg(long)]
    pub requests: Option<u64>,
    /// Unmeasured traffic before the measurement starts (fills caches, warms the server).
    #[arg(long, default_value = "0s")]
    pub warmup: String,
    /// Signature version.
    #[arg(long, value_enum, default_value_t = SignatureVersion::V1)]
    pub signature: SignatureVersion,
    /// The RPC action to call.
    #[arg(long, default_value = "GenerateCompliancePackReport")]
    pub action: String,
    /// An action parameter `NAME=VALUE`; repeatable. Giving any replaces the default.
    #[arg(long = "param", value_name = "NAME=VALUE", default_values_t = [String::from("CompliancePackId=cp-00000000000000000000")])]
    pub params: Vec<String>,
    /// The HTTP status that counts as a correct answer; anything else is an error.
    #[arg(long, default_value_t = 400)]
    pub expect_status: u16,
    /// An error code the body must contain to count as correct; empty to skip the check.
    #[arg(long, default_value = "Invalid.CompliancePackId.Value")]
    pub expect_code: String,
    /// Give up on one request after this long (it counts as a transport error).
    #[arg(long, default_value = "10s")]
    pub timeout: String,
    /// The server's process id, to report its CPU time per request (Linux `/proc`).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Which signature every request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SignatureVersion {
    /// HMAC-SHA1 over every query parameter; sent as `GET /?…&Signature=…`.
    V1,
    /// `Authorization: ACS3-HMAC-SHA256`; sent as `POST /?params` with an empty body.
    V3,
}

impl SignatureVersion {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V3 => "v3",
        }
    }
}

/// When a run stops.
#[derive(Clone, Copy, Debug)]
pub enum Limit {
    /// Stop sending once this much measured time has passed.
    Duration(Duration),
    /// Stop after this many measured requests.
    Requests(u64),
}

/// A validated run.
#[derive(Debug)]
pub struct Config {
    /// Where to connect (always a loopback address).
    pub address: SocketAddr,
    /// The `Host` header value, also signed under V3.
    pub host: String,
    /// AccessKey id.
    pub key_id: String,
    /// AccessKey secret.
    pub secret: String,
    /// Concurrent connections.
    pub connections: usize,
    /// Client runtime threads.
    pub threads: usize,
    /// Stop condition of the measured phase.
    pub limit: Limit,
    /// Unmeasured phase before it.
    pub warmup: Duration,
    /// Signature version.
    pub signature: SignatureVersion,
    /// The action.
    pub action: String,
    /// Action parameters, in the order given.
    pub params: Vec<(String, String)>,
    /// Expected HTTP status.
    pub expect_status: u16,
    /// Expected error code, if checked.
    pub expect_code: Option<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Server process whose CPU time is reported.
    pub server_pid: Option<u32>,
    /// JSON output.
    pub json: bool,
}

impl RawArgs {
    /// Validates the flags; resolves `localhost` and refuses anything not on loopback.
    pub fn validate(self) -> anyhow::Result<Config> {
        ensure!((1..=MAX_CONNECTIONS).contains(&self.connections), "--connections must be 1..={MAX_CONNECTIONS}");
        ensure!((1..=64).contains(&self.threads), "--threads must be 1..=64");
        let limit = match (self.duration.as_deref(), self.requests) {
            (_, Some(0)) => bail!("--requests must be at least 1"),
            (_, Some(n)) => Limit::Requests(n),
            (Some(text), None) => Limit::Duration(parse_duration(text)?),
            (None, None) => Limit::Duration(Duration::from_secs(10)),
        };
        let warmup = parse_duration(&self.warmup)?;
        if let Limit::Duration(d) = limit {
            ensure!(!d.is_zero(), "--duration must be positive");
            ensure!(d + warmup <= HARD_CAP, "--duration plus --warmup must not exceed {} s", HARD_CAP.as_secs());
        }
        ensure!(warmup < HARD_CAP, "--warmup must be shorter than {} s", HARD_CAP.as_secs());
        let (address, host) = loopback_endpoint(&self.endpoint)?;
        let params = self
            .params
            .iter()
            .map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .with_context(|| format!("--param {p:?} is not NAME=VALUE"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Config {
            address,
            host,
            key_id: self.key_id,
            secret: self.secret,
            connections: self.connections,
            threads: self.threads,
            limit,
            warmup,
            signature: self.signature,
            action: self.action,
            params,
            expect_status: self.expect_status,
            expect_code: Some(self.expect_code).filter(|c| !c.is_empty()),
            timeout: parse_duration(&self.timeout)?,
            server_pid: self.server_pid,
            json: self.json,
        })
    }
}

/// Parses `250ms`, `10s`, `2m` or a bare number of seconds.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1000.0)
    };
    let value: f64 =
        number.trim().parse().with_context(|| format!("{text:?} is not a duration like 10s, 500ms or 2m"))?;
    ensure!(value.is_finite() && value >= 0.0, "{text:?} is not a non-negative duration");
    Ok(Duration::from_secs_f64(value * unit_ms / 1000.0).min(HARD_CAP))
}

/// The socket address and `Host` value of `endpoint`, which must be `http://` on loopback.
fn loopback_endpoint(endpoint: &str) -> anyhow::Result<(SocketAddr, String)> {
    let uri: Uri = endpoint.parse().with_context(|| format!("--endpoint {endpoint:?} is not a URL"))?;
    ensure!(uri.scheme_str() == Some("http"), "--endpoint must be an http:// URL");
    ensure!(uri.path() == "/" || uri.path().is_empty(), "--endpoint must not have a path");
    let authority = uri.authority().context("--endpoint has no host")?;
    let port = authority.port_u16().unwrap_or(80);
    let host = authority.host();
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .with_context(|| format!("--endpoint host {host:?} must be a loopback IP address or localhost"))?
    };
    ensure!(ip.is_loopback(), "refusing {ip}: this load generator only targets loopback addresses");
    Ok((SocketAddr::new(ip, port), authority.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_each_unit() {
        assert_eq!(parse_duration("250ms").ok(), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s").ok(), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m").ok(), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5").ok(), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h").ok(), None);
        assert_eq!(parse_duration("99m").ok(), Some(HARD_CAP));
    }

    #[test]
    fn only_loopback_endpoints_are_accepted() {
        let (addr, host) = loopback_endpoint("http://127.0.0.1:8080").expect("loopback");
        assert_eq!(addr, "127.0.0.1:8080".parse().expect("addr"));
        assert_eq!(host, "127.0.0.1:8080");
        assert!(loopback_endpoint("http://[::1]:9000/").is_ok());
        assert!(loopback_endpoint("http://localhost:9000").is_ok());
        assert!(loopback_endpoint("http://10.0.0.1:8080").is_err());
        assert!(loopback_endpoint("http://example.com").is_err());
        assert!(loopback_endpoint("https://127.0.0.1:8443").is_err());
    }
}
