//! Live allocation sites: a sampling profile flattened into one entry per stack, and the growth
//! of live bytes per site between two profiles — which code allocated what a leak holds.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::profile::{CallFrame, SamplingProfile};

/// One stack frame for people: 1-based line and column of the function's start (V8 records where
/// the allocating function begins, not the allocating statement).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Frame {
    /// Function name; empty for an anonymous function.
    pub function: String,
    /// Script URL or file name as the script was compiled (empty when V8 has none).
    pub url: String,
    /// 1-based; 0 when unknown.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub column: u32,
}

impl Frame {
    fn from_call_frame(c: &CallFrame) -> Frame {
        let one_based = |v: i64| if v >= 0 { u32::try_from(v + 1).unwrap_or(u32::MAX) } else { 0 };
        Frame {
            function: c.function_name.clone(),
            url: c.url.clone(),
            line: one_based(c.line_number),
            column: one_based(c.column_number),
        }
    }

    /// `file:line:col` (an application script by its file name, other script names whole: the
    /// rule of `source_files`), or `None` without a script.
    pub fn location(&self) -> Option<String> {
        if self.url.is_empty() {
            return None;
        }
        let file = crate::source_files::shown_alone(&self.url);
        Some(format!("{file}:{}:{}", self.line, self.column))
    }
}

/// `handleRequest (server.js:41:17)`, `(anonymous) (server.js:29:18)`, or the bare name for
/// runtime frames without a script.
impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.function.is_empty() { "(anonymous)" } else { &self.function };
        match self.location() {
            Some(loc) => write!(f, "{name} ({loc})"),
            None => f.write_str(name),
        }
    }
}

/// Live sampled bytes allocated by one stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LiveSite {
    /// Innermost frame first.
    pub stack: Vec<Frame>,
    pub bytes: u64,
    /// Sampled objects still alive (unscaled count).
    pub samples: u64,
    /// The ordinals of those samples, ascending; empty unless the profile gave every sample of
    /// the site one. Kept only to compare with the next profile of the same sampler.
    #[serde(skip)]
    ordinals: Vec<u64>,
}

/// A profile flattened into sites, largest live bytes first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct LiveAllocations {
    pub sites: Vec<LiveSite>,
    pub total_bytes: u64,
    pub total_samples: u64,
}

impl LiveAllocations {
    /// Walks the call tree iteratively (stacks can be deep) and keeps nodes with live bytes.
    pub fn from_profile(profile: &SamplingProfile) -> LiveAllocations {
        // Per node: sample count, and the ordinals (`None` once a sample lacks one).
        let mut samples_by_node: HashMap<u64, (u64, Option<Vec<u64>>)> = HashMap::new();
        for s in &profile.samples {
            let (count, ordinals) = samples_by_node.entry(s.node_id).or_insert((0, Some(Vec::new())));
            *count += 1;
            let ordinal = (s.ordinal.is_finite() && s.ordinal >= 1.0).then_some(s.ordinal as u64);
            match (ordinals.as_mut(), ordinal) {
                (Some(v), Some(o)) => v.push(o),
                _ => *ordinals = None,
            }
        }
        let mut out = LiveAllocations::default();
        // (node, depth): depth = frames on the node's stack (the root has none). `path` holds the
        // frames of the branch being walked.
        let mut path: Vec<Frame> = Vec::new();
        let mut stack = vec![(&profile.head, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            path.truncate(depth.saturating_sub(1));
            if depth > 0 {
                path.push(Frame::from_call_frame(&node.call_frame));
            }
            let bytes = if node.self_size.is_finite() && node.self_size > 0.0 { node.self_size as u64 } else { 0 };
            let (samples, ordinals) = match samples_by_node.remove(&node.id) {
                Some((n, Some(mut ordinals))) => {
                    ordinals.sort_unstable();
                    ordinals.dedup();
                    // Repeated ordinals are no identities to compare.
                    if ordinals.len() as u64 != n {
                        ordinals.clear();
                    }
                    (n, ordinals)
                }
                Some((n, None)) => (n, Vec::new()),
                None => (0, Vec::new()),
            };
            if (bytes > 0 || samples > 0) && !path.is_empty() {
                out.total_bytes += bytes;
                out.total_samples += samples;
                out.sites.push(LiveSite { stack: path.iter().rev().cloned().collect(), bytes, samples, ordinals });
            }
            stack.extend(node.children.iter().rev().map(|c| (c, depth + 1)));
        }
        out.sites.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.stack.len().cmp(&b.stack.len())));
        out
    }
}

