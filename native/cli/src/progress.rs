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

/// Wraps a reader and advances `bar` by the bytes read through it.
pub struct ProgressReader<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R> ProgressReader<R> {
    pub fn new(inner: R, bar: ProgressBar) -> Self {
        ProgressReader { inner, bar }
    }
}

/// Clears the bar when reading is done (or abandoned on an error), so it never lingers.
impl<R> Drop for ProgressReader<R> {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl<R: std::io::Read> std::io::Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

impl<R: std::io::BufRead> std::io::BufRead for ProgressReader<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.bar.inc(amt as u64);
        self.inner.consume(amt);
    }
}

/// Opens `path` for buffered reading with a progress bar sized to the file.
pub fn open_with_progress(
    path: &std::path::Path,
    label: &str,
) -> std::io::Result<ProgressReader<std::io::BufReader<std::fs::File>>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(ProgressReader::new(std::io::BufReader::with_capacity(256 * 1024, file), bytes_bar(len, label)))
}
