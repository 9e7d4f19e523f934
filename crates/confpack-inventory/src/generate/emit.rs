//! One description of each resource, two outputs. The builders describe an item as a
//! sequence of keys and values through [`Emit`]; [`ValueBuilder`] turns that into a
//! `serde_json::Value` (the iterator), [`JsonWriter`] writes compact JSON text straight
//! into a byte buffer (the fast NDJSON path). Building a `Value` costs about a hundred
//! small allocations per resource, which caps the iterator well below what writing text
//! directly achieves; the writer's output is byte-identical to serialising the `Value`
//! with `serde_json` (checked by the tests).

use serde_json::{Map, Number, Value};

/// A sink for one JSON document, written in order.
pub(super) trait Emit: Sized {
    /// `{`.
    fn open_object(&mut self);
    /// `}`.
    fn close_object(&mut self);
    /// `[`.
    fn open_array(&mut self);
    /// `]`.
    fn close_array(&mut self);
    /// An object key; a value follows.
    fn key(&mut self, key: &str);
    /// A string value.
    fn string(&mut self, value: &str);
    /// An integer value.
    fn integer(&mut self, value: i128);
    /// A boolean value.
    fn boolean(&mut self, value: bool);

    /// An object whose members `body` emits.
    fn object(&mut self, body: impl FnOnce(&mut Self)) {
        self.open_object();
        body(self);
        self.close_object();
    }

    /// An array whose elements `body` emits.
    fn array(&mut self, body: impl FnOnce(&mut Self)) {
        self.open_array();
        body(self);
        self.close_array();
    }

    /// `"key": "value"`.
    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `"key": 12`.
    fn num(&mut self, key: &str, value: impl Into<i128>) {
        self.key(key);
        self.integer(value.into());
    }

    /// `"key": true`.
    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.boolean(value);
    }

    /// `"key": {…}`.
    fn obj(&mut self, key: &str, body: impl FnOnce(&mut Self)) {
        self.key(key);
        self.object(body);
    }

    /// `"key": […]`.
    fn arr(&mut self, key: &str, body: impl FnOnce(&mut Self)) {
        self.key(key);
        self.array(body);
    }

    /// `"key": ["a", "b"]`.
    fn strs<S: AsRef<str>>(&mut self, key: &str, values: impl IntoIterator<Item = S>) {
        self.arr(key, |e| values.into_iter().for_each(|v| e.string(v.as_ref())));
    }

    /// `"key": {"inner": […]}`, the vendor's way of wrapping lists; `body` emits the
    /// elements.
    fn wrapped(&mut self, key: &str, inner: &str, body: impl FnOnce(&mut Self)) {
        self.obj(key, |e| e.arr(inner, body));
    }

    /// `"key": {"inner": ["a", "b"]}`.
    fn wrapped_strs<S: AsRef<str>>(&mut self, key: &str, inner: &str, values: impl IntoIterator<Item = S>) {
        self.obj(key, |e| e.strs(inner, values));
    }
}

/// Builds a `serde_json::Value`.
#[derive(Default)]
pub(super) struct ValueBuilder {
    stack: Vec<Frame>,
    done: Option<Value>,
}

enum Frame {
    Object(Map<String, Value>, Option<String>),
    Array(Vec<Value>),
}

impl ValueBuilder {
    /// The finished document.
    pub(super) fn finish(self) -> Value {
        self.done.expect("a complete document was emitted")
    }

    fn attach(&mut self, value: Value) {
        match self.stack.last_mut() {
            Some(Frame::Object(map, key)) => {
                map.insert(key.take().expect("a key precedes each member"), value);
            }
            Some(Frame::Array(items)) => items.push(value),
            None => self.done = Some(value),
        }
    }
}

impl Emit for ValueBuilder {
    fn open_object(&mut self) {
        self.stack.push(Frame::Object(Map::new(), None));
    }

    fn close_object(&mut self) {
        let Some(Frame::Object(map, _)) = self.stack.pop() else { panic!("close_object without an open object") };
        self.attach(Value::Object(map));
    }

    fn open_array(&mut self) {
        self.stack.push(Frame::Array(Vec::new()));
    }

    fn close_array(&mut self) {
        let Some(Frame::Array(items)) = self.stack.pop() else { panic!("close_array without an open array") };
        self.attach(Value::Array(items));
    }

    fn key(&mut self, key: &str) {
        if let Some(Frame::Object(_, pending)) = self.stack.last_mut() {
            *pending = Some(key.to_owned());
        }
    }

