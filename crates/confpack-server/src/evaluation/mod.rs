//! Rule evaluation: compiling stored rules into logic ([`compile`]), evaluating resources
//! ([`CompiledRule::evaluate`]), and the background loops that run durable evaluation jobs,
//! follow the change feed and fire schedules ([`worker`]).

pub(crate) mod compile;
pub mod worker;