/// A site whose live bytes grew between two profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct SiteGrowth {
    /// The allocating code: the innermost frame with a script (runtime builtins such as
    /// `String.prototype.repeat` have none), else the innermost frame.
    pub site: Frame,
    /// From `site` outward (innermost first), at most [`GrowthOptions::max_frames`] frames.
    /// Builtin frames `site` called are not listed: what they allocated counts for `site`.
    pub stack: Vec<Frame>,
    /// Frames left out of `stack`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub frames_omitted: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub samples_before: u64,
    pub samples_after: u64,
    pub growth: i64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// `stack` from the allocating frame ([`SiteGrowth::site`]) outward: from the innermost frame
/// with a script, or whole when none has one.
fn from_allocating_frame(stack: &[Frame]) -> &[Frame] {
    &stack[stack.iter().position(|f| !f.url.is_empty()).unwrap_or(0)..]
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthOptions {
    /// Sites reported, largest growth first.
    pub max_sites: usize,
    /// Frames kept per stack.
    pub max_frames: usize,
    /// How many standard deviations of sampling noise a site's growth must exceed (see
    /// [`noise_floor`]).
    pub sigma: f64,
    /// The profiler's sampling interval in bytes.
    pub interval: u64,
}

impl Default for GrowthOptions {
    fn default() -> Self {
        GrowthOptions { max_sites: 10, max_frames: 8, sigma: 3.0, interval: super::DEFAULT_SAMPLING_INTERVAL }
    }
}

/// The smallest growth of live bytes that sampling noise does not explain, for two independent
/// estimates holding `samples` samples of `bytes` between them.
///
/// Each sampled object stands for about `w = max(interval, mean sampled size)` bytes, and a
/// site's sample count is Poisson, so the difference of two estimates has a standard deviation
/// of about `w * sqrt(n_before + n_after)`. A site grows when its growth exceeds `sigma` of those,
/// and by at least `sigma` samples' worth (so a site seen for the first time with one or two
/// samples never counts).
///
/// Two profiles of one sampler are not independent: an object sampled before and still alive is
/// the same sample in both (same ordinal) and adds no noise. [`allocation_growth`] then counts
/// only the samples that came or went ([`noise_floor_of_changes`]).
pub fn noise_floor(bytes: u64, samples: u64, interval: u64, sigma: f64) -> f64 {
    noise_floor_of_changes(sample_weight(bytes, samples, interval), samples, sigma)
}

/// Bytes one sample stands for: the interval, or the mean sampled size where objects are larger.
fn sample_weight(bytes: u64, samples: u64, interval: u64) -> f64 {
    (interval as f64).max(bytes as f64 / samples.max(1) as f64)
}

/// `sigma` standard deviations of `changed` Poisson samples of `weight` bytes each, and at least
/// `sigma` samples' worth.
pub fn noise_floor_of_changes(weight: f64, changed: u64, sigma: f64) -> f64 {
    let spread = weight * (changed.max(1) as f64).sqrt();
    (sigma * spread).max(sigma * weight)
}

/// The smallest growth [`allocation_growth`] reports for a site whose samples are all new since
/// the previous profile (none died): `n` samples of `interval` bytes, with `n` the smallest count
/// that clears [`noise_floor_of_changes`] (9 at 3 sigma). A leak that grows less than this
/// between two profiles is not named at this interval, whatever its code.
pub fn min_site_growth(interval: u64, sigma: f64) -> u64 {
    let w = interval.max(1) as f64;
    // n grows to about sigma^2; the cap only guards a nonsensical sigma.
    let n = (1..=1_000_000u64).find(|&n| n as f64 * w >= noise_floor_of_changes(w, n, sigma)).unwrap_or(1_000_000);
    n.saturating_mul(interval)
}

/// Samples present in exactly one of two ascending ordinal lists (new ones and dead ones).
fn changed_samples(before: &[u64], after: &[u64]) -> u64 {
    let (mut i, mut j, mut common) = (0, 0, 0u64);
    while i < before.len() && j < after.len() {
        match before[i].cmp(&after[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (before.len() + after.len()) as u64 - 2 * common
}

/// Sites whose live bytes grew beyond the noise floor from `before` to `after`, largest first.
/// Without `before` (no earlier profile), every site starts from zero. Both must come from the
/// same run of the sampler when their samples carry ordinals (V8 restarts them at 1).
pub fn allocation_growth(
    before: Option<&LiveAllocations>,
    after: &LiveAllocations,
    opts: &GrowthOptions,
) -> Vec<SiteGrowth> {
    let earlier: HashMap<&[Frame], CodeSite> =
        before.map(|b| by_code(b).into_iter().map(|c| (c.stack, c)).collect()).unwrap_or_default();
    let mut grown: Vec<SiteGrowth> = by_code(after)
        .into_iter()
        .filter_map(|now| {
            let then = earlier.get(now.stack);
            let (bytes_before, samples_before) = then.map(|s| (s.bytes, s.samples)).unwrap_or((0, 0));
            let growth = now.bytes as i64 - bytes_before as i64;
            let (bytes, samples) = (now.bytes + bytes_before, now.samples + samples_before);
            // Samples that came or went; without ordinals, all of them count as independent.
            let changed = match (then.and_then(|t| t.ordinals.as_deref()), now.ordinals.as_deref()) {
                (Some(t), Some(n)) => changed_samples(t, n),
                _ => samples,
            };
            let floor = noise_floor_of_changes(sample_weight(bytes, samples, opts.interval), changed, opts.sigma);
            if growth <= 0 || (growth as f64) < floor {
                return None;
            }
            let keep = now.stack.len().min(opts.max_frames);
            Some(SiteGrowth {
                site: now.stack.first().cloned().unwrap_or_default(),
                stack: now.stack[..keep].to_vec(),
                frames_omitted: (now.stack.len() - keep) as u64,
                bytes_before,
                bytes_after: now.bytes,
                samples_before,
                samples_after: now.samples,
                growth,
            })
        })
        .collect();
    grown.sort_by_key(|g| std::cmp::Reverse(g.growth));
    grown.truncate(opts.max_sites);
    grown
}

/// The live samples of one line of code: the sites whose stacks are the same from the
/// allocating frame outward, so what builtins it called allocated (`String.prototype.repeat`,
/// a frame without a script) counts for the code that called them, on one line of the report.
struct CodeSite<'a> {
    /// From the allocating frame ([`SiteGrowth::site`]) outward.
    stack: &'a [Frame],
    bytes: u64,
    samples: u64,
    /// Ascending; `None` unless every merged site had an ordinal for each of its samples.
    ordinals: Option<Vec<u64>>,
}

/// `live`'s sites merged by code, in the order of their first site (largest first).
fn by_code(live: &LiveAllocations) -> Vec<CodeSite<'_>> {
    let mut index: HashMap<&[Frame], usize> = HashMap::new();
    let mut out: Vec<CodeSite> = Vec::new();
    for s in &live.sites {
        let stack = from_allocating_frame(&s.stack);
        let i = *index.entry(stack).or_insert_with(|| {
            out.push(CodeSite { stack, bytes: 0, samples: 0, ordinals: Some(Vec::new()) });
            out.len() - 1
        });
        let c = &mut out[i];
        c.bytes += s.bytes;
        c.samples += s.samples;
        match c.ordinals.as_mut() {
            Some(o) if s.ordinals.len() as u64 == s.samples => o.extend_from_slice(&s.ordinals),
            _ => c.ordinals = None,
        }
    }
    for o in out.iter_mut().filter_map(|c| c.ordinals.as_mut()) {
        o.sort_unstable();
    }
    out
}
