//! Text rendering shared by the reports: sizes with signs, heap-derived names made safe for
//! a terminal.

use std::borrow::Cow;

use crate::size::nice_size;

/// Width of class-name columns in tables.
pub const NAME_WIDTH: usize = 60;
/// Retainer paths get more room: the holder's name is usually near the start, the class at the end.
pub const PATH_WIDTH: usize = 200;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(escape_controls("a\u{1b}[2Jb", false), "a\\u{1b}[2Jb");
        assert_eq!(escape_controls("x\u{202e}y", false), "x\\u{202e}y");
        assert_eq!(escape_controls("line\nnext\tt", true), "line\nnext\tt");
        assert_eq!(escape_controls("line\nnext", false), "line\\nnext");
        assert!(matches!(escape_controls("plain", false), Cow::Borrowed(_)));
    }

    #[test]
    fn printable_cuts_and_names_the_empty() {
        assert_eq!(printable("abcdef", 4), "abc…");
        assert_eq!(printable("", 4), "(anonymous)");
        assert_eq!(signed_size(1536), "+1.5 kb");
        assert_eq!(signed_size(-1536), "-1.5 kb");
    }
}
