//! One worksheet's XML, streamed: rows go through a buffer and a raw-deflate encoder into a
//! temporary file, with the CRC-32 and the uncompressed length kept for the zip entry. Cells
//! are inline strings or numbers, so no shared-string table grows with the data.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::DeflateEncoder;

/// Excel's longest cell text.
const MAX_CELL_CHARS: usize = 32_767;

/// A cell's value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cell<'a> {
    /// Text, shown as is.
    Text(&'a str),
    /// A number.
    Number(f64),
    /// Nothing.
    Empty,
}

/// Counts and checksums what passes through to the deflate stream.
struct Tally<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A finished, deflated part of the package.
#[derive(Debug)]
pub(crate) struct DeflatedPart {
    /// The part's name in the package (`xl/worksheets/sheet1.xml`).
    pub name: String,
    /// The raw-deflate data.
    pub path: PathBuf,
    /// CRC-32 of the uncompressed data.
    pub crc: u32,
    /// Uncompressed length.
    pub size: u64,
}

/// Options of a sheet, set before its first row.
#[derive(Clone, Debug, Default)]
pub(crate) struct SheetLayout {
    /// Column widths in characters, from the first column.
    pub widths: Vec<f64>,
    /// Freeze the first row.
    pub freeze_header: bool,
    /// The sheet shown when the workbook opens.
    pub selected: bool,
}

/// A worksheet being written.
pub(crate) struct SheetXml {
    out: BufWriter<Tally<DeflateEncoder<BufWriter<File>>>>,
    part: String,
    path: PathBuf,
    rows: u32,
    filter: Option<(u32, u32, usize)>,
    text: String,
}

