//! The confpack server: one route at `/` that parses, authenticates and dispatches every
//! Cloud Config action, plus `/healthz` and `/metrics`. [`app`] is the single composition
//! point for the binary and the tests.

mod app;
mod auth;
mod dispatch;
pub mod evaluation;
mod handlers;
mod key_cache;
mod nonce;
pub mod observability;
pub mod pack_plan;
pub mod reporting;
mod state;
mod throttle;

pub use app::app;
pub use dispatch::supported_actions;
pub use state::{AppState, Limits, ServerConfig};
