//! `--threads N` / `MEMWATCH_THREADS`: how many threads parse snapshot files.
//!
//! The files of a command are parsed at once, and the threads are shared among them: each file
//! gets `N / files` (at least one). Cutting one file's arrays into pieces costs about a fifth
//! more CPU than scanning them in one go (each array is read twice: once to find its end, once to
//! scan it; pieces are copied into the final columns), so on two cores `diff` keeps one thread
//! per file, and more cores go to pieces.

use memwatch_core::snapshot::default_threads;

/// Most threads accepted (far above any useful count; keeps a typo from spawning thousands).
const MAX_THREADS: usize = 1024;

#[derive(clap::Args, Clone, Copy, Debug)]
pub struct Threads {
    /// Threads that parse the snapshot files (the files at once, each file's node and edge arrays
    /// cut into pieces when a file gets more than one) and, for `leaks`, analyse the final one;
    /// default: the number of cores. Output is identical for every count.
    #[arg(long, env = "MEMWATCH_THREADS", value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
}

impl Threads {
    pub fn count(self) -> usize {
        self.threads.unwrap_or_else(default_threads)
    }

    /// Threads for each of `files` files parsed at once.
    pub fn per_file(self, files: usize) -> usize {
        (self.count() / files.max(1)).max(1)
    }
}

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number of threads from 1 to {MAX_THREADS}")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_threads;

    #[test]
    fn thread_counts() {
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(parse_threads("16"), Ok(16));
        for bad in ["0", "-1", "two", "1.5", "", "1025", "99999999999999999999999"] {
            assert!(parse_threads(bad).is_err(), "{bad:?}");
        }
    }
}
