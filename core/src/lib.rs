//! memwatch-core: every number memwatch reports is computed here, natively and in wasm32.
//!
//! Main types:
//! - [`sample::Sample`]: one record per V8 garbage collection (type, flags, timing, heap statistics).
//! - [`stats::StatsEngine`]: node-memwatch's `stats` fields, computed in 64-bit (see docs/semantics).
//! - [`leak`]: the classic consecutive-growth detector and a regression-based trend detector.
//! - [`analyzer::Analyzer`]: feeds samples through stats + detectors; the one path used live and offline.
//! - [`detector_options`]: the detectors' option table, overlay of user choices and validation.
//! - [`snapshot`]: streaming `.heapsnapshot` parser into a compact graph ([`snapshot::HeapSnapshot`]).
//! - [`class`]: the class of a node (HeapDiff buckets, DevTools classes), used by every view.
//! - [`diff`]: node-memwatch's `HeapDiff` of two snapshots.
//! - [`summary`]: per-class counts and self sizes of one snapshot.
//! - [`alloc`]: live allocation sites from V8's sampling heap profiler, their growth, pprof.
//! - [`export`]: the line-delimited JSON export format (see docs/format.md).
//! - [`file_kind`]: whether a file is a heap snapshot or an export, from its first bytes.
//! - [`render`]: the report text (and `--json` lines) of `diff`, `leaks`, `analyze`, the same in every host.
//!
//! Hosts (the native CLI and sampler, the wasm bindings, the npm package, the viewer) only move
//! bytes in and present results; see ARCHITECTURE.md for how data flows and where new analyses go.
//!
//! Parse two snapshots and diff them, as `memwatch diff` and the wasm `diffSnapshots` do:
//! ```
//! use memwatch_core::{diff::heap_diff, snapshot::parse_bytes};
//!
//! let before = parse_bytes(include_bytes!("../tests/fixtures/tiny-before.heapsnapshot"))?;
//! let after = parse_bytes(include_bytes!("../tests/fixtures/tiny-after.heapsnapshot"))?;
//! let diff = heap_diff(&before, &after);
//! // node-memwatch's shape: totals before/after and one row per class that changed.
//! assert!(diff.after.nodes >= diff.before.nodes);
//! assert!(diff.change.details.iter().any(|d| d.added > 0));
//! println!("{}", serde_json::to_string(&diff)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Sizes print the node-memwatch way:
//! ```
//! use memwatch_core::size::nice_size;
//! assert_eq!(nice_size(1536), "1.5 kb");
//! ```

pub mod alloc;
pub mod analyzer;
mod both;
pub mod class;
pub mod detector_options;
pub mod diff;
pub mod export;
pub mod file_kind;
pub mod leak;
pub mod node_sets;
pub mod render;
pub mod retainers;
pub mod sample;
pub mod size;
mod sliced;
pub mod snapshot;
pub mod source_files;
pub mod stats;
pub mod summary;
