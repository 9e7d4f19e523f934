//! Store failures, classified so the API layer can tell a client "try again"
//! (`ServiceUnavailable`) from "our fault" (`InternalError`).

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named object does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A write would break a uniqueness rule (e.g. a rule name already taken).
    #[error("{0} already exists")]
    Conflict(String),
    /// The object changed since it was read (an optimistic update lost a race); read it
    /// again and retry.
    #[error("{0} changed concurrently")]
    Changed(String),
    /// The store cannot be reached right now (connection refused, pool exhausted, I/O).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store was configured wrongly (bad URL, unreadable file).
    #[error("store configuration: {0}")]
    Config(String),
    /// Anything else: a bug or corrupt data.
    #[error("store failure: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
                Self::Unavailable(e.to_string())
            }
            sqlx::Error::Configuration(_) => Self::Config(e.to_string()),
            sqlx::Error::Database(ref db) if db.message().contains("database is locked") => {
                Self::Unavailable(e.to_string())
            }
            sqlx::Error::Database(ref db) if db.is_unique_violation() => Self::Conflict(db.message().to_owned()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Internal(format!("migration failed: {e}"))
    }
}
