//! Writes export files one whole line at a time, flushed after each record.

use std::io::{self, Write};

use super::{Header, Record};

pub struct ExportWriter<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> ExportWriter<W> {
    /// Writes and flushes the header line.
    pub fn new(out: W, header: &Header) -> io::Result<Self> {
        let mut w = ExportWriter { out, line: Vec::with_capacity(512) };
        w.write_line(header)?;
        Ok(w)
    }

    /// Appends one record and flushes, so a crash right after leaves it in the file.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        self.write_line(record)
    }

    fn write_line<T: serde::Serialize>(&mut self, value: &T) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value).map_err(io::Error::other)?;
        self.line.push(b'\n');
        // One write_all per line: a kill can cut only the last line, which readers tolerate.
        self.out.write_all(&self.line)?;
        self.out.flush()
    }

    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// The output, e.g. to drain a `Vec<u8>` the records were written to.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}
