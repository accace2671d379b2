//! Streaming `.heapsnapshot` parser. (Being written: see issue 2.)

use super::HeapSnapshot;

#[derive(Debug, thiserror::Error)]
#[error("at byte {offset}: {message}")]
pub struct ParseError {
    pub offset: u64,
    pub message: String,
}

pub struct SnapshotParser {}

impl SnapshotParser {
    pub fn new() -> Self {
        SnapshotParser {}
    }
    pub fn push(&mut self, _chunk: &[u8]) -> Result<(), ParseError> {
        todo!()
    }
    pub fn finish(self) -> Result<HeapSnapshot, ParseError> {
        todo!()
    }
}

impl Default for SnapshotParser {
    fn default() -> Self {
        Self::new()
    }
}

pub fn parse_bytes(bytes: &[u8]) -> Result<HeapSnapshot, ParseError> {
    let mut p = SnapshotParser::new();
    p.push(bytes)?;
    p.finish()
}

pub fn parse_reader<R: std::io::Read>(_r: R) -> Result<HeapSnapshot, ParseError> {
    todo!()
}
