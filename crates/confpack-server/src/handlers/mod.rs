//! Action handlers, one module per domain area. A handler reads typed parameters from
//! its [`CallContext`] and returns the response fields, or an [`ApiError`].

pub(crate) mod discovery;
mod idempotency;
pub(crate) mod ingestion;
pub(crate) mod managed;
pub(crate) mod packs;
mod paging;
pub(crate) mod reports;
pub(crate) mod results;
pub(crate) mod rule_input;
mod rule_view;
pub(crate) mod rules;
pub(crate) mod templates;

use confpack_model::AccountId;
use confpack_protocol::{ApiError, ErrorCode, Params};
use confpack_store::{Store, StoreError};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::state::AppState;

/// A handler's outcome: the response's fields (RequestId is added by rendering).
pub(crate) type ActionResult = Result<Map<String, Value>, ApiError>;

/// What a handler may use: the caller, its parameters and the shared state.
pub(crate) struct CallContext<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) caller: &'a Caller,
    pub(crate) params: &'a Params,
    /// The `Host` the caller used (the base of report links when no public URL is set).
    pub(crate) host: &'a str,
}

impl CallContext<'_> {
    /// The store.
    pub(crate) fn store(&self) -> &dyn Store {
        self.state.inner().store.as_ref()
    }

    /// The per-account quotas in force.
    pub(crate) fn limits(&self) -> crate::state::Limits {
        self.state.inner().limits
    }

    /// The account every query of this call is scoped to.
    pub(crate) fn account(&self) -> AccountId {
        self.caller.account
    }
}

/// Serialises a typed response into its fields.
pub(crate) fn reply<T: Serialize>(response: &T) -> ActionResult {
    match serde_json::to_value(response) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) | Err(_) => {
            tracing::error!("a response did not serialise to an object");
            Err(ApiError::internal())
        }
    }
}

/// Maps a store failure to the client's answer, logging the cause (the request span
/// carries the RequestId): unreachable store → `ServiceUnavailable`, else `InternalError`.
pub(crate) fn store_failure(error: StoreError) -> ApiError {
    match error {
        StoreError::Unavailable(_) | StoreError::Changed(_) => {
            tracing::warn!(%error, "store unavailable or contended");
            ApiError::new(ErrorCode::ServiceUnavailable)
        }
        _ => {
            tracing::error!(%error, "store failure");
            ApiError::internal()
        }
    }
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
