//! `memwatch run --metrics ADDR`: the run's numbers at /metrics while the script runs (what
//! Prometheus scrapes; tests/metrics/run.sh does it with a real Prometheus), loopback only.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{js, run};

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn metrics_are_served_while_the_script_runs() {
    let script = js("growing.js");
    // growing.js runs 40 ticks; an endless timer keeps the run alive until it is killed. It
    // must not collect: each memwatch.gc() counts as its own collection, so extra ones between
    // growing.js's would reset the classic detector's count.
    let dir = tempfile::tempdir().unwrap();
    let wrapper = dir.path().join("run.js");
    std::fs::write(&wrapper, format!("{}\nsetInterval(() => {{}}, 20);\n", std::fs::read_to_string(&script).unwrap()))
        .unwrap();
    let mut child = Command::new(common::bin())
        .args(["run", "--metrics", "127.0.0.1:0"])
        .arg(&wrapper)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("memwatch: metrics at http://")
        .and_then(|r| r.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("first stderr line: {line:?}"))
        .to_string();

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut body = String::new();
    while Instant::now() < deadline {
        body = get(&addr, "/metrics");
        if body.starts_with("HTTP/1.1 200") && !body.contains("detector=\"classic\"} 0") {
            break; // a leak event was counted
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let not_found = get(&addr, "/other");
    let _ = child.kill();
    let _ = child.wait();
    assert!(body.starts_with("HTTP/1.1 200 OK"), "{body}");
    assert!(body.contains("Content-Type: application/openmetrics-text"), "{body}");
    assert!(body.contains("memwatch_gc_total{isolate=\"main\",type=\"mark_sweep_compact\"}"), "{body}");
    assert!(
        body.contains("memwatch_gc_pause_seconds_bucket{le=\"+Inf\",isolate=\"main\",type=\"scavenge\"}"),
        "{body}"
    );
    assert!(body.contains("detector=\"classic\"} "), "{body}");
    assert!(!body.contains("detector=\"classic\"} 0"), "a leak event was counted: {body}");
    assert!(body.trim_end().ends_with("# EOF"), "{body}");
    assert!(not_found.starts_with("HTTP/1.1 404"), "{not_found}");
}

#[test]
fn metrics_refuse_non_loopback_addresses() {
    let r = run(&["run", "--metrics", "0.0.0.0:0", js("steady.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("only loopback addresses"), "{}", r.stderr);
    let r = run(&["run", "--metrics", "localhost", js("steady.js").to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "not an address: {}", r.stderr);
}
