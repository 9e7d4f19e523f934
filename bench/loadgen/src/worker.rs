//! One task per keep-alive connection: sign a request, send it, read the whole answer,
//! record the latency and classify the answer, until the run's stop condition holds.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::signer::Signer;

/// After this many failed connection attempts in a row, a worker gives up.
const MAX_CONSECUTIVE_CONNECT_FAILURES: u32 = 50;

/// How long to wait before reconnecting after a failure.
const RECONNECT_PAUSE: Duration = Duration::from_millis(20);

/// Bytes of the first unexpected body kept for the report.
const SAMPLE_BYTES: usize = 400;

/// What every worker shares.
pub struct Plan {
    /// The server.
    pub address: SocketAddr,
    /// Answers finishing before this instant are warm-up and not recorded.
    pub measure_from: Instant,
    /// No request is started at or after this instant.
    pub deadline: Instant,
    /// Measured requests still to start, in count mode.
    pub remaining: Option<AtomicU64>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The status that counts as correct.
    pub expect_status: u16,
    /// The error code a correct body contains (searched as plain bytes, so JSON and XML
    /// bodies both match).
    pub expect_code: Option<Vec<u8>>,
}

impl Plan {
    /// Claims one measured request in count mode; false when none are left.
    fn claim(&self) -> bool {
        match &self.remaining {
            None => true,
            Some(left) => left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok(),
        }
    }
}

/// One connection's results.
#[derive(Default)]
pub struct Tally {
    /// Latency of every measured answer, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Measured answers with the expected status (and code).
    pub expected: u64,
    /// Measured answers by HTTP status, expected or not.
    pub statuses: BTreeMap<u16, u64>,
    /// Measured answers with the expected status but not the expected code.
    pub wrong_code: u64,
    /// Requests that got no answer (connection failure, reset, timeout).
    pub transport_errors: u64,
    /// The first unexpected answer, for diagnosis.
    pub sample: Option<String>,
    /// When this connection's last answer arrived.
    pub finished: Option<Instant>,
}

/// Opens a keep-alive HTTP/1.1 connection and spawns its driver.
pub async fn connect(address: SocketAddr) -> anyhow::Result<SendRequest<Empty<Bytes>>> {
    let stream = TcpStream::connect(address).await.with_context(|| format!("connecting to {address}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.context("HTTP/1.1 handshake")?;
    tokio::spawn(async move {
        // Resets at shutdown are expected; a live one shows up as a failed request.
        let _ = connection.await;
    });
    Ok(sender)
}

/// Runs one connection until the plan's deadline or request budget is spent, or until
/// the server stays unreachable for [`MAX_CONSECUTIVE_CONNECT_FAILURES`] attempts.
pub async fn run(plan: Arc<Plan>, mut signer: Signer, sender: SendRequest<Empty<Bytes>>) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut sender = Some(sender);
    let mut connect_failures = 0u32;
    loop {
        let started = Instant::now();
        if started >= plan.deadline {
            break;
        }
        let measured = started >= plan.measure_from;
        if measured && !plan.claim() {
            break;
        }
        let mut live = match sender.take() {
            Some(s) => s,
            None => match connect(plan.address).await {
                Ok(s) => {
                    connect_failures = 0;
                    s
                }
                Err(error) => {
                    tally.transport_errors += u64::from(measured);
                    connect_failures += 1;
                    if connect_failures >= MAX_CONSECUTIVE_CONNECT_FAILURES {
                        eprintln!("confpack-loadgen: giving up on a connection: {error:#}");
                        break;
                    }
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            },
        };
        let request = signer.next_request()?;
        let sent = Instant::now();
        let answer = tokio::time::timeout(plan.timeout, async {
            live.ready().await?;
            let response = live.send_request(request).await?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((status, body))
        })
        .await;
        let done = Instant::now();
        match answer {
            Ok(Ok((status, body))) => {
                sender = Some(live);
                if measured {
                    tally.record(&plan, status, &body, done - sent);
                }
            }
            Ok(Err(_)) | Err(_) => {
                // The connection is dropped and a new one opened on the next turn.
                tally.transport_errors += u64::from(measured);
            }
        }
        tally.finished = Some(done);
    }
    Ok(tally)
}

impl Tally {
    fn record(&mut self, plan: &Plan, status: u16, body: &Bytes, latency: Duration) {
        self.latencies_us.push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
        *self.statuses.entry(status).or_default() += 1;
        let code_ok = plan.expect_code.as_deref().is_none_or(|code| contains(body, code));
        if status == plan.expect_status && code_ok {
            self.expected += 1;
            return;
        }
        if status == plan.expect_status {
            self.wrong_code += 1;
        }
        if self.sample.is_none() {
            let text = String::from_utf8_lossy(&body[..body.len().min(SAMPLE_BYTES)]);
            self.sample = Some(format!("HTTP {status}: {text}"));
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_search_finds_the_code() {
        assert!(contains(br#"{"Code":"Invalid.CompliancePackId.Value"}"#, b"Invalid.CompliancePackId.Value"));
        assert!(!contains(br#"{"Code":"SignatureDoesNotMatch"}"#, b"Invalid.CompliancePackId.Value"));
    }
}
