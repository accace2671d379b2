//! Progress bars for long file work: on stderr, only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A byte-count progress bar for reading `total` bytes, hidden when stderr is not a TTY
/// (indicatif's stderr target already draws nothing there) or the file is small.
pub fn bytes_bar(total: u64, label: &str) -> ProgressBar {
    const SMALL: u64 = 16 * 1024 * 1024;
    if total < SMALL {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}
