//! The domain model shared by every layer of confpack: accounts, access keys and the
//! identifier formats Alibaba Cloud Config uses.

pub mod account;
pub mod ids;
pub mod secret;

pub use account::{AccessKey, Account, AccountId, AccountStatus, KeyStatus};
pub use ids::AccessKeyId;
pub use secret::AccessKeySecret;
