//! The domain model shared by every layer of confpack: accounts, access keys, resource
//! configurations and the identifier formats Alibaba Cloud Config uses.

pub mod account;
pub mod ids;
pub mod pack;
pub mod report;
pub mod resource;
pub mod rule;
pub mod secret;

pub use account::{AccessKey, Account, AccountId, AccountStatus, KeyStatus};
pub use ids::AccessKeyId;
pub use pack::CompliancePack;
pub use report::{ReportJob, ReportKind};
pub use resource::{
    ConfigurationChanged, PreparedResource, PutOutcome, ResourceEventType, ResourceRecord, ResourceVersion,
    StoredResource, Tags,
};
pub use rule::{
    ComplianceChange, ConfigRule, CreatedBy, EvaluationJob, EvaluationStatus, ResultWrite, RuleScope, ScopeSubject,
    StoredResult, TagPair,
};
pub use secret::AccessKeySecret;