impl SheetXml {
    /// Starts the part `part` in a file at `path`.
    pub(crate) fn create(part: &str, path: &Path, layout: &SheetLayout) -> std::io::Result<Self> {
        let file = BufWriter::with_capacity(1 << 16, File::create(path)?);
        // Level 1: deflating the XML is most of a large workbook's cost; the files are a
        // little larger than at the default level and several times faster to write.
        let deflate = DeflateEncoder::new(file, Compression::fast());
        // The checksum runs under the buffer, over large chunks rather than every small write.
        let mut out =
            BufWriter::with_capacity(1 << 16, Tally { inner: deflate, crc: crc32fast::Hasher::new(), bytes: 0 });
        out.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
              xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetViews><sheetView workbookViewId=\"0\"",
        )?;
        if layout.selected {
            out.write_all(b" tabSelected=\"1\"")?;
        }
        if layout.freeze_header {
            out.write_all(b"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews>")?;
        } else {
            out.write_all(b"/></sheetViews>")?;
        }
        out.write_all(b"<sheetFormatPr defaultRowHeight=\"15\"/>")?;
        if !layout.widths.is_empty() {
            out.write_all(b"<cols>")?;
            for (i, width) in layout.widths.iter().enumerate() {
                write!(out, "<col min=\"{0}\" max=\"{0}\" width=\"{width}\" customWidth=\"1\"/>", i + 1)?;
            }
            out.write_all(b"</cols>")?;
        }
        out.write_all(b"<sheetData>")?;
        Ok(Self { out, part: part.to_owned(), path: path.to_owned(), rows: 0, filter: None, text: String::new() })
    }

    /// Rows written so far.
    pub(crate) fn rows(&self) -> u32 {
        self.rows
    }

    /// Appends a row of cells, all with style `style` (0 plain, see `package::STYLE_*`).
    pub(crate) fn row(&mut self, cells: &[Cell<'_>], style: u8) -> std::io::Result<()> {
        self.rows += 1;
        write!(self.out, "<row r=\"{}\">", self.rows)?;
        for cell in cells {
            self.cell(cell, style)?;
        }
        self.out.write_all(b"</row>")
    }

    /// Appends a row whose cells each have their own style.
    pub(crate) fn styled_row(&mut self, cells: &[(Cell<'_>, u8)]) -> std::io::Result<()> {
        self.rows += 1;
        write!(self.out, "<row r=\"{}\">", self.rows)?;
        for (cell, style) in cells {
            self.cell(cell, *style)?;
        }
        self.out.write_all(b"</row>")
    }

    fn cell(&mut self, cell: &Cell<'_>, style: u8) -> std::io::Result<()> {
        match cell {
            Cell::Empty => self.out.write_all(b"<c/>"),
            Cell::Number(n) if style == 0 => write!(self.out, "<c><v>{n}</v></c>"),
            Cell::Number(n) => write!(self.out, "<c s=\"{style}\"><v>{n}</v></c>"),
            Cell::Text(t) => {
                let plain = needs_no_escape(t);
                if !plain {
                    escape_into(&mut self.text, t);
                }
                let preserve = t.starts_with(char::is_whitespace) || t.ends_with(char::is_whitespace);
                if style == 0 {
                    self.out.write_all(b"<c t=\"inlineStr\"><is><t")?;
                } else {
                    write!(self.out, "<c t=\"inlineStr\" s=\"{style}\"><is><t")?;
                }
                if preserve {
                    self.out.write_all(b" xml:space=\"preserve\"")?;
                }
                self.out.write_all(b">")?;
                self.out.write_all(if plain { t.as_bytes() } else { self.text.as_bytes() })?;
                self.out.write_all(b"</t></is></c>")
            }
        }
    }

    /// Puts a filter on rows `first..=last` (1-based) of `columns` columns.
    pub(crate) fn filter(&mut self, first: u32, last: u32, columns: usize) {
        self.filter = Some((first, last.max(first + 1), columns));
    }

    /// The `A1:M9` reference of the filter, if any.
    pub(crate) fn filter_ref(&self) -> Option<String> {
        self.filter.map(|(first, last, columns)| format!("$A${first}:${}${last}", column_name(columns)))
    }

    /// Closes the XML and the deflate stream.
    pub(crate) fn finish(mut self) -> std::io::Result<DeflatedPart> {
        self.out.write_all(b"</sheetData>")?;
        if let Some((first, last, columns)) = self.filter {
            write!(self.out, "<autoFilter ref=\"A{first}:{}{last}\"/>", column_name(columns))?;
        }
        self.out.write_all(b"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>")?;
        let Tally { inner: deflate, crc, bytes } = self.out.into_inner().map_err(|e| e.into_error())?;
        let file = deflate.finish()?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(DeflatedPart { name: self.part, path: self.path, crc: crc.finalize(), size: bytes })
    }
}

/// The column letters of a 1-based column number (`1` → `A`, `27` → `AA`).
pub(crate) fn column_name(mut n: usize) -> String {
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + u8::try_from(rem).unwrap_or(0));
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Whether `text` can be written as it is: no markup character, no character XML forbids
/// (a 0xEF lead byte might start U+FFFE/U+FFFF: such text takes the careful path), and
/// short enough for a cell.
fn needs_no_escape(text: &str) -> bool {
    text.len() <= MAX_CELL_CHARS
        && text
            .bytes()
            .all(|b| !matches!(b, b'&' | b'<' | b'>' | 0xEF) && (b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r')))
}

/// `text` escaped for XML character data into `out`: markup characters as entities,
/// characters XML 1.0 forbids as the OOXML `_xHHHH_` escape; cut at Excel's cell limit.
fn escape_into(out: &mut String, text: &str) {
    out.clear();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CELL_CHARS {
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                use std::fmt::Write as _;
                let _ = write!(out, "_x{:04X}_", c as u32);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_like_excel() {
        assert_eq!(
            [column_name(1), column_name(13), column_name(26), column_name(27), column_name(53)],
            ["A", "M", "Z", "AA", "BA"]
        );
    }

    #[test]
    fn text_is_escaped_and_control_characters_encoded() {
        let mut out = String::new();
        escape_into(&mut out, "a<b & \"c\"\u{1}");
        assert_eq!(out, "a&lt;b &amp; \"c\"_x0001_");
    }
}
