//! Integration tests: the real `confpack` binary on 127.0.0.1:0, driven by a hand-signing
//! client that can produce malformed, expired and replayed requests.

mod admin_cli;
mod client;
mod gateway;
mod import_cli;
mod inventory_api;
mod operations;
mod rule_evaluation;
mod server;
mod signatures;
