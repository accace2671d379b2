//! Who retains the growth, as text: holders first, growing classes with their retainer paths,
//! and what a leak event of `memwatch run` carries (retainers, allocation sites).

use std::fmt::Write as _;

use super::text::{escape_controls, printable, signed_size, NAME_WIDTH, PATH_WIDTH};
use crate::alloc::{LeakAllocations, SiteGrowth};
use crate::leak::{LeakEvent, LeakRetainers};
use crate::retainers::{ClassGrowth, Holder};
use crate::size::nice_size;

/// Growing classes with their retained sizes and representative retainer paths, indented.
pub fn class_growth(classes: &[ClassGrowth]) -> String {
    let mut out = String::new();
    if classes.is_empty() {
        out.push_str("  (no class grew)\n");
    }
    for c in classes {
        let _ = writeln!(
            out,
            "  {}: {} -> {} objects, retained {} ({})",
            printable(&c.class, NAME_WIDTH),
            c.count_before,
            c.count_after,
            nice_size(c.retained_size_after as i64),
            signed_size(c.retained_size_delta),
        );
        for p in &c.paths {
            let path = printable(&p.path, PATH_WIDTH);
            let _ = writeln!(out, "    {} x {path}  ({} retained)", p.count, nice_size(p.retained_size as i64));
            let _ = writeln!(out, "      e.g. {}", printable(&p.example.text, PATH_WIDTH));
        }
    }
    out
}

/// What a live leak event carries beyond its reason: who holds the growth, then which code
/// allocated it. `memwatch run` prints it under its `leak:` line, `memwatch analyze` under the
/// recorded leak, so a recording reads back as the run printed it.
pub fn leak_details(l: &LeakEvent) -> String {
    let mut out = String::new();
    if let Some(r) = &l.retainers {
        out.push_str(&leak_retainers(r));
    }
    if let Some(a) = &l.allocations {
        out.push_str(&leak_allocations(a));
    }
    out
}

/// Which code allocated the growth, under the `leak:` line of `memwatch run`:
/// `allocated at handleRequest (server.js:41:17): +3.1 mb live (12 -> 210 samples)` and the
/// calling frames below each site.
pub fn leak_allocations(a: &LeakAllocations) -> String {
    if let Some(e) = &a.error {
        return format!("  (no allocation sites: {})\n", escape_controls(e, false));
    }
    if !a.sites.is_empty() {
        return site_lines(&a.sites);
    }
    let mut out = String::from("  no allocation site grew beyond sampling noise since the previous profile\n");
    // What this interval can name at all, so a small leak does not read as no leak.
    let total = a.total_bytes_after as i64 - a.total_bytes_before as i64;
    if a.min_site_growth > 0 {
        let _ = writeln!(
            out,
            "    (sampled live memory {} in all; at one sample per {} a site needs ~{} to be named: sample more often for smaller growth)",
            signed_size(total),
            nice_size(a.interval as i64),
            nice_size(a.min_site_growth as i64)
        );
    }
    // A leak too slow for one window, named over the whole run.
    if !a.sites_since_start.is_empty() {
        let seconds = a.time_ns.saturating_sub(a.start_ns) as f64 / 1e9;
        let _ = writeln!(out, "  since sampling started ({seconds:.1}s before this profile):");
        out.push_str(&site_lines(&a.sites_since_start));
    }
    out
}

/// `allocated at handleRequest (server.js:41:17): +3.1 mb live (12 -> 210 samples)` per site,
/// with up to three calling frames below it.
fn site_lines(sites: &[SiteGrowth]) -> String {
    let mut out = String::new();
    for site in sites {
        let name = site.site.to_string();
        let _ = writeln!(
            out,
            "  allocated at {}: {} live ({} -> {} samples)",
            printable(&name, PATH_WIDTH),
            signed_size(site.growth),
            site.samples_before,
            site.samples_after
        );
        let below = site.stack.iter().position(|f| *f == site.site).map_or(1, |i| i + 1);
        for caller in site.stack.iter().skip(below).take(3) {
            let _ = writeln!(out, "      from {}", printable(&caller.to_string(), PATH_WIDTH));
        }
    }
    out
}

/// Holders first (see `memwatch_core::retainers::holders`): one headline per holder, its path
/// from a GC root, what it gained by class, and one path past it to a gained object.
pub fn holders(holders: &[Holder], indent: &str) -> String {
    let mut out = String::new();
    for (i, h) in holders.iter().enumerate() {
        let _ = writeln!(out, "{indent}#{:<2} {}", i + 1, printable(&h.headline, PATH_WIDTH));
        let _ = writeln!(out, "{indent}    held at: {}", printable(&h.path.text, PATH_WIDTH));
        let gained: Vec<String> = h
            .classes
            .iter()
            .map(|c| format!("{} {} ({})", c.count, printable(&c.class, NAME_WIDTH), nice_size(c.retained_size as i64)))
            .collect();
        let _ = writeln!(
            out,
            "{indent}    gained:  {} objects retaining {}: {}; holder retains {}",
            h.gained_objects,
            nice_size(h.gained_retained_size as i64),
            gained.join(", "),
            nice_size(h.retained_size as i64)
        );
        // Where the gained objects were allocated: the allocating function, then its callers.
        for st in &h.allocations {
            let (first, callers) = st.frames.split_first().map_or(("?", &[][..]), |(f, c)| (f.as_str(), c));
            let _ = writeln!(
                out,
                "{indent}    allocated: {} object{} ({}) in {}",
                st.count,
                if st.count == 1 { "" } else { "s" },
                nice_size(st.retained_size as i64),
                printable(first, PATH_WIDTH)
            );
            for c in callers {
                let _ = writeln!(out, "{indent}        from {}", printable(c, PATH_WIDTH));
            }
            if st.frames_left_out > 0 {
                let _ = writeln!(out, "{indent}        ... {} more callers", st.frames_left_out);
            }
        }
        let id = h.example.hops.last().map_or(0, |x| x.node_id);
        let _ = writeln!(out, "{indent}    e.g. @{id}: {}", printable(&h.example.text, PATH_WIDTH));
    }
    out
}

/// What a leak event's retainers say, under the `leak:` line of `memwatch run`.
pub fn leak_retainers(r: &LeakRetainers) -> String {
    match &r.error {
        Some(e) => format!("  (no retainer paths: {})\n", escape_controls(e, false)),
        None => format!(
            "  who holds what grew since the previous snapshot:\n{}  growing classes:\n{}",
            holders(&r.holders, "  "),
            class_growth(&r.classes)
        ),
    }
}
