//! `memwatch run --out FILE` must not destroy what it is given: the export is created before the
//! script is read, so an export path naming the script (by any path or hard link) is refused, and
//! an existing file that is not a memwatch export is only replaced with `--force`.

mod common;

use common::{run, TempDir};

const SCRIPT: &str = "console.log('script ran');\n";

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn out_equal_to_the_script_is_refused_and_the_script_survives() {
    let dir = TempDir::new("out-is-script");
    let script = dir.write("app.js", SCRIPT);
    let r = run(&["run", "--out", s(&script), s(&script)]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("app.js") && r.stderr.contains("same file as the input"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&script).unwrap(), SCRIPT);
    // --force does not make it acceptable either.
    let r = run(&["run", "--force", "--out", s(&script), s(&script)]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&script).unwrap(), SCRIPT);
}

#[test]
fn out_reaching_the_script_through_another_path_or_a_hard_link_is_refused() {
    let dir = TempDir::new("out-alias");
    let script = dir.write("app.js", SCRIPT);
    std::fs::create_dir(dir.path("sub")).unwrap();
    let dotted = dir.0.join("sub/../app.js");
    let link = dir.path("hard.js");
    std::fs::hard_link(&script, &link).unwrap();
    let sym = dir.path("sym.js");
    std::os::unix::fs::symlink(&script, &sym).unwrap();
    for out in [&dotted, &link, &sym] {
        let r = run(&["run", "--out", s(out), s(&script)]);
        assert_eq!(r.code, Some(2), "--out {}: {}", out.display(), r.stderr);
        assert!(r.stderr.contains("same file as the input"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(&script).unwrap(), SCRIPT, "--out {}", out.display());
    }
}

#[test]
fn existing_non_export_file_needs_force() {
    let dir = TempDir::new("out-non-export");
    let script = dir.write("app.js", SCRIPT);
    let notes = dir.write("notes.txt", "my precious notes\n");
    let r = run(&["run", "--out", s(&notes), s(&script)]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("notes.txt") && r.stderr.contains("not a memwatch export"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(!r.stdout.contains("script ran"), "the script must not run: {}", r.stdout);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my precious notes\n");

    let r = run(&["run", "--force", "--out", s(&notes), s(&script)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let export = memwatch_core::export::read_export(&std::fs::read(&notes).unwrap()).expect("now an export");
    assert_eq!(export.header.format, "memwatch-export");
}

#[test]
fn an_earlier_export_or_an_empty_file_is_replaced_without_force() {
    let dir = TempDir::new("out-export");
    let script = dir.write("app.js", SCRIPT);
    let out = dir.path("e.ndjson");
    for _ in 0..2 {
        let r = run(&["run", "--out", s(&out), s(&script)]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(memwatch_core::export::read_export(&std::fs::read(&out).unwrap()).is_ok());
    }
    let empty = dir.write("empty.ndjson", "");
    let r = run(&["run", "--out", s(&empty), s(&script)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(memwatch_core::export::read_export(&std::fs::read(&empty).unwrap()).is_ok());
}

#[test]
fn demo_does_not_overwrite_a_non_export_file_either() {
    let dir = TempDir::new("demo-out");
    let notes = dir.write("notes.txt", "my precious notes\n");
    let r = run(&["demo", "--out", s(&notes)]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("not a memwatch export") && r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my precious notes\n");
}
