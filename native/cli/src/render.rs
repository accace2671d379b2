//! Text rendering shared by the subcommands: sizes with signs, heap-derived names made safe for
//! a terminal, and the "who retains the growing classes" section (`diff --retainers`, `run
//! --leak-retainers`).

use std::borrow::Cow;
use std::fmt::Write as _;

use memwatch_core::alloc::LeakAllocations;
use memwatch_core::leak::LeakRetainers;
use memwatch_core::retainers::{ClassGrowth, Holder};
use memwatch_core::size::nice_size;

/// Width of class-name columns in tables.
pub const NAME_WIDTH: usize = 60;
/// Retainer paths get more room: the holder's name is usually near the start, the class at the end.
const PATH_WIDTH: usize = 200;

/// `+1.2 mb` for growth, `-3 kb` for shrinkage.
pub fn signed_size(b: i64) -> String {
    if b > 0 {
        format!("+{}", nice_size(b))
    } else {
        nice_size(b)
    }
}

/// Text from a file, a heap or a script on its way to the terminal: control characters (ESC,
/// BEL, CR, C1 codes such as CSI) and bidi overrides are shown escaped (`\u{1b}`, `\n`), so the text
/// cannot move the cursor, recolour, retitle or reorder what the terminal shows. `keep_lines`
/// keeps `\n` and `\t` (multi-line reports such as a stack trace). Every subcommand prints
/// such text through this function.
pub fn escape_controls(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && !(keep_lines && (c == '\n' || c == '\t'))) || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut s = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            s.extend(c.escape_debug());
        } else {
            s.push(c);
        }
    }
    Cow::Owned(s)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One-line text from a file or the heap (constructor names, paths, labels): escaped as by
/// [`escape_controls`] (newlines too) and cut to `max` characters.
pub fn printable(name: &str, max: usize) -> String {
    let mut s = escape_controls(name, false).into_owned();
    if s.chars().count() > max {
        s = s.chars().take(max.saturating_sub(1)).collect::<String>() + "…";
    }
    if s.is_empty() {
        s = "(anonymous)".into();
    }
    s
}

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

/// Which code allocated the growth, under the `leak:` line of `memwatch run`:
/// `allocated at handleRequest (server.js:41:17): +3.1 mb live (12 -> 210 samples)` and the
/// calling frames below each site.
pub fn leak_allocations(a: &LeakAllocations) -> String {
    if let Some(e) = &a.error {
        return format!("  (no allocation sites: {})\n", escape_controls(e, false));
    }
    if a.sites.is_empty() {
        return "  no allocation site grew beyond sampling noise since the previous profile\n".into();
    }
    let mut out = String::new();
    for site in &a.sites {
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
