//! Both signature versions, verified against the real server, and every way a signature
//! can be wrong.

use http::HeaderValue;

use crate::client::timestamp;
use crate::server::Server;

const UNKNOWN_PACK: &str = "cp-fdc8626622af00f91234";
const SEED_MESSAGE: &str = "The specified CompliancePackId does not exist.";

#[tokio::test]
async fn v1_get_and_post_and_v3_reach_the_seed_answer() {
    let server = Server::start(&[]);
    let client = server.client();
    let get = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
    let post = client
        .v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK), ("ClientToken", "retry-1")])
        .into_post_form();
    let v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    for reply in [client.send_v1(get).await, client.send_v1(post).await, client.send(&v3).await] {
        assert_eq!(reply.expect_error(400, "Invalid.CompliancePackId.Value"), SEED_MESSAGE);
        assert!(reply.content_type.starts_with("application/json"));
    }
}

#[tokio::test]
async fn a_wrong_secret_does_not_match_and_the_message_shows_the_string_to_sign() {
    let server = Server::start(&[]);
    let client = server.client().with_secret("not-the-secret");
    let reply = client.send_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])).await;
    let message = reply.expect_error(400, "SignatureDoesNotMatch");
    assert!(message.contains("server string to sign is:GET&%2F&AccessKeyId%3D"), "{message}");
    let v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    client.send(&v3).await.expect_error(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn a_parameter_changed_after_signing_does_not_match() {
    let server = Server::start(&[]);
    let client = server.client();
    let signed = client.sign_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]));
    let tampered = signed.set("CompliancePackId", "cp-00000000000000000000");
    client.send(&tampered).await.expect_error(400, "SignatureDoesNotMatch");

    let mut v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    v3.body = crate::client::pairs(&[("CompliancePackId", "cp-00000000000000000000")]);
    let message = client.send(&v3).await.expect_error(400, "SignatureDoesNotMatch");
    assert!(message.contains("x-acs-content-sha256"), "{message}");
}

#[tokio::test]
async fn a_replayed_request_is_refused() {
    let server = Server::start(&[]);
    let client = server.client();
    let signed = client.sign_v1(client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]));
    client.send(&signed).await.expect_error(400, "Invalid.CompliancePackId.Value");
    client.send(&signed).await.expect_error(400, "SignatureNonceUsed");

    let v3 = client.v3("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)], &[]);
    client.send(&v3).await.expect_error(400, "Invalid.CompliancePackId.Value");
    client.send(&v3).await.expect_error(400, "SignatureNonceUsed");
}

#[tokio::test]
async fn a_failed_request_does_not_burn_its_nonce() {
    let server = Server::start(&[]);
    let client = server.client();
    let call = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
    let bad = client.with_secret("wrong").sign_v1(call.clone());
    client.send(&bad).await.expect_error(400, "SignatureDoesNotMatch");
    client.send_v1(call).await.expect_error(400, "Invalid.CompliancePackId.Value");
}

#[tokio::test]
async fn timestamps_outside_fifteen_minutes_or_malformed_are_refused() {
    let server = Server::start(&[]);
    let client = server.client();
    for offset in [-16 * 60, 16 * 60] {
        let call = client
            .v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])
            .set("Timestamp", &timestamp(offset));
        client.send_v1(call).await.expect_error(400, "InvalidTimeStamp.Expired");
    }
    for offset in [-14 * 60, 14 * 60] {
        let call = client
            .v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])
            .set("Timestamp", &timestamp(offset));
        client.send_v1(call).await.expect_error(400, "Invalid.CompliancePackId.Value");
    }
    let call = client.v1("GenerateCompliancePackReport", &[]).set("Timestamp", "28/11/2026 10:00");
    client.send_v1(call).await.expect_error(400, "InvalidTimeStamp.Format");

    let mut v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    v3.headers.insert("x-acs-date", HeaderValue::from_str(&timestamp(-3600)).expect("header"));
    let v3 = client.sign_v3(v3);
    client.send(&v3).await.expect_error(400, "InvalidTimeStamp.Expired");
}

#[tokio::test]
async fn unsupported_or_malformed_signatures_are_named() {
    let server = Server::start(&[]);
    let client = server.client();
    let call = client.v1("GenerateCompliancePackReport", &[]).set("SignatureMethod", "HMAC-MD5");
    client.send_v1(call).await.expect_error(400, "InvalidSignatureMethod");

    let mut v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    v3.headers.insert("authorization", HeaderValue::from_static("ACS3-HMAC-SHA256 Credential=x"));
    client.send(&v3).await.expect_error(400, "IncompleteSignature");
    v3.headers.insert(
        "authorization",
        HeaderValue::from_static("ACS3-RSA-SHA256 Credential=x,SignedHeaders=host,Signature=00"),
    );
    client.send(&v3).await.expect_error(400, "InvalidSignatureMethod");

    // Signing too few headers leaves the action or the date open to tampering.
    let v3 = client.v3("GenerateCompliancePackReport", &[], &[("CompliancePackId", UNKNOWN_PACK)]);
    let mut partial = v3.clone();
    partial.headers.remove("x-acs-date");
    let mut partial = client.sign_v3(partial);
    partial.headers.insert("x-acs-date", v3.headers["x-acs-date"].clone());
    let message = client.send(&partial).await.expect_error(400, "IncompleteSignature");
    assert!(message.contains("x-acs-date"), "{message}");
}

#[tokio::test]
async fn unknown_and_inactive_keys_are_refused() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let client = server.client();
    let stranger = crate::client::Client::new(&server.endpoint, "LTAIunknownkey000000000", "whatever");
    let call = stranger.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
    stranger.send_v1(call).await.expect_error(404, "InvalidAccessKeyId.NotFound");

    let out = server.admin(&["keys", "disable", &client.key_id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let call = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
    client.send_v1(call).await.expect_error(400, "InvalidAccessKeyId.Inactive");
}
