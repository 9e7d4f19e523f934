//! JSONPath functions `re_match` and `re_search`: the standard `match` and `search` (RFC 9535
//! I-Regexp, full and partial match) with each pattern compiled once per thread instead of
//! once per call. serde_json_path's built-ins compile the regular expression on every
//! evaluation, which made a security-group rule cost more than all other rules together;
//! the catalogue uses these instead, and so may custom conditions.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;
use serde_json_path::functions::{LogicalType, ValueType};

/// Patterns kept per thread before the cache starts over (conditions use a handful).
const CACHE_LIMIT: usize = 256;

thread_local! {
    static COMPILED: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Whether `text` matches `pattern` (already wrapped), compiling it at most once per thread.
/// An invalid pattern matches nothing, as with the built-ins.
fn is_match(pattern: String, text: &str) -> bool {
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_LIMIT && !cache.contains_key(&pattern) {
            cache.clear();
        }
        cache.entry(pattern).or_insert_with_key(|p| Regex::new(p).ok()).as_ref().is_some_and(|r| r.is_match(text))
    })
}

/// `re_match(value, pattern)`: the whole string matches.
#[serde_json_path::function]
fn re_match(value: ValueType, pattern: ValueType) -> LogicalType {
    match (value.as_value(), pattern.as_value()) {
        (Some(Value::String(s)), Some(Value::String(p))) => is_match(format!("(?R)^({p})$"), s).into(),
        _ => LogicalType::False,
    }
}

/// `re_search(value, pattern)`: some substring matches.
#[serde_json_path::function]
fn re_search(value: ValueType, pattern: ValueType) -> LogicalType {
    match (value.as_value(), pattern.as_value()) {
        (Some(Value::String(s)), Some(Value::String(p))) => is_match(format!("(?R)({p})"), s).into(),
        _ => LogicalType::False,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;
    use serde_json_path::JsonPath;

    #[test]
    fn cached_functions_agree_with_the_builtins() {
        let doc = json!([{"p": "TCP"}, {"p": "tcp"}, {"p": "udp"}, {"p": "xTCPx"}, {"p": 3}]);
        for (ours, theirs) in [
            ("$[?re_match(@.p, '(?i)tcp')]", "$[?match(@.p, '(?i)tcp')]"),
            ("$[?re_search(@.p, 'TCP')]", "$[?search(@.p, 'TCP')]"),
            ("$[?!re_match(@.p, 'udp')]", "$[?!match(@.p, 'udp')]"),
            ("$[?re_match(@.p, '(')]", "$[?match(@.p, '(')]"),
        ] {
            let a = JsonPath::parse(ours).unwrap().query(&doc).all();
            let b = JsonPath::parse(theirs).unwrap().query(&doc).all();
            assert_eq!(a, b, "{ours}");
        }
    }
}
