//! The library's error type: what attaching, snapshots and exports can fail with.

use std::path::PathBuf;

/// Errors of the library half.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Snapshot { path: PathBuf, message: String },
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
}
