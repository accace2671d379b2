//! memwatch-core: every number memwatch reports is computed here, natively and in wasm32.
//!
//! Main types:
//! - [`sample::Sample`]: one record per V8 garbage collection (type, flags, timing, heap statistics).
//! - [`stats::StatsEngine`]: node-memwatch's `stats` fields, computed in 64-bit (see docs/semantics).
//! - [`leak`]: the classic consecutive-growth detector and a regression-based trend detector.
//! - [`analyzer::Analyzer`]: feeds samples through stats + detectors; the one path used live and offline.
//! - [`snapshot`]: streaming `.heapsnapshot` parser into a compact graph ([`snapshot::HeapSnapshot`]).
//! - [`class`]: the class of a node (HeapDiff buckets, DevTools classes), used by every view.
//! - [`diff`]: node-memwatch's `HeapDiff` of two snapshots.
//! - [`summary`]: per-class counts and self sizes of one snapshot.
//! - [`export`]: the line-delimited JSON export format (see docs/format.md).
//!
//! ```
//! use memwatch_core::size::nice_size;
//! assert_eq!(nice_size(1536), "1.5 kb");
//! ```

pub mod analyzer;
pub mod class;
pub mod diff;
pub mod export;
pub mod leak;
pub mod retainers;
pub mod sample;
pub mod size;
mod sliced;
pub mod snapshot;
pub mod stats;
pub mod summary;
