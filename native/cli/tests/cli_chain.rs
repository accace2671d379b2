//! Bounded output on a real Node snapshot of a 1,000,000-link doubly linked chain held at both
//! ends (tests/fixtures/chain-snapshots.js): every link has its own path, up to 500,000 hops.
//! `leaks --json` and `diff --json --retainers 5` must stay under 1 MB (they printed 241 MB).
//! Needs `node` on PATH; without it the test fails.

use std::path::Path;
use std::process::Command;

const WRITER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/chain-snapshots.js");

fn memwatch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_memwatch")).args(args).output().expect("run memwatch")
}

#[test]
fn million_link_chain_gives_bounded_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = Command::new("node")
        .arg(Path::new(WRITER))
        .arg(dir.path())
        .arg("1000000")
        .status()
        .expect("`node` must be on PATH to write the chain snapshots");
    assert!(st.success());
    let p = |n: &str| dir.path().join(format!("{n}.heapsnapshot")).to_str().expect("utf8").to_string();
    let (b, t, f) = (p("baseline"), p("target"), p("final"));

    let out = memwatch(&["leaks", "--json", &b, &t, &f]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.len() < 1_000_000, "leaks --json: {} bytes", out.stdout.len());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["reported_objects"], 1_000_000);
    let holder = &v["holders"][0];
    assert!(holder["headline"].as_str().unwrap().contains("+1000000 Link"), "{holder}");
    // The representative path collapses the chain and lists a bounded number of hops.
    let example = &holder["example"];
    assert!(example["text"].as_str().unwrap().contains(" x"), "{example}");
    assert!(example["hops"].as_array().unwrap().len() <= 64);

    let out = memwatch(&["diff", "--json", "--retainers", "5", &b, &t]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.len() < 1_000_000, "diff --json --retainers 5: {} bytes", out.stdout.len());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let link = v["retainers"]["classes"].as_array().unwrap().iter().find(|c| c["class"] == "Link").expect("Link grew");
    assert_eq!(link["new_objects"], 1_000_000);
    for p in link["paths"].as_array().unwrap() {
        assert!(p["example"]["hops"].as_array().unwrap().len() <= 64, "{}", p["path"]);
    }

    let out = memwatch(&["leaks", &b, &t, &f]);
    assert!(out.status.success());
    assert!(out.stdout.len() < 100_000, "text: {} bytes", out.stdout.len());
}
