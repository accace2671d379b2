//! `memwatch serve [DIR] [--port N]`: serves the web viewer on 127.0.0.1 only.
//!
//! URL layout: `/` is `www/` (the static page) and `/pkg/` is `pkg/` (the generated wasm package
//! the viewer's worker imports). The viewer imports the package as `../../pkg/...` relative to
//! `www/js/`, which resolves to `/pkg/...` here *and* to `<repo>/pkg/...` under any static server
//! rooted at the repository, so both ways of opening the page work without configuration.
//!
//! Finding the files (first match wins; see docs/viewer.md):
//! 1. `DIR` argument: a directory holding `www/index.html` (repo root or install prefix), or the
//!    `www` directory itself (its `pkg` is then the sibling `../pkg`).
//! 2. Relative to the binary: its directory and every parent (`target/release/memwatch` finds the
//!    repository), plus `<parent>/share/memwatch` (an installed layout).
//! 3. The current directory and its parents.
//!
//! HTTP: std `TcpListener`, a thread per connection, requests parsed with `httparse`, one
//! request per connection (`Connection: close`). tiny_http was tried first: its connection pool
//! can leave a new keep-alive connection queued behind idle ones, which stalled Chromium's page
//! loads at random (the module graph opens ~6 connections at once).
//!
//! Safety: binds 127.0.0.1 only; request paths are percent-decoded and rejected if any segment is
//! `..`/`.` or holds a backslash or NUL, then canonicalised and required to stay under the served
//! root (so symlinks cannot escape); a `Host` header other than this loopback origin is refused
//! (DNS-rebinding guard); every response carries the same Content-Security-Policy as the page.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::percent_decode_str;

use crate::error::{CliError, CliResult};

/// Default port; `--port 0` asks the OS for a free one (the printed URL shows which).
const DEFAULT_PORT: u16 = 7878;

