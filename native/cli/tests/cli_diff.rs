//! `memwatch diff` run as a real binary: output formats, exit codes, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/tests/fixtures").join(name)
}

fn memwatch(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memwatch")).args(args).output().unwrap()
}

fn diff(before: &Path, after: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["diff".as_ref(), before.as_os_str(), after.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    memwatch(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("memwatch-cli-diff-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn json_is_exactly_the_node_memwatch_object() {
    let out = diff(&fixture("tiny-before.heapsnapshot"), &fixture("tiny-after.heapsnapshot"), &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        concat!(
            r#"{"before":{"nodes":7,"size_bytes":72,"size":"72 bytes"},"after":{"nodes":8,"size_bytes":292,"size":"292 bytes"},"#,
            r#""change":{"size_bytes":220,"size":"220 bytes","freed_nodes":2,"allocated_nodes":6,"details":["#,
            r#"{"what":"Array","size_bytes":48,"size":"48 bytes","+":1,"-":1},{"what":"Bar","size_bytes":40,"size":"40 bytes","+":1,"-":0},"#,
            r#"{"what":"Closure","size_bytes":32,"size":"32 bytes","+":1,"-":0},{"what":"Code","size_bytes":100,"size":"100 bytes","+":1,"-":0},"#,
            r#"{"what":"Foo","size_bytes":24,"size":"24 bytes","+":1,"-":0},{"what":"String","size_bytes":-32,"size":"-32 bytes","+":0,"-":1}]}}"#,
            "\n"
        )
    );
    assert_eq!(text(&out.stderr), "", "nothing on stderr for small files off a TTY");
}

#[test]
fn table_is_sorted_by_size_delta_with_totals() {
    let out = diff(&fixture("tiny-before.heapsnapshot"), &fixture("tiny-after.heapsnapshot"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = "\
before: 7 nodes, 72 bytes
after:  8 nodes, 292 bytes
change: +220 bytes (220 bytes), 6 nodes allocated, 2 freed

what     +  -  size delta
Code     1  0  +100 bytes
Array    1  1  +48 bytes
Bar      1  0  +40 bytes
Closure  1  0  +32 bytes
Foo      1  0  +24 bytes
String   0  1  -32 bytes
total    5  2  +212 bytes
";
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn bad_input_names_the_file_and_position_with_exit_2() {
    let dir = temp_dir("bad");
    let good = fixture("tiny-before.heapsnapshot");
    let bytes = std::fs::read(&good).unwrap();
    let cut = text(&bytes).find("3,2,13").unwrap();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "truncated.heapsnapshot",
            bytes[..cut].to_vec(),
            format!("at byte {cut}: unexpected end of file inside the \"nodes\" array (truncated file?)"),
        ),
        ("empty.heapsnapshot", Vec::new(), "at byte 0: empty file".into()),
        ("garbage.heapsnapshot", b"PK\x03\x04 zip".to_vec(), "at byte 0: not a V8 heap snapshot (expected '{'".into()),
    ];
    for (name, content, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        for (b, a) in [(&good, &path), (&path, &good)] {
            let out = diff(b, a, &["--json"]);
            assert_eq!(out.status.code(), Some(2), "{name}");
            assert_eq!(text(&out.stdout), "", "{name}: nothing on stdout");
            let err = text(&out.stderr);
            let prefix = format!("memwatch: {}: {message}", path.display());
            assert!(err.starts_with(&prefix), "{name}: got {err:?}, want prefix {prefix:?}");
        }
    }
    let missing = dir.join("missing.heapsnapshot");
    let out = diff(&good, &missing, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with(&format!("memwatch: {}: cannot open:", missing.display())));
    let out = diff(&dir, &good, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with(&format!("memwatch: {}: at byte 0: read error:", dir.display())), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2() {
    let out = memwatch(&["diff".as_ref(), fixture("tiny-before.heapsnapshot").as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("AFTER"), "{}", text(&out.stderr));
}

/// Runs `script` with Node (argv[1] = `dir`); fails the test when `node` is missing or fails.
fn run_node(script: &str, dir: &Path) {
    let st = Command::new("node").arg("-e").arg(script).arg(dir).status().unwrap_or_else(|e| {
        panic!("could not run `node` ({e}): this test needs Node.js >= 18 on PATH to write real V8 heap snapshots")
    });
    assert!(st.success(), "node failed: {st}");
}

#[test]
fn leaking_class_between_real_node_snapshots() {
    let dir = temp_dir("leak");
    let script = r#"
const v8 = require('v8');
const dir = process.argv[1];
class LeakingClass {}
globalThis.leaks = [];
v8.writeHeapSnapshot(dir + '/before.heapsnapshot');
for (let i = 0; i < 10000; i++) leaks.push(new LeakingClass());
v8.writeHeapSnapshot(dir + '/after.heapsnapshot');
"#;
    run_node(script, &dir);
    let (b, a) = (dir.join("before.heapsnapshot"), dir.join("after.heapsnapshot"));
    let out = diff(&b, &a, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one JSON object on one line");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let leak = v["change"]["details"].as_array().unwrap().iter().find(|d| d["what"] == "LeakingClass").unwrap();
    assert_eq!((leak["+"].as_u64(), leak["-"].as_u64()), (Some(10_000), Some(0)));
    assert_eq!(leak["size_bytes"].as_i64().unwrap() % 10_000, 0);

    let table = text(&diff(&b, &a, &[]).stdout);
    let row = table.lines().find(|l| l.starts_with("LeakingClass")).expect("LeakingClass row");
    assert!(row.split_whitespace().nth(1) == Some("10000"), "{row}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn retainers_option_names_the_holders_and_keeps_node_memwatch_fields() {
    let dir = temp_dir("retainers");
    let script = r#"
const v8 = require('v8');
const dir = process.argv[1];
class LeakingClass { constructor(i) { this.i = i; } }
globalThis.leakyCache = new Map();
v8.writeHeapSnapshot(dir + '/before.heapsnapshot');
for (let i = 0; i < 2000; i++) leakyCache.set('k' + i, new LeakingClass(i));
v8.writeHeapSnapshot(dir + '/after.heapsnapshot');
"#;
    run_node(script, &dir);
    let (b, a) = (dir.join("before.heapsnapshot"), dir.join("after.heapsnapshot"));
    let plain: serde_json::Value = serde_json::from_slice(&diff(&b, &a, &["--json"]).stdout).unwrap();
    let out = diff(&b, &a, &["--json", "--retainers", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let retainers = v.as_object_mut().unwrap().remove("retainers").expect("retainers key");
    assert_eq!(v, plain, "node-memwatch fields are unchanged by --retainers");
    let class = retainers["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "LeakingClass")
        .expect("LeakingClass among the growing classes");
    assert_eq!(class["count_after"].as_u64(), Some(2000));
    assert!(class["retained_size_delta"].as_i64().unwrap() > 0);
    let path = class["paths"][0]["path"].as_str().unwrap();
    assert!(path.contains("leakyCache"), "{path}");

    let table = text(&diff(&b, &a, &["--retainers", "3"]).stdout);
    assert!(table.contains("Who retains the growing classes"), "{table}");
    assert!(table.contains("leakyCache"), "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}
