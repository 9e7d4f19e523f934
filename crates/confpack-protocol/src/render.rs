//! Response bodies in the two formats the service speaks. A handler's response is one
//! JSON object; JSON clients get it as is, XML clients get `<{Action}Response>` with list
//! items as repeated elements, the way the vendor shapes them.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::request::Format;

/// The XML declaration every XML body starts with.
const XML_DECLARATION: &str = "<?xml version='1.0' encoding='UTF-8'?>";

/// A rendered body and its content type.
#[derive(Debug)]
pub struct Rendered {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// A new upper-case UUID, the vendor's RequestId shape.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().hyphenated().encode_upper(&mut uuid::Uuid::encode_buffer()).to_owned()
}

/// Renders a successful response: `fields` plus `RequestId`.
pub fn success(format: Format, action: &str, request_id: &str, mut fields: Map<String, Value>) -> Rendered {
    fields.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
    match format {
        Format::Json => json(200, &Value::Object(fields)),
        Format::Xml => {
            let mut out = String::from(XML_DECLARATION);
            write_element(&mut out, &format!("{action}Response"), &Value::Object(fields));
            xml(200, out)
        }
    }
}

/// Renders an error as `{RequestId, HostId, Code, Message, Recommend}`.
pub fn error(format: Format, request_id: &str, host_id: &str, error: &ApiError) -> Rendered {
    let code = error.code.code();
    let recommend = format!("https://api.aliyun.com/troubleshoot?q={code}&product=Config&requestId={request_id}");
    let status = error.status();
    match format {
        Format::Json => {
            let mut body = Map::new();
            body.insert("RequestId".to_owned(), request_id.into());
            body.insert("HostId".to_owned(), host_id.into());
            body.insert("Code".to_owned(), code.into());
            body.insert("Message".to_owned(), error.message.as_ref().into());
            body.insert("Recommend".to_owned(), recommend.into());
            json(status, &Value::Object(body))
        }
        Format::Xml => {
            let mut out = String::from(XML_DECLARATION);
            out.push_str("<Error>");
            for (name, value) in
                [("RequestId", request_id), ("HostId", host_id), ("Code", code), ("Message", error.message.as_ref())]
            {
                write_element(&mut out, name, &Value::String(value.to_owned()));
            }
            out.push_str("<Recommend><![CDATA[");
            out.push_str(&recommend);
            out.push_str("]]></Recommend></Error>");
            xml(status, out)
        }
    }
}

fn json(status: u16, value: &Value) -> Rendered {
    Rendered { status, content_type: "application/json;charset=utf-8", body: value.to_string().into_bytes() }
}

fn xml(status: u16, text: String) -> Rendered {
    Rendered { status, content_type: "application/xml;charset=utf-8", body: text.into_bytes() }
}

/// Writes `<name>value</name>`; an array writes one element per item, no wrapper, and an
/// empty array or null writes nothing.
fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| write_element(out, name, item)),
        Value::Null => {}
        Value::Object(fields) => {
            open(out, name);
            for (child, v) in fields {
                write_element(out, child, v);
            }
            close(out, name);
        }
        Value::String(s) => {
            open(out, name);
            escape_into(out, s);
            close(out, name);
        }
        Value::Bool(_) | Value::Number(_) => {
            open(out, name);
            out.push_str(&value.to_string());
            close(out, name);
        }
    }
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn fields(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_seed_response_in_both_formats() {
        let body = fields(json!({"CompliancePackId": "cp-a8a8626622af0082****"}));
        let id = "6EC7AED1-172F-42AE-9C12-295BC2ADB751";
        let j = success(Format::Json, "GenerateCompliancePackReport", id, body.clone());
        assert_eq!(
            String::from_utf8_lossy(&j.body),
            r#"{"CompliancePackId":"cp-a8a8626622af0082****","RequestId":"6EC7AED1-172F-42AE-9C12-295BC2ADB751"}"#
        );
        let x = success(Format::Xml, "GenerateCompliancePackReport", id, body);
        assert_eq!(
            String::from_utf8_lossy(&x.body),
            "<?xml version='1.0' encoding='UTF-8'?><GenerateCompliancePackReportResponse><CompliancePackId>cp-a8a8626622af0082****</CompliancePackId><RequestId>6EC7AED1-172F-42AE-9C12-295BC2ADB751</RequestId></GenerateCompliancePackReportResponse>"
        );
    }

    #[test]
    fn lists_become_repeated_elements_and_text_is_escaped() {
        let body = fields(json!({"R": {"Items": [{"Id": "a&b"}, {"Id": "<c>"}], "Empty": [], "N": 3, "B": true}}));
        let x = success(Format::Xml, "List", "ID", body);
        assert_eq!(
            String::from_utf8_lossy(&x.body),
            "<?xml version='1.0' encoding='UTF-8'?><ListResponse><R><Items><Id>a&amp;b</Id></Items><Items><Id>&lt;c&gt;</Id></Items><N>3</N><B>true</B></R><RequestId>ID</RequestId></ListResponse>"
        );
    }

    #[test]
    fn errors_carry_the_five_fields() {
        let e = ApiError::new(ErrorCode::InvalidCompliancePackIdValue);
        let j = error(Format::Json, "RID", "host", &e);
        assert_eq!(j.status, 400);
        let v: Value = serde_json::from_slice(&j.body).expect("json");
        assert_eq!(v["Code"], "Invalid.CompliancePackId.Value");
        assert_eq!(v["Message"], "The specified CompliancePackId does not exist.");
        assert_eq!(v["RequestId"], "RID");
        assert_eq!(v["HostId"], "host");
        assert!(v["Recommend"].as_str().is_some_and(|r| r.contains("Invalid.CompliancePackId.Value")));
        let x = error(Format::Xml, "RID", "host", &e);
        let text = String::from_utf8_lossy(&x.body);
        assert!(text.starts_with("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>RID</RequestId><HostId>host</HostId><Code>Invalid.CompliancePackId.Value</Code>"));
    }

    #[test]
    fn request_ids_are_upper_case_uuids() {
        let id = new_request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id, id.to_uppercase());
    }
}
