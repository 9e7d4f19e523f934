//! The error codes a client can receive, each with its HTTP status and the vendor's
//! message, and [`ApiError`], the one error type handlers return.

use std::borrow::Cow;
use std::fmt;

/// Defines [`ErrorCode`] from one table: variant, wire code, HTTP status, default message.
macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => ($code:literal, $status:literal, $message:literal), )*) => {
        /// An Alibaba error code, with the HTTP status it travels with.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, for documentation and metrics.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears in the `Code` field (dotted, case-sensitive).
            pub const fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )* }
            }

            /// The HTTP status of a response carrying this code.
            pub const fn status(self) -> u16 {
                match self { $( Self::$variant => $status, )* }
            }

            /// The vendor's message for this code, used when nothing more specific helps.
            pub const fn default_message(self) -> &'static str {
                match self { $( Self::$variant => $message, )* }
            }
        }
    };
}

error_codes! {
    /// A mandatory parameter is absent.
    MissingParameter => ("MissingParameter", 400, "A mandatory parameter is not supplied."),
    /// A parameter's value cannot be used.
    InvalidParameter => ("InvalidParameter", 400, "The specified parameter is not valid."),
    /// No action of that name exists in API 2020-09-07.
    InvalidActionNotFound => ("InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."),
    /// The action exists in the vendor's API but confpack does not implement it yet.
    OperationNotSupported => ("OperationNotSupported", 501, "The action is not implemented by this server yet."),
    /// `Version` is not `2020-09-07`.
    InvalidVersion => ("InvalidVersion", 400, "Specified parameter Version is not valid."),
    /// The signature does not match the server's calculation.
    SignatureDoesNotMatch => ("SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."),
    /// The signature is malformed or incomplete.
    IncompleteSignature => ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
    /// The signature method is not supported.
    InvalidSignatureMethod => ("InvalidSignatureMethod", 400, "Specified signature method is not supported."),
    /// The request time is more than 15 minutes from the server's.
    InvalidTimeStampExpired => ("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    /// The request time is not `yyyy-MM-ddTHH:mm:ssZ`.
    InvalidTimeStampFormat => ("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
    /// The nonce was seen before within its window.
    SignatureNonceUsed => ("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    /// No AccessKey with that id exists.
    InvalidAccessKeyIdNotFound => ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    /// The AccessKey exists but is disabled.
    InvalidAccessKeyIdInactive => ("InvalidAccessKeyId.Inactive", 400, "Specified access key is disabled."),
    /// The account behind the key is disabled or gone.
    AccountNotExisted => ("AccountNotExisted", 404, "Your account does not exist."),
    /// The caller exceeded its request rate.
    ThrottlingUser => ("Throttling.User", 400, "Request was denied due to user flow control."),
    /// A ClientToken was reused with different parameters.
    IdempotentParameterMismatch => ("IdempotentParameterMismatch", 400, "Request uses a client token in a previous request but is not Identical to that request."),
    /// The caller may not perform the operation.
    NoPermission => ("NoPermission", 400, "You are not authorized to perform this operation."),
    /// An unexpected failure inside the server; details are in its log under the RequestId.
    InternalError => ("InternalError", 500, "The request processing has failed due to some unknown error, exception or failure."),
    /// A temporary failure: the store is unreachable or the server is shutting down.
    ServiceUnavailable => ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    /// The resource does not exist in the caller's account (confpack's code; the vendor
    /// documents none for discovery reads).
    ResourceNotExists => ("ResourceNotExists", 400, "The specified resource does not exist."),
    /// The compliance pack does not exist in the caller's account.
    InvalidCompliancePackIdValue => ("Invalid.CompliancePackId.Value", 400, "The specified CompliancePackId does not exist."),
    /// A report for the pack is already being generated.
    CompliancePackReportCreating => ("CompliancePackReportCreating", 400, "The compliance pack report is being created."),
    /// A config-rules report of the account is being generated.
    ConfigRuleReportCreating => ("ConfigRuleReportCreating", 400, "The config rule report is being created."),
    /// No rules report has that id (confpack's code; the vendor documents none).
    InvalidReportIdValue => ("Invalid.ReportId.Value", 400, "The specified ReportId does not exist."),
    /// The rule does not exist in the caller's account.
    ConfigRuleNotExists => ("ConfigRuleNotExists", 400, "The ConfigRule does not exist."),
    /// A rule of that name exists already.
    ConfigRuleExists => ("ConfigRuleExists", 400, "The ConfigRule already exists."),
    /// The rule cannot be deleted (a compliance pack owns it).
    ConfigRuleCanNotDelete => ("ConfigRuleCanNotDelete", 400, "The config rule cannot be deleted."),
    /// Deactivation of a rule that is not active.
    ConfigRuleStatusNotActive => ("ConfigRuleStatusNotActive", 400, "The status of the config rule is not active."),
    /// Activation of a rule that is not inactive.
    ConfigRuleStatusNotInActive => ("ConfigRuleStatusNotInActive", 400, "The status of the config rule is not inactive."),
    /// More than 20 rule ids in one call.
    InvalidConfigRuleIdsSizeExceed => ("Invalid.ConfigRuleIds.SizeExceed", 400, "The maximum number of ConfigRuleIds cannot exceed 20."),
    /// The account reached its rule limit.
    ExceedMaxRuleCount => ("ExceedMaxRuleCount", 400, "The maximum number of rules is exceeded."),
    /// No managed rule has that identifier (confpack's code; the vendor documents none).
    ManagedRuleNotExists => ("ManagedRuleNotExists", 400, "The specified managed rule does not exist."),
    /// A condition rule's `Conditions` cannot be compiled (confpack's code).
    InvalidConditionsValue => ("Invalid.Conditions.Value", 400, "The specified Conditions is invalid."),
    /// The account reached its pack limit (only under `--limits vendor`).
    CompliancePackExceedMaxCount => ("CompliancePackExceedMaxCount", 400, "The maximum number of compliance pack is exceeded."),
    /// A pack's new rules would take the account past its rule limit.
    ConfigRuleExceedMaxRuleCount => ("ConfigRuleExceedMaxRuleCount", 400, "The maximum number of config rules is exceeded."),
    /// A pack of that name exists already.
    CompliancePackExists => ("CompliancePackExists", 400, "The compliance pack already exists."),
    /// The pack name is empty or too long.
    InvalidCompliancePackNameValue => ("Invalid.CompliancePackName.Value", 400, "The specified CompliancePackName is invalid."),
    /// No template has that id.
    InvalidCompliancePackTemplateIdValue => ("Invalid.CompliancePackTemplateId.Value", 400, "The specified CompliancePackTemplateId does not exist."),
    /// A pack needs rules (ConfigRules, a template or TemplateContent).
    InvalidConfigRulesEmpty => ("Invalid.ConfigRules.Empty", 400, "You must specify ConfigRules."),
    /// A ConfigRules item cannot be used.
    InvalidConfigRulesValue => ("Invalid.ConfigRules.Value", 400, "The specified ConfigRules is invalid."),
    /// More than 5 pack ids in one call.
    InvalidCompliancePackIdsSizeExceed => ("Invalid.CompliancePackIds.SizeExceed", 400, "The maximum number of CompliancePackIds is 5."),
    /// PutEvaluations with a ResultToken that names no rule of the caller (confpack's code).
    InvalidResultTokenValue => ("Invalid.ResultToken.Value", 400, "The specified ResultToken is invalid."),
}

/// A failure to report to the client: a code and a message that says what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The error code, which also fixes the HTTP status.
    pub code: ErrorCode,
    /// The message shown to the client.
    pub message: Cow<'static, str>,
}

impl ApiError {
    /// An error with the code's default message.
    pub const fn new(code: ErrorCode) -> Self {
        Self { code, message: Cow::Borrowed(code.default_message()) }
    }

    /// An error with a specific message.
    pub fn with_message(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { code, message: message.into() }
    }

    /// `MissingParameter`, naming the parameter as the vendor does.
    pub fn missing_parameter(name: &str) -> Self {
        Self::with_message(
            ErrorCode::MissingParameter,
            format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    /// `InvalidParameter`, naming the parameter and saying what is wrong with it.
    pub fn invalid_parameter(name: &str, why: impl fmt::Display) -> Self {
        Self::with_message(
            ErrorCode::InvalidParameter,
            format!("The specified parameter \"{name}\" is not valid: {why}"),
        )
    }

    /// `OperationNotSupported` for a vendor action confpack does not implement yet.
    pub fn not_supported(action: &str) -> Self {
        Self::with_message(
            ErrorCode::OperationNotSupported,
            format!(
                "The action \"{action}\" exists in API 2020-09-07 but this confpack server does not implement it yet. Run `confpack actions` to list the supported actions."
            ),
        )
    }

    /// `InternalError` with the generic message; the cause goes to the log, not here.
    pub const fn internal() -> Self {
        Self::new(ErrorCode::InternalError)
    }

    /// The HTTP status to answer with.
    pub const fn status(&self) -> u16 {
        self.code.status()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_are_errors() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "duplicate code {}", code.code());
            assert!((400..600).contains(&code.status()));
        }
    }

    #[test]
    fn the_seed_action_codes_match_the_vendor_page() {
        let e = ApiError::new(ErrorCode::InvalidCompliancePackIdValue);
        assert_eq!((e.status(), e.code.code()), (400, "Invalid.CompliancePackId.Value"));
        assert_eq!(e.message, "The specified CompliancePackId does not exist.");
        assert_eq!(ErrorCode::AccountNotExisted.status(), 404);
        assert_eq!(ErrorCode::ServiceUnavailable.status(), 503);
        assert_eq!(ErrorCode::CompliancePackReportCreating.status(), 400);
    }
}
