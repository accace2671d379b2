//! The export file round-trips, survives a killed producer, and re-analysis reproduces the
//! events a live run emitted.

use memwatch_core::analyzer::{Analyzer, AnalyzerConfig, Event};
use memwatch_core::detector_options::AnalyzerOverrides;
use memwatch_core::export::{analyze_export, analyze_export_with, read_export, ExportWriter, Header, Marker, Record};
use memwatch_core::leak::ClassicConfig;
use memwatch_core::leak::DetectorKind;
use memwatch_core::sample::{GcType, HeapStats, Sample};

const MB: u64 = 1024 * 1024;

fn sample(seq: u64, gc_type: GcType, used: u64) -> Sample {
    Sample {
        seq,
        gc_type,
        flags: 0,
        start_ns: seq * 250_000_000,
        end_ns: seq * 250_000_000 + 1_200_000,
        heap: HeapStats { used_heap_size: used, total_heap_size: used * 2, ..Default::default() },
        spaces: None,
        snapshot: false,
        collection: None,
    }
}

/// A leaking run: scavenges between full GCs whose used size grows 1 MB each time.
fn leaking_samples() -> Vec<Sample> {
    (0..60u64)
        .map(|i| {
            if i % 3 == 2 {
                sample(i, GcType::MarkSweepCompact, 10 * MB + i * MB / 3)
            } else {
                sample(i, GcType::Scavenge, 12 * MB)
            }
        })
        .collect()
}

/// Writes what a live producer writes: every sample, and the events the analyzer gave live.
fn write_live(samples: &[Sample], config: &AnalyzerConfig) -> (Vec<u8>, Vec<Event>) {
    let mut header = Header::new("test", 1_700_000_000_000.0);
    header.analyzer = config.clone();
    let mut w = ExportWriter::new(Vec::new(), &header).expect("header");
    let mut analyzer = Analyzer::new(config.clone(), header.epoch_ms_at_origin);
    let mut live = Vec::new();
    for s in samples {
        w.write(&Record::Gc(s.clone())).expect("gc");
        let mut evs = Vec::new();
        analyzer.push(s, &mut evs);
        for ev in &evs {
            match ev {
                Event::Stats(st) => w.write(&Record::Stats(st.clone())).expect("stats"),
                Event::Leak(l) => w.write(&Record::Leak(l.clone())).expect("leak"),
            }
        }
        live.extend(evs);
    }
    (w.into_inner(), live)
}

#[test]
fn reanalysis_reproduces_live_events() {
    let config = AnalyzerConfig::default();
    let (bytes, live) = write_live(&leaking_samples(), &config);
    let export = read_export(&bytes).expect("valid export");
    let a = analyze_export(&export, &AnalyzerOverrides::default()).expect("recorded parameters are valid");
    let live_stats: Vec<_> =
        live.iter().filter_map(|e| if let Event::Stats(s) = e { Some(s.clone()) } else { None }).collect();
    let live_leaks: Vec<_> =
        live.iter().filter_map(|e| if let Event::Leak(l) = e { Some(l.clone()) } else { None }).collect();
    assert_eq!(a.analysis.stats_events, live_stats);
    assert_eq!(a.analysis.leaks, live_leaks);
    assert_eq!(a.recorded_leaks, live_leaks);
    assert!(!live_leaks.is_empty(), "the leaking run must produce leak events");
    assert_eq!(a.analysis.stats_events.len(), 20);
    assert_eq!(a.analysis.gc_samples, 60);
}

#[test]
fn other_parameters_give_other_events() {
    let (bytes, _) = write_live(&leaking_samples(), &AnalyzerConfig::default());
    let export = read_export(&bytes).expect("valid export");
    let strict =
        AnalyzerConfig { classic: Some(ClassicConfig { growth_count: 50, ..Default::default() }), trend: None };
    let a = analyze_export_with(&export, strict.clone());
    assert!(a.analysis.leaks.is_empty());
    assert_eq!(a.config, strict);
}

#[test]
fn killed_producer_leaves_a_readable_file() {
    let (bytes, _) = write_live(&leaking_samples(), &AnalyzerConfig::default());
    let full = read_export(&bytes).expect("valid").records.len();
    // Cut the file at every byte of its last three lines: always readable, last line reported.
    let text_end = bytes.len() - 1;
    let third_last = bytes[..text_end].iter().rposition(|&b| b == b'\n').unwrap_or(0);
    for cut in third_last.saturating_sub(400)..bytes.len() {
        let export = read_export(&bytes[..cut]).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert!(export.records.len() <= full);
        if cut > 0 && bytes[cut - 1] != b'\n' && export.truncated_line.is_none() {
            // A cut that still parses (e.g. right before the newline) is fine too.
            assert!(export.records.len() >= full - 3);
        }
    }
}

