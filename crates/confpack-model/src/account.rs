//! Accounts (tenants, each with its own data) and their AccessKey pairs.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::{AccessKeyId, AccessKeySecret};

/// A numeric account id, 16 digits like the vendor's (`1234567890123456`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(i64);

impl AccountId {
    /// Wraps a stored id.
    pub const fn new(value: i64) -> Self {
        Self(value)
    }

    /// Generates a random 16-digit id.
    pub fn generate() -> Self {
        Self(rand::rng().random_range(1_000_000_000_000_000..10_000_000_000_000_000))
    }

    /// The id as a number, as responses carry it.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.0)
    }
}

/// Why a text is not an account id.
#[derive(Debug, thiserror::Error)]
#[error("an account id is a positive decimal number, got {0:?}")]
pub struct InvalidAccountId(String);

impl FromStr for AccountId {
    type Err = InvalidAccountId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i64>() {
            Ok(v) if v > 0 => Ok(Self(v)),
            _ => Err(InvalidAccountId(s.to_owned())),
        }
    }
}

/// Whether an account may call the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountStatus {
    /// Requests signed by its keys are served.
    Enabled,
    /// Requests signed by its keys get `AccountNotExisted`.
    Disabled,
}

impl AccountStatus {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
        }
    }

    /// Parses the stored spelling; anything unknown counts as disabled, the safe side.
    pub fn from_stored(value: &str) -> Self {
        if value == "ENABLED" { Self::Enabled } else { Self::Disabled }
    }
}

/// Whether an AccessKey may sign requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// The key signs requests.
    Active,
    /// The key is refused with `InvalidAccessKeyId.Inactive`.
    Inactive,
}

impl KeyStatus {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
        }
    }

    /// Parses the stored spelling; anything unknown counts as inactive.
    pub fn from_stored(value: &str) -> Self {
        if value == "ACTIVE" { Self::Active } else { Self::Inactive }
    }
}

/// An account: the unit every stored object belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// A name chosen by the operator.
    pub name: String,
    /// Whether it may call the API.
    pub status: AccountStatus,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
}

/// An AccessKey pair with its owner and status.
#[derive(Clone, Debug)]
pub struct AccessKey {
    /// The public half, sent with each request.
    pub id: AccessKeyId,
    /// The private half, used to sign.
    pub secret: AccessKeySecret,
    /// The account the key acts for.
    pub account_id: AccountId,
    /// Whether the key may sign requests.
    pub status: KeyStatus,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_have_sixteen_digits() {
        for _ in 0..100 {
            assert_eq!(AccountId::generate().to_string().len(), 16);
        }
    }

    #[test]
    fn account_ids_parse_only_positive_numbers() {
        assert_eq!("42".parse::<AccountId>().ok(), Some(AccountId::new(42)));
        assert!("-1".parse::<AccountId>().is_err());
        assert!("abc".parse::<AccountId>().is_err());
    }

    #[test]
    fn a_debug_print_of_a_key_hides_its_secret() {
        let key = AccessKey {
            id: AccessKeyId::new("LTAIexample"),
            secret: AccessKeySecret::new("topsecretvalue".to_owned()),
            account_id: AccountId::new(1),
            status: KeyStatus::Active,
            created_ms: 0,
        };
        assert!(!format!("{key:?}").contains("topsecretvalue"));
    }
}