/// Must match the `<meta http-equiv="Content-Security-Policy">` in www/index.html: nothing remote,
/// wasm compilation allowed, no inline script.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(clap::Args)]
pub struct Args {
    /// Directory holding `www/` and `pkg/` (repo root or install prefix), or the `www/` directory
    /// itself. Default: found next to the binary or the current directory.
    pub dir: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

/// Where the two served trees live on disk (both canonical).
#[derive(Debug, Clone)]
pub struct Roots {
    pub www: PathBuf,
    /// `None` when the wasm package has not been built: `/pkg/` then answers 404 with a hint.
    pub pkg: Option<PathBuf>,
}

pub fn run(args: Args) -> CliResult {
    let roots = locate(args.dir.as_deref())?;
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .map_err(|e| CliError::BadInput(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let port =
        listener.local_addr().map_err(|e| CliError::Failure(format!("listening socket has no address: {e}")))?.port();
    if roots.pkg.is_none() {
        eprintln!(
            "memwatch: warning: no built wasm package (pkg/) found next to {}; run scripts/build-wasm.sh",
            roots.www.display()
        );
    }
    eprintln!("memwatch: serving {} (Ctrl-C to stop)", roots.www.display());
    // The URL is the one line on stdout so scripts and tests can read it.
    println!("http://127.0.0.1:{port}/");

    let roots = Arc::new(roots);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let roots = Arc::clone(&roots);
        std::thread::spawn(move || {
            // A client that hangs up mid-response is its own business.
            let _ = serve_connection(stream, &roots, port);
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// Resolves the served directories (see the module docs for the search order).
pub fn locate(dir: Option<&Path>) -> Result<Roots, CliError> {
    if let Some(dir) = dir {
        return roots_in(dir)
            .ok_or_else(|| CliError::in_file(dir, "no viewer here: expected www/index.html or index.html"));
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for anc in exe.ancestors().skip(1) {
            candidates.push(anc.to_path_buf());
            candidates.push(anc.join("share").join("memwatch"));
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        candidates.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    candidates.iter().find_map(|c| roots_in(c)).ok_or_else(|| {
        CliError::BadInput(
            "cannot find the viewer (www/index.html) next to the binary or in the current directory; \
             pass the repository directory: memwatch serve DIR"
                .into(),
        )
    })
}

fn roots_in(dir: &Path) -> Option<Roots> {
    let (www, pkg) = if dir.join("www").join("index.html").is_file() {
        (dir.join("www"), dir.join("pkg"))
    } else if dir.join("index.html").is_file() {
        (dir.to_path_buf(), dir.join("..").join("pkg"))
    } else {
        return None;
    };
    let www = www.canonicalize().ok()?;
    let pkg = pkg.canonicalize().ok().filter(|p| p.is_dir());
    Some(Roots { www, pkg })
}

/// Maps a request target to a file under one of the roots, or the status to answer with.
pub fn resolve(roots: &Roots, target: &str) -> Result<PathBuf, u16> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode_str(path).decode_utf8().map_err(|_| 400u16)?;
    let mut segments = decoded.split('/').filter(|s| !s.is_empty()).peekable();
    let root = if segments.peek() == Some(&"pkg") {
        segments.next();
        roots.pkg.as_ref().ok_or(404u16)?
    } else {
        &roots.www
    };
    let mut file = root.clone();
    for seg in segments {
        let bad = seg.contains(['\\', '\0'])
            || !matches!(Path::new(seg).components().next(), Some(Component::Normal(_)))
            || Path::new(seg).components().count() != 1;
        if bad {
            return Err(400);
        }
        file.push(seg);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    // Canonicalise last: a symlink inside the tree must not lead outside it.
    let real = file.canonicalize().map_err(|_| 404u16)?;
    if !real.starts_with(root) || !real.is_file() {
        return Err(404);
    }
    Ok(real)
}

/// Content types by extension; `application/wasm` is required for streaming compilation.
pub fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Headers on every response: the page's CSP again (it also covers the worker and the wasm),
/// no MIME sniffing, no referrer, no caching of files that change with every build.
fn common_headers() -> String {
    format!(
        "Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nCache-Control: no-cache\r\n\
         Cross-Origin-Opener-Policy: same-origin\r\nConnection: close\r\n"
    )
}

/// Largest request head accepted (request line + headers).
const MAX_HEAD: usize = 16 * 1024;

/// Reads one request, answers it, closes the connection.
fn serve_connection(mut stream: TcpStream, roots: &Roots, port: u16) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                let method = req.method.unwrap_or("");
                let target = req.path.unwrap_or("/");
                let host = req.headers.iter().find(|h| h.name.eq_ignore_ascii_case("host")).map(|h| h.value);
                return respond(&mut stream, roots, port, method, target, host);
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => continue,
            Ok(httparse::Status::Partial) => return text(&mut stream, 431, "request head too large\n", false),
            Err(_) => return text(&mut stream, 400, "bad request\n", false),
        }
    }
}

/// Only this server's own loopback origin may be named in `Host` (blocks DNS rebinding).
fn host_allowed(host: Option<&[u8]>, port: u16) -> bool {
    match host {
        None => true, // HTTP/1.0 clients; the socket is loopback-only anyway
        Some(h) => h == format!("127.0.0.1:{port}").as_bytes() || h == format!("localhost:{port}").as_bytes(),
    }
}

fn respond(
    stream: &mut TcpStream,
    roots: &Roots,
    port: u16,
    method: &str,
    target: &str,
    host: Option<&[u8]>,
) -> io::Result<()> {
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return text(stream, 405, "method not allowed\n", false),
    };
    if !host_allowed(host, port) {
        return text(stream, 403, "forbidden host\n", head_only);
    }
    let path = match resolve(roots, target) {
        Ok(p) => p,
        Err(404) if target.starts_with("/pkg/") && roots.pkg.is_none() => {
            return text(stream, 404, "pkg/ not built: run scripts/build-wasm.sh\n", head_only)
        }
        Err(404) => return text(stream, 404, "not found\n", head_only),
        Err(code) => return text(stream, code, "bad request path\n", head_only),
    };
    let Ok(mut file) = File::open(&path) else { return text(stream, 404, "not found\n", head_only) };
    let len = file.metadata()?.len();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\n{}\r\n",
        mime_type(&path),
        common_headers()
    )?;
    if !head_only {
        io::copy(&mut file, stream)?;
    }
    stream.flush()
}

fn text(stream: &mut TcpStream, code: u16, body: &str, head_only: bool) -> io::Result<()> {
    let reason = match code {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };
    write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{}\r\n",
        body.len(),
        common_headers()
    )?;
    if !head_only {
        stream.write_all(body.as_bytes())?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempdir::Dir, Roots) {
        let d = tempdir::Dir::new();
        std::fs::create_dir_all(d.0.join("www/js")).unwrap();
        std::fs::create_dir_all(d.0.join("pkg/web")).unwrap();
        std::fs::write(d.0.join("www/index.html"), "<!doctype html>").unwrap();
        std::fs::write(d.0.join("www/js/app.js"), "").unwrap();
        std::fs::write(d.0.join("pkg/web/m_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(d.0.join("secret.txt"), "no").unwrap();
        let roots = locate(Some(&d.0)).unwrap();
        (d, roots)
    }

    /// Minimal self-cleaning temp dir (no extra dev-dependency).
    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let p = std::env::temp_dir().join(format!(
                    "memwatch-serve-test-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn serves_index_and_pkg() {
        let (_d, r) = tree();
        assert!(resolve(&r, "/").unwrap().ends_with("www/index.html"));
        assert!(resolve(&r, "/js/app.js?v=1").unwrap().ends_with("www/js/app.js"));
        let wasm = resolve(&r, "/pkg/web/m_bg.wasm").unwrap();
        assert!(wasm.ends_with("pkg/web/m_bg.wasm"));
        assert_eq!(mime_type(&wasm), "application/wasm");
        assert_eq!(mime_type(Path::new("a.js")), "text/javascript; charset=utf-8");
    }

    #[test]
    fn www_dir_itself_finds_sibling_pkg() {
        let (d, _) = tree();
        let r = locate(Some(&d.0.join("www"))).unwrap();
        assert!(resolve(&r, "/pkg/web/m_bg.wasm").is_ok());
    }

    #[test]
    fn rejects_traversal() {
        let (_d, r) = tree();
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/js/..%2f..%2fsecret.txt",
            "/pkg/../secret.txt",
            "/pkg/%2e%2e/secret.txt",
            "/js/..\\..\\secret.txt",
            "/%00",
            "/%ff",
        ] {
            assert!(resolve(&r, bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(resolve(&r, "/nope.js").unwrap_err(), 404);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_out_of_tree_is_refused() {
        let (d, r) = tree();
        std::os::unix::fs::symlink(d.0.join("secret.txt"), d.0.join("www/link.txt")).unwrap();
        assert!(resolve(&r, "/link.txt").is_err());
    }

    #[test]
    fn missing_viewer_is_a_clear_error() {
        let d = tempdir::Dir::new();
        let e = locate(Some(&d.0)).unwrap_err();
        assert!(e.to_string().contains("no viewer here"));
    }
}
