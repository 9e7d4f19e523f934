//! The workbook package: the parts that describe the workbook (content types, relations,
//! workbook, styles) and the zip container holding them with the deflated sheets. Sheets
//! arrive already deflated, with CRC and size, so the container is written by copying: a
//! plain zip, with ZIP64 records for any entry or offset past 4 GiB.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::DeflateEncoder;

use super::sheet::DeflatedPart;

/// Cell styles (`s` attribute): 0 plain, 1 header (bold on a tinted fill), 2 bold label,
/// 3 title.
pub(crate) const STYLE_HEADER: u8 = 1;
pub(crate) const STYLE_LABEL: u8 = 2;
pub(crate) const STYLE_TITLE: u8 = 3;

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"3\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>\
<font><b/><sz val=\"16\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>\
<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFD9E1F2\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"4\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>\
<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>";

/// A sheet of the workbook, in tab order.
pub(crate) struct SheetEntry {
    /// Its tab name.
    pub title: String,
    /// Its deflated XML.
    pub part: DeflatedPart,
    /// Its filter range (`$A$1:$M$9`), for the workbook's hidden filter name.
    pub filter: Option<String>,
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn workbook_parts(sheets: &[SheetEntry]) -> Vec<(String, String)> {
    let mut types = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    );
    let mut workbook = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>",
    );
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    let mut names = String::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(
            "<Override PartName=\"/{}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
            sheet.part.name
        ));
        workbook
            .push_str(&format!("<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>", escape_attribute(&sheet.title)));
        let target = sheet.part.name.trim_start_matches("xl/");
        rels.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{target}\"/>"
        ));
        if let Some(range) = &sheet.filter {
            names.push_str(&format!(
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"{i}\" hidden=\"1\">'{}'!{range}</definedName>",
                escape_attribute(&sheet.title.replace('\'', "''"))
            ));
        }
    }
    types.push_str("</Types>");
    workbook.push_str("</sheets>");
    if !names.is_empty() {
        workbook.push_str(&format!("<definedNames>{names}</definedNames>"));
    }
    workbook.push_str("</workbook>");
    rels.push_str(&format!(
        "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>",
        sheets.len() + 1
    ));
    let root = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
    vec![
        ("[Content_Types].xml".to_owned(), types),
        ("_rels/.rels".to_owned(), root.to_owned()),
        ("xl/workbook.xml".to_owned(), workbook),
        ("xl/_rels/workbook.xml.rels".to_owned(), rels),
        ("xl/styles.xml".to_owned(), STYLES.to_owned()),
    ]
}

