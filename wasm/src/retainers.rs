//! Who retains what (issue 6): retainer paths and retained sizes of parsed `Snapshot`s, the same
//! objects as `memwatch diff --json --retainers N` ("retainers" key) and `memwatch leaks --json`.
//!
//! The first retainer call on a `Snapshot` computes its dominator tree, retained sizes and paths
//! and keeps them in the `Snapshot` (`Snapshot::analysis`); later calls only group and render.
//! The results equal the core's `growth_report` / `leak_report` (same options as the CLI).

use memwatch_core::class::{bucket_classes, Scheme};
use memwatch_core::retainers::{
    bucket_retained, class_growth, class_retainers, defaults, growth_report_with, leak_report_with, GrowthOptions,
    IdSet, LeakOptions,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::snapshot::Snapshot;
use crate::{count_arg, from_js, js_error, optional_string_arg, string_arg, to_js};

/// The `n` classes whose self size grew most from `before` to `after`, with retained sizes,
/// retained-size deltas and up to 3 retainer paths of their new objects.
#[wasm_bindgen(js_name = growthReport, unchecked_return_type = "GrowthReport")]
pub fn growth(
    before: &Snapshot,
    after: &Snapshot,
    #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
) -> Result<JsValue, JsValue> {
    // The options of core's `growth_report` (and so of `memwatch diff --retainers N`).
    let opts = GrowthOptions::top(count_arg(&n, "growthReport", "n")?);
    let (ab, aa) = (before.analysis().map_err(js_error)?, after.analysis().map_err(js_error)?);
    to_js(&growth_report_with(before.graph(), ab, after.graph(), aa, &opts))
}

/// Count, self size and retained size of every class (members not dominated by another member
/// of the class), largest retained size first: the first call computes the dominator tree.
#[wasm_bindgen(js_name = retainedSizes, unchecked_return_type = "ClassRetainedSize[]")]
pub fn retained_sizes(snapshot: &Snapshot) -> Result<JsValue, JsValue> {
    to_js(snapshot.analysis().map_err(js_error)?.classes())
}

/// Count, self and retained size of class `class_name` in `snapshot`, and up to `k` retainer
/// path groups of its members that no other member dominates (largest retained size first).
/// `scheme`: `"devtools"` (default; the classes of `retainedSizes` and `growthReport`) or
/// `"bucket"` (a HeapDiff row's name: `Array`, `String`, `Closure`, a constructor name).
/// A class with no reachable member gives zeros and no paths.
#[wasm_bindgen(js_name = classRetainers, unchecked_return_type = "ClassRetainers")]
pub fn class_retainers_js(
    snapshot: &Snapshot,
    #[wasm_bindgen(unchecked_param_type = "string")] class_name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] k: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] scheme: JsValue,
) -> Result<JsValue, JsValue> {
    const F: &str = "classRetainers";
    let (class_name, k) = (string_arg(&class_name, F, "class_name")?, count_arg(&k, F, "k")?);
    let scheme = parse_scheme(optional_string_arg(&scheme, F, "scheme")?)?;
    let analysis = snapshot.analysis().map_err(js_error)?;
    to_js(&class_retainers(snapshot.graph(), analysis, &class_name, scheme, k))
}

/// How class `class_name` (under `scheme`, as for `classRetainers`) changed from `before` to
/// `after`: counts, self and retained sizes, new objects and up to 3 path groups of the new
/// objects (the paths of `growthReport`); `null` when it did not grow.
#[wasm_bindgen(js_name = classGrowth, unchecked_return_type = "ClassGrowth | null")]
pub fn class_growth_js(
    before: &Snapshot,
    after: &Snapshot,
    #[wasm_bindgen(unchecked_param_type = "string")] class_name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] scheme: JsValue,
) -> Result<JsValue, JsValue> {
    let class_name = string_arg(&class_name, "classGrowth", "class_name")?;
    let scheme = parse_scheme(optional_string_arg(&scheme, "classGrowth", "scheme")?)?;
    let (ab, aa) = (before.analysis().map_err(js_error)?, after.analysis().map_err(js_error)?);
    let k = defaults::PATHS_PER_CLASS;
    to_js(&class_growth(before.graph(), ab, after.graph(), aa, &class_name, scheme, k))
}

/// Count, self size and retained size of every HeapDiff bucket (`Array`, `String`, a
/// constructor name, ...) of `snapshot`, sorted like HeapDiff's rows; each equals
/// `classRetainers(snapshot, what, 0, "bucket")`'s totals. The first call computes the dominator tree.
#[wasm_bindgen(js_name = bucketRetainedSizes, unchecked_return_type = "BucketRetained[]")]
pub fn bucket_retained_sizes(snapshot: &Snapshot) -> Result<JsValue, JsValue> {
    let a = snapshot.analysis().map_err(js_error)?;
    to_js(&bucket_retained(snapshot.graph(), &a.dominators, &a.retained))
}

/// The DevTools classes (`retainedSizes`, `growthReport`) whose objects a HeapDiff bucket holds:
/// `"Array"` -> `["(array)", "Array"]`, `"Closure"` -> `["(closure)", "Closure"]`, a constructor
/// name -> itself.
#[wasm_bindgen(js_name = bucketClasses)]
pub fn bucket_classes_js(
    #[wasm_bindgen(unchecked_param_type = "string")] bucket: JsValue,
) -> Result<Vec<String>, JsValue> {
    Ok(bucket_classes(&string_arg(&bucket, "bucketClasses", "bucket")?))
}

fn parse_scheme(scheme: Option<String>) -> Result<Scheme, JsValue> {
    match scheme.as_deref() {
        None => Ok(Scheme::DevTools),
        Some(s) => Scheme::parse(s)
            .ok_or_else(|| js_error(format!("unknown class scheme {s:?} (expected \"bucket\" or \"devtools\")"))),
    }
}

/// Three-snapshot leak report (baseline, target after the action, final after cleanup; all of
/// one isolate), as `memwatch leaks --json`.
#[wasm_bindgen(js_name = leakReport, unchecked_return_type = "LeakReport")]
pub fn leaks(
    baseline: &Snapshot,
    target: &Snapshot,
    final_snapshot: &Snapshot,
    options: Option<LeakReportOptionsJs>,
) -> Result<JsValue, JsValue> {
    let opts = leak_options(options, "leakReport options")?;
    let analysis = final_snapshot.analysis().map_err(js_error)?;
    let (base_ids, target_ids) = (IdSet::new(baseline.graph()), IdSet::new(target.graph()));
    to_js(&leak_report_with(&base_ids, &target_ids, final_snapshot.graph(), analysis, &opts))
}

/// `leakReport` with the baseline and target given by their node ids (`Snapshot.nodeIds()`),
/// e.g. parsed in other workers: the same report.
#[wasm_bindgen(js_name = leakReportFromIds, unchecked_return_type = "LeakReport")]
pub fn leaks_from_ids(
    #[wasm_bindgen(js_name = baselineIds)] baseline_ids: &[u32],
    #[wasm_bindgen(js_name = targetIds)] target_ids: &[u32],
    final_snapshot: &Snapshot,
    options: Option<LeakReportOptionsJs>,
) -> Result<JsValue, JsValue> {
    let opts = leak_options(options, "leakReportFromIds options")?;
    let analysis = final_snapshot.analysis().map_err(js_error)?;
    let base_ids = IdSet::from_ids(baseline_ids.iter().copied(), baseline_ids.len());
    let target_ids = IdSet::from_ids(target_ids.iter().copied(), target_ids.len());
    to_js(&leak_report_with(&base_ids, &target_ids, final_snapshot.graph(), analysis, &opts))
}

/// Core's leak-report options when none are given (`{ include_internal, max_groups }`): what an
/// omitted `LeakReportOptions` field means, e.g. for a `--max-groups` help text.
#[wasm_bindgen(
    js_name = leakReportDefaults,
    unchecked_return_type = "{ include_internal: boolean; max_groups: number }"
)]
pub fn leak_report_defaults() -> Result<JsValue, JsValue> {
    to_js(&LeakOptions::default())
}

fn leak_options(options: Option<LeakReportOptionsJs>, what: &str) -> Result<LeakOptions, JsValue> {
    let o: LeakOptionsArg = match options {
        Some(o) => from_js(o.into(), what)?,
        None => LeakOptionsArg::default(),
    };
    let defaults = LeakOptions::default();
    Ok(LeakOptions {
        include_internal: o.include_internal.unwrap_or(defaults.include_internal),
        max_groups: o.max_groups.unwrap_or(defaults.max_groups),
    })
}

#[wasm_bindgen]
extern "C" {
    /// A JS `LeakReportOptions` object (typed parameter; deserialized with serde).
    #[wasm_bindgen(typescript_type = "LeakReportOptions")]
    pub type LeakReportOptionsJs;
}

/// Options with every field optional (core's `LeakOptions` requires all).
#[derive(Default, Deserialize, tsify::Tsify)]
#[serde(default)]
#[tsify(rename = "LeakReportOptions", missing_as_null)]
struct LeakOptionsArg {
    /// Also report V8-internal objects (hidden, code, ...); default false.
    include_internal: Option<bool>,
    /// Path groups to report (0: all), largest retained size first; default: core's, as
    /// `leakReportDefaults().max_groups` gives it.
    max_groups: Option<usize>,
}
