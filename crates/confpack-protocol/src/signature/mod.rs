//! Request signatures: V1 (HMAC-SHA1 over every parameter) and V3 (ACS3-HMAC-SHA256 over
//! a canonical request), each pinned by the vendor's test vectors.

pub mod v1;
pub mod v3;

use subtle::ConstantTimeEq;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes as both signature versions require: RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`) stay literal, every other byte becomes `%XY` upper-case (space
/// `%20`, `*` `%2A`). Written byte by byte because V1 signs whole request bodies, which
/// can be megabytes of resource configurations.
pub fn percent_encode(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len() + value.len() / 4);
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0x0f)]]);
        }
    }
    // Only ASCII was pushed.
    String::from_utf8(out).unwrap_or_default()
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
