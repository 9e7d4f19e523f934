//! Merges the connections' tallies into one [`Summary`] and prints it as a table or as
//! one JSON object.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::args::Config;
use crate::worker::Tally;

/// Latency percentiles reported, as (label, fraction).
const PERCENTILES: [(&str, f64); 4] = [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99.9", 0.999)];

/// CPU time spent during the measured phase, where it could be read.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuUsage {
    /// This load generator.
    pub client: Option<Duration>,
    /// The server (`--server-pid`).
    pub server: Option<Duration>,
    /// The whole machine, all cores summed: what exceeds client plus server is other
    /// processes' load, which makes a run's numbers suspect.
    pub machine: Option<Duration>,
}

/// The results of one run.
#[derive(Debug)]
pub struct Summary {
    /// Action called.
    pub action: String,
    /// `v1` or `v3`.
    pub signature: &'static str,
    /// Connections used.
    pub connections: usize,
    /// Client runtime threads.
    pub threads: usize,
    /// Measured requests answered or failed.
    pub requests: u64,
    /// Answers with the expected status and code.
    pub expected: u64,
    /// Unexpected answers plus transport errors.
    pub errors: u64,
    /// Requests that got no HTTP answer.
    pub transport_errors: u64,
    /// Answers by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// What a correct answer is, for the report.
    pub expectation: String,
    /// The first unexpected answer seen.
    pub sample: Option<String>,
    /// Measured wall time (first measured send to last answer).
    pub elapsed: Duration,
    /// CPU time of each side over the measured phase.
    pub cpu: CpuUsage,
    /// Sorted latencies of every answered request, in microseconds.
    latencies_us: Vec<u32>,
}

impl Summary {
    /// Merges the tallies; `elapsed` is the measured wall time.
    pub fn new(config: &Config, tallies: Vec<Tally>, elapsed: Duration, cpu: CpuUsage) -> Self {
        let mut latencies_us = Vec::with_capacity(tallies.iter().map(|t| t.latencies_us.len()).sum());
        let mut statuses = BTreeMap::new();
        let (mut expected, mut transport_errors, mut sample) = (0, 0, None);
        for tally in tallies {
            latencies_us.extend_from_slice(&tally.latencies_us);
            for (status, n) in tally.statuses {
                *statuses.entry(status).or_default() += n;
            }
            expected += tally.expected;
            transport_errors += tally.transport_errors;
            sample = sample.or(tally.sample);
        }
        latencies_us.sort_unstable();
        let answered = latencies_us.len() as u64;
        let expectation = match &config.expect_code {
            Some(code) => format!("HTTP {} {code}", config.expect_status),
            None => format!("HTTP {}", config.expect_status),
        };
        Self {
            action: config.action.clone(),
            signature: config.signature.label(),
            connections: config.connections,
            threads: config.threads,
            requests: answered + transport_errors,
            expected,
            errors: answered - expected + transport_errors,
            transport_errors,
            statuses,
            expectation,
            sample,
            elapsed,
            cpu,
            latencies_us,
        }
    }

