//! Lifecycle rules of the library: a handle dropped without `detach` still completes its export
//! (and the callbacks left on the isolate do no harm), methods given another isolate return
//! `WrongIsolate` instead of letting V8 abort, one export path per process, and the labels and
//! metrics an embedder's monitoring reads.

use std::path::Path;

use memwatch::core::export::{read_export, Export, Record};
use memwatch::doc_support::{context, eval, init_v8};
use memwatch::{Config, Error, Memwatch};

/// Allocates enough to run several scavenges and ends with a full GC.
const CHURN: &str = "(() => { let t = []; for (let i = 0; i < 3e5; i++) { t.push({ i }); if (t.length > 1000) t = []; } return t.length })()";

fn export(path: &Path) -> Export {
    read_export(&std::fs::read(path).unwrap()).unwrap()
}

fn gc_records(e: &Export) -> u64 {
    e.records.iter().filter(|r| matches!(r, Record::Gc(_))).count() as u64
}

#[test]
fn handle_dropped_without_detach_still_writes_every_gc() {
    init_v8();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dropped.ndjson");
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    let mw = Memwatch::attach(&mut isolate, Config::with_export(&out)).unwrap();
    assert!(eval(&mut isolate, &ctx, CHURN));
    Memwatch::gc(&mut isolate);
    let recorded = mw.gc_count();
    assert!(recorded > 2, "{recorded} GCs");
    drop(mw); // no poll, no detach
    assert_eq!(gc_records(&export(&out)), recorded, "every GC recorded before the drop is in the export");

    // The callbacks are still registered and find the state gone: more GCs are harmless.
    assert!(eval(&mut isolate, &ctx, CHURN));
    Memwatch::gc(&mut isolate);
    assert_eq!(gc_records(&export(&out)), recorded, "nothing written after the drop");
    // A new attachment to the same isolate (and the same export path) works.
    let again = Memwatch::attach(&mut isolate, Config::with_export(&out)).unwrap();
    Memwatch::gc(&mut isolate);
    again.detach(&mut isolate).unwrap();
    assert!(gc_records(&export(&out)) >= 1);
    drop(ctx);
}

#[test]
fn isolate_dropped_before_the_handle_leaves_a_complete_export() {
    init_v8();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("isolate-first.ndjson");
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    let mw = Memwatch::attach(&mut isolate, Config::with_export(&out)).unwrap();
    assert!(eval(&mut isolate, &ctx, CHURN));
    Memwatch::gc(&mut isolate);
    drop(ctx);
    drop(isolate); // its teardown may run GCs: the callbacks still find the state alive
    let recorded = mw.gc_count();
    assert!(!mw.poll().is_empty(), "the handle still processes what was recorded");
    drop(mw);
    assert_eq!(gc_records(&export(&out)), recorded);
}

#[test]
fn another_isolate_is_refused_not_aborted_on() {
    init_v8();
    let dir = tempfile::tempdir().unwrap();
    let mut a = v8::Isolate::new(v8::CreateParams::default());
    let mut b = v8::Isolate::new(v8::CreateParams::default());
    let mw = Memwatch::attach(&mut a, Config { snapshot_dir: Some(dir.path().into()), ..Config::default() }).unwrap();
    assert!(matches!(mw.detach(&mut b), Err(Error::WrongIsolate)));
    assert!(matches!(mw.heap_diff_start(&mut b), Err(Error::WrongIsolate)));
    assert!(matches!(mw.poll_in(&mut b), Err(Error::WrongIsolate)));
    assert!(matches!(mw.take_heap_snapshot(&mut b, None), Err(Error::WrongIsolate)));
    let start = mw.heap_diff_start(&mut a).unwrap();
    assert!(matches!(mw.heap_diff_end(&mut b, start), Err(Error::WrongIsolate)));
    assert!(Memwatch::of(&b).is_none());
    mw.detach(&mut a).unwrap();
    assert!(matches!(mw.detach(&mut b), Err(Error::WrongIsolate)), "also after detach");
    mw.detach(&mut a).unwrap();
    drop(b);
    drop(a);
}

