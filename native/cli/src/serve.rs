//! `memwatch serve [DIR] [--port N]`: serves the web viewer on 127.0.0.1 only.
//!
//! URL layout: `/` is `www/` (the static page) and `/pkg/` is `pkg/` (the generated wasm package
//! the viewer's worker imports). The viewer imports the package as `../../pkg/...` relative to
//! `www/js/`, which resolves to `/pkg/...` here *and* to `<repo>/pkg/...` under any static server
//! rooted at the repository, so both ways of opening the page work without configuration.
//!
//! Modules: [`roots`] finds the two served directories and maps a request path to a file confined
//! to them; [`server`] is the one thread that accepts connections and reads request heads (many
//! at once, each within a deadline); [`pool`] the fixed set of worker threads that answer complete
//! requests; [`http`] the request head parser and the responses.
//!
//! HTTP: one request per connection (`Connection: close`), GET/HEAD only. tiny_http was tried
//! first: its connection pool can leave a new keep-alive connection queued behind idle ones,
//! which stalled Chromium's page loads at random (the module graph opens ~6 connections at once).
//! Resources are bounded so that slow or many clients cannot exhaust the server (see [`limits`]).
//!
//! Safety: binds 127.0.0.1 only; request paths are percent-decoded and rejected if any segment is
//! `..`/`.` or holds a backslash or NUL, then canonicalised and required to stay under the served
//! root (so symlinks cannot escape); the roots themselves must be real directories inside the
//! directory served (see [`roots`]); a `Host` header other than this loopback origin is refused
//! (DNS-rebinding guard); every response carries the same Content-Security-Policy as the page.

mod http;
mod pool;
mod roots;
mod server;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{CliError, CliResult};
use crate::render::printable;

/// Default port; `--port 0` asks the OS for a free one (the printed URL shows which).
const DEFAULT_PORT: u16 = 7878;

/// The server's fixed resource bounds (documented in `--help` and docs/viewer.md).
pub mod limits {
    use std::time::Duration;

    /// Worker threads answering complete requests (the server never starts more threads).
    pub const WORKERS: usize = 8;
    /// Complete requests waiting for a worker; beyond that a request gets 503.
    pub const QUEUE: usize = 32;
    /// Connections still sending their request head; a new connection beyond that replaces the
    /// one waiting longest (which gets 503), so slow clients cannot lock out quick ones.
    pub const MAX_PENDING: usize = 256;
    /// Time from accepting a connection to the end of its request head (not per read: a client
    /// trickling one byte at a time is cut off too). Expiry answers 408, or closes a silent one.
    pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);
    /// Largest request head (request line + headers); larger gets 431.
    pub const MAX_HEAD: usize = 16 * 1024;
    /// After an error answer (400, 408, 431, 503) the rest of the request is read and dropped for
    /// at most this long / this much, so the client reads the answer instead of a reset.
    pub const DRAIN_TIME: Duration = Duration::from_secs(2);
    pub const DRAIN_BYTES: usize = 1024 * 1024;
    /// A response must be taken by the client within this time plus [`RESPONSE_PER_MIB`] for
    /// each MiB of the file, so a slow reader cannot hold a worker forever.
    pub const RESPONSE_BASE: Duration = Duration::from_secs(30);
    pub const RESPONSE_PER_MIB: Duration = Duration::from_secs(1);
    /// Waits between `accept` retries while it fails (e.g. out of file descriptors): the first,
    /// doubled up to the last, reset by the next accepted connection.
    pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
    pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
}

#[derive(clap::Args)]
#[command(after_long_help = long_help())]
pub struct Args {
    /// Directory holding `www/` and `pkg/` (repo root or install prefix), or the `www/` directory
    /// itself. Default: found next to the binary or the current directory.
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

/// The rules of `--help`, from the constants that implement them.
fn long_help() -> String {
    use limits::*;
    format!(
        "Served: `/` from DIR/www and `/pkg/` from DIR/pkg, where DIR is the directory holding \
         www/index.html (after resolving symbolic links). Both must be real directories inside DIR: a \
         `www` that is a symbolic link is an error, a `pkg` that is one is not served. When DIR is the \
         viewer directory itself (it holds index.html), `/pkg/` is its sibling ../pkg only if DIR is \
         named `www` and that sibling is memwatch's package (its package.json names memwatch-wasm); \
         otherwise `/pkg/` is not served. Every requested file is resolved and must stay inside its \
         root.\n\n\
         Limits: {WORKERS} worker threads and {QUEUE} queued requests (more gets 503); at most \
         {MAX_PENDING} connections sending their request head (beyond that the one waiting longest is \
         dropped with 503), each within {head} s in total (then 408); request heads up to {max_head} KiB (then 431); a response must be read within {base} s \
         plus {per_mib} s per MiB. When accept fails (e.g. out of file descriptors) the server waits \
         {min} ms to {max} ms between retries and keeps serving.",
        head = HEAD_DEADLINE.as_secs(),
        max_head = MAX_HEAD / 1024,
        base = RESPONSE_BASE.as_secs(),
        per_mib = RESPONSE_PER_MIB.as_secs(),
        min = ACCEPT_BACKOFF_MIN.as_millis(),
        max = ACCEPT_BACKOFF_MAX.as_millis(),
    )
}

pub fn run(args: Args) -> CliResult {
    let roots = roots::locate(args.dir.as_deref())?;
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .map_err(|e| CliError::BadInput(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let port =
        listener.local_addr().map_err(|e| CliError::Failure(format!("listening socket has no address: {e}")))?.port();
    let www = shown(&roots.www);
    if let Some(note) = &roots.pkg_note {
        eprintln!("memwatch: warning: {note}");
    } else if roots.pkg.is_none() {
        eprintln!("memwatch: warning: no built wasm package (pkg/) found next to {www}; run scripts/build-wasm.sh");
    }

    let roots = Arc::new(roots);
    let pool = pool::Pool::start(limits::WORKERS, limits::QUEUE, move |job: http::Job| {
        // A client that hangs up mid-response is its own business.
        let _ = http::answer(job, &roots, port);
    })
    .map_err(|e| CliError::Failure(format!("cannot start the server's worker threads: {e}")))?;

    eprintln!("memwatch: serving {www} (Ctrl-C to stop)");
    // The URL is the one line on stdout so scripts and tests can read it.
    println!("http://127.0.0.1:{port}/");

    // The server runs until the process is stopped; it returns only on a failure of its poller.
    let Err(e) = server::run(listener, &pool);
    Err(CliError::Failure(format!("server stopped: {e}")))
}

/// A path for a terminal message (paths come from the file system and may hold control characters).
fn shown(p: &std::path::Path) -> String {
    printable(&p.display().to_string(), 4096)
}
