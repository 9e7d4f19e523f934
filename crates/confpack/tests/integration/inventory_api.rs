//! The ingestion extensions and discovery actions over the wire, including the malformed
//! inputs an SDK cannot produce (non-UTF-8 bodies).

use serde_json::{Value, json};

use crate::client::{Client, pairs};
use crate::server::Server;

fn bucket(id: &str, acl: &str) -> Value {
    json!({"ResourceId": id, "ResourceType": "ACS::OSS::Bucket", "Region": "cn-hangzhou", "Configuration": {"AccessControlList": {"Grant": acl}}})
}

async fn put(client: &Client, resources: &Value) -> crate::client::Reply {
    let call = client.v1("PutDiscoveredResources", &[]).into_post_form();
    let mut call = call;
    call.body.push(("Resources".to_owned(), resources.to_string()));
    client.send_v1(call).await
}

#[tokio::test]
async fn put_then_read_back_through_every_discovery_action() {
    let server = Server::start(&[]);
    let client = server.client();
    let reply = put(&client, &json!([bucket("b1", "private"), {"ResourceId": "alice", "ResourceType": "ACS::RAM::User", "Configuration": "{\"UserName\":\"alice\"}"}])).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["CreatedCount"], 2);

    let list = client.send_v1(client.v1("ListDiscoveredResources", &[("MaxResults", "10")])).await.json();
    let profiles = &list["DiscoveredResourceProfiles"];
    assert_eq!(profiles["TotalCount"], 2);
    assert_eq!(profiles["DiscoveredResourceProfileList"][1]["Region"], "global");

    let detail = client
        .send_v1(client.v1("GetDiscoveredResource", &[("ResourceId", "b1"), ("ResourceType", "ACS::OSS::Bucket")]))
        .await
        .json();
    let configuration: Value =
        serde_json::from_str(detail["DiscoveredResourceDetail"]["Configuration"].as_str().expect("a JSON string"))
            .expect("JSON");
    assert_eq!(configuration, json!({"AccessControlList": {"Grant": "private"}}));

    put(&client, &json!([bucket("b1", "public-read")])).await;
    let timeline = client
        .send_v1(client.v1(
            "GetResourceConfigurationTimeline",
            &[("ResourceId", "b1"), ("ResourceType", "ACS::OSS::Bucket"), ("Region", "cn-hangzhou")],
        ))
        .await
        .json();
    let items = timeline["ResourceConfigurationTimeline"]["ConfigurationList"].as_array().expect("list").clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["ResourceEventType"], "MODIFY");
    let diff: Value = serde_json::from_str(items[0]["ConfigurationDiff"].as_str().expect("string")).expect("JSON");
    assert_eq!(diff, json!({"AccessControlList": [{"Grant": "private"}, {"Grant": "public-read"}]}));

    let xml = client.send_v1(client.v1("ListDiscoveredResources", &[("MaxResults", "10")]).set("Format", "XML")).await;
    assert!(
        xml.body
            .contains("<ListDiscoveredResourcesResponse><DiscoveredResourceProfiles><DiscoveredResourceProfileList>"),
        "{}",
        xml.body
    );
    assert_eq!(xml.body.matches("<DiscoveredResourceProfileList>").count(), 2);
}

#[tokio::test]
async fn malformed_batches_fail_whole_with_the_item_and_field_named() {
    let server = Server::start(&[]);
    let client = server.client();
    let cases = [
        (
            json!([bucket("ok", "private"), {"ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": {}}]),
            "item 1 (from 0): field ResourceId: is required",
        ),
        (
            json!([bucket("ok", "private"), {"ResourceId": "x", "ResourceType": "ACS::OSS::Bucket", "Region": "r", "Configuration": 7}]),
            "item 1 (from 0): field Configuration",
        ),
        (json!({"not": "an array"}), "expected a JSON array"),
    ];
    for (resources, expected) in cases {
        let message = put(&client, &resources).await.expect_error(400, "InvalidParameter");
        assert!(message.contains(expected), "{message}");
        assert!(message.contains("\"Resources\""), "{message}");
    }
    let oversized: Vec<Value> = (0..1001).map(|i| bucket(&format!("b{i}"), "private")).collect();
    let message = put(&client, &Value::Array(oversized)).await.expect_error(400, "InvalidParameter");
    assert!(message.contains("at most 1000"), "{message}");
    let list = client.send_v1(client.v1("ListDiscoveredResources", &[("MaxResults", "10")])).await.json();
    assert_eq!(list["DiscoveredResourceProfiles"]["TotalCount"], 0, "nothing from a failed batch was stored");
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_refused_naming_the_parameter() {
    let server = Server::start(&[]);
    let client = server.client();
    let mut call = client.v1("PutDiscoveredResources", &[]).into_post_form();
    call.body = pairs(&[("Resources", "[]")]);
    let signed = client.sign_v1(call);
    let url = format!(
        "{}/?{}",
        server.endpoint,
        signed
            .query
            .iter()
            .map(|(k, v)| format!(
                "{}={}",
                confpack_protocol::signature::percent_encode(k),
                confpack_protocol::signature::percent_encode(v)
            ))
            .collect::<Vec<_>>()
            .join("&")
    );
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Resources=%5B%22%FF%22%5D")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(body["Code"], "InvalidParameter");
    assert!(body["Message"].as_str().is_some_and(|m| m.contains("\"Resources\"") && m.contains("UTF-8")), "{body}");
}

#[tokio::test]
async fn deletes_are_all_or_nothing_and_scoped_to_the_account() {
    let server = Server::start(&[]);
    let client = server.client();
    put(&client, &json!([bucket("b1", "private"), bucket("b2", "private")])).await;
    let delete = |ids: &str| {
        client.v1("DeleteDiscoveredResources", &[("ResourceType", "ACS::OSS::Bucket"), ("ResourceIds", ids)])
    };
    let message = client.send_v1(delete("b1,ghost")).await.expect_error(400, "ResourceNotExists");
    assert!(message.contains("ghost"), "{message}");
    let reply = client.send_v1(delete("b1")).await;
    assert_eq!(reply.json()["DeletedCount"], 1, "{}", reply.body);

    let other_creds: Value =
        serde_json::from_slice(&server.admin(&["accounts", "create", "--name", "other"]).stdout).expect("JSON");
    let other = Client::from_credentials(&server.endpoint, &other_creds);
    let call = other.v1("GetDiscoveredResource", &[("ResourceId", "b2"), ("ResourceType", "ACS::OSS::Bucket")]);
    other.send_v1(call).await.expect_error(400, "ResourceNotExists");
    let call = other.v1("DeleteDiscoveredResources", &[("ResourceType", "ACS::OSS::Bucket"), ("ResourceIds", "b2")]);
    other.send_v1(call).await.expect_error(400, "ResourceNotExists");
}