#[test]
fn an_export_path_is_written_by_one_attachment_at_a_time() {
    init_v8();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shared.ndjson");
    let mut a = v8::Isolate::new(v8::CreateParams::default());
    let mut b = v8::Isolate::new(v8::CreateParams::default());
    let mwa = Memwatch::attach(&mut a, Config::with_export(&out)).unwrap();
    // The same file under another spelling is the same file.
    let other_spelling = dir.path().join(".").join("shared.ndjson");
    match Memwatch::attach(&mut b, Config::with_export(&other_spelling)) {
        Err(e @ Error::ExportInUse { .. }) => assert!(e.to_string().contains("already open"), "{e}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a second writer of {} was accepted", out.display()),
    }
    Memwatch::gc(&mut a);
    mwa.detach(&mut a).unwrap(); // closes the export and frees the path
    let mwb = Memwatch::attach(&mut b, Config::with_export(&out)).unwrap();
    mwb.detach(&mut b).unwrap();
    drop(b);
    drop(a);
}

#[test]
fn labels_reach_the_export_header_and_metrics_readable_from_another_thread() {
    init_v8();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.ndjson");
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    let config = Config::with_export(&out).label("isolate", "worker-7").label("app", "billing");
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    assert_eq!(mw.labels().get("isolate").map(String::as_str), Some("worker-7"));
    let metrics = mw.metrics();
    assert!(eval(&mut isolate, &ctx, CHURN));
    Memwatch::gc(&mut isolate);
    mw.poll();
    let reader = std::thread::spawn(move || metrics.snapshot());
    let snap = reader.join().unwrap();
    assert_eq!(snap.labels.get("app").map(String::as_str), Some("billing"));
    assert!(snap.gc_counts.mark_sweep_compact >= 1 && snap.gc_counts.scavenge >= 1, "{:?}", snap.gc_counts);
    let stats = snap.stats.clone().expect("a stats event after the full GC");
    assert_eq!(snap.heap_used_bytes, stats.current_base, "the last GC was the full one");
    let pauses: u64 = memwatch::core::sample::GcType::ALL.iter().map(|t| snap.gc_pause(t).count).sum();
    assert_eq!(pauses, mw.gc_count(), "one pause observed per GC");
    drop(ctx);
    mw.detach(&mut isolate).unwrap();
    let header = export(&out).header;
    assert_eq!(header.labels.get("isolate").map(String::as_str), Some("worker-7"));
    use memwatch::core::export::{FORMAT_MAJOR, FORMAT_MINOR};
    assert_eq!(header.version, format!("{FORMAT_MAJOR}.{FORMAT_MINOR}"), "labels need format 1.2 or later");
    const { assert!(FORMAT_MINOR >= 2) };

    assert!(matches!(
        Memwatch::attach(&mut isolate, Config::default().label("bad-name", "x")),
        Err(Error::InvalidLabel(_))
    ));
}

/// Full GCs seen while a program that only makes short-lived garbage runs `rounds` turns of its
/// loop, with `poll_in` between turns.
fn full_gcs_in_a_scavenge_only_program(full_gc_every: Option<std::time::Duration>, rounds: u32) -> (u64, u64) {
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    let ctx = context(&mut isolate);
    let config = Config { full_gc_every, ..Config::default() };
    let mw = Memwatch::attach(&mut isolate, config).unwrap();
    // Warm up (V8 may run full GCs while the heap first grows), then count.
    assert!(eval(&mut isolate, &ctx, "globalThis.keep = Array.from({ length: 1e5 }, (_, i) => ({ i }))"));
    mw.poll_in(&mut isolate).unwrap();
    let before = mw.metrics().snapshot().gc_counts.mark_sweep_compact;
    for _ in 0..rounds {
        assert!(eval(&mut isolate, &ctx, CHURN));
        std::thread::sleep(std::time::Duration::from_millis(5));
        mw.poll_in(&mut isolate).unwrap();
    }
    let snap = mw.metrics().snapshot();
    drop(ctx);
    mw.detach(&mut isolate).unwrap();
    (snap.gc_counts.mark_sweep_compact - before, snap.gc_counts.scavenge)
}

#[test]
fn full_gc_every_gives_the_detectors_full_gcs_in_a_scavenge_only_program() {
    init_v8();
    let (without, scavenges) = full_gcs_in_a_scavenge_only_program(None, 20);
    assert!(scavenges > 20, "the program makes garbage: {scavenges} scavenges");
    let (with, _) = full_gcs_in_a_scavenge_only_program(Some(std::time::Duration::from_millis(1)), 20);
    eprintln!("full GCs: {with} with full_gc_every, {without} without");
    assert!(with >= without + 5, "full GCs: {with} with full_gc_every, {without} without");
}
