//! Bad input to `memwatch run`: a clear message naming the file and position, a non-zero
//! status, and an export file that stays valid.

mod common;

use common::{run, TempDir};
use memwatch_core::export::{read_export, Record};

fn export_markers(path: &std::path::Path) -> Vec<String> {
    let export = read_export(&std::fs::read(path).expect("export exists")).expect("export is valid");
    export
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Marker(m) => Some(m.kind.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn missing_script() {
    let r = run(&["run", "/nonexistent/dir/script.js"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("/nonexistent/dir/script.js") && r.stderr.contains("no such script"), "{}", r.stderr);
}

#[test]
fn syntax_error_names_file_line_col() {
    let dir = TempDir::new("syntax");
    let script = dir.write("bad.js", "const ok = 1;\nlet x = ;\n");
    let out = dir.path("e.ndjson");
    let r = run(&["run", script.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}:2:9", script.display())), "{}", r.stderr);
    assert!(r.stderr.contains("SyntaxError"), "{}", r.stderr);
    assert_eq!(export_markers(&out), ["start", "compile_error"]);
}

#[test]
fn uncaught_exception_prints_location_and_stack() {
    let dir = TempDir::new("uncaught");
    let script =
        dir.write("throw.js", "function inner() {\n  throw new Error('boom');\n}\nsetTimeout(() => inner(), 1);\n");
    let out = dir.path("e.ndjson");
    let r = run(&["run", script.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    let path = script.display().to_string();
    assert!(r.stderr.contains(&format!("uncaught exception at {path}:2:3")), "{}", r.stderr);
    assert!(r.stderr.contains("Error: boom"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("at inner ({path}:2:9)")), "stack: {}", r.stderr);
    assert_eq!(export_markers(&out), ["start", "uncaught_exception"]);
}

#[test]
fn exception_in_a_listener_is_reported_as_uncaught() {
    let dir = TempDir::new("listener");
    let script = dir
        .write("l.js", "memwatch.on('stats', () => {\n  throw new TypeError('bad listener');\n});\nmemwatch.gc();\n");
    let out = dir.path("e.ndjson");
    let r = run(&["run", script.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains(&format!("{}:2:3", script.display())), "{}", r.stderr);
    assert!(r.stderr.contains("TypeError: bad listener"), "{}", r.stderr);
    assert_eq!(export_markers(&out), ["start", "uncaught_exception"]);
}

#[test]
fn unhandled_rejection_and_microtask_exception() {
    let dir = TempDir::new("reject");
    let script = dir.write("r.js", "Promise.reject(new Error('nope'));\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("unhandled promise rejection") && r.stderr.contains("Error: nope"), "{}", r.stderr);
    // A rejection handled later in the same turn is not reported.
    let script =
        dir.write("h.js", "const p = Promise.reject(new Error('late'));\np.catch(() => console.log('handled'));\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "handled\n"), "{}", r.stderr);
    let script = dir.write("m.js", "queueMicrotask(() => { throw new Error('micro'); });\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("Error: micro"), "{}", r.stderr);
}

#[test]
fn failed_import_names_the_importing_file() {
    let dir = TempDir::new("import");
    let script = dir.write("main.mjs", "import './missing.mjs';\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("missing.mjs") && r.stderr.contains(&script.display().to_string()), "{}", r.stderr);
    let script = dir.write("bare.mjs", "import 'left-pad';\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("only relative"), "{}", r.stderr);
}

/// The hint every Node-program error ends with: plain V8, and the npm package for Node programs.
fn assert_node_hint(stderr: &str) {
    assert!(stderr.contains("`memwatch run` runs plain V8 scripts"), "{stderr}");
    assert!(stderr.contains("npm install memwatch-wasm"), "{stderr}");
    assert!(stderr.contains("node -r memwatch-wasm/record app.js"), "{stderr}");
}

#[test]
fn node_programs_are_told_to_use_the_npm_package() {
    let dir = TempDir::new("nodeprog");
    // A static import of a Node module or a package: refused before anything runs (bad input, 2).
    for (name, source) in [
        ("fs.mjs", "import fs from 'node:fs';\nconsole.log('ran');\n"),
        ("express.mjs", "import express from 'express';\nconsole.log('ran');\n"),
        ("http.mjs", "import { createServer } from 'http';\nconsole.log('ran');\n"),
    ] {
        let script = dir.write(name, source);
        let r = run(&["run", script.to_str().unwrap()]);
        assert_eq!(r.code, Some(2), "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{name}: nothing runs: {}", r.stdout);
        assert!(r.stderr.contains(&script.display().to_string()), "{name}: names the file: {}", r.stderr);
        assert_node_hint(&r.stderr);
    }
    // `import` in a classic script (a Node ESM `.js`): a compile error (2) saying how to load
    // modules, and the hint.
    let script = dir.write("esm.js", "import http from 'node:http';\nconsole.log('ran');\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("name it .mjs or pass --module"), "{}", r.stderr);
    assert_node_hint(&r.stderr);
    // require() and the other CommonJS names: an uncaught ReferenceError (1), located, explained.
    for (name, source, what) in [
        ("req.js", "console.log('before');\nconst fs = require('fs');\n", "require is Node's"),
        ("dir.js", "console.log(__dirname);\n", "__dirname is Node's"),
        ("exp.js", "module.exports = {};\n", "module is Node's"),
    ] {
        let script = dir.write(name, source);
        let r = run(&["run", script.to_str().unwrap()]);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("ReferenceError") && r.stderr.contains(what), "{name}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("{}:", script.display())), "{name}: location: {}", r.stderr);
        assert_node_hint(&r.stderr);
    }
    // A script that checks for require itself (UMD style) is not affected.
    let script = dir.write("umd.js", "console.log(typeof require === 'undefined' ? 'plain' : 'node');\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "plain\n"), "{}", r.stderr);
    // Other ReferenceErrors keep their plain message.
    let script = dir.write("other.js", "missingThing();\n");
    let r = run(&["run", script.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("missingThing is not defined") && !r.stderr.contains("plain V8"), "{}", r.stderr);
}

#[test]
fn heap_limit_too_small_exits_1_with_valid_export() {
    let dir = TempDir::new("oom");
    let script = dir.write("oom.js", "const keep = [];\nwhile (true) keep.push(new Array(1000).fill(keep.length));\n");
    let out = dir.path("oom.ndjson");
    let r = run(&["run", script.to_str().unwrap(), "--max-heap-mb", "16", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("out of memory (--max-heap-mb 16)"), "{}", r.stderr);
    let export = read_export(&std::fs::read(&out).unwrap()).expect("export is valid after OOM");
    assert_eq!(export.truncated_line, None);
    let last = export.records.last().expect("records");
    assert!(matches!(last, Record::Marker(m) if m.kind == "near_heap_limit"), "{last:?}");
    assert!(export.records.iter().any(|r| matches!(r, Record::Gc(_))), "samples up to the limit");
    // Below the minimum is a usage error.
    let r = run(&["run", script.to_str().unwrap(), "--max-heap-mb", "1"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}
