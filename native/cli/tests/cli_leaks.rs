//! `memwatch leaks` driven as a user would, on snapshots written by a real Node process.
//! Needs `node` on PATH; without it the tests fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn memwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_memwatch")).args(args).output().expect("run memwatch")
}

fn path_str(p: &Path) -> String {
    p.to_str().expect("utf8 path").to_string()
}

#[test]
fn text_report_names_holders_and_fail_flag_exits_1() {
    let (_dir, [b, t, f]) = common::leaky_app_snapshots();
    let out = memwatch(&["leaks", &b, &t, &f]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("LeakingClass x500"), "{text}");
    assert!(text.contains("(global) leakyCache -> Map table -> [*] -> LeakingClass"), "{text}");
    assert!(text.contains("e.g. @"), "{text}");
    assert!(text.contains("-> [k"), "{text}");
    assert!(text.contains("add (leaky-app-snapshots.js:11:68) -> context -> cachedItems -> [*] -> Object"), "{text}");
    assert!(!text.contains("TransientThing"), "{text}");

    let out = memwatch(&["leaks", "--fail-on-leak", &b, &t, &f]);
    assert_eq!(out.status.code(), Some(1));
}

/// The report starts with the holders: the Map behind `leakyCache` with its leaked class, then
/// the closure's `cachedItems` with the closure's file:line:col; `diff --retainers` says the same.
#[test]
fn holders_come_first_with_class_and_location() {
    let (_dir, [b, t, f]) = common::leaky_app_snapshots();
    let out = memwatch(&["leaks", &b, &t, &f]);
    let text = String::from_utf8_lossy(&out.stdout);
    let holders: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    assert!(holders[0].starts_with("#1  leakyCache Map +500 LeakingClass, +"), "{text}");
    assert!(holders[1].starts_with("#2  cachedItems (leaky-app-snapshots.js:11:68) Array +500 Object, +"), "{text}");
    assert!(text.find("Who holds them").unwrap() < text.find("By class and retainer path").unwrap(), "{text}");

    let out = memwatch(&["diff", "--retainers", "5", &b, &t]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let section = &text[text.find("Who holds what grew").expect("holder section")..];
    let first: Vec<&str> = section.lines().skip(1).take(5).collect();
    assert!(first[0].starts_with("  #1  leakyCache Map +500 LeakingClass, +"), "{section}");
    assert!(first.iter().any(|l| l.starts_with("  #2  cachedItems (leaky-app-snapshots.js:11:68) Array")), "{section}");
}

#[test]
fn json_report_is_one_object() {
    let (_dir, [b, t, f]) = common::leaky_app_snapshots();
    let out = memwatch(&["leaks", "--json", "--max-groups", "2", &b, &t, &f]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let groups = v["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2);
    assert!(v["omitted_groups"].as_u64().unwrap() >= 1);
    let lc = groups.iter().find(|g| g["class"] == "LeakingClass").expect("LeakingClass group");
    assert_eq!(lc["count"], 500);
    assert!(lc["retained_size"].as_u64().unwrap() > lc["self_size"].as_u64().unwrap());
    let hops = lc["example"]["hops"].as_array().expect("hops");
    assert_eq!(hops.last().unwrap()["node"], "LeakingClass");
    assert!(hops.iter().any(|h| h["edge_name"] == "leakyCache"));
}

#[test]
fn same_snapshot_three_times_has_no_leaks() {
    let (_dir, [b, _, _]) = common::leaky_app_snapshots();
    let out = memwatch(&["leaks", &b, &b, &b, "--fail-on-leak"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No leaks"));
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("truncated.heapsnapshot");
    std::fs::write(&bad, br#"{"snapshot":{"meta":{"node_fields":["type","#).expect("write");
    let bad = path_str(&bad);
    let missing = path_str(&PathBuf::from(dir.path()).join("missing.heapsnapshot"));

    let out = memwatch(&["leaks", &bad, &bad, &bad]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated.heapsnapshot"), "{err}");
    assert!(out.stdout.is_empty());

    let out = memwatch(&["leaks", &missing, &missing, &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.heapsnapshot"));

    let out = memwatch(&["leaks", &bad]);
    assert_eq!(out.status.code(), Some(2), "missing arguments are a usage error");
}
