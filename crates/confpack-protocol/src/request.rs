//! Turning an HTTP request into an RPC call: the merged parameters, the action, version
//! and format, and the credentials of whichever signature version the client used.

use http::HeaderMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{ApiError, ErrorCode};
use crate::params::Params;
use crate::signature::{self, v1, v3};

/// The only API version served.
pub const API_VERSION: &str = "2020-09-07";

/// How far a request's time may be from the server's, either way.
pub const TIMESTAMP_WINDOW_SECONDS: i64 = 15 * 60;

/// The body format the client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/json`, the default.
    Json,
    /// `application/xml`, root element `<{Action}Response>`.
    Xml,
}

/// An RPC request, parsed but not yet authenticated.
#[derive(Debug)]
pub struct RpcRequest {
    /// `GET` or `POST`, as received (it takes part in V1 and V3 signing).
    pub method: String,
    /// The action name from `x-acs-action` or `Action`, if any.
    pub action: Option<String>,
    /// The version from `x-acs-version` or `Version`, if any.
    pub version: Option<String>,
    /// The response format.
    pub format: Format,
    /// Query-string and form-body parameters, merged.
    pub params: Params,
    /// The query-string pairs alone, which V3 canonicalises.
    pub query: Vec<(String, String)>,
}

/// The credentials a request carries, before verification.
#[derive(Debug)]
pub enum Credentials {
    /// Signature V1 (HMAC-SHA1, parameters `AccessKeyId`, `Signature`, …).
    V1 {
        /// `AccessKeyId`.
        access_key_id: String,
        /// `Signature`, base64.
        signature: String,
        /// `SignatureNonce`.
        nonce: String,
        /// `Timestamp`, parsed.
        time: OffsetDateTime,
    },
    /// Signature V3 (`Authorization: ACS3-HMAC-SHA256 …`).
    V3 {
        /// The parsed header.
        authorization: v3::Authorization,
        /// `x-acs-signature-nonce`.
        nonce: String,
        /// `x-acs-date`, parsed.
        time: OffsetDateTime,
    },
}

impl Credentials {
    /// The AccessKey id the request claims.
    pub fn access_key_id(&self) -> &str {
        match self {
            Self::V1 { access_key_id, .. } => access_key_id,
            Self::V3 { authorization, .. } => &authorization.credential,
        }
    }

    /// The nonce, unique per request.
    pub fn nonce(&self) -> &str {
        match self {
            Self::V1 { nonce, .. } | Self::V3 { nonce, .. } => nonce,
        }
    }

