//! Identifier formats: access key ids (`LTAI…`) and the hex-suffixed resource ids
//! (`cp-`, `cr-`, `ct-`, `crp-`) of Cloud Config.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// An AccessKey id, `LTAI` followed by 20 alphanumeric characters as the vendor issues
/// them. Any string is accepted when parsing requests; only generation fixes the shape.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Wraps an id read from a request or the store.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Generates a fresh id.
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let suffix: String =
            (0..20).map(|_| KEY_ID_ALPHABET[rng.random_range(0..KEY_ID_ALPHABET.len())] as char).collect();
        Self(format!("LTAI{suffix}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessKeyId({})", self.0)
    }
}

/// Generates an id of the vendor's shape: `prefix` + `-` + `hex_len` lower-case hex
/// digits (`cp-` + 20 for compliance packs, `cr-` + 20 for rules).
pub fn hex_id(prefix: &str, hex_len: usize) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + 1 + hex_len);
    id.push_str(prefix);
    id.push('-');
    for _ in 0..hex_len {
        let digit = rng.random_range(0..16u8);
        id.push(char::from_digit(u32::from(digit), 16).unwrap_or('0'));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_ids_have_the_vendor_shape() {
        let id = AccessKeyId::generate();
        assert!(id.as_str().starts_with("LTAI"));
        assert_eq!(id.as_str().len(), 24);
    }

    #[test]
    fn hex_ids_have_prefix_and_length() {
        let id = hex_id("cp", 20);
        assert!(id.starts_with("cp-"));
        assert_eq!(id.len(), 23);
        assert!(id[3..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
