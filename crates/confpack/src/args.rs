//! The command line, exactly as the README documents it. Operators' scripts depend on
//! these forms: change them only by adding.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// confpack: a self-hosted Alibaba Cloud Config compliance service (API 2020-09-07).
#[derive(Debug, Parser)]
#[command(name = "confpack", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server.
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Manage AccessKey pairs.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// List every action of API 2020-09-07 and confpack's extensions, with whether this
    /// build supports it.
    Actions(ActionsArgs),
    /// Import resource configurations (JSON arrays or NDJSON) into an account.
    Import(ImportArgs),
    /// Write a synthetic inventory as NDJSON.
    Generate(GenerateArgs),
    /// Scan resource files against a compliance pack offline and write its report.
    Scan(ScanArgs),
    /// Start a server with a generated inventory, packs and their reports: a first look.
    Demo(DemoArgs),
}

/// Where the data lives; shared by every command that opens the store.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Data directory (embedded SQLite database, credentials file).
    #[arg(long, env = "CONFPACK_DATA_DIR", default_value = "./confpack-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://user:password@host:port/db) instead of the embedded store.
    #[arg(long, env = "CONFPACK_DATABASE")]
    pub database: Option<String>,
}

/// Log output shape.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `confpack serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Address to listen on (port 0 picks a free port; the log says which).
    #[arg(long, env = "CONFPACK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Requests per second allowed per AccessKey before `Throttling.User`; 0 = unlimited.
    #[arg(long, env = "CONFPACK_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit: u32,
    /// Seconds an AccessKey lookup is cached (how late a disabled key is noticed).
    #[arg(long, env = "CONFPACK_KEY_CACHE_SECONDS", default_value_t = 1)]
    pub key_cache_seconds: u64,
    /// Seconds an evaluation job stays claimed without renewal: after a crash, another run
    /// (or node) takes the job over once this has passed.
    #[arg(long, env = "CONFPACK_EVALUATION_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub evaluation_lease_seconds: u64,
    /// Directory of report files (default: `reports` in the data directory).
    #[arg(long, env = "CONFPACK_REPORTS_DIR")]
    pub reports_dir: Option<PathBuf>,
    /// Seconds a report download link (`ReportUrl`) stays valid.
    #[arg(long, env = "CONFPACK_REPORT_LINK_SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub report_link_seconds: u64,
    /// Base of report links, e.g. `https://config.example.com` behind a proxy (default: the
    /// `Host` the caller used, over http).
    #[arg(long, env = "CONFPACK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds a report job stays claimed without renewal: after a crash, another run (or
    /// node) takes the job over once this has passed.
    #[arg(long, env = "CONFPACK_REPORT_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub report_lease_seconds: u64,
    /// Run no report worker on this node: it answers the report actions and serves
    /// downloads, and other nodes sharing its store generate the reports.
    #[arg(long, env = "CONFPACK_NO_REPORT_WORKER")]
    pub no_report_worker: bool,
    /// Per-account quotas: `generous` (1,000 packs, 10,000 rules) or the vendor's (`vendor`:
    /// 5 packs, 200 rules), to check a setup against Cloud Config's limits.
    #[arg(long, env = "CONFPACK_LIMITS", value_enum, default_value = "generous")]
    pub limits: LimitsChoice,
    /// Log format.
    #[arg(long, env = "CONFPACK_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

/// Which per-account quotas apply.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LimitsChoice {
    /// 1,000 packs and 10,000 rules per account.
    Generous,
    /// Cloud Config's: 5 packs and 200 rules per account.
    Vendor,
}

/// `confpack accounts …`.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account with one AccessKey; prints {"AccountId","AccessKeyId","AccessKeySecret"}.
    Create {
        /// The account's name.
        #[arg(long)]
        name: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List accounts, one JSON object per line.
    List {
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account: its keys get `AccountNotExisted`.
    Disable {
        /// The account id.
        id: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account id.
        id: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `confpack keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an AccessKey for an account; prints {"AccountId","AccessKeyId","AccessKeySecret"}.
    Create {
        /// The account id.
        account: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete an AccessKey.
    Delete {
        /// The AccessKey id.
        key_id: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Deactivate an AccessKey: requests signed with it get `InvalidAccessKeyId.Inactive`.
    Disable {
        /// The AccessKey id.
        key_id: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Reactivate an AccessKey.
    Enable {
        /// The AccessKey id.
        key_id: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List an account's AccessKey ids (never their secrets), one JSON object per line.
    List {
        /// The account id.
        account: String,
        /// The data store.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `confpack actions`.
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Print only the supported actions' names.
    #[arg(long)]
    pub supported: bool,
}

/// `confpack import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The account that owns the resources.
    #[arg(long)]
    pub account: String,
    /// The data store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Resources per transaction (larger batches amortise index writes; memory grows with them).
    #[arg(long, default_value_t = 5000)]
    pub batch_size: usize,
    /// Files (JSON array or NDJSON), directories of .json/.ndjson/.jsonl files, or - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// `confpack generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many resources.
    #[arg(long)]
    pub resources: u64,
    /// Seed: the same seed and options give the same output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only these resource types (comma-separated), instead of the main mix.
    #[arg(long, value_delimiter = ',')]
    pub types: Option<Vec<String>>,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `confpack scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files (JSON array or NDJSON, as `confpack import` reads), directories, or - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The pack: a template id (`ct-…`), a template name, or a file in the console's
    /// TemplateContent export format.
    #[arg(long)]
    pub pack: Option<String>,
    /// A managed rule to add, or parameters for the pack's rule of that identifier:
    /// `IDENTIFIER[=param=value,…]`; repeatable.
    #[arg(long = "rule")]
    pub rules: Vec<String>,
    /// Report formats, comma-separated: xlsx, html, csv, json.
    #[arg(long, value_delimiter = ',', default_value = "xlsx,html,csv,json")]
    pub format: Vec<String>,
    /// Where the report files go (`report.xlsx`, …).
    #[arg(long, default_value = "confpack-scan")]
    pub out: PathBuf,
    /// Exit 1 when a non-compliant result has at least this risk level.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
}

/// The lowest risk level that fails a scan.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// High-risk findings fail.
    High,
    /// High- and medium-risk findings fail.
    Medium,
    /// Every finding fails.
    Low,
    /// Nothing fails: the exit code is 0 whatever was found.
    None,
}

/// `confpack demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Data directory of the demo (created; reused by a later demo).
    #[arg(long, default_value = "./confpack-demo")]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// How many resources to generate.
    #[arg(long, default_value_t = 3000)]
    pub resources: u64,
    /// Templates to enable as packs (comma-separated ids): by default MLPS Level 3, OSS best
    /// practice and Quick Start.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ct-5f26ff4e06a300c49609,ct-a5edff4e06a3004a5e15,ct-dfde29c90c34659996ab"
    )]
    pub templates: Vec<String>,
}
