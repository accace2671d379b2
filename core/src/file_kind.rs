//! Which of memwatch's two input formats a file holds, from its first bytes: a V8 heap snapshot
//! (one JSON object whose first key is `"snapshot"`) or a memwatch export (line-delimited JSON
//! whose first line is the header, `{"format":"memwatch-export",...}`). Hosts that take either
//! (the viewer) ask here instead of sniffing; a corrupt file of either kind is then reported by
//! its parser with a position.

use serde::Serialize;

/// How many leading bytes [`detect_file_kind`] needs at most.
pub const DETECT_HEAD_BYTES: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub enum FileKind {
    /// A `.heapsnapshot`.
    Snapshot,
    /// A memwatch export (`.jsonl`/`.ndjson`).
    Export,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnknownFileKind {
    #[error("the file is empty")]
    Empty,
    #[error("neither a V8 heap snapshot (.heapsnapshot) nor a memwatch export file (.jsonl)")]
    Neither,
}

/// Decides from `head`, the file's first bytes (up to [`DETECT_HEAD_BYTES`]; fewer when the file
/// is shorter).
pub fn detect_file_kind(head: &[u8]) -> Result<FileKind, UnknownFileKind> {
    if head.is_empty() {
        return Err(UnknownFileKind::Empty);
    }
    let head = &head[..head.len().min(DETECT_HEAD_BYTES)];
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = skip_ws(text);
    // The writers' key order: the snapshot's first key is "snapshot", the header's "format".
    // Checking the first key works even when the first line is longer than `head`.
    if let Some((key, rest)) = first_key(text) {
        if key == b"snapshot" {
            return Ok(FileKind::Snapshot);
        }
        if key == b"format" && skip_ws(rest).starts_with(b"\"memwatch") {
            return Ok(FileKind::Export);
        }
    }
    // A header with its keys in another order (written by hand or another tool): parse the
    // whole first line when `head` holds it.
    if let Some(end) = text.iter().position(|&b| b == b'\n') {
        if let Ok(serde_json::Value::Object(header)) = serde_json::from_slice(&text[..end]) {
            if header.get("format").and_then(|f| f.as_str()).is_some_and(|f| f.starts_with("memwatch")) {
                return Ok(FileKind::Export);
            }
        }
    }
    Err(UnknownFileKind::Neither)
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')).count();
    &b[n..]
}

/// `{ "key" :` at the start of `b`: the key (without escapes) and what follows the colon.
fn first_key(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let b = skip_ws(b.strip_prefix(b"{")?);
    let b = b.strip_prefix(b"\"")?;
    let end = b.iter().position(|&c| c == b'"' || c == b'\\')?;
    let (key, rest) = (&b[..end], &b[end..]);
    let rest = skip_ws(rest.strip_prefix(b"\"")?);
    Some((key, rest.strip_prefix(b":")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_snapshots_are_recognised_by_their_first_key() {
        assert_eq!(detect_file_kind(br#"{"snapshot":{"meta":{"node_fields":["type"]"#), Ok(FileKind::Snapshot));
        assert_eq!(detect_file_kind(b"\xEF\xBB\xBF \n{ \"snapshot\" : {"), Ok(FileKind::Snapshot));
    }

    #[test]
    fn exports_are_recognised_by_their_header() {
        let header = br#"{"format":"memwatch-export","version":"1.1","producer":"x","epoch_ms_at_origin":0}"#;
        assert_eq!(detect_file_kind(header), Ok(FileKind::Export));
        // Another key order, when the first line is complete.
        assert_eq!(
            detect_file_kind(b"{\"version\":\"1.1\",\"format\":\"memwatch-export\"}\n{\"type\":\"gc\"}\n"),
            Ok(FileKind::Export)
        );
        // A header longer than the head (a long `target`): its first key still decides.
        let mut long = br#"{"format":"memwatch-export","target":{"args":""#.to_vec();
        long.resize(DETECT_HEAD_BYTES * 2, b'a');
        assert_eq!(detect_file_kind(&long), Ok(FileKind::Export));
        // A wrong version is the export reader's to report (with its line), not "unknown".
        assert_eq!(detect_file_kind(br#"{"format":"memwatch-export","version":"9.0"}"#), Ok(FileKind::Export));
    }

    #[test]
    fn anything_else_is_rejected() {
        assert_eq!(detect_file_kind(b""), Err(UnknownFileKind::Empty));
        assert_eq!(detect_file_kind(b"\x00\x01garbage"), Err(UnknownFileKind::Neither));
        assert_eq!(detect_file_kind(b"{\"format\":\"other\"}\n"), Err(UnknownFileKind::Neither));
        assert_eq!(detect_file_kind(b"[1,2,3]"), Err(UnknownFileKind::Neither));
        assert_eq!(detect_file_kind(b"{\"nodes\":[]}"), Err(UnknownFileKind::Neither));
        assert_eq!(
            UnknownFileKind::Neither.to_string(),
            "neither a V8 heap snapshot (.heapsnapshot) nor a memwatch export file (.jsonl)"
        );
    }
}
