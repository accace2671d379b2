//! What a live `leak` event carries when its producer takes heap snapshots (`memwatch run
//! --leak-retainers N`): the classes that grew most since the previous snapshot and where their
//! new objects are held. Only a live run can produce it: re-analysing the GC samples of an export
//! cannot, so re-analysed leak events never have it (the export keeps it in `leak_retainers`
//! records, attached back to the recorded leaks by `analyze_export`).

use serde::{Deserialize, Serialize};

use crate::retainers::{ClassGrowth, Holder};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LeakRetainers {
    /// Monotonic time of the baseline snapshot (the first full GC's poll, or the previous leak
    /// event's snapshot).
    pub since_ns: u64,
    /// Monotonic time of the snapshot taken for this event.
    pub time_ns: u64,
    /// The two snapshot files, when they were kept (`--snapshot-dir`), as in `snapshot` records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_snapshot: Option<String>,
    /// Growing classes, largest self-size growth first, each with representative retainer paths
    /// of its new objects (`retainers::growth_report`).
    pub classes: Vec<ClassGrowth>,
    /// The new objects by holder (`retainers::GrowthReport::holders`), largest growth first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<Holder>,
    /// Why `classes` is empty when the snapshots could not be taken or read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
