//! Streaming readers for resource files: a JSON array of objects, or NDJSON (one object per
//! line). Items are handed over one at a time with their location, so memory stays bounded
//! whatever the file size.

use std::fmt;
use std::io::{self, BufRead, Read};

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

/// Where an item was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number (for a JSON array: the line where the item ends).
    pub line: u64,
    /// 1-based position of the item in the file.
    pub index: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} (item {})", self.line, self.index)
    }
}

/// Why reading stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The text is not valid JSON at this point; the rest of the file cannot be read.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What the parser expected.
        message: String,
    },
    /// The bytes are not UTF-8.
    #[error("line {line}: the text is not valid UTF-8")]
    NotUtf8 {
        /// 1-based line.
        line: u64,
    },
    /// Reading failed.
    #[error("reading failed: {0}")]
    Io(#[from] io::Error),
    /// The consumer asked to stop.
    #[error("stopped: {0}")]
    Stopped(String),
}

/// What the consumer says after each item.
pub type Flow = Result<(), String>;

/// Reads every item of `reader`, calling `on_item` with each object's value and location.
/// The format is detected from the first non-blank byte: `[` starts a JSON array,
/// anything else is NDJSON.
pub fn read_items<R: BufRead>(
    mut reader: R,
    mut on_item: impl FnMut(Value, Location) -> Flow,
) -> Result<(), ReadError> {
    let first = loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        let blank = buffer.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if blank < buffer.len() {
            break buffer[blank];
        }
        let consumed = buffer.len();
        reader.consume(consumed);
    };
    if first == b'[' { read_array(reader, &mut on_item) } else { read_ndjson(reader, &mut on_item) }
}

fn read_ndjson<R: BufRead>(mut reader: R, on_item: &mut impl FnMut(Value, Location) -> Flow) -> Result<(), ReadError> {
    let mut bytes = Vec::new();
    let (mut line, mut index) = (0u64, 0u64);
    loop {
        bytes.clear();
        if reader.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(());
        }
        line += 1;
        let text = std::str::from_utf8(&bytes).map_err(|_| ReadError::NotUtf8 { line })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| ReadError::Syntax {
            line,
            column: e.column() as u64,
            message: e.to_string(),
        })?;
        index += 1;
        on_item(value, Location { line, index }).map_err(ReadError::Stopped)?;
    }
}

fn read_array<R: BufRead>(reader: R, on_item: &mut impl FnMut(Value, Location) -> Flow) -> Result<(), ReadError> {
    // serde_json pulls bytes through its own buffer-less reader, so the newline count is
    // exact up to the end of the item just parsed.
    let counter = std::cell::Cell::new(0u64);
    let mut stop: Option<String> = None;
    let result = {
        let mut counted = CountingReader { inner: reader, newlines: &counter };
        let mut de = serde_json::Deserializer::from_reader(&mut counted);
        let seed = ItemsSeed { on_item, newlines: &counter, stop: &mut stop };
        seed.deserialize(&mut de).and_then(|()| de.end())
    };
    if let Some(reason) = stop {
        return Err(ReadError::Stopped(reason));
    }
    result.map_err(|e| {
        if e.is_io() {
            ReadError::Io(io::Error::other(e.to_string()))
        } else {
            ReadError::Syntax { line: e.line() as u64, column: e.column() as u64, message: e.to_string() }
        }
    })
}

struct CountingReader<'c, R> {
    inner: R,
    newlines: &'c std::cell::Cell<u64>,
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines.set(self.newlines.get() + buf[..n].iter().filter(|b| **b == b'\n').count() as u64);
        Ok(n)
    }
}

struct ItemsSeed<'a, 'c, F> {
    on_item: &'a mut F,
    newlines: &'c std::cell::Cell<u64>,
    stop: &'a mut Option<String>,
}

impl<'de, F: FnMut(Value, Location) -> Flow> DeserializeSeed<'de> for ItemsSeed<'_, '_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Value, Location) -> Flow> Visitor<'de> for ItemsSeed<'_, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of resource objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            index += 1;
            let location = Location { line: self.newlines.get() + 1, index };
            if let Err(reason) = (self.on_item)(value, location) {
                *self.stop = Some(reason.clone());
                return Err(serde::de::Error::custom(reason));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Result<Vec<(Value, Location)>, ReadError> {
        let mut items = Vec::new();
        read_items(text.as_bytes(), |v, l| {
            items.push((v, l));
            Ok(())
        })?;
        Ok(items)
    }

    #[test]
    fn ndjson_items_carry_their_line_numbers() {
        let items = collect("{\"a\":1}\n\n{\"a\":2}\n").expect("reads");
        assert_eq!(items.iter().map(|(_, l)| (l.line, l.index)).collect::<Vec<_>>(), vec![(1, 1), (3, 2)]);
    }

    #[test]
    fn arrays_stream_with_the_line_where_each_item_ends() {
        let items = collect("  [\n {\"a\":1},\n {\"a\":\n 2}\n]\n").expect("reads");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].0["a"], 2);
        assert_eq!(items.iter().map(|(_, l)| l.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(collect("").expect("empty").is_empty());
        assert!(collect("[]").expect("empty array").is_empty());
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        match collect("{\"a\":1}\n{\"a\":\n") {
            Err(ReadError::Syntax { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
        match collect("[\n{\"a\":1},\n{\"a\" 2}\n]") {
            Err(ReadError::Syntax { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        match collect("[{\"a\":1}] trailing") {
            Err(ReadError::Syntax { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_line() {
        let mut bytes = b"{\"a\":1}\n".to_vec();
        bytes.extend_from_slice(b"{\"a\":\"\xff\"}\n");
        let result = read_items(&bytes[..], |_, _| Ok(()));
        assert!(matches!(result, Err(ReadError::NotUtf8 { line: 2 })), "{result:?}");
    }

    #[test]
    fn the_consumer_can_stop_the_read() {
        let result =
            read_items(
                "{\"a\":1}\n{\"a\":2}\n".as_bytes(),
                |_, l| {
                    if l.index == 2 { Err("enough".into()) } else { Ok(()) }
                },
            );
        assert!(matches!(result, Err(ReadError::Stopped(ref r)) if r == "enough"));
    }
}