    fn string(&mut self, value: &str) {
        self.attach(Value::String(value.to_owned()));
    }

    fn integer(&mut self, value: i128) {
        let number = i64::try_from(value)
            .map(Number::from)
            .or_else(|_| u64::try_from(value).map(Number::from))
            .expect("integers fit 64 bits");
        self.attach(Value::Number(number));
    }

    fn boolean(&mut self, value: bool) {
        self.attach(Value::Bool(value));
    }
}

/// Writes compact JSON, as `serde_json::to_writer` would, into a byte buffer.
pub(super) struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    needs_comma: bool,
}

impl<'a> JsonWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Self {
        Self { out, needs_comma: false }
    }

    fn separate(&mut self) {
        if self.needs_comma {
            self.out.push(b',');
        }
    }

    /// `{` or `[`: a value, so separated from the one before; its first member is not.
    fn open(&mut self, bracket: u8) {
        self.separate();
        self.out.push(bracket);
        self.needs_comma = false;
    }

    /// `}` or `]`: ends a value, so whatever follows needs a comma.
    fn close(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.needs_comma = true;
    }

    /// Writes a quoted string, escaping exactly the characters serde_json escapes.
    fn quoted(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = text.as_bytes();
        self.out.reserve(bytes.len() + 2);
        self.out.push(b'"');
        // Most strings need no escaping: find the next byte that does and copy up to it.
        let mut start = 0;
        while let Some(offset) = bytes[start..].iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\') {
            let at = start + offset;
            self.out.extend_from_slice(&bytes[start..at]);
            let byte = bytes[at];
            match byte {
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                b'\n' => self.out.extend_from_slice(b"\\n"),
                b'\r' => self.out.extend_from_slice(b"\\r"),
                b'\t' => self.out.extend_from_slice(b"\\t"),
                0x08 => self.out.extend_from_slice(b"\\b"),
                0x0c => self.out.extend_from_slice(b"\\f"),
                _ => self.out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ]),
            }
            start = at + 1;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }
}

impl Emit for JsonWriter<'_> {
    fn open_object(&mut self) {
        self.open(b'{');
    }

    fn close_object(&mut self) {
        self.close(b'}');
    }

    fn open_array(&mut self) {
        self.open(b'[');
    }

    fn close_array(&mut self) {
        self.close(b']');
    }

    fn key(&mut self, key: &str) {
        // Keys are the builders' own literals, never in need of escaping.
        debug_assert!(!key.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'), "{key:?}");
        self.separate();
        self.out.reserve(key.len() + 3);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.needs_comma = false;
    }

    fn string(&mut self, value: &str) {
        self.separate();
        self.quoted(value);
        self.needs_comma = true;
    }

    fn integer(&mut self, value: i128) {
        self.separate();
        let mut digits = [0u8; 40];
        let mut at = digits.len();
        let mut rest = value.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + u8::try_from(rest % 10).expect("a digit");
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if value < 0 {
            at -= 1;
            digits[at] = b'-';
        }
        self.out.extend_from_slice(&digits[at..]);
        self.needs_comma = true;
    }

    fn boolean(&mut self, value: bool) {
        self.separate();
        self.out.extend_from_slice(if value { b"true" } else { b"false" });
        self.needs_comma = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe<E: Emit>(e: &mut E) {
        e.object(|e| {
            e.str("plain", "abc");
            e.str("escaped", "q\"b\\n\nt\tc\u{1}d\u{7f}é中");
            e.num("negative", -42i64);
            e.num("big", u64::MAX);
            e.num("zero", 0u8);
            e.bool("yes", true);
            e.obj("empty", |_| {});
            e.arr("list", |e| {
                e.string("x");
                e.object(|e| e.strs("inner", ["a", "b"]));
                e.array(|_| {});
            });
            e.wrapped_strs("Wrapped", "Item", Vec::<String>::new());
            e.wrapped("Nested", "Entry", |e| e.object(|e| e.bool("ok", false)));
        });
    }

    #[test]
    fn both_outputs_agree_with_serde_json() {
        let mut builder = ValueBuilder::default();
        describe(&mut builder);
        let value = builder.finish();
        let mut text = Vec::new();
        describe(&mut JsonWriter::new(&mut text));
        assert_eq!(String::from_utf8(text).expect("UTF-8"), serde_json::to_string(&value).expect("serialisable"));
        assert_eq!(value["escaped"], "q\"b\\n\nt\tc\u{1}d\u{7f}é中");
        assert_eq!(value["big"], u64::MAX);
    }
}
