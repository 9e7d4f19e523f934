//! `confpack-loadgen`: a closed-loop load generator for confpack. Each of `--connections`
//! keep-alive HTTP/1.1 connections keeps one signed request in flight; the run stops by
//! itself after `--duration` or `--requests` (never after more than ten minutes) and
//! prints throughput and latency percentiles. Only loopback endpoints are accepted.
//!
//! Exit status: 0 when every measured request got the expected answer, 3 when some did
//! not (the report is printed all the same), 1 when the run could not start.

mod args;
mod cpu;
mod report;
mod signer;
mod worker;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::Context;
use clap::Parser;
use tokio::time::Instant;

use crate::args::{Config, HARD_CAP, Limit, RawArgs};
use crate::report::{CpuUsage, Summary};
use crate::signer::Signer;
use crate::worker::Plan;

/// Exit status when some measured request failed.
const EXIT_ERRORS: u8 = 3;

fn main() -> ExitCode {
    let outcome = RawArgs::parse().validate().and_then(|config| {
        let runtime = if config.threads == 1 {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        } else {
            tokio::runtime::Builder::new_multi_thread().worker_threads(config.threads).enable_all().build()
        }
        .context("starting the tokio runtime")?;
        let summary = runtime.block_on(run(&config))?;
        Ok((config, summary))
    });
    match outcome {
        Ok((config, summary)) => {
            if config.json {
                println!("{}", summary.json());
            } else {
                print!("{}", summary.table());
            }
            if summary.errors > 0 || summary.requests == 0 { ExitCode::from(EXIT_ERRORS) } else { ExitCode::SUCCESS }
        }
        Err(error) => {
            eprintln!("confpack-loadgen: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens every connection, then runs the workers until the plan's limit and merges their
/// tallies. Connection set-up is not part of the measured time.
async fn run(config: &Config) -> anyhow::Result<Summary> {
    let mut senders = Vec::with_capacity(config.connections);
    for _ in 0..config.connections {
        senders.push(worker::connect(config.address).await?);
    }
    let run_id = uuid::Uuid::new_v4().as_u64_pair().0;
    let start = Instant::now();
    let measure_from = start + config.warmup;
    let (deadline, remaining) = match config.limit {
        Limit::Duration(d) => (measure_from + d, None),
        Limit::Requests(n) => (start + HARD_CAP, Some(AtomicU64::new(n))),
    };
    let plan = Arc::new(Plan {
        address: config.address,
        measure_from,
        deadline,
        remaining,
        timeout: config.timeout,
        expect_status: config.expect_status,
        expect_code: config.expect_code.as_ref().map(|c| c.as_bytes().to_vec()),
    });
    let server_pid = config.server_pid;
    let at_measure_start = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from).await;
        (cpu::own_cpu(), server_pid.and_then(cpu::process_cpu), cpu::machine_busy())
    });
    let workers: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(i, sender)| tokio::spawn(worker::run(Arc::clone(&plan), Signer::new(config, run_id, i), sender)))
        .collect();
    let mut tallies = Vec::with_capacity(workers.len());
    for handle in workers {
        tallies.push(handle.await.context("a connection task panicked")??);
    }
    let (client_before, server_before, machine_before) = at_measure_start.await.context("the CPU sampler panicked")?;
    let usage = CpuUsage {
        client: cpu::spent(client_before, cpu::own_cpu()),
        server: cpu::spent(server_before, server_pid.and_then(cpu::process_cpu)),
        machine: cpu::spent(machine_before, cpu::machine_busy()),
    };
    let last = tallies.iter().filter_map(|t| t.finished).max().unwrap_or(measure_from);
    Ok(Summary::new(config, tallies, last.saturating_duration_since(measure_from), usage))
}
