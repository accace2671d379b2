//! `memwatch leaks`' report: the leak set's totals, its holders, and the groups by class and
//! retainer path.

use std::fmt::Write as _;

use super::text::{escape_controls, printable, NAME_WIDTH};
use crate::retainers::LeakReport;
use crate::size::nice_size;

/// The names the report shows for the baseline and final snapshots (as the user gave them).
#[derive(Clone, Copy, Debug)]
pub struct LeakFiles<'a> {
    pub baseline: &'a str,
    pub final_snapshot: &'a str,
}

/// The readable report of [`crate::retainers::leak_report`].
pub fn leak_report_text(r: &LeakReport, files: LeakFiles<'_>) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_text(&mut out, r, files);
    out
}

fn write_text(out: &mut String, r: &LeakReport, files: LeakFiles<'_>) -> std::fmt::Result {
    // Class names and paths come from the snapshots: no raw control characters to the terminal.
    let safe = |t: &str| escape_controls(t, false).into_owned();
    writeln!(
        out,
        "Snapshots: baseline {} nodes, target {} nodes, final {} nodes",
        r.baseline_nodes, r.target_nodes, r.final_nodes
    )?;
    writeln!(
        out,
        "Allocated after {} and still alive in {}: {} objects ({} self size)",
        safe(files.baseline),
        safe(files.final_snapshot),
        r.leaked_objects,
        nice_size(r.leaked_self_size as i64)
    )?;
    if r.reported_objects == 0 {
        writeln!(out, "No leaks: nothing allocated between baseline and target survives in final.")?;
        return Ok(());
    }
    writeln!(
        out,
        "Leak roots (not held by another leaked object): {} objects retaining {}\n",
        r.reported_objects,
        nice_size(r.reported_retained_size as i64)
    )?;
    writeln!(out, "Who holds them (by holder, largest first):")?;
    write!(out, "{}", super::retainers::holders(&r.holders, ""))?;
    writeln!(out, "\nBy class and retainer path:")?;
    for (i, g) in r.groups.iter().enumerate() {
        writeln!(
            out,
            "#{:<3} {} x{}  retained {}  self {}",
            i + 1,
            printable(&g.class, NAME_WIDTH),
            g.count,
            nice_size(g.retained_size as i64),
            nice_size(g.self_size as i64)
        )?;
        writeln!(out, "     {}", printable(&g.path, 200))?;
        let id = g.example.hops.last().map_or(0, |h| h.node_id);
        writeln!(out, "     e.g. @{id}: {}\n", printable(&g.example.text, 200))?;
    }
    if r.omitted_groups > 0 {
        writeln!(out, "... {} more groups (use --max-groups 0 to see all)", r.omitted_groups)?;
    }
    Ok(())
}