#[test]
fn unknown_major_version_is_rejected_clearly() {
    let e = read_export(
        br#"{"format":"memwatch-export","version":"2.0","producer":"x","epoch_ms_at_origin":0}
"#,
    )
    .expect_err("major 2");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("version 2.0 is not supported"), "{e}");
}

#[test]
fn newer_minor_version_records_are_skipped() {
    let text = br#"{"format":"memwatch-export","version":"1.7","producer":"x","epoch_ms_at_origin":0}
{"type":"marker","time_ns":1,"kind":"start"}
{"type":"future_thing","x":1}
"#;
    let export = read_export(text).expect("readable");
    assert_eq!(export.skipped_records, 1);
    assert_eq!(export.records, vec![Record::Marker(Marker { time_ns: 1, kind: "start".into(), message: None })]);
}

#[test]
fn bad_files_name_the_line() {
    assert_eq!(read_export(b"").expect_err("empty").line, 1);
    let e = read_export(b"garbage\n").expect_err("garbage");
    assert!(e.message.contains("not a memwatch export"), "{e}");
    let e = read_export(br#"{"snapshot":{"meta":{}}}"#).expect_err("heap snapshot");
    assert!(e.message.contains("not a memwatch export"), "{e}");
    let text = br#"{"format":"memwatch-export","version":"1.0","producer":"x","epoch_ms_at_origin":0}
{"type":"marker","time_ns":1,"kind":"start"}
{"type":"gc","seq":"oops"}
{"type":"marker","time_ns":2,"kind":"end"}
"#;
    let e = read_export(text).expect_err("corrupt middle line");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("invalid \"gc\" record"), "{e}");
}

