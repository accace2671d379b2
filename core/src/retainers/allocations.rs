//! Where a holder's gained objects were allocated, when the snapshot recorded allocation stacks
//! (see [`crate::snapshot::AllocationTraces`]): the gained objects grouped by the stack that
//! allocated them, largest first, each stack as its innermost frames
//! `makeSession (server.js:4:21)` (1-based, files shortened like the rest of the report).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::analysis::SnapshotAnalysis;
use crate::snapshot::HeapSnapshot;

/// Most stacks listed per holder.
pub const STACKS_PER_HOLDER: usize = 3;
/// Most frames listed per stack (innermost first).
pub const FRAMES_PER_STACK: usize = 5;

/// Gained objects allocated by one stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AllocationStack {
    /// `fn (file:line:col)`, the allocating function first, at most [`FRAMES_PER_STACK`].
    pub frames: Vec<String>,
    /// Frames of the stack not listed (callers further out).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub frames_left_out: u32,
    /// Gained objects it allocated, and their retained size.
    pub count: u64,
    pub retained_size: u64,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The top [`STACKS_PER_HOLDER`] allocation stacks of `members` by retained size; empty when
/// the snapshot has no traces or none of them was allocated while tracking.
pub fn allocation_stacks(snap: &HeapSnapshot, a: &SnapshotAnalysis, members: &[u32]) -> Vec<AllocationStack> {
    if snap.traces.is_empty() {
        return Vec::new();
    }
    let mut by_trace: HashMap<usize, (u64, u64)> = HashMap::new();
    for &m in members {
        if let Some(t) = snap.trace_of(m as usize) {
            let e = by_trace.entry(t).or_default();
            e.0 += 1;
            e.1 += a.retained[m as usize];
        }
    }
    // Objects allocated at the tree's top node (no JavaScript on the stack) have no frames.
    let mut ranked: Vec<(usize, (u64, u64))> =
        by_trace.into_iter().filter(|(t, _)| !snap.traces.stack(*t, 1).is_empty()).collect();
    ranked.sort_by(|x, y| y.1 .1.cmp(&x.1 .1).then(y.1 .0.cmp(&x.1 .0)).then(x.0.cmp(&y.0)));
    ranked.truncate(STACKS_PER_HOLDER);
    let sources = a.paths.sources();
    ranked
        .into_iter()
        .map(|(t, (count, retained_size))| {
            let depth = snap.traces.stack(t, usize::MAX).len();
            let frames: Vec<String> = snap
                .traces
                .stack(t, FRAMES_PER_STACK)
                .into_iter()
                .map(|f| {
                    let name = match snap.strings.get(f.name) {
                        "" => "(anonymous)",
                        n => n,
                    };
                    let file = sources.file(f.script_id).unwrap_or_else(|| snap.strings.get(f.script_name));
                    match (file, f.line) {
                        ("", _) => name.to_string(),
                        (file, 0) => format!("{name} ({file})"),
                        (file, line) => format!("{name} ({file}:{line}:{})", f.column),
                    }
                })
                .collect();
            let frames_left_out = u32::try_from(depth - frames.len()).unwrap_or(u32::MAX);
            AllocationStack { frames, frames_left_out, count, retained_size }
        })
        .collect()
}
