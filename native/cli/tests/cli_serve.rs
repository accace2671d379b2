//! `memwatch serve` through the real binary: each test starts `memwatch serve DIR --port 0` on a
//! temporary viewer tree and talks HTTP to it over 127.0.0.1 (raw sockets, so paths reach the
//! server as sent). The resource tests read the server's threads, descriptors and CPU time from
//! /proc, so they are Linux-only like the rest of the V8 tests.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_memwatch")
}

/// A running `memwatch serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut cmd = Command::new(bin());
        cmd.arg("serve").arg(dir).args(["--port", "0"]);
        Server::spawn(cmd)
    }

    /// Under a limit of `nofile` open file descriptors (`ulimit -n`, then exec: same pid).
    fn start_with_nofile(dir: &Path, nofile: u32) -> Server {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "ulimit -n \"$1\" && exec \"$0\" serve \"$2\" --port 0", bin(), &nofile.to_string()]);
        cmd.arg(dir);
        Server::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start memwatch serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL on stdout: {line:?}; stderr: {}", stderr.lock().unwrap()));
        Server { child, port, stderr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Sends `raw` on a new connection and reads the answer to the end.
    fn raw(&self, raw: &[u8]) -> Response {
        let mut s = self.connect();
        // The server may answer and stop reading early; what counts is what comes back.
        let _ = s.write_all(raw);
        read_response(&mut s)
    }

    fn get(&self, target: &str) -> Response {
        self.raw(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port).as_bytes())
    }

    /// Number of threads of the server process.
    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.pid())).unwrap().count()
    }

    /// Number of open file descriptors of the server process.
    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid())).unwrap().count()
    }

    /// User + system CPU time of the server process, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name (which is in parentheses): state is field 3, utime 14, stime 15.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn read_response(s: &mut TcpStream) -> Response {
    let mut all = Vec::new();
    if let Err(e) = s.read_to_end(&mut all) {
        panic!("reading the response failed after {} bytes: {e}", all.len());
    }
    parse_response(&all)
}

fn parse_response(all: &[u8]) -> Response {
    let text = String::from_utf8_lossy(all);
    let Some((head, _)) = text.split_once("\r\n\r\n") else { panic!("no HTTP response: {text:?}") };
    let body = all[head.len() + 4..].to_vec();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Response { status, head: head.to_owned(), body }
}

