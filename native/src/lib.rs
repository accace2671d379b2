//! memwatch: the native half of the toolkit. Attach to a V8 isolate, sample every GC, take heap
//! snapshots, and compute stats, leak events and HeapDiffs with `memwatch-core`.
//!
//! - [`sampler`]: [`Memwatch::attach`] to any isolate (for Rust programs embedding V8).
//! - [`runtime`]: the small JavaScript runtime behind `memwatch run` (event loop, console,
//!   timers, ES modules, the `memwatch` global).
//! - [`pipeline`]: samples -> stats / leak events -> export file (no V8).

pub mod pipeline;
pub mod runtime;
pub mod sampler;

pub use memwatch_core as core;
pub use pipeline::{MemwatchEvent, PipelineConfig};
pub use sampler::{Config, Error, Memwatch};
