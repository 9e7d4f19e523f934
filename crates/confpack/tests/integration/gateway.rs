//! Gateway checks before and after authentication: missing and invalid common
//! parameters, unknown actions and versions, unsupported actions, both formats.

use crate::server::Server;

const UNKNOWN_PACK: &str = "cp-fdc8626622af00f91234";

#[tokio::test]
async fn missing_common_parameters_are_named() {
    let server = Server::start(&[]);
    let client = server.client();
    for name in ["Timestamp", "SignatureNonce", "AccessKeyId", "SignatureMethod", "Version", "Action"] {
        let call = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]).without(name);
        let message = client.send_v1(call).await.expect_error(400, "MissingParameter");
        assert!(message.contains(&format!("\"{name}\"")), "{name}: {message}");
    }
    let unsigned = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
    let message = client.send(&unsigned).await.expect_error(400, "MissingParameter");
    assert!(message.contains("\"Signature\""), "{message}");
    let call = client.v1("GenerateCompliancePackReport", &[]);
    let message = client.send_v1(call).await.expect_error(400, "MissingParameter");
    assert!(message.contains("\"CompliancePackId\""), "{message}");
}

#[tokio::test]
async fn unknown_actions_and_versions_are_refused() {
    let server = Server::start(&[]);
    let client = server.client();
    let call = client.v1("GenerateCompliancePackReports", &[]);
    client.send_v1(call).await.expect_error(404, "InvalidAction.NotFound");
    let call = client.v1("GenerateCompliancePackReport", &[]).set("Version", "2019-01-08");
    client.send_v1(call).await.expect_error(400, "InvalidVersion");
    let call = client.v1("GenerateCompliancePackReport", &[]).set("Format", "YAML");
    let message = client.send_v1(call).await.expect_error(400, "InvalidParameter");
    assert!(message.contains("\"Format\""));
}

#[tokio::test]
async fn vendor_actions_not_yet_implemented_say_so_distinctly() {
    let server = Server::start(&[]);
    let client = server.client();
    let call = client.v1("ListAggregators", &[]);
    let message = client.send_v1(call).await.expect_error(501, "OperationNotSupported");
    assert!(message.contains("\"ListAggregators\""), "{message}");
}

#[tokio::test]
async fn client_tokens_must_be_short_ascii() {
    let server = Server::start(&[]);
    let client = server.client();
    let long = "t".repeat(65);
    for token in [long.as_str(), "jeton-réessai"] {
        let call = client
            .v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK), ("ClientToken", token)])
            .into_post_form();
        let message = client.send_v1(call).await.expect_error(400, "InvalidParameter");
        assert!(message.contains("\"ClientToken\""), "{message}");
    }
    let ok = "t".repeat(64);
    let call = client.v1("GenerateCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK), ("ClientToken", &ok)]);
    client.send_v1(call).await.expect_error(400, "Invalid.CompliancePackId.Value");
}

#[tokio::test]
async fn errors_have_the_vendor_shape_in_json_and_xml() {
    let server = Server::start(&[]);
    let client = server.client();
    let reply = client.send_v1(client.v1("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)])).await;
    let body = reply.json();
    let keys: Vec<&str> = body.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["RequestId", "HostId", "Code", "Message", "Recommend"]);
    let request_id = body["RequestId"].as_str().expect("RequestId");
    assert_eq!(request_id.len(), 36);
    assert_eq!(request_id, request_id.to_uppercase());

    for format in ["XML", "xml"] {
        let call = client.v1("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]).set("Format", format);
        let reply = client.send_v1(call).await;
        assert_eq!(reply.status, 400);
        assert!(reply.content_type.starts_with("application/xml"), "{}", reply.content_type);
        assert!(reply.body.starts_with("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>"), "{}", reply.body);
        assert!(reply.body.contains("<Code>Invalid.CompliancePackId.Value</Code><Message>The specified CompliancePackId does not exist.</Message><Recommend><![CDATA[https://"));
        assert!(reply.body.ends_with("]]></Recommend></Error>"));
    }
}

#[tokio::test]
async fn each_account_sees_only_its_own_packs() {
    let server = Server::start(&[]);
    let out = server.admin(&["accounts", "create", "--name", "second"]);
    assert!(out.status.success());
    let second: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let other = crate::client::Client::from_credentials(&server.endpoint, &second);
    for client in [server.client(), other] {
        let call = client.v1("GetCompliancePackReport", &[("CompliancePackId", UNKNOWN_PACK)]);
        client.send_v1(call).await.expect_error(400, "Invalid.CompliancePackId.Value");
    }
}

#[tokio::test]
async fn the_operator_catalogue_is_served_in_both_formats() {
    let server = Server::start(&[]);
    let client = server.client();
    let reply = client.send_v1(client.v1("ListConfigRuleOperators", &[])).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let operators = reply.json()["Operators"].as_array().cloned().unwrap_or_default();
    assert!(operators.len() >= 20, "{}", reply.body);
    let equals = operators.iter().find(|o| o["Name"] == "StringEquals").expect("StringEquals is listed");
    assert_eq!((equals["Operator"].as_str(), equals["DataType"].as_str()), (Some("StringEquals"), Some("String")));
    let xml = client.send_v1(client.v1("ListConfigRuleOperators", &[]).set("Format", "XML")).await;
    assert!(
        xml.body.contains("<ListConfigRuleOperatorsResponse><Operators><DataType>String</DataType>"),
        "{}",
        xml.body
    );
}
