//! `memwatch run` ends like Node: exit statuses (`process.exitCode`, `process.exit(-1)`, an
//! unsettled top-level await), timer delays out of range, the message of a rejection with a
//! non-Error reason, and a clear error instead of V8's abort under a low `ulimit -v`.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, run, Run, TempDir};

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs memwatch, killing it (and failing the test) when it is still running after `limit`.
fn run_within(args: &[&str], limit: Duration) -> Run {
    let mut child =
        Command::new(bin()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn memwatch");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("memwatch {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run { code: status.code(), stdout: t_out.join().unwrap(), stderr: t_err.join().unwrap() }
}

#[test]
fn process_exit_code_is_the_status_when_the_script_ends() {
    let dir = TempDir::new("exitcode");
    let script = dir.write("t.js", "process.exitCode = 1;\nsetTimeout(() => console.log('later'), 5);\n");
    let r = run(&["run", s(&script)]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stdout.contains("later"), "the script runs to its end: {}", r.stdout);

    // process.exit() without a code uses it; reading it back works; integer strings count.
    let script = dir.write("u.js", "process.exitCode = '3';\nconsole.log(process.exitCode);\nprocess.exit();\n");
    let r = run(&["run", s(&script)]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stdout.contains('3'), "{}", r.stdout);

    // Node rejects a code that is no integer.
    let script = dir.write("v.js", "process.exitCode = 1.5;\n");
    let r = run(&["run", s(&script)]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("RangeError") && r.stderr.contains("must be an integer"), "{}", r.stderr);
}

#[test]
fn exit_codes_wrap_modulo_256_like_node() {
    let dir = TempDir::new("exitwrap");
    for (code, expected) in [("-1", 255), ("256", 0), ("257", 1), ("-255", 1)] {
        let script = dir.write("t.js", &format!("process.exit({code});\n"));
        let r = run(&["run", s(&script)]);
        assert_eq!(r.code, Some(expected), "process.exit({code}): {}", r.stderr);
    }
    let script = dir.write("u.js", "process.exitCode = -1;\n");
    assert_eq!(run(&["run", s(&script)]).code, Some(255));
}

#[test]
fn unsettled_top_level_await_exits_13_with_nodes_warning() {
    let dir = TempDir::new("tla13");
    let script = dir.write("main.mjs", "console.log('before');\nawait new Promise(() => {});\nconsole.log('never');\n");
    let out = dir.path("e.ndjson");
    let r = run_within(&["run", "--out", s(&out), s(&script)], Duration::from_secs(60));
    assert_eq!(r.code, Some(13), "{}", r.stderr);
    assert!(r.stdout.contains("before") && !r.stdout.contains("never"), "{}", r.stdout);
    let warning = format!("Warning: Detected unsettled top-level await at {}:2", script.display());
    assert!(r.stderr.contains(&warning), "{}", r.stderr);
    assert!(r.stderr.contains("await new Promise(() => {});\n^"), "{}", r.stderr);
    let export = memwatch_core::export::read_export(&std::fs::read(&out).unwrap()).expect("valid export");
    let last_marker = export.records.iter().rev().find_map(|r| match r {
        memwatch_core::export::Record::Marker(m) => Some(m.kind.clone()),
        _ => None,
    });
    assert_eq!(last_marker.as_deref(), Some("unsettled_top_level_await"));

    // An await that a timer settles is not stalled.
    let ok = dir.write("ok.mjs", "await new Promise((r) => setTimeout(r, 5));\nconsole.log('done');\n");
    let r = run(&["run", s(&ok)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("done"));
}

#[test]
fn timer_delays_beyond_32_bits_fire_after_1ms_with_a_warning() {
    let dir = TempDir::new("timeout-overflow");
    let script = dir.write(
        "t.js",
        "const t0 = Date.now();\n\
         setTimeout(() => console.log('fired', Date.now() - t0 < 5000), 2 ** 31);\n\
         const i = setInterval(() => { clearInterval(i); console.log('interval fired'); }, Infinity);\n\
         clearTimeout(setTimeout(() => {}, 2 ** 31 - 1)); // the longest legal delay: no warning\n",
    );
    let r = run_within(&["run", s(&script)], Duration::from_secs(20));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("fired true"), "{}", r.stdout);
    assert!(r.stdout.contains("interval fired"), "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "TimeoutOverflowWarning: 2147483648 does not fit into a 32-bit signed integer.\nTimeout duration was set to 1."
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("TimeoutOverflowWarning: Infinity does not fit"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("TimeoutOverflowWarning").count(), 2, "{}", r.stderr);
}

#[test]
fn rejection_with_a_non_error_reason_reads_like_node() {
    let dir = TempDir::new("reject-reason");
    for (reason, shown) in
        [("undefined", "undefined"), ("'boom'", "boom"), ("{}", "#<Object>"), ("null", "null"), ("42", "42")]
    {
        let script = dir.write("t.js", &format!("Promise.reject({reason});\n"));
        let r = run(&["run", s(&script)]);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        let expected = format!(
            "UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a \
             catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the \
             reason \"{shown}\"."
        );
        assert!(r.stderr.contains(&expected), "Promise.reject({reason}): {}", r.stderr);
        assert!(!r.stderr.contains("rejection at"), "{}", r.stderr);
    }
    // Error reasons keep the location and the stack.
    let script = dir.write("e.js", "Promise.reject(new Error('bad'));\n");
    let r = run(&["run", s(&script)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains(&format!("unhandled promise rejection at {}:1", script.display())), "{}", r.stderr);
    assert!(r.stderr.contains("Error: bad"), "{}", r.stderr);
}

/// `memwatch run` under `ulimit -v KIB` (through sh, which sets the limit for the exec'd child).
fn run_under_ulimit_v(kib: u64, script: &std::path::Path) -> Run {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" run \"$1\""))
        .arg(bin())
        .arg(script)
        .output()
        .expect("run sh");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn low_address_space_limit_is_a_clear_error_not_a_v8_abort() {
    let dir = TempDir::new("ulimit-v");
    let script = dir.write("t.js", "console.log('ran');\n");
    for gib in [4, 16, 32, 48] {
        let r = run_under_ulimit_v(gib << 20, &script);
        assert_eq!(r.code, Some(2), "ulimit -v {gib} GiB: {}", r.stderr);
        assert!(r.stderr.contains(&format!("ulimit -v {}", gib << 20)), "{}", r.stderr);
        assert!(r.stderr.contains("50 GiB") && r.stderr.contains("ulimit -v unlimited"), "{}", r.stderr);
        assert!(!r.stderr.contains("Oilpan"), "{}", r.stderr);
    }
    // At the limit the message asks for, the script runs.
    let r = run_under_ulimit_v(50 << 20, &script);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("ran"));
}