/// One entry of the central directory.
struct Entry {
    name: String,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// A zip file written entry by entry, each entry already deflated.
struct ZipOut {
    out: BufWriter<File>,
    at: u64,
    entries: Vec<Entry>,
    /// MS-DOS date and time of the entries.
    stamp: (u16, u16),
}

const U32_MAX: u64 = 0xFFFF_FFFF;

impl ZipOut {
    fn put(&mut self, name: &str, crc: u32, size: u64, compressed: u64, data: &mut dyn Read) -> std::io::Result<()> {
        let big = size >= U32_MAX || compressed >= U32_MAX || self.at >= U32_MAX;
        let o = &mut self.out;
        let mut header = Vec::with_capacity(64 + name.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&(if big { 45u16 } else { 20u16 }).to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes()); // flags
        header.extend_from_slice(&8u16.to_le_bytes()); // deflate
        header.extend_from_slice(&self.stamp.1.to_le_bytes());
        header.extend_from_slice(&self.stamp.0.to_le_bytes());
        header.extend_from_slice(&crc.to_le_bytes());
        let name_bytes = name.as_bytes();
        if big {
            header.extend_from_slice(&u32::MAX.to_le_bytes());
            header.extend_from_slice(&u32::MAX.to_le_bytes());
            header.extend_from_slice(&u16::try_from(name_bytes.len()).unwrap_or(u16::MAX).to_le_bytes());
            header.extend_from_slice(&20u16.to_le_bytes());
            header.extend_from_slice(name_bytes);
            header.extend_from_slice(&1u16.to_le_bytes());
            header.extend_from_slice(&16u16.to_le_bytes());
            header.extend_from_slice(&size.to_le_bytes());
            header.extend_from_slice(&compressed.to_le_bytes());
        } else {
            header.extend_from_slice(&(compressed as u32).to_le_bytes());
            header.extend_from_slice(&(size as u32).to_le_bytes());
            header.extend_from_slice(&u16::try_from(name_bytes.len()).unwrap_or(u16::MAX).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            header.extend_from_slice(name_bytes);
        }
        o.write_all(&header)?;
        let copied = std::io::copy(data, o)?;
        if copied != compressed {
            return Err(std::io::Error::other(format!("{name}: {copied} bytes copied, {compressed} expected")));
        }
        self.entries.push(Entry { name: name.to_owned(), crc, compressed, size, offset: self.at });
        self.at += header.len() as u64 + compressed;
        Ok(())
    }

    fn put_bytes(&mut self, name: &str, text: &[u8]) -> std::io::Result<()> {
        let mut deflate = DeflateEncoder::new(Vec::new(), Compression::default());
        deflate.write_all(text)?;
        let compressed = deflate.finish()?;
        self.put(name, crc32fast::hash(text), text.len() as u64, compressed.len() as u64, &mut compressed.as_slice())
    }

    fn finish(mut self) -> std::io::Result<File> {
        let start = self.at;
        let mut directory = Vec::new();
        let mut zip64 = false;
        for e in &self.entries {
            let big = e.size >= U32_MAX || e.compressed >= U32_MAX || e.offset >= U32_MAX;
            zip64 |= big;
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&(if big { 45u16 } else { 20u16 }).to_le_bytes());
            directory.extend_from_slice(&(if big { 45u16 } else { 20u16 }).to_le_bytes());
            directory.extend_from_slice(&0u16.to_le_bytes());
            directory.extend_from_slice(&8u16.to_le_bytes());
            directory.extend_from_slice(&self.stamp.1.to_le_bytes());
            directory.extend_from_slice(&self.stamp.0.to_le_bytes());
            directory.extend_from_slice(&e.crc.to_le_bytes());
            let clip = |v: u64| if big { u32::MAX } else { v as u32 };
            directory.extend_from_slice(&clip(e.compressed).to_le_bytes());
            directory.extend_from_slice(&clip(e.size).to_le_bytes());
            directory.extend_from_slice(&u16::try_from(e.name.len()).unwrap_or(u16::MAX).to_le_bytes());
            directory.extend_from_slice(&(if big { 28u16 } else { 0u16 }).to_le_bytes());
            directory.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            directory.extend_from_slice(&clip(e.offset).to_le_bytes());
            directory.extend_from_slice(e.name.as_bytes());
            if big {
                directory.extend_from_slice(&1u16.to_le_bytes());
                directory.extend_from_slice(&24u16.to_le_bytes());
                directory.extend_from_slice(&e.size.to_le_bytes());
                directory.extend_from_slice(&e.compressed.to_le_bytes());
                directory.extend_from_slice(&e.offset.to_le_bytes());
            }
        }
        self.out.write_all(&directory)?;
        let size = directory.len() as u64;
        let count = self.entries.len() as u64;
        zip64 |= start + size >= U32_MAX;
        if zip64 {
            let record = start + size;
            self.out.write_all(&0x0606_4b50u32.to_le_bytes())?;
            self.out.write_all(&44u64.to_le_bytes())?;
            self.out.write_all(&45u16.to_le_bytes())?;
            self.out.write_all(&45u16.to_le_bytes())?;
            self.out.write_all(&[0; 8])?;
            self.out.write_all(&count.to_le_bytes())?;
            self.out.write_all(&count.to_le_bytes())?;
            self.out.write_all(&size.to_le_bytes())?;
            self.out.write_all(&start.to_le_bytes())?;
            self.out.write_all(&0x0706_4b50u32.to_le_bytes())?;
            self.out.write_all(&0u32.to_le_bytes())?;
            self.out.write_all(&record.to_le_bytes())?;
            self.out.write_all(&1u32.to_le_bytes())?;
        }
        let count16 = if zip64 { u16::MAX } else { u16::try_from(count).unwrap_or(u16::MAX) };
        let clip = |v: u64| if zip64 { u32::MAX } else { v as u32 };
        self.out.write_all(&0x0605_4b50u32.to_le_bytes())?;
        self.out.write_all(&[0; 4])?;
        self.out.write_all(&count16.to_le_bytes())?;
        self.out.write_all(&count16.to_le_bytes())?;
        self.out.write_all(&clip(size).to_le_bytes())?;
        self.out.write_all(&clip(start).to_le_bytes())?;
        self.out.write_all(&0u16.to_le_bytes())?;
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

/// MS-DOS `(date, time)` of an instant (the zip entries' modification time).
fn dos_stamp(ms: i64) -> (u16, u16) {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms / 1000) else { return (0x21, 0) };
    let year = u16::try_from((t.year() - 1980).clamp(0, 127)).unwrap_or(0);
    let date = (year << 9) | (u16::from(u8::from(t.month())) << 5) | u16::from(t.day());
    let time = (u16::from(t.hour()) << 11) | (u16::from(t.minute()) << 5) | u16::from(t.second() / 2);
    (date, time)
}

/// Writes the workbook to `path`: the description parts, then every sheet in tab order.
pub(crate) fn write_package(path: &Path, sheets: &[SheetEntry], generated_ms: i64) -> std::io::Result<()> {
    let mut zip = ZipOut {
        out: BufWriter::with_capacity(1 << 20, File::create(path)?),
        at: 0,
        entries: Vec::new(),
        stamp: dos_stamp(generated_ms),
    };
    for (name, text) in workbook_parts(sheets) {
        zip.put_bytes(&name, text.as_bytes())?;
    }
    for sheet in sheets {
        let mut file = File::open(&sheet.part.path)?;
        let compressed = file.metadata()?.len();
        zip.put(&sheet.part.name, sheet.part.crc, sheet.part.size, compressed, &mut file)?;
    }
    zip.finish()?.sync_all()
}
