//! `confpack serve`: opens the store, creates the first account on a fresh data
//! directory, and serves until SIGINT/SIGTERM, draining in-flight requests.

use std::io::IsTerminal;
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context;
use confpack_model::ids::hex_id;
use confpack_server::reporting::ReportSettings;
use confpack_server::reporting::generator as report_generator;
use confpack_server::reporting::links::LinkSigner;
use confpack_server::reporting::objects::LocalObjects;
use confpack_server::{AppState, Limits, ServerConfig, app, observability};
use tracing_subscriber::EnvFilter;

use crate::admin::{now_ms, open_store};
use crate::args::{LimitsChoice, LogFormat, ServeArgs};
use crate::credentials;

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Report storage below the reports directory, and the link key the deployment's nodes
/// share (made once, kept in the store).
async fn report_settings(args: &ServeArgs, store: &dyn confpack_store::Store) -> anyhow::Result<ReportSettings> {
    let root = args.reports_dir.clone().unwrap_or_else(|| args.store.data_dir.join("reports"));
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create the reports directory {}", root.display()))?;
    let key = store.service_secret("report-links", &hex_id("rl", 64)).await?;
    Ok(ReportSettings {
        objects: Arc::new(LocalObjects::new(root.join("objects"))),
        work_dir: root.join("work"),
        signer: LinkSigner::new(key.as_bytes()),
        link_lifetime: Duration::from_secs(args.report_link_seconds),
        public_url: args.public_url.clone(),
        lease: Duration::from_secs(args.report_lease_seconds),
    })
}

/// Runs the server.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format);
    let store = open_store(&args.store).await?;
    tracing::info!(backend = store.backend(), data_dir = %args.store.data_dir.display(), "store opened");

    if store.list_accounts().await?.is_empty() {
        let (account, key) = store.create_account("default", now_ms()).await?;
        std::fs::create_dir_all(&args.store.data_dir)?;
        let path = credentials::write(&args.store.data_dir, &key)?;
        tracing::info!(account_id = %account.id, access_key_id = %key.id, path = %path.display(), "created the first account; its key pair is in the credentials file");
    }

    let metrics = observability::install_metrics().context("installing the metrics recorder")?;
    let config = ServerConfig {
        rate_limit_per_key: args.rate_limit,
        key_cache_ttl: Duration::from_secs(args.key_cache_seconds),
        reports: report_settings(&args, store.as_ref()).await?,
        limits: match args.limits {
            LimitsChoice::Generous => Limits::GENEROUS,
            LimitsChoice::Vendor => Limits::VENDOR,
        },
    };
    let state = AppState::new(store, config, Some(metrics));
    if !args.no_report_worker {
        report_generator::spawn(&state);
    }

    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!("listening on http://{address}");

    confpack_server::evaluation::worker::spawn(&state, Duration::from_secs(args.evaluation_lease_seconds));

    let purger = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            purger.purge_expired();
        }
    });

    let draining = state.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            draining.begin_shutdown();
            tracing::info!("shutting down: draining in-flight requests");
        })
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Installs the SIGINT/SIGTERM handlers now, so a signal that arrives as soon as the
/// address is logged is already handled, and returns a future that resolves on either.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
