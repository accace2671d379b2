//! HTTP for `memwatch serve`: parsing a request head, the fixed responses, and answering one
//! complete request from a file (on a worker thread, within a deadline).

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use super::limits::{MAX_HEAD, RESPONSE_BASE, RESPONSE_PER_MIB};
use super::roots::{resolve, Roots};

/// Must match the `<meta http-equiv="Content-Security-Policy">` in www/index.html: nothing remote,
/// wasm compilation allowed, no inline script.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Headers beyond this count make the head "too large" (431), like its size.
const MAX_HEADERS: usize = 64;

/// The parts of a request head the server uses.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub host: Option<Vec<u8>>,
}

/// A complete request handed to a worker.
pub struct Job {
    pub stream: TcpStream,
    pub request: Request,
}

/// What the bytes received so far amount to.
#[derive(Debug)]
pub enum Head {
    Complete(Request),
    Partial,
    /// Answer with this status and close.
    Invalid(u16),
}

pub fn parse_head(buf: &[u8]) -> Head {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => Head::Complete(Request {
            method: req.method.unwrap_or("").to_owned(),
            target: req.path.unwrap_or("/").to_owned(),
            host: req.headers.iter().find(|h| h.name.eq_ignore_ascii_case("host")).map(|h| h.value.to_vec()),
        }),
        Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => Head::Partial,
        Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => Head::Invalid(431),
        Err(_) => Head::Invalid(400),
    }
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

/// A short plain-text response (errors), as bytes.
pub fn status_response(code: u16, head_only: bool) -> Vec<u8> {
    let (reason, body) = match code {
        400 => ("Bad Request", "bad request\n"),
        403 => ("Forbidden", "forbidden host\n"),
        404 => ("Not Found", "not found\n"),
        405 => ("Method Not Allowed", "method not allowed\n"),
        408 => ("Request Timeout", "request head not received in time\n"),
        431 => ("Request Header Fields Too Large", "request head too large\n"),
        503 => ("Service Unavailable", "server busy, try again\n"),
        _ => ("Internal Server Error", "error\n"),
    };
    text_response(code, reason, body, head_only)
}

fn text_response(code: u16, reason: &str, body: &str, head_only: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{}\r\n",
        body.len(),
        common_headers()
    );
    if !head_only {
        out.push_str(body);
    }
    out.into_bytes()
}

/// Only this server's own loopback origin may be named in `Host` (blocks DNS rebinding).
fn host_allowed(host: Option<&[u8]>, port: u16) -> bool {
    match host {
        None => true, // HTTP/1.0 clients; the socket is loopback-only anyway
        Some(h) => h == format!("127.0.0.1:{port}").as_bytes() || h == format!("localhost:{port}").as_bytes(),
    }
}

/// Answers one complete request and closes the connection (worker thread, blocking socket).
pub fn answer(job: Job, roots: &Roots, port: u16) -> io::Result<()> {
    let Job { stream, request } = job;
    let mut out = DeadlineWriter { stream: &stream, deadline: Instant::now() + RESPONSE_BASE };
    let result = respond(&mut out, roots, port, &request);
    close_gently(&stream);
    result
}

fn respond(out: &mut DeadlineWriter, roots: &Roots, port: u16, req: &Request) -> io::Result<()> {
    let head_only = match req.method.as_str() {
        "GET" => false,
        "HEAD" => true,
        _ => return out.write_all(&status_response(405, false)),
    };
    if !host_allowed(req.host.as_deref(), port) {
        return out.write_all(&status_response(403, head_only));
    }
    let path = match resolve(roots, &req.target) {
        Ok(p) => p,
        Err(404) if req.target.starts_with("/pkg/") && roots.pkg.is_none() => {
            let body = match roots.pkg_note {
                Some(_) => "pkg/ not served: see the warning of memwatch serve\n",
                None => "pkg/ not built: run scripts/build-wasm.sh\n",
            };
            return out.write_all(&text_response(404, "Not Found", body, head_only));
        }
        Err(code) => return out.write_all(&status_response(code, head_only)),
    };
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return out.write_all(&status_response(404, head_only)),
        // Out of file descriptors or similar: the client may retry.
        Err(_) => return out.write_all(&status_response(503, head_only)),
    };
    let len = file.metadata()?.len();
    out.deadline += RESPONSE_PER_MIB.saturating_mul(u32::try_from(len >> 20).unwrap_or(u32::MAX));
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\n{}\r\n",
        mime_type(&path),
        common_headers()
    );
    out.write_all(head.as_bytes())?;
    if !head_only {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n])?;
        }
    }
    Ok(())
}

/// Writes that must all finish by `deadline`: each write's timeout is the time left, so a client
/// reading a byte now and then cannot hold the worker longer than that.
struct DeadlineWriter<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
}

impl Write for DeadlineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "response deadline passed"));
        }
        self.stream.set_write_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Ends our side, then reads what the client already sent (e.g. a request body) so closing does
/// not turn into a reset that could discard the response before the client read it.
fn close_gently(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    if stream.set_read_timeout(Some(Duration::from_millis(50))).is_err() {
        return;
    }
    let mut stream = stream;
    let mut sink = [0u8; 4096];
    let mut left: usize = 64 * 1024;
    while left > 0 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("m_bg.wasm")), "application/wasm");
        assert_eq!(mime_type(Path::new("a.js")), "text/javascript; charset=utf-8");
    }

    #[test]
    fn heads() {
        let Head::Complete(r) = parse_head(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n") else { panic!() };
        assert_eq!((r.method.as_str(), r.target.as_str(), r.host.as_deref()), ("GET", "/x", Some(&b"127.0.0.1:1"[..])));
        assert!(matches!(parse_head(b"GET /x HTTP/1.1\r\nHo"), Head::Partial));
        assert!(matches!(parse_head(b"\x01\x02 / HTTP/1.1\r\n\r\n"), Head::Invalid(400)));
        let many: String = (0..MAX_HEADERS + 1).map(|i| format!("X-{i}: y\r\n")).collect();
        assert!(matches!(parse_head(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()), Head::Invalid(431)));
        assert!(matches!(parse_head(&vec![b'a'; MAX_HEAD]), Head::Invalid(400 | 431)));
    }
}