    /// The time the client signed at.
    pub fn time(&self) -> OffsetDateTime {
        match self {
            Self::V1 { time, .. } | Self::V3 { time, .. } => *time,
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

fn is_form(headers: &HeaderMap) -> bool {
    header(headers, "content-type")
        .is_none_or(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

/// Decodes `application/x-www-form-urlencoded` pairs strictly: a name or value that is
/// not UTF-8 once percent-decoded is refused, naming it, rather than silently altered.
fn decode_pairs(bytes: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    let decode = |part: &[u8]| -> Result<String, Vec<u8>> {
        let spaced: Vec<u8> = part.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        let raw: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        String::from_utf8(raw).map_err(|e| e.into_bytes())
    };
    let mut pairs = Vec::new();
    for piece in bytes.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &[][..]),
        };
        let name = decode(name).map_err(|raw| {
            ApiError::invalid_parameter(&String::from_utf8_lossy(&raw), "the parameter name is not valid UTF-8")
        })?;
        let value =
            decode(value).map_err(|_| ApiError::invalid_parameter(&name, "the value is not valid UTF-8 text"))?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

impl RpcRequest {
    /// Parses method, query string, headers and raw body. Fails only on an unusable
    /// `Format`; everything else is checked by the later steps so each gets its own code.
    pub fn parse(
        method: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Self, (Format, ApiError)> {
        let query = decode_pairs(query.unwrap_or("").as_bytes()).map_err(|e| (Format::Json, e))?;
        let mut pairs = query.clone();
        if !body.is_empty() && is_form(headers) {
            pairs.extend(decode_pairs(body).map_err(|e| (Format::Json, e))?);
        }
        let params = Params::from_pairs(pairs);
        let format = match params.optional("Format").map(str::to_ascii_lowercase).as_deref() {
            None | Some("json") => Format::Json,
            Some("xml") => Format::Xml,
            Some(other) => {
                return Err((
                    Format::Json,
                    ApiError::invalid_parameter("Format", format!("{other:?} is neither JSON nor XML")),
                ));
            }
        };
        let action = header(headers, "x-acs-action").or_else(|| params.optional("Action")).map(str::to_owned);
        let version = header(headers, "x-acs-version").or_else(|| params.optional("Version")).map(str::to_owned);
        Ok(Self { method: method.to_owned(), action, version, format, params, query })
    }

    /// Checks that `Version` is the one served.
    pub fn check_version(&self) -> Result<(), ApiError> {
        match self.version.as_deref() {
            None => Err(ApiError::missing_parameter("Version")),
            Some(API_VERSION) => Ok(()),
            Some(other) => Err(ApiError::with_message(
                ErrorCode::InvalidVersion,
                format!("Specified parameter Version is not valid: {other:?}; this server speaks {API_VERSION}."),
            )),
        }
    }

    /// Extracts the credentials, choosing V3 when an `Authorization` header is present.
    pub fn credentials(&self, headers: &HeaderMap) -> Result<Credentials, ApiError> {
        if let Some(value) = header(headers, "authorization") {
            let authorization = v3::parse_authorization(value)?;
            for required in v3::REQUIRED_SIGNED_HEADERS {
                if !authorization.signed_headers.iter().any(|h| h == required) {
                    return Err(ApiError::with_message(
                        ErrorCode::IncompleteSignature,
                        format!("The header {required:?} must be listed in SignedHeaders."),
                    ));
                }
            }
            let date = header(headers, "x-acs-date").ok_or_else(|| ApiError::missing_parameter("x-acs-date"))?;
            let nonce = header(headers, "x-acs-signature-nonce")
                .ok_or_else(|| ApiError::missing_parameter("x-acs-signature-nonce"))?;
            return Ok(Credentials::V3 { authorization, nonce: nonce.to_owned(), time: parse_time(date)? });
        }
        let p = &self.params;
        let access_key_id = p.required("AccessKeyId")?;
        let signature = p.required("Signature")?;
        let method = p.required("SignatureMethod")?;
        if method != "HMAC-SHA1" {
            return Err(ApiError::with_message(
                ErrorCode::InvalidSignatureMethod,
                format!(
                    "Specified signature method is not supported: {method:?}; use HMAC-SHA1 or the ACS3-HMAC-SHA256 Authorization header."
                ),
            ));
        }
        if let Some(version) = p.optional("SignatureVersion").filter(|v| *v != "1.0") {
            return Err(ApiError::invalid_parameter("SignatureVersion", format!("{version:?} is not 1.0")));
        }
        if let Some(kind) = p.optional("SignatureType") {
            return Err(ApiError::invalid_parameter(
                "SignatureType",
                format!("{kind:?} is not supported; sign with an AccessKey"),
            ));
        }
        if p.optional("SecurityToken").is_some() {
            return Err(ApiError::invalid_parameter(
                "SecurityToken",
                "STS tokens are not supported; sign with an AccessKey",
            ));
        }
        let timestamp = p.required("Timestamp")?;
        let nonce = p.required("SignatureNonce")?;
        Ok(Credentials::V1 {
            access_key_id: access_key_id.to_owned(),
            signature: signature.to_owned(),
            nonce: nonce.to_owned(),
            time: parse_time(timestamp)?,
        })
    }

    /// Verifies the signature under `secret`. On a mismatch the message carries the
    /// string the server signed, as the vendor's does, so a client can compare.
    pub fn verify(
        &self,
        credentials: &Credentials,
        headers: &HeaderMap,
        body: &[u8],
        secret: &str,
    ) -> Result<(), ApiError> {
        let (expected, provided, string_to_sign) = match credentials {
            Credentials::V1 { signature, .. } => {
                let sts = v1::string_to_sign(&self.method, self.params.pairs());
                (v1::sign(secret, &sts), signature.as_str(), sts)
            }
            Credentials::V3 { authorization, .. } => {
                let payload_hash = v3::hex_sha256(body);
                let declared = header(headers, "x-acs-content-sha256").unwrap_or_default();
                if !signature::signatures_equal(&payload_hash, &declared.to_ascii_lowercase()) {
                    return Err(ApiError::with_message(
                        ErrorCode::SignatureDoesNotMatch,
                        "The x-acs-content-sha256 header does not match the SHA-256 of the request body.",
                    ));
                }
                let canonical = v3::canonical_request(
                    &self.method,
                    &self.query,
                    headers,
                    &authorization.signed_headers,
                    &payload_hash,
                )?;
                let sts = v3::string_to_sign(&canonical);
                (v3::sign(secret, &sts), authorization.signature.as_str(), sts)
            }
        };
        if signature::signatures_equal(&expected, provided) {
            Ok(())
        } else {
            Err(ApiError::with_message(
                ErrorCode::SignatureDoesNotMatch,
                format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
                ),
            ))
        }
    }
}

/// Parses `yyyy-MM-ddTHH:mm:ssZ` (any RFC 3339 time is accepted).
pub fn parse_time(text: &str) -> Result<OffsetDateTime, ApiError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ApiError::with_message(
            ErrorCode::InvalidTimeStampFormat,
            format!(
                "Specified time stamp or date value is not well formatted: {text:?}; expected UTC yyyy-MM-ddTHH:mm:ssZ."
            ),
        )
    })
}

/// Checks that the signing time is within ±15 minutes of `now`.
pub fn check_freshness(signed_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), ApiError> {
    let skew = (now - signed_at).whole_seconds().abs();
    if skew > TIMESTAMP_WINDOW_SECONDS {
        return Err(ApiError::with_message(
            ErrorCode::InvalidTimeStampExpired,
            format!(
                "Specified time stamp or date value is expired: it is {skew} s from the server's time; the limit is {TIMESTAMP_WINDOW_SECONDS} s."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded"));
        h
    }

    #[test]
    fn query_and_body_merge_and_format_is_case_insensitive() {
        let req = RpcRequest::parse(
            "POST",
            Some("Action=X&Format=xml"),
            &form_headers(),
            b"CompliancePackId=cp-1&Version=2020-09-07",
        )
        .expect("parses");
        assert_eq!(req.action.as_deref(), Some("X"));
        assert_eq!(req.format, Format::Xml);
        assert_eq!(req.params.optional("CompliancePackId"), Some("cp-1"));
        assert_eq!(req.query.len(), 2);
        assert!(req.check_version().is_ok());
    }

    #[test]
    fn pairs_decode_strictly() {
        let req = RpcRequest::parse("GET", Some("A=a+b%20c&B=%2B&C"), &HeaderMap::new(), b"").expect("parses");
        assert_eq!(req.params.raw("A"), Some("a b c"));
        assert_eq!(req.params.raw("B"), Some("+"));
        assert_eq!(req.params.raw("C"), Some(""));
        let (_, e) = RpcRequest::parse("POST", None, &form_headers(), b"Resources=%FF%FE").expect_err("not UTF-8");
        assert!(e.message.contains("\"Resources\""), "{}", e.message);
    }

    #[test]
    fn a_bad_format_or_version_is_named() {
        let (_, e) = RpcRequest::parse("GET", Some("Format=yaml"), &HeaderMap::new(), b"").expect_err("bad format");
        assert!(e.message.contains("Format"));
        let req = RpcRequest::parse("GET", Some("Version=2019-01-08"), &HeaderMap::new(), b"").expect("parses");
        assert_eq!(req.check_version().expect_err("bad").code, ErrorCode::InvalidVersion);
    }

    #[test]
    fn v1_credentials_require_their_parameters() {
        let req = RpcRequest::parse(
            "GET",
            Some("AccessKeyId=a&Signature=s&SignatureMethod=HMAC-SHA1&SignatureNonce=n"),
            &HeaderMap::new(),
            b"",
        )
        .expect("parses");
        let e = req.credentials(&HeaderMap::new()).expect_err("no timestamp");
        assert!(e.message.contains("\"Timestamp\""));
        let req = RpcRequest::parse(
            "GET",
            Some("AccessKeyId=a&Signature=s&SignatureMethod=HMAC-MD5"),
            &HeaderMap::new(),
            b"",
        )
        .expect("parses");
        assert_eq!(req.credentials(&HeaderMap::new()).expect_err("method").code, ErrorCode::InvalidSignatureMethod);
    }

    #[test]
    fn timestamps_are_checked_for_shape_and_freshness() {
        assert_eq!(parse_time("2020/01/01").expect_err("shape").code, ErrorCode::InvalidTimeStampFormat);
        let now = parse_time("2026-01-01T00:15:00Z").expect("parses");
        assert!(check_freshness(parse_time("2026-01-01T00:00:00Z").expect("t"), now).is_ok());
        assert!(check_freshness(parse_time("2026-01-01T00:30:00Z").expect("t"), now).is_ok());
        let late = check_freshness(parse_time("2025-12-31T23:59:59Z").expect("t"), now);
        assert_eq!(late.expect_err("expired").code, ErrorCode::InvalidTimeStampExpired);
        let early = check_freshness(parse_time("2026-01-01T00:30:01Z").expect("t"), now);
        assert_eq!(early.expect_err("future").code, ErrorCode::InvalidTimeStampExpired);
    }
}
