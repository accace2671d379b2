//! The library's error type: what attaching, snapshots and exports can fail with.
//!
//! Each variant's message describes its own level only; the underlying I/O error is returned by
//! [`std::error::Error::source`], so a chain printer shows it once. [`Report`] prints the whole
//! chain on one line (what `memwatch run` shows).

use std::path::PathBuf;

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Creating, writing or reading `path` failed (the reason is the `source`).
    #[error("I/O error on {}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A heap snapshot file could not be parsed.
    #[error("{}: {message}", path.display())]
    Snapshot { path: PathBuf, message: String },
    /// A heap snapshot streamed from V8 into the parser (no file) could not be parsed.
    #[error("heap snapshot streamed from V8: {message}")]
    SnapshotStream { message: String },
    /// V8's sampling heap profiler (through the in-process inspector) failed.
    #[error("allocation sampling: {message}")]
    Profiler { message: String },
    #[error("memwatch is not attached to this isolate")]
    NotAttached,
    #[error("memwatch is already attached to this isolate")]
    AlreadyAttached,
    /// A detector option out of its bounds (core's message names it).
    #[error(transparent)]
    DetectorOptions(#[from] memwatch_core::detector_options::OptionError),
    /// A method that takes an isolate was given another isolate than the one attached to
    /// (V8 would abort on callbacks it does not know, or snapshot the wrong heap).
    #[error("this isolate is not the one memwatch was attached to")]
    WrongIsolate,
    /// Another attachment in this process is writing the same export file.
    #[error("{}: export file already open for writing by another memwatch attachment", path.display())]
    ExportInUse { path: PathBuf },
    /// `Config::labels` has a name Prometheus and OpenTelemetry cannot carry.
    #[error("{0}")]
    InvalidLabel(String),
}

/// Displays an error and its sources on one line: `outer: inner: innermost`.
pub struct Report<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cur = self.0.source();
        while let Some(e) = cur {
            write!(f, ": {e}")?;
            cur = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn io_chain_names_the_reason_once() {
        let e = Error::Io {
            path: "/x/out.ndjson".into(),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied"),
        };
        assert!(e.source().is_some(), "the io::Error stays reachable");
        let line = Report(&e).to_string();
        assert_eq!(line.matches("permission denied").count(), 1, "{line}");
        assert_eq!(line, "I/O error on /x/out.ndjson: permission denied");
    }
}
