//! memwatch: the native half of the toolkit. Attach to a V8 isolate, sample every GC, take heap
//! snapshots, and compute stats, leak events and HeapDiffs with `memwatch-core`.
//! (The V8 sampler lands with issue 3.)

pub use memwatch_core as core;
