//! `memwatch diff`'s output: node-memwatch's HeapDiff as a table (and, with `--retainers N`, who
//! holds what grew), or as node-memwatch's JSON object with the growth report under `retainers`.

use super::retainers;
use super::text::{printable, signed_size, NAME_WIDTH};
use crate::diff::HeapDiff;
use crate::retainers::GrowthReport;

/// The readable report: [`table`], then, given a growth report, the holders and the growing
/// classes with their retainer paths.
pub fn heap_diff_text(diff: &HeapDiff, growth: Option<&GrowthReport>) -> String {
    let mut t = table(diff);
    if let Some(g) = growth {
        t.push_str("\nWho holds what grew (by holder, largest growth first):\n");
        t.push_str(&retainers::holders(&g.holders, "  "));
        t.push_str("\nWho retains the growing classes:\n");
        t.push_str(&retainers::class_growth(&g.classes));
    }
    t
}

/// node-memwatch's HeapDiff object as one JSON line; a growth report is added as the extra key
/// `retainers` (node-memwatch's fields unchanged).
pub fn heap_diff_json(diff: &HeapDiff, growth: Option<&GrowthReport>) -> Result<String, serde_json::Error> {
    let mut s = match growth {
        None => serde_json::to_string(diff)?,
        Some(g) => {
            let mut v = serde_json::to_value(diff)?;
            v["retainers"] = serde_json::to_value(g)?;
            serde_json::to_string(&v)?
        }
    };
    s.push('\n');
    Ok(s)
}

/// node-memwatch's before/after/change lines, then one row per bucket, largest size growth
/// first, and the totals of the rows.
pub fn table(d: &HeapDiff) -> String {
    let mut out = String::new();
    let c = &d.change;
    out.push_str(&format!("before: {} nodes, {}\n", d.before.nodes, d.before.size));
    out.push_str(&format!("after:  {} nodes, {}\n", d.after.nodes, d.after.size));
    out.push_str(&format!(
        "change: {} ({} bytes), {} nodes allocated, {} freed\n",
        signed_size(c.size_bytes),
        c.size_bytes,
        c.allocated_nodes,
        c.freed_nodes
    ));
    let mut rows: Vec<_> = c.details.iter().collect();
    rows.sort_by(|a, b| b.size_bytes.cmp(&a.size_bytes).then_with(|| a.what.cmp(&b.what)));
    let names: Vec<String> = rows.iter().map(|r| printable(&r.what, NAME_WIDTH)).collect();
    let (plus, minus): (u64, u64) = (rows.iter().map(|r| r.added).sum(), rows.iter().map(|r| r.removed).sum());
    let total: i64 = rows.iter().map(|r| r.size_bytes).fold(0i64, |a, b| a.saturating_add(b));
    let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0).max("total".len());
    let (wp, wm) = (plus.to_string().len().max(1), minus.to_string().len().max(1));
    out.push('\n');
    out.push_str(&format!("{:<w$}  {:>wp$}  {:>wm$}  size delta\n", "what", "+", "-"));
    for (r, name) in rows.iter().zip(&names) {
        out.push_str(&format!("{name:<w$}  {:>wp$}  {:>wm$}  {}\n", r.added, r.removed, signed_size(r.size_bytes)));
    }
    out.push_str(&format!("{:<w$}  {plus:>wp$}  {minus:>wm$}  {}\n", "total", signed_size(total)));
    out
}
