//! Builds each request and signs it at send time with a fresh nonce and timestamp, using
//! the server's own signing functions from `confpack-protocol` (so a mismatch shows up as
//! errors, never as a faster benchmark).

use anyhow::Context;
use confpack_protocol::signature::{percent_encode, v1, v3};
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, HOST, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::args::{Config, SignatureVersion};

/// `x-acs-content-sha256` of an empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The headers every V3 request signs, sorted as `SignedHeaders` lists them.
const V3_SIGNED: [&str; 6] =
    ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

/// The only API version.
const API_VERSION: &str = "2020-09-07";

/// The request a connection sends next.
pub type OutgoingRequest = Request<Empty<Bytes>>;

/// Signs requests for one connection. Nonces are `run prefix · connection · sequence` in
/// 32 hex digits (the shape of the Python SDK's md5 nonces): unique across connections,
/// requests and runs, without a random-number syscall per request.
pub struct Signer {
    signature: SignatureVersion,
    host: String,
    key_id: String,
    secret: String,
    action: String,
    params: Vec<(String, String)>,
    /// The action parameters already percent-encoded as a query string (V3).
    v3_query: String,
    v3_signed_list: String,
    nonce_prefix: String,
    sequence: u64,
    clock: TimestampClock,
}

impl Signer {
    /// A signer for connection `connection` of the run whose random id is `run_id`.
    pub fn new(config: &Config, run_id: u64, connection: usize) -> Self {
        let v3_query = config
            .params
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Self {
            signature: config.signature,
            host: config.host.clone(),
            key_id: config.key_id.clone(),
            secret: config.secret.clone(),
            action: config.action.clone(),
            params: config.params.clone(),
            v3_query,
            v3_signed_list: V3_SIGNED.join(";"),
            nonce_prefix: format!("{run_id:016x}{:04x}", connection & 0xffff),
            sequence: 0,
            clock: TimestampClock::default(),
        }
    }

    /// Builds and signs the next request.
    pub fn next_request(&mut self) -> anyhow::Result<OutgoingRequest> {
        self.sequence += 1;
        let nonce = format!("{}{:012x}", self.nonce_prefix, self.sequence & 0xffff_ffff_ffff);
        let timestamp = self.clock.now().to_owned();
        match self.signature {
            SignatureVersion::V1 => self.v1_request(nonce, timestamp),
            SignatureVersion::V3 => self.v3_request(nonce, timestamp),
        }
    }

    /// `GET /?{common and action params}&Signature=…`.
    fn v1_request(&self, nonce: String, timestamp: String) -> anyhow::Result<OutgoingRequest> {
        let mut params: Vec<(String, String)> = Vec::with_capacity(self.params.len() + 9);
        for (name, value) in [
            ("Action", self.action.as_str()),
            ("Version", API_VERSION),
            ("Format", "JSON"),
            ("AccessKeyId", self.key_id.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
        ] {
            params.push((name.to_owned(), value.to_owned()));
        }
        params.push(("SignatureNonce".to_owned(), nonce));
        params.push(("Timestamp".to_owned(), timestamp));
        params.extend(self.params.iter().cloned());
        let signature = v1::sign(&self.secret, &v1::string_to_sign("GET", &params));

        let mut uri = String::with_capacity(512);
        uri.push_str("/?");
        for (name, value) in &params {
            uri.push_str(&percent_encode(name));
            uri.push('=');
            uri.push_str(&percent_encode(value));
            uri.push('&');
        }
        uri.push_str("Signature=");
        uri.push_str(&percent_encode(&signature));
        Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(HOST, &self.host)
            .body(Empty::new())
            .context("building a V1 request")
    }

    /// `POST /?{action params}` with an empty body and an `ACS3-HMAC-SHA256` Authorization.
    fn v3_request(&self, nonce: String, timestamp: String) -> anyhow::Result<OutgoingRequest> {
        let mut headers = HeaderMap::with_capacity(8);
        headers.insert(HOST, HeaderValue::from_str(&self.host)?);
        headers.insert(HeaderName::from_static("x-acs-action"), HeaderValue::from_str(&self.action)?);
        headers.insert(HeaderName::from_static("x-acs-version"), HeaderValue::from_static(API_VERSION));
        headers.insert(HeaderName::from_static("x-acs-date"), HeaderValue::from_str(&timestamp)?);
        headers.insert(HeaderName::from_static("x-acs-signature-nonce"), HeaderValue::from_str(&nonce)?);
        headers.insert(HeaderName::from_static("x-acs-content-sha256"), HeaderValue::from_static(EMPTY_SHA256));
        let signed: Vec<String> = V3_SIGNED.iter().map(|h| (*h).to_owned()).collect();
        let canonical = v3::canonical_request("POST", &self.params, &headers, &signed, EMPTY_SHA256)
            .map_err(|e| anyhow::anyhow!("canonicalising a V3 request: {}", e.message))?;
        let signature = v3::sign(&self.secret, &v3::string_to_sign(&canonical));
        let authorization = format!(
            "{} Credential={},SignedHeaders={},Signature={signature}",
            v3::ALGORITHM,
            self.key_id,
            self.v3_signed_list
        );
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&authorization)?);

