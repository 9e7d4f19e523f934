//! The AccessKey secret: never printed, wiped from memory when dropped, compared in
//! constant time.

use std::fmt;

use rand::Rng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_LEN: usize = 30;

/// An AccessKey secret. `Debug` and `Display` print a placeholder, so the value cannot
/// leak into logs by accident; [`AccessKeySecret::expose`] is the one deliberate way in.
#[derive(Clone)]
pub struct AccessKeySecret(Zeroizing<String>);

impl AccessKeySecret {
    /// Wraps a secret read from the store or typed by an operator.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// Generates a fresh 30-character alphanumeric secret, the vendor's length.
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let value: String =
            (0..SECRET_LEN).map(|_| SECRET_ALPHABET[rng.random_range(0..SECRET_ALPHABET.len())] as char).collect();
        Self::new(value)
    }

    /// The secret's characters, for signing and for the one place that shows them to
    /// the operator who created the key.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time equality, so a comparison leaks nothing about where values differ.
    pub fn ct_eq(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl fmt::Debug for AccessKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKeySecret(<redacted>)")
    }
}

impl fmt::Display for AccessKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = AccessKeySecret::new("s3cr3t-value".to_owned());
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        assert!(!format!("{secret}").contains("s3cr3t"));
        assert_eq!(secret.expose(), "s3cr3t-value");
    }

    #[test]
    fn generated_secrets_are_alphanumeric_and_distinct() {
        let a = AccessKeySecret::generate();
        let b = AccessKeySecret::generate();
        assert_eq!(a.expose().len(), SECRET_LEN);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a.expose(), b.expose());
        assert!(a.ct_eq(a.expose()));
        assert!(!a.ct_eq(b.expose()));
    }
}
