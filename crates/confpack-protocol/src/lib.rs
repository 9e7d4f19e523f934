//! The Alibaba Cloud RPC protocol as Cloud Config (API 2020-09-07) speaks it, free of any
//! HTTP framework: the action table, request parsing, V1 and V3 signatures, typed
//! parameter decoding, the error codes and JSON/XML rendering.

pub mod actions;
pub mod error;
pub mod params;
pub mod render;
pub mod request;
pub mod signature;

pub use actions::{ACTIONS, Action, ActionInfo, Origin, SdkMethod};
pub use error::{ApiError, ErrorCode};
pub use params::Params;
pub use request::{API_VERSION, Credentials, Format, RpcRequest};
