//! Rule evaluation: compiling stored rules into logic ([`compile`]), evaluating resources
//! ([`CompiledRule::evaluate`]), the background loops that run durable evaluation jobs,
//! follow the change feed and fire schedules ([`worker`]), and evaluation of resources
//! still on their way to a store ([`streaming`]).

pub(crate) mod compile;
pub mod streaming;
pub mod worker;
