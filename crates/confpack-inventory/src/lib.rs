//! The resource inventory's domain logic, free of storage and HTTP: which resource types
//! confpack knows ([`registry`]), turning an incoming item into a [`ResourceRecord`]
//! ([`input`]), configuration diffs and content hashes ([`diff`]), streaming readers for
//! JSON arrays and NDJSON ([`reader`]) and the synthetic inventory generator ([`generate`]).
//!
//! [`ResourceRecord`]: confpack_model::ResourceRecord

pub mod diff;
pub mod generate;
pub mod input;
pub mod reader;
pub mod registry;
