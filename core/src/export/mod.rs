//! The export file: versioned, self-describing, line-delimited JSON (docs/format.md).
//!
//! Line 1 is a [`Header`]; every further line one [`Record`] (`{"type":"gc",...}`, `stats`,
//! `leak`, `heapdiff`, `snapshot`, `marker`, `leak_retainers`, `allocation_profile`). Writers flush record by record, so a process killed
//! mid-run leaves a readable file whose last line at worst is cut off; the reader reports that
//! line instead of failing.
//!
//! ```
//! use memwatch_core::export::{read_export, ExportWriter, Header, Record, Marker};
//! let mut out = Vec::new();
//! let mut w = ExportWriter::new(&mut out, &Header::new("doc-test", 0.0)).unwrap();
//! w.write(&Record::Marker(Marker { time_ns: 5, kind: "start".into(), message: None })).unwrap();
//! let export = read_export(&out).unwrap();
//! assert_eq!(export.records.len(), 1);
//! ```

mod analysis;
mod reader;
mod records;
mod writer;

pub use analysis::{analyze_export, analyze_export_with, ExportAnalysis};
pub use reader::{read_export, read_export_from, Export, ExportError, MAX_LINE};
pub use records::{AllocationProfileRecord, Header, HeapDiffRecord, LeakRetainersRecord, Marker, Record, SnapshotRef};
pub use writer::ExportWriter;

/// The `format` value of every export header.
pub const FORMAT_NAME: &str = "memwatch-export";
/// Major version this code reads; minor versions only add optional fields and record types.
pub const FORMAT_MAJOR: u32 = 1;
pub const FORMAT_MINOR: u32 = 2;
