//! The `confpack` binary: the server and the admin commands over one data directory.

mod admin;
mod args;
mod credentials;
mod demo;
mod generate;
mod import;
mod scan;
mod serve;

use clap::Parser;

/// mimalloc rather than the system allocator: imports and evaluations allocate and free
/// many short-lived JSON values across threads, where glibc's arenas spend much of their time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::args::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("confpack: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Command::Scan(args) = cli.command {
        return runtime.block_on(scan::run(args));
    }
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Scan(_) => unreachable!("handled above"),
            Command::Demo(args) => demo::run(args).await,
            Command::Serve(args) => serve::run(args).await,
            Command::Accounts(cmd) => admin::accounts(cmd).await,
            Command::Keys(cmd) => admin::keys(cmd).await,
            Command::Actions(args) => admin::actions(&args),
            Command::Import(args) => import::run(args).await,
            Command::Generate(args) => generate::run(&args),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("confpack: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