    /// Requests per second over the measured time.
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { self.requests as f64 / secs } else { 0.0 }
    }

    /// Machine CPU not spent by the client or the server (needs `--server-pid`).
    fn other_cpu(&self) -> Option<Duration> {
        Some(self.cpu.machine?.saturating_sub(self.cpu.client?).saturating_sub(self.cpu.server?))
    }

    /// CPU microseconds per measured request, when `cpu` is known.
    fn cpu_us_per_request(&self, cpu: Option<Duration>) -> Option<f64> {
        let cpu = cpu?;
        (self.requests > 0).then(|| cpu.as_secs_f64() * 1e6 / self.requests as f64)
    }

    /// The latency at `fraction` (nearest rank), in milliseconds.
    fn percentile_ms(&self, fraction: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((fraction * self.latencies_us.len() as f64).ceil() as usize).clamp(1, self.latencies_us.len());
        f64::from(self.latencies_us[rank - 1]) / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.latencies_us.last().map_or(0.0, |&us| f64::from(us) / 1000.0)
    }

    fn mean_ms(&self) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let total: u64 = self.latencies_us.iter().map(|&us| u64::from(us)).sum();
        total as f64 / self.latencies_us.len() as f64 / 1000.0
    }

    /// The human-readable table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "confpack-loadgen: {} signed {}, {} connections, {} client thread{}",
            self.action,
            self.signature.to_uppercase(),
            self.connections,
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        );
        let statuses = self.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect::<Vec<_>>().join(", ");
        let _ = writeln!(out, "  {:<12} {:>12}   (by status: {statuses})", "requests", self.requests);
        let _ = writeln!(out, "  {:<12} {:>12}   ({})", "expected", self.expected, self.expectation);
        let _ =
            writeln!(out, "  {:<12} {:>12}   (of which no answer: {})", "errors", self.errors, self.transport_errors);
        let _ = writeln!(out, "  {:<12} {:>12.2} s", "duration", self.elapsed.as_secs_f64());
        let _ = writeln!(out, "  {:<12} {:>12.0} req/s", "throughput", self.throughput());
        for (label, fraction) in PERCENTILES {
            let _ = writeln!(out, "  {:<12} {:>12.3} ms", format!("latency {label}"), self.percentile_ms(fraction));
        }
        let _ = writeln!(out, "  {:<12} {:>12.3} ms", "latency max", self.max_ms());
        let _ = writeln!(out, "  {:<12} {:>12.3} ms", "latency mean", self.mean_ms());
        for (label, cpu) in [("client CPU", self.cpu.client), ("server CPU", self.cpu.server)] {
            if let (Some(spent), Some(per_request)) = (cpu, self.cpu_us_per_request(cpu)) {
                let cores = spent.as_secs_f64() / self.elapsed.as_secs_f64().max(1e-9);
                let _ = writeln!(
                    out,
                    "  {label:<12} {:>12.2} s   ({per_request:.1} µs/request, {cores:.2} cores)",
                    spent.as_secs_f64()
                );
            }
        }
        if let Some(machine) = self.cpu.machine {
            let secs = self.elapsed.as_secs_f64().max(1e-9);
            let mut line = format!(
                "  {:<12} {:>12.2} s   ({:.2} cores busy",
                "machine CPU",
                machine.as_secs_f64(),
                machine.as_secs_f64() / secs
            );
            if let Some(others) = self.other_cpu() {
                let _ = write!(line, "; other processes {:.2} cores", others.as_secs_f64() / secs);
            }
            let _ = writeln!(out, "{line})");
        }
        if let Some(sample) = &self.sample {
            let _ = writeln!(out, "  first unexpected answer: {sample}");
        }
        out
    }

    /// The same numbers as one JSON object (latencies in milliseconds).
    pub fn json(&self) -> Value {
        let mut latency = serde_json::Map::new();
        for (label, fraction) in PERCENTILES {
            latency.insert(label.to_owned(), json!(round3(self.percentile_ms(fraction))));
        }
        latency.insert("max".to_owned(), json!(round3(self.max_ms())));
        latency.insert("mean".to_owned(), json!(round3(self.mean_ms())));
        let statuses: serde_json::Map<String, Value> =
            self.statuses.iter().map(|(s, n)| (s.to_string(), json!(n))).collect();
        json!({
            "action": self.action,
            "signature": self.signature,
            "connections": self.connections,
            "client_threads": self.threads,
            "requests": self.requests,
            "expected": self.expected,
            "expectation": self.expectation,
            "errors": self.errors,
            "transport_errors": self.transport_errors,
            "statuses": statuses,
            "duration_s": round3(self.elapsed.as_secs_f64()),
            "throughput_rps": self.throughput().round(),
            "latency_ms": latency,
            "client_cpu_s": self.cpu.client.map(|d| round3(d.as_secs_f64())),
            "server_cpu_s": self.cpu.server.map(|d| round3(d.as_secs_f64())),
            "machine_cpu_s": self.cpu.machine.map(|d| round3(d.as_secs_f64())),
            "other_processes_cpu_s": self.other_cpu().map(|d| round3(d.as_secs_f64())),
            "client_cpu_us_per_request": self.cpu_us_per_request(self.cpu.client).map(round3),
            "server_cpu_us_per_request": self.cpu_us_per_request(self.cpu.server).map(round3),
            "first_unexpected_answer": self.sample,
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::RawArgs;
    use clap::Parser;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let config = RawArgs::parse_from(["x", "--endpoint", "http://127.0.0.1:1", "--key-id", "k", "--secret", "s"])
            .validate()
            .expect("valid");
        let tally =
            Tally { latencies_us: (1..=1000).rev().collect(), expected: 999, transport_errors: 1, ..Tally::default() };
        let summary = Summary::new(&config, vec![tally], Duration::from_secs(1), CpuUsage::default());
        assert_eq!(summary.requests, 1001);
        assert_eq!(summary.errors, 2);
        assert!((summary.percentile_ms(0.5) - 0.5).abs() < 1e-9);
        assert!((summary.percentile_ms(0.999) - 0.999).abs() < 1e-9);
        assert!((summary.max_ms() - 1.0).abs() < 1e-9);
        assert!((summary.throughput() - 1001.0).abs() < 1e-9);
        assert_eq!(summary.json()["latency_ms"]["p99"], json!(0.99));
    }
}