/// A viewer tree: www/ (page, a module), pkg/ (memwatch's package with a wasm file), and a file
/// beside them that must never be served.
fn viewer() -> TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir_all(p.join("www/js")).unwrap();
    std::fs::create_dir_all(p.join("pkg/wasm/web")).unwrap();
    std::fs::write(p.join("www/index.html"), "<!doctype html><title>viewer</title>").unwrap();
    std::fs::write(p.join("www/js/app.js"), "export const x = 1;\n").unwrap();
    std::fs::write(p.join("pkg/package.json"), r#"{"name": "memwatch-wasm"}"#).unwrap();
    std::fs::write(p.join("pkg/wasm/web/m_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(p.join("secret.txt"), "secret").unwrap();
    d
}

/// Waits up to `limit` for the process to exit; kills it and fails if it does not.
fn exits_within(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status.code(), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("memwatch serve still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serves_the_viewer_with_csp_and_types() {
    let d = viewer();
    let server = Server::start(d.path());
    let index = server.get("/");
    assert_eq!(index.status, 200, "{index:?}");
    assert_eq!(index.body, b"<!doctype html><title>viewer</title>");
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = index.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let wasm = server.get("/pkg/wasm/web/m_bg.wasm");
    assert_eq!((wasm.status, wasm.header("content-type")), (200, Some("application/wasm")));
    let js = server.raw(format!("HEAD /js/app.js HTTP/1.1\r\nHost: localhost:{}\r\n\r\n", server.port).as_bytes());
    assert_eq!((js.status, js.header("content-length"), js.body.len()), (200, Some("20"), 0));
}

#[test]
fn keeps_its_guards() {
    let d = viewer();
    std::os::unix::fs::symlink(d.path().join("secret.txt"), d.path().join("www/link.txt")).unwrap();
    let server = Server::start(d.path());
    let rebinding = server.raw(b"GET / HTTP/1.1\r\nHost: evil.example:80\r\n\r\n");
    assert_eq!(rebinding.status, 403);
    for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/pkg/%2e%2e/secret.txt", "/js/..%5c..%5csecret.txt"] {
        assert_eq!(server.get(target).status, 400, "{target}");
    }
    assert_eq!(server.get("/link.txt").status, 404);
    let post = server.raw(format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", server.port).as_bytes());
    assert_eq!(post.status, 405);
}

/// Issue 15 point 5: `DIR/pkg -> /` served the whole file system under /pkg/.
#[test]
fn pkg_root_that_links_to_root_is_not_served() {
    let d = viewer();
    std::fs::remove_dir_all(d.path().join("pkg")).unwrap();
    std::os::unix::fs::symlink("/", d.path().join("pkg")).unwrap();
    let server = Server::start(d.path());
    let passwd = server.get("/pkg/etc/passwd");
    assert_eq!(passwd.status, 404, "{:?}", String::from_utf8_lossy(&passwd.body));
    assert_eq!(passwd.body, b"pkg/ not served: see the warning of memwatch serve\n");
    assert_eq!(server.get("/").status, 200);
    // The warning comes before the URL, so it is in by now.
    assert!(server.stderr().contains("is a symbolic link to /"), "{}", server.stderr());
}

/// Issue 15 point 5: a `www` that links elsewhere is refused rather than served.
#[test]
fn www_root_that_is_a_link_is_refused() {
    let d = viewer();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::rename(d.path().join("www"), elsewhere.path().join("www")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("www"), d.path().join("www")).unwrap();
    let child = Command::new(bin())
        .arg("serve")
        .arg(d.path())
        .args(["--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code, err) = exits_within(child, Duration::from_secs(10));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a symbolic link to") && err.contains("only directories inside"), "{err}");
}

/// Issue 15 point 5: a directory holding index.html had its sibling `../pkg` served.
#[test]
fn sibling_pkg_is_served_only_next_to_www_and_only_memwatchs() {
    let d = viewer();
    std::fs::rename(d.path().join("www"), d.path().join("site")).unwrap();
    let server = Server::start(&d.path().join("site"));
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.get("/pkg/package.json").status, 404);
    assert!(server.stderr().contains("is not named www"), "{}", server.stderr());
    drop(server);

    // The documented form: DIR is the `www` directory of a memwatch tree.
    std::fs::rename(d.path().join("site"), d.path().join("www")).unwrap();
    let server = Server::start(&d.path().join("www"));
    assert_eq!(server.get("/pkg/wasm/web/m_bg.wasm").status, 200);
    drop(server);

    // Named www, but beside some other project's pkg.
    std::fs::write(d.path().join("pkg/package.json"), r#"{"name": "someone-else"}"#).unwrap();
    let server = Server::start(&d.path().join("www"));
    assert_eq!(server.get("/pkg/package.json").status, 404);
}

/// Issue 15 point 12: a head over 16 KiB got a connection reset instead of the 431 answer.
#[test]
fn oversized_request_head_gets_431() {
    let d = viewer();
    let server = Server::start(d.path());
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Big: {}\r\n\r\n", server.port, "a".repeat(64 * 1024));
    let r = server.raw(big.as_bytes());
    assert_eq!(r.status, 431, "{r:?}");
    assert_eq!(r.body, b"request head too large\n");
    // Too many headers is the same case.
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let r = server.raw(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes());
    assert_eq!(r.status, 431);
    assert_eq!(server.get("/").status, 200);
}

/// Issue 15 point 3: every connection got a thread (2,000 slow clients: 2,001 threads).
#[test]
fn slow_clients_do_not_add_threads_and_others_are_served() {
    let d = viewer();
    let server = Server::start(d.path());
    let idle_threads = server.threads();
    let fds_before = server.fds();
    let slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0").unwrap();
            s
        })
        .collect();
    // Wait until the server holds them all (so the thread count below is not read too early).
    let start = Instant::now();
    while server.fds() < fds_before + 200 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(server.fds() >= fds_before + 200, "server holds {} descriptors", server.fds());
    let threads = server.threads();
    assert!(threads <= idle_threads, "{threads} threads with 200 slow clients ({idle_threads} idle)");
    assert!(threads <= 12, "{threads} threads");
    // A normal client still gets its page while they wait.
    let r = server.get("/js/app.js");
    assert_eq!(r.status, 200);

    // Past the bound on connections still sending their head (256), each new connection pushes
    // out the one waiting longest (503), so quick clients keep being served.
    let more: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.fds() <= fds_before + 256 + 8, "server holds {} descriptors", server.fds());
    assert!(server.threads() <= threads);
    assert_eq!(server.get("/").status, 200);
    let mut pushed_out = 0;
    for mut s in slow.into_iter().chain(more) {
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut buf = [0u8; 64];
        if let Ok(n) = s.read(&mut buf) {
            pushed_out += usize::from(buf[..n].starts_with(b"HTTP/1.1 503"));
        }
    }
    // 300 slow + 1 quick for 256 places: at least 45 were pushed out.
    assert!(pushed_out >= 45, "{pushed_out} slow connections were answered 503");
}

/// Issue 15 point 3: a client sending a byte every second held its thread forever (each read
/// had a timeout, the request as a whole none). The head deadline is 10 s.
#[test]
fn trickling_client_is_cut_off_at_the_head_deadline() {
    let d = viewer();
    let server = Server::start(d.path());
    let mut s = server.connect();
    let start = Instant::now();
    s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while start.elapsed() < Duration::from_secs(20) {
        if s.write_all(b"X").is_err() {
            break;
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(14), "still connected after {elapsed:?}");
    assert!(elapsed >= Duration::from_secs(9), "cut off after only {elapsed:?}");
    let r = parse_response(&got);
    assert_eq!(r.status, 408, "{r:?}");
    assert_eq!(server.get("/").status, 200);
}

/// Issue 15 point 4: with no file descriptors left, `accept` failed 80,000 times in 3 s.
#[test]
fn out_of_descriptors_backs_off_and_recovers() {
    let d = viewer();
    let server = Server::start_with_nofile(d.path(), 32);
    let idle: Vec<TcpStream> = (0..40).map(|_| server.connect()).collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.fds() >= 30, "server holds only {} descriptors", server.fds());
    let before = server.cpu_ticks();
    std::thread::sleep(Duration::from_secs(2));
    let used = server.cpu_ticks() - before;
    // Clock ticks are 1/100 s: a busy loop would use about 200 here.
    assert!(used <= 20, "server used {used} ticks of CPU in 2 s while out of descriptors");
    // ... and it was out of them: accept failed (said once, not once per retry).
    assert_eq!(server.stderr().matches("cannot accept connections").count(), 1, "{}", server.stderr());
    drop(idle);
    std::thread::sleep(Duration::from_millis(200));
    let r = server.get("/");
    assert_eq!(r.status, 200, "{r:?}");
}