        let uri = if self.v3_query.is_empty() { "/".to_owned() } else { format!("/?{}", self.v3_query) };
        let mut request =
            Request::builder().method(Method::POST).uri(uri).body(Empty::new()).context("building a V3 request")?;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

/// The current UTC time as `yyyy-MM-ddTHH:mm:ssZ`, formatted once per second.
#[derive(Default)]
struct TimestampClock {
    second: i64,
    text: String,
}

impl TimestampClock {
    fn now(&mut self) -> &str {
        let now = OffsetDateTime::now_utc();
        if now.unix_timestamp() != self.second || self.text.is_empty() {
            self.second = now.unix_timestamp();
            self.text =
                now.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default();
        }
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::RawArgs;
    use clap::Parser;
    use confpack_protocol::RpcRequest;

    fn config(signature: &str) -> Config {
        RawArgs::parse_from([
            "confpack-loadgen",
            "--endpoint",
            "http://127.0.0.1:1",
            "--key-id",
            "LTAIexample",
            "--secret",
            "s3cret",
            "--signature",
            signature,
            "--param",
            "CompliancePackId=cp-0 *~",
        ])
        .validate()
        .expect("valid")
    }

    /// Parses what the signer built the way the server does, then verifies it.
    fn verify(request: &OutgoingRequest) {
        let parsed = RpcRequest::parse(request.method().as_str(), request.uri().query(), request.headers(), b"")
            .expect("parses");
        assert_eq!(parsed.action.as_deref(), Some("GenerateCompliancePackReport"));
        assert_eq!(parsed.params.optional("CompliancePackId"), Some("cp-0 *~"));
        let credentials = parsed.credentials(request.headers()).expect("credentials");
        assert_eq!(credentials.access_key_id(), "LTAIexample");
        parsed.verify(&credentials, request.headers(), b"", "s3cret").expect("signature verifies");
        assert!(parsed.verify(&credentials, request.headers(), b"", "other").is_err());
    }

    #[test]
    fn v1_requests_verify_and_never_repeat_a_nonce() {
        let config = config("v1");
        let mut signer = Signer::new(&config, 7, 3);
        let first = signer.next_request().expect("signs");
        let second = signer.next_request().expect("signs");
        verify(&first);
        verify(&second);
        assert_ne!(first.uri(), second.uri());
        assert!(first.uri().query().is_some_and(|q| q.contains("SignatureNonce=00000000000000070003000000000001")));
    }

    #[test]
    fn v3_requests_verify() {
        let config = config("v3");
        let mut signer = Signer::new(&config, 7, 3);
        let request = signer.next_request().expect("signs");
        assert_eq!(request.method(), Method::POST);
        verify(&request);
    }
}
