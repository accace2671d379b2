//! `memwatch run --metrics ADDR`: serves the run's numbers at `GET /metrics` (Prometheus /
//! OpenMetrics text, from `memwatch::metrics::prometheus`) while the script runs. One thread,
//! one request per connection, loopback addresses only (the numbers describe the process; no
//! authentication is offered).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use memwatch::Metrics;

use crate::error::CliError;

/// Largest request head read; a scrape's is a few hundred bytes.
const MAX_HEAD: usize = 8 * 1024;
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The running server; stopped (and its thread joined) on drop.
pub struct MetricsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Binds `addr` (loopback only) and serves `metrics` on a thread.
    pub fn start(addr: SocketAddr, metrics: Metrics) -> Result<MetricsServer, CliError> {
        if !addr.ip().is_loopback() {
            return Err(CliError::BadInput(format!(
                "--metrics {addr}: only loopback addresses (127.0.0.1, ::1) are served"
            )));
        }
        let listener =
            TcpListener::bind(addr).map_err(|e| CliError::BadInput(format!("--metrics {addr}: cannot listen: {e}")))?;
        let addr = listener.local_addr().unwrap_or(addr);
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("memwatch-metrics".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(stream) = conn {
                        let _ = serve(stream, &metrics);
                    }
                }
            })
            .map_err(|e| CliError::BadInput(format!("--metrics: cannot start the server thread: {e}")))?;
        Ok(MetricsServer { addr, stop, thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the blocking accept; if the connection fails the thread is not joined (it ends
        // with the process) rather than waiting forever.
        if TcpStream::connect_timeout(&self.addr, IO_TIMEOUT).is_ok() {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

/// Answers one request: `GET /metrics` (or `HEAD`), 404 for other paths, 405 for other methods.
fn serve(mut stream: TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let (method, path) = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {
                break (req.method.unwrap_or("").to_string(), req.path.unwrap_or("").to_string())
            }
            Ok(httparse::Status::Partial) if head.len() < MAX_HEAD => continue,
            _ => return respond(&mut stream, "400 Bad Request", "text/plain", "bad request\n", true),
        }
    };
    let path = path.split('?').next().unwrap_or("");
    match (method.as_str(), path) {
        ("GET" | "HEAD", "/metrics") => {
            let body = memwatch::metrics::prometheus::encode_text(std::slice::from_ref(metrics));
            respond(&mut stream, "200 OK", CONTENT_TYPE, &body, method == "GET")
        }
        ("GET" | "HEAD", _) => respond(&mut stream, "404 Not Found", "text/plain", "try /metrics\n", true),
        _ => respond(&mut stream, "405 Method Not Allowed", "text/plain", "GET /metrics\n", true),
    }
}

fn respond(stream: &mut TcpStream, status: &str, ty: &str, body: &str, with_body: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body.as_bytes())?;
    }
    stream.flush()
}