#[test]
fn leak_retainers_records_attach_to_their_recorded_leak_only() {
    use memwatch_core::export::LeakRetainersRecord;
    use memwatch_core::leak::LeakRetainers;

    let config = AnalyzerConfig::default();
    let (mut bytes, live) = write_live(&leaking_samples(), &config);
    let leaks: Vec<_> = live
        .iter()
        .filter_map(|e| match e {
            Event::Leak(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    assert!(leaks.len() >= 2, "the fixture leaks more than once");
    // A report for the second leak only, as `memwatch run --leak-retainers` writes it.
    let retainers = LeakRetainers {
        since_ns: 5,
        time_ns: 9,
        before_snapshot: None,
        after_snapshot: Some("snaps/leak.heapsnapshot".into()),
        classes: vec![],
        holders: vec![],
        error: Some("test".into()),
    };
    let record = Record::LeakRetainers(LeakRetainersRecord {
        detector: leaks[1].detector,
        gc_seq: leaks[1].gc_seq,
        retainers: retainers.clone(),
    });
    let line = serde_json::to_string(&record).unwrap();
    assert!(line.starts_with(r#"{"type":"leak_retainers""#), "{line}");
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');

    let export = read_export(&bytes).expect("valid");
    assert_eq!(export.header.version, "1.2");
    assert_eq!(export.skipped_records, 0);
    let a = analyze_export(&export, &AnalyzerOverrides::default()).expect("recorded parameters are valid");
    let with: Vec<_> = a.recorded_leaks.iter().map(|l| l.retainers.as_deref()).collect();
    assert_eq!(with[1], Some(&retainers));
    assert!(with.iter().enumerate().all(|(i, r)| i == 1 || r.is_none()), "{with:?}");
    // Re-analysis cannot take snapshots: the re-analysed leak that is the recorded one (same
    // detector, same GC) carries its recorded retainers, the others none.
    assert_eq!(a.analysis.leaks, a.recorded_leaks);

    // Other parameters: leaks at other GCs get none; one at the recorded leak's GC keeps them.
    let mut o = AnalyzerOverrides::default();
    o.set(DetectorKind::Classic, "growth_count", 2.0);
    o.turn_off(DetectorKind::Trend);
    let other = analyze_export(&export, &o).expect("valid options");
    assert!(other.analysis.leaks.len() > a.analysis.leaks.len());
    for l in &other.analysis.leaks {
        let same_event = l.detector == leaks[1].detector && l.gc_seq == leaks[1].gc_seq;
        assert_eq!(l.retainers.as_deref(), same_event.then_some(&retainers), "leak at GC #{}", l.gc_seq);
    }
}

#[test]
fn bad_options_and_bad_recorded_parameters_are_rejected_naming_the_option() {
    let (bytes, _) = write_live(&leaking_samples(), &AnalyzerConfig::default());
    let export = read_export(&bytes).expect("valid");
    let mut o = AnalyzerOverrides::default();
    o.set(DetectorKind::Trend, "min_r2", f64::NAN);
    let e = analyze_export(&export, &o).expect_err("NaN");
    assert_eq!(
        e.to_string(),
        "invalid detector option trend.min_r2 (--trend-min-r2): must be a finite number from 0 to 1, got NaN"
    );

    // A hand-edited header with a window of 1 (the detector used to clamp it silently).
    let text = String::from_utf8(bytes).expect("utf8").replacen(r#""window":8"#, r#""window":1"#, 1);
    let export = read_export(text.as_bytes()).expect("readable");
    let e = analyze_export(&export, &AnalyzerOverrides::default()).expect_err("window 1");
    assert!(e.to_string().contains("trend.window (--trend-window): must be an integer from 2 to 4096, got 1"), "{e}");
    let mut fix = AnalyzerOverrides::default();
    fix.set(DetectorKind::Trend, "window", 4.0);
    assert_eq!(analyze_export(&export, &fix).expect("overridden").config.trend.map(|t| t.window), Some(4));
}

/// docs/format.md: minor versions may add optional fields and record types. A GC type this
/// version does not know (a newer V8) is kept, written back unchanged and counted, not rejected.
#[test]
fn unknown_gc_types_of_a_newer_minor_version_are_kept_and_marked() {
    let text = br#"{"format":"memwatch-export","version":"1.9","producer":"x","epoch_ms_at_origin":0}
{"type":"gc","seq":0,"gc_type":"scavenge","start_ns":0,"end_ns":10,"heap":{"used_heap_size":5}}
{"type":"gc","seq":1,"gc_type":"concurrent_sweep","start_ns":20,"end_ns":50,"heap":{"used_heap_size":6}}
{"type":"gc","seq":2,"gc_type":"mark_sweep_compact","start_ns":60,"end_ns":90,"heap":{"used_heap_size":4}}
"#;
    let export = read_export(text).expect("readable");
    assert_eq!(export.records.len(), 3, "the unknown GC type is kept");
    let Record::Gc(unknown) = &export.records[1] else { panic!("a gc record") };
    assert_eq!(unknown.gc_type, GcType::Other("concurrent_sweep".into()));
    let line = serde_json::to_string(&export.records[1]).expect("serializes");
    assert!(line.contains(r#""gc_type":"concurrent_sweep""#), "{line}");

    let a = analyze_export(&export, &AnalyzerOverrides::default()).expect("analysed");
    assert_eq!(a.unknown_gc_types, 1);
    assert_eq!(a.analysis.gc_samples, 3);
    let stats = a.analysis.stats.expect("stats");
    assert_eq!((stats.num_inc_gc, stats.num_full_gc), (2, 1), "an unknown type counts as incremental");
    assert_eq!(stats.gc_counts.scavenge + stats.gc_counts.mark_sweep_compact, 2, "and in no per-type counter");
    assert_eq!(stats.gc_pause_ns.scavenge + stats.gc_pause_ns.mark_sweep_compact, 40);
}

/// Floats in records read back as the same f64 that was written (serde_json's default parser can
/// be 1 ulp off: a recorded leak's rate_bytes_per_hour of 53502695083.629684, as emitted live,
/// read back as 53502695083.62968 before `float_roundtrip` was enabled).
#[test]
fn recorded_floats_read_back_exactly() {
    let mut header = Header::new("test", 1_795_866_918_685.72);
    header.analyzer = AnalyzerConfig::default();
    let mut w = ExportWriter::new(Vec::new(), &header).expect("header");
    let rates = [53_502_695_083.629_684_f64, 3_353_598_706.025_453_6, 0.1 + 0.2, 1e-300, 123_456.789_012_345_68];
    for (i, &rate) in rates.iter().enumerate() {
        let mut a = Analyzer::new(AnalyzerConfig::default(), 0.0);
        let mut evs = Vec::new();
        for s in leaking_samples() {
            a.push(&s, &mut evs);
        }
        let Some(Event::Leak(mut leak)) = evs.into_iter().find(|e| matches!(e, Event::Leak(_))) else {
            panic!("the leaking run must produce a leak")
        };
        leak.rate_bytes_per_hour = rate;
        leak.gc_seq = i as u64;
        w.write(&Record::Leak(leak)).expect("leak");
    }
    let export = read_export(&w.into_inner()).expect("valid export");
    assert_eq!(export.header.epoch_ms_at_origin.to_bits(), 1_795_866_918_685.72_f64.to_bits());
    let read: Vec<u64> = export
        .records
        .iter()
        .filter_map(|r| if let Record::Leak(l) = r { Some(l.rate_bytes_per_hour.to_bits()) } else { None })
        .collect();
    assert_eq!(read, rates.iter().map(|r| r.to_bits()).collect::<Vec<_>>());
}
