//! The state every request shares, built once in `main`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use confpack_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::Notify;

use crate::key_cache::KeyCache;
use crate::nonce::NonceCache;
use crate::reporting::ReportSettings;
use crate::throttle::Throttle;

/// Settings of a running server that request handling reads.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Requests per second allowed for one AccessKey; 0 means unlimited.
    pub rate_limit_per_key: u32,
    /// How long an AccessKey lookup is reused before the store is asked again; bounds
    /// how late a disabled key or account is noticed.
    pub key_cache_ttl: Duration,
    /// How many packs and rules an account may have.
    pub limits: Limits,
    /// Where reports go and how they are linked.
    pub reports: ReportSettings,
}

/// Per-account quotas. The vendor's are small (5 packs, 200 rules); a self-hosted service
/// has no reason to impose them unless a user wants to check a setup against them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Compliance packs per account.
    pub packs_per_account: usize,
    /// Config rules per account (a pack's rules included).
    pub rules_per_account: usize,
}

impl Limits {
    /// The vendor's quotas: 5 packs and 200 rules per account.
    pub const VENDOR: Self = Self { packs_per_account: 5, rules_per_account: 200 };
    /// confpack's default: 1,000 packs and 10,000 rules per account.
    pub const GENEROUS: Self = Self { packs_per_account: 1_000, rules_per_account: 10_000 };
}

/// Cloneable handle to the shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The shared state itself.
pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) keys: KeyCache,
    pub(crate) nonces: NonceCache,
    pub(crate) throttle: Throttle,
    pub(crate) metrics: Option<PrometheusHandle>,
    pub(crate) limits: Limits,
    reports: ReportSettings,
    report_jobs: Arc<Notify>,
    changes: Arc<Notify>,
    jobs: Arc<Notify>,
    shutting_down: AtomicBool,
}

impl AppState {
    /// Builds the state over an opened store. `metrics` renders `/metrics` when given.
    pub fn new(store: Arc<dyn Store>, config: ServerConfig, metrics: Option<PrometheusHandle>) -> Self {
        Self(Arc::new(Inner {
            keys: KeyCache::new(config.key_cache_ttl),
            nonces: NonceCache::new(),
            throttle: Throttle::new(config.rate_limit_per_key),
            limits: config.limits,
            reports: config.reports,
            report_jobs: Arc::new(Notify::new()),
            store,
            metrics,
            changes: Arc::new(Notify::new()),
            jobs: Arc::new(Notify::new()),
            shutting_down: AtomicBool::new(false),
        }))
    }

    /// Marks the server as draining: new RPC calls get `ServiceUnavailable`.
    pub fn begin_shutdown(&self) {
        self.0.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Whether the server is draining.
    pub fn is_shutting_down(&self) -> bool {
        self.0.shutting_down.load(Ordering::SeqCst)
    }

    /// Drops remembered nonces whose window has passed; run periodically.
    pub fn purge_expired(&self) {
        self.0.nonces.purge_expired();
    }

    /// The "configuration changed" seam. Stored changes are durable in the store's change
    /// feed (`ResourceStore::changes_since`); this notifier wakes an in-process subscriber
    /// (rule evaluation) as soon as a request has stored one, so it need not poll tightly.
    /// Changes made by other processes (`confpack import`, other nodes) are found by the
    /// subscriber's periodic read of the feed.
    pub fn change_notifier(&self) -> Arc<Notify> {
        Arc::clone(&self.0.changes)
    }

    /// Wakes the change-feed subscriber.
    pub(crate) fn notify_changes(&self) {
        self.0.changes.notify_waiters();
    }

    /// Wakes the evaluation job loop (a job was enqueued).
    pub(crate) fn notify_jobs(&self) {
        self.0.jobs.notify_one();
    }

    /// The notifier the job loop waits on.
    pub(crate) fn job_notifier(&self) -> Arc<Notify> {
        Arc::clone(&self.0.jobs)
    }

    /// Report storage and link settings.
    pub(crate) fn reports(&self) -> &ReportSettings {
        &self.0.reports
    }

    /// Wakes the report worker (a report job was recorded).
    pub(crate) fn notify_report_jobs(&self) {
        self.0.report_jobs.notify_one();
    }

    /// The notifier the report worker waits on.
    pub(crate) fn report_notifier(&self) -> Arc<Notify> {
        Arc::clone(&self.0.report_jobs)
    }

    /// The store.
    pub(crate) fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }
}
