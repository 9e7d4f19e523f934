//! A hand-signing client. Unlike the official SDKs it can send any parameter set, sign
//! it or not, and replay a request byte for byte.

use confpack_protocol::signature::{percent_encode, v1, v3};
use http::{HeaderMap, HeaderValue};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parameters as ordered pairs.
pub type Pairs = Vec<(String, String)>;

/// Builds pairs from string literals.
pub fn pairs(items: &[(&str, &str)]) -> Pairs {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A request before sending: method, query pairs and form-body pairs.
#[derive(Clone, Debug)]
pub struct Call {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Query-string pairs.
    pub query: Pairs,
    /// Form-body pairs (POST).
    pub body: Pairs,
    /// Extra headers.
    pub headers: HeaderMap,
}

impl Call {
    /// Sets (or replaces) a query parameter.
    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.query.retain(|(k, _)| k != name);
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Removes a parameter wherever it is.
    pub fn without(mut self, name: &str) -> Self {
        self.query.retain(|(k, _)| k != name);
        self.body.retain(|(k, _)| k != name);
        self
    }

    /// Moves every parameter except the common ones to the form body and uses POST.
    pub fn into_post_form(mut self) -> Self {
        const COMMON: &[&str] = &[
            "Action",
            "Version",
            "Format",
            "AccessKeyId",
            "SignatureMethod",
            "SignatureVersion",
            "SignatureNonce",
            "Timestamp",
            "RegionId",
        ];
        let (common, rest): (Pairs, Pairs) = self.query.into_iter().partition(|(k, _)| COMMON.contains(&k.as_str()));
        self.query = common;
        self.body.extend(rest);
        self.method = "POST";
        self
    }
}

/// A response: status, content type and body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// Body text.
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["Code"].as_str().unwrap_or_default().to_owned()
    }

    /// Asserts status and code, returning the message.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> String {
        assert_eq!((self.status, self.code().as_str()), (status, code), "body: {}", self.body);
        self.json()["Message"].as_str().unwrap_or_default().to_owned()
    }
}

/// A client for one endpoint and key pair.
#[derive(Clone)]
pub struct Client {
    endpoint: String,
    /// The AccessKey id.
    pub key_id: String,
    secret: String,
    http: reqwest::Client,
}

/// UTC now as `yyyy-MM-ddTHH:mm:ssZ`, shifted by `offset_seconds`.
pub fn timestamp(offset_seconds: i64) -> String {
    let t = OffsetDateTime::now_utc() + time::Duration::seconds(offset_seconds);
    t.replace_nanosecond(0).expect("zero nanoseconds").format(&Rfc3339).expect("formats")
}

fn encode_pairs(pairs: &Pairs) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

impl Client {
    /// A client for `endpoint` (`http://127.0.0.1:PORT`).
    pub fn new(endpoint: &str, key_id: &str, secret: &str) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// A client from a `{"AccessKeyId","AccessKeySecret"}` object.
    pub fn from_credentials(endpoint: &str, credentials: &Value) -> Self {
        Self::new(
            endpoint,
            credentials["AccessKeyId"].as_str().expect("AccessKeyId"),
            credentials["AccessKeySecret"].as_str().expect("AccessKeySecret"),
        )
    }

    /// The same endpoint and key id with another secret.
    pub fn with_secret(&self, secret: &str) -> Self {
        Self { secret: secret.to_owned(), ..self.clone() }
    }

    /// An unsigned V1 GET call with the common parameters and `params`.
    pub fn v1(&self, action: &str, params: &[(&str, &str)]) -> Call {
        let mut query = pairs(&[
            ("Action", action),
            ("Version", "2020-09-07"),
            ("Format", "JSON"),
            ("AccessKeyId", &self.key_id),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", &uuid::Uuid::new_v4().to_string()),
            ("Timestamp", &timestamp(0)),
            ("RegionId", "cn-shanghai"),
        ]);
        query.extend(pairs(params));
        Call { method: "GET", query, body: Vec::new(), headers: HeaderMap::new() }
    }

    /// Signs a V1 call (adds `Signature` to the query).
    pub fn sign_v1(&self, mut call: Call) -> Call {
        let all: Pairs = call.query.iter().chain(&call.body).cloned().collect();
        let signature = v1::sign(&self.secret, &v1::string_to_sign(call.method, &all));
        call.query.push(("Signature".to_owned(), signature));
        call
    }

    /// Signs and sends a V1 call.
    pub async fn send_v1(&self, call: Call) -> Reply {
        let signed = self.sign_v1(call);
        self.send(&signed).await
    }

    /// A signed V3 POST call: `query` in the query string, `body` as the form body.
    pub fn v3(&self, action: &str, query: &[(&str, &str)], body: &[(&str, &str)]) -> Call {
        let query = pairs(query);
        let body = pairs(body);
        let body_text = encode_pairs(&body);
        let host = self.endpoint.trim_start_matches("http://").to_owned();
        let mut headers = HeaderMap::new();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        for (name, value) in [
            ("host", host.as_str()),
            ("x-acs-action", action),
            ("x-acs-version", "2020-09-07"),
            ("x-acs-date", &timestamp(0)),
            ("x-acs-signature-nonce", &nonce),
            ("x-acs-content-sha256", &v3::hex_sha256(body_text.as_bytes())),
            ("content-type", "application/x-www-form-urlencoded"),
        ] {
            headers.insert(name, HeaderValue::from_str(value).expect("header value"));
        }
        let call = Call { method: "POST", query, body, headers };
        self.sign_v3(call)
    }

    /// (Re)computes the V3 `Authorization` header of a call over all its headers.
    pub fn sign_v3(&self, mut call: Call) -> Call {
        call.headers.remove("authorization");
        let body_text = encode_pairs(&call.body);
        let mut signed: Vec<String> = call.headers.keys().map(|k| k.as_str().to_owned()).collect();
        signed.sort();
        let canonical = v3::canonical_request(
            call.method,
            &call.query,
            &call.headers,
            &signed,
            &v3::hex_sha256(body_text.as_bytes()),
        )
        .expect("canonical request");
        let signature = v3::sign(&self.secret, &v3::string_to_sign(&canonical));
        let value = format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={signature}",
            self.key_id,
            signed.join(";")
        );
        call.headers.insert("authorization", HeaderValue::from_str(&value).expect("header"));
        call
    }

    /// Calls `GetCompliancePackReport` for a pack that cannot exist and asserts the seed's
    /// answer, 400 `Invalid.CompliancePackId.Value`: proof that this key reaches the API.
    pub async fn expect_seed_answer(&self) {
        let call = self.v1("GetCompliancePackReport", &[("CompliancePackId", "cp-fdc8626622af00f91234")]);
        self.send_v1(call).await.expect_error(400, "Invalid.CompliancePackId.Value");
    }

    /// Sends a call exactly as it is.
    pub async fn send(&self, call: &Call) -> Reply {
        let mut url = format!("{}/", self.endpoint);
        if !call.query.is_empty() {
            url.push('?');
            url.push_str(&encode_pairs(&call.query));
        }
        let method = reqwest::Method::from_bytes(call.method.as_bytes()).expect("method");
        let mut request = self.http.request(method, url);
        for (name, value) in &call.headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        if !call.body.is_empty() {
            if !call.headers.contains_key("content-type") {
                request = request.header("content-type", "application/x-www-form-urlencoded");
            }
            request = request.body(encode_pairs(&call.body));
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.text().await.expect("body");
        Reply { status, content_type, body }
    }
}
