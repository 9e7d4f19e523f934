//! Request signatures: V1 (HMAC-SHA1 over every parameter) and V3 (ACS3-HMAC-SHA256 over
//! a canonical request), each pinned by the vendor's test vectors.

pub mod v1;
pub mod v3;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use subtle::ConstantTimeEq;

/// RFC 3986 unreserved characters stay literal; everything else is `%XY` upper-case.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes as both signature versions require (space `%20`, `*` `%2A`, `~` kept).
pub fn percent_encode(value: &str) -> String {
    utf8_percent_encode(value, ENCODE).to_string()
}

/// Compares two signatures without revealing, through timing, where they differ.
pub fn signatures_equal(expected: &str, provided: &str) -> bool {
    expected.as_bytes().ct_eq(provided.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_follows_rfc_3986() {
        assert_eq!(percent_encode("a b*c~d-e_f.g/h:i"), "a%20b%2Ac~d-e_f.g%2Fh%3Ai");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn comparison_is_exact() {
        assert!(signatures_equal("abc", "abc"));
        assert!(!signatures_equal("abc", "abd"));
        assert!(!signatures_equal("abc", "abcd"));
    }
}
