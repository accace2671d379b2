//! Reads export files: strict about the header and the middle, lenient about a cut-off last
//! line (the producer was killed mid-write) and about record types from newer minor versions.

use std::io::{BufRead, Read};

use serde::Deserialize;

use super::{Header, Record, FORMAT_MAJOR, FORMAT_NAME};
use crate::sample::Sample;

/// A parsed export file.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub header: Header,
    pub records: Vec<Record>,
    /// 1-based line number of an unterminated, unparsable last line that was ignored.
    pub truncated_line: Option<u64>,
    /// Records whose `type` this version does not know.
    pub skipped_records: u64,
}

/// An error at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ExportError {
    pub line: u64,
    pub message: String,
}

impl Export {
    /// The `gc` records, in file order.
    pub fn gc_samples(&self) -> impl Iterator<Item = &Sample> + '_ {
        self.records.iter().filter_map(|r| match r {
            Record::Gc(s) => Some(s),
            _ => None,
        })
    }
}

fn err(line: u64, message: impl Into<String>) -> ExportError {
    ExportError { line, message: message.into() }
}

/// Longest line accepted (64 MiB). Writers emit one record per line, and the largest records
/// (`leak_retainers`, `heapdiff` with many classes) stay far below this; without a limit a file
/// with no newline (`/dev/zero`) would be read into memory whole.
pub const MAX_LINE: usize = 64 << 20;

/// Parses a whole export file held in memory.
pub fn read_export(bytes: &[u8]) -> Result<Export, ExportError> {
    read_export_from(bytes)
}

/// Parses an export file from a buffered reader, line by line.
pub fn read_export_from<R: BufRead>(mut input: R) -> Result<Export, ExportError> {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut header: Option<Header> = None;
    let mut records = Vec::new();
    let mut skipped = 0u64;
    let mut truncated_line = None;
    loop {
        buf.clear();
        let n = (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| err(line_no + 1, format!("read error: {e}")))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let terminated = buf.last() == Some(&b'\n');
        if !terminated && buf.len() > MAX_LINE {
            return Err(err(
                line_no,
                format!(
                    "line is longer than {} MiB, the export format's limit (not a memwatch export?)",
                    MAX_LINE >> 20
                ),
            ));
        }
        let text = trim_line(&buf);
        if text.is_empty() {
            continue;
        }
        match &header {
            None => header = Some(parse_header(text, line_no, terminated)?),
            Some(_) => match parse_record(text, line_no) {
                Ok(Some(r)) => {
                    if records.try_reserve(1).is_err() {
                        let n = records.len();
                        return Err(err(line_no, format!("out of memory: could not keep more than {n} records")));
                    }
                    records.push(r)
                }
                Ok(None) => skipped += 1,
                // A cut-off final line is what a killed producer leaves: report, don't fail.
                Err(_) if !terminated => {
                    truncated_line = Some(line_no);
                }
                Err(e) => return Err(e),
            },
        }
    }
    let header = header.ok_or_else(|| err(1, "empty file: no memwatch export header"))?;
    Ok(Export { header, records, truncated_line, skipped_records: skipped })
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &buf[..end]
}

fn parse_header(text: &[u8], line: u64, terminated: bool) -> Result<Header, ExportError> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<String>,
        version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(text).map_err(|e| {
        let hint = if terminated { "" } else { " (file cut off inside the header?)" };
        err(line, format!("not a memwatch export file: header is not JSON ({e}){hint}"))
    })?;
    match probe.format.as_deref() {
        Some(FORMAT_NAME) => {}
        Some(other) => {
            return Err(err(
                line,
                format!("not a memwatch export file (format is {other:?}, expected {FORMAT_NAME:?})"),
            ))
        }
        None => {
            return Err(err(line, format!("not a memwatch export file (no \"format\": {FORMAT_NAME:?} in the header)")))
        }
    }
    let version = match probe.version {
        Some(serde_json::Value::String(v)) => v,
        other => return Err(err(line, format!("export header has no valid \"version\" string (found {other:?})"))),
    };
    let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(FORMAT_MAJOR) => {}
        Some(m) => {
            return Err(err(
                line,
                format!("export format version {version} is not supported: this memwatch reads version {FORMAT_MAJOR}.x (major {m} needs a newer memwatch)"),
            ))
        }
        None => return Err(err(line, format!("export format version {version:?} is not of the form MAJOR.MINOR"))),
    }
    serde_json::from_slice(text).map_err(|e| err(line, format!("invalid export header: {e}")))
}

/// `Ok(None)` for a well-formed record of an unknown type (newer minor version).
fn parse_record(text: &[u8], line: u64) -> Result<Option<Record>, ExportError> {
    match serde_json::from_slice::<Record>(text) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            #[derive(Deserialize)]
            struct TypeOnly {
                #[serde(rename = "type")]
                kind: String,
            }
            match serde_json::from_slice::<TypeOnly>(text) {
                Ok(t) if !Record::KNOWN_TYPES.contains(&t.kind.as_str()) => Ok(None),
                Ok(t) => Err(err(line, format!("invalid {:?} record: {e}", t.kind))),
                Err(_) => Err(err(line, format!("invalid record: {e}"))),
            }
        }
    }
}
