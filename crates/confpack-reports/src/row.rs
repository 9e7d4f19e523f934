//! One evaluation result as a report shows it.

use confpack_model::StoredResult;

/// One evaluation result with the rule details a report prints beside it.
#[derive(Clone, Copy, Debug)]
pub struct ReportRow<'a> {
    /// The stored result (its `effective_type` is what the report counts).
    pub result: &'a StoredResult,
    /// The rule's managed identifier (or source identifier), empty when unknown.
    pub identifier: &'a str,
    /// The annotation's reason ([`annotation_reason`]), worked out once for every format.
    pub reason: &'a str,
    /// The last evaluation time as UTC text ([`format_ms`]), likewise.
    pub evaluated: &'a str,
}

impl ReportRow<'_> {
    /// The compliance type the report counts (`IGNORED` while an ignore is in force).
    pub fn compliance(&self) -> &str {
        &self.result.effective_type
    }
}

/// The `reason` of a JSON annotation, else the annotation as it is.
pub fn annotation_reason(annotation: &str) -> String {
    // confpack's annotations end with their reason: read just that string when it is there.
    if let Some(at) = annotation.rfind("\"reason\":") {
        let rest = &annotation[at + "\"reason\":".len()..];
        let mut strings = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        if let Some(Ok(reason)) = strings.next() {
            return reason;
        }
    }
    if annotation.starts_with('{')
        && let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(annotation)
        && let Some(serde_json::Value::String(reason)) = map.get("reason")
    {
        return reason.clone();
    }
    annotation.to_owned()
}

/// Epoch milliseconds as `YYYY-MM-DD hh:mm:ss UTC` (empty for 0 or out of range).
pub fn format_ms(ms: i64) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    if ms <= 0 {
        return String::new();
    }
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_json_annotations() {
        assert_eq!(annotation_reason(r#"{"reason":"public","property":"$.Acl"}"#), "public");
        assert_eq!(annotation_reason("plain words"), "plain words");
        assert_eq!(annotation_reason(r#"{"property":"$.Acl"}"#), r#"{"property":"$.Acl"}"#);
        assert_eq!(annotation_reason(r#"{"reason":"a \"quoted\" word","property":"$.Acl"}"#), "a \"quoted\" word");
    }

    #[test]
    fn times_print_in_utc() {
        assert_eq!(format_ms(1_764_000_000_000), "2025-11-24 16:00:00 UTC");
        assert_eq!(format_ms(0), "");
    }
}
