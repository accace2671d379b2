//! The export file round-trips, survives a killed producer, and re-analysis reproduces the
//! events a live run emitted.

use memwatch_core::analyzer::{Analyzer, AnalyzerConfig, Event};
use memwatch_core::export::{analyze_export, read_export, ExportWriter, Header, Marker, Record};
use memwatch_core::leak::ClassicConfig;
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
    let a = analyze_export(&export, None);
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
    let a = analyze_export(&export, Some(&strict));
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
    assert_eq!(export.header.version, "1.1");
    assert_eq!(export.skipped_records, 0);
    let a = analyze_export(&export, None);
    let with: Vec<_> = a.recorded_leaks.iter().map(|l| l.retainers.as_deref()).collect();
    assert_eq!(with[1], Some(&retainers));
    assert!(with.iter().enumerate().all(|(i, r)| i == 1 || r.is_none()), "{with:?}");
    // Re-analysis cannot reproduce snapshots: its leaks carry none, and otherwise still agree.
    assert!(a.analysis.leaks.iter().all(|l| l.retainers.is_none()));
    assert_eq!(a.analysis.leaks.len(), a.recorded_leaks.len());
}
