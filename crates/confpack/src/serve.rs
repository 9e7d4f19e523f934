//! `confpack serve`: opens the store, creates the first account on a fresh data
//! directory, and serves until SIGINT/SIGTERM, draining in-flight requests.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use confpack_server::{AppState, ServerConfig, app, observability};
use tracing_subscriber::EnvFilter;

use crate::admin::{now_ms, open_store};
use crate::args::{LogFormat, ServeArgs};
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
    };
    let state = AppState::new(store, config, Some(metrics));

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!("listening on http://{address}");

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
            shutdown_signal().await;
            draining.begin_shutdown();
            tracing::info!("shutting down: draining in-flight requests");
        })
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(%e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(%e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
