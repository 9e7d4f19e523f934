//! Signature V3, `ACS3-HMAC-SHA256`: a canonical request over the method, path, sorted
//! query, the headers the client chose to sign and the body's SHA-256, hashed and signed
//! with HMAC-SHA256 under the bare secret.

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};

use super::percent_encode;
use crate::error::{ApiError, ErrorCode};

/// The only V3 algorithm confpack verifies.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Headers a V3 request must sign, so that none of them can be altered in transit.
pub const REQUIRED_SIGNED_HEADERS: &[&str] =
    &["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

/// The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// The AccessKey id.
    pub credential: String,
    /// Lower-case header names, in the order given.
    pub signed_headers: Vec<String>,
    /// Lower-case hex signature.
    pub signature: String,
}

/// Parses an `Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<Authorization, ApiError> {
    let (algorithm, rest) = value.trim().split_once(' ').ok_or_else(|| {
        ApiError::with_message(
            ErrorCode::IncompleteSignature,
            "The Authorization header must read \"ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…\".",
        )
    })?;
    if algorithm != ALGORITHM {
        return Err(ApiError::with_message(
            ErrorCode::InvalidSignatureMethod,
            format!("Specified signature method is not supported: {algorithm:?}; use {ALGORITHM}."),
        ));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v.trim()),
            Some(("SignedHeaders", v)) => signed = Some(v.trim()),
            Some(("Signature", v)) => signature = Some(v.trim()),
            _ => {}
        }
    }
    match (credential, signed, signature) {
        (Some(c), Some(h), Some(s)) if !c.is_empty() && !h.is_empty() && !s.is_empty() => Ok(Authorization {
            credential: c.to_owned(),
            signed_headers: h.split(';').map(|name| name.trim().to_ascii_lowercase()).collect(),
            signature: s.to_ascii_lowercase(),
        }),
        _ => Err(ApiError::with_message(
            ErrorCode::IncompleteSignature,
            "The Authorization header must carry Credential, SignedHeaders and Signature.",
        )),
    }
}

/// Hex SHA-256 of `bytes`, the form of `x-acs-content-sha256`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Builds the canonical request. `query` holds the decoded query-string pairs; each
/// signed header must be present.
pub fn canonical_request(
    method: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    signed_headers: &[String],
    payload_hash: &str,
) -> Result<String, ApiError> {
    let mut pairs: Vec<(String, String)> = query.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    pairs.sort();
    let canonical_query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");

    let mut names: Vec<&str> = signed_headers.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut canonical_headers = String::new();
    for name in &names {
        let mut values: Vec<&str> =
            headers.get_all(*name).iter().map(|v| v.to_str().map(str::trim)).collect::<Result<_, _>>().map_err(
                |_| {
                    ApiError::with_message(
                        ErrorCode::IncompleteSignature,
                        format!("The signed header {name:?} is not valid text."),
                    )
                },
            )?;
        if values.is_empty() {
            return Err(ApiError::with_message(
                ErrorCode::IncompleteSignature,
                format!("The header {name:?} is listed in SignedHeaders but absent from the request."),
            ));
        }
        values.sort_unstable();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    Ok(format!("{method}\n/\n{canonical_query}\n{canonical_headers}\n{}\n{payload_hash}", names.join(";")))
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", hex_sha256(canonical_request.as_bytes()))
}

/// The hex HMAC-SHA256 signature of `string_to_sign` under `secret`.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    /// The digest's §10.2 vector, computed with the official SDK's `get_authorization`.
    #[test]
    fn matches_the_vendor_test_vector() {
        let body = b"ClientToken=abc&CompliancePackName=test%20pack";
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("content-type", "application/x-www-form-urlencoded"),
            ("host", "config.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "GenerateCompliancePackReport"),
            ("x-acs-version", "2020-09-07"),
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
            ("x-acs-content-sha256", "08fadb63a40a2f128dfb07c23f0fa9e180b76e51d188755278fb559770323075"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        assert_eq!(hex_sha256(body), "08fadb63a40a2f128dfb07c23f0fa9e180b76e51d188755278fb559770323075");
        let auth = parse_authorization("ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=a6ee5d74424b67cc288f4210f2e1289a34cdcc1c359e168947281cec31c42dc9").expect("parses");
        assert_eq!(auth.credential, "YourAccessKeyId");
        let query = vec![("CompliancePackId".to_owned(), "cp-fdc8626622af00f9****".to_owned())];
        let canonical =
            canonical_request("POST", &query, &headers, &auth.signed_headers, &hex_sha256(body)).expect("canonical");
        let sts = string_to_sign(&canonical);
        assert_eq!(sts, "ACS3-HMAC-SHA256\ne5942251557e2f1200d449bd005a014e8e445c30f8efcce31c3d1f1273ce0001");
        assert_eq!(sign("YourAccessKeySecret", &sts), auth.signature);
    }

    #[test]
    fn malformed_headers_are_incomplete_signatures() {
        let e = parse_authorization("ACS3-HMAC-SHA256 Credential=a").expect_err("incomplete");
        assert_eq!(e.code, ErrorCode::IncompleteSignature);
        let e = parse_authorization("garbage").expect_err("incomplete");
        assert_eq!(e.code, ErrorCode::IncompleteSignature);
        let e =
            parse_authorization("ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00").expect_err("unsupported");
        assert_eq!(e.code, ErrorCode::InvalidSignatureMethod);
    }

    #[test]
    fn a_missing_signed_header_is_reported() {
        let e = canonical_request("POST", &[], &HeaderMap::new(), &["host".to_owned()], "x").expect_err("absent");
        assert_eq!(e.code, ErrorCode::IncompleteSignature);
        assert!(e.message.contains("host"));
    }
}
