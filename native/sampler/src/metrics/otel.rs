//! OpenTelemetry metrics (cargo feature `opentelemetry`): the same instruments as the Prometheus
//! exposition, created on the embedder's `opentelemetry::metrics::Meter` (whatever SDK and
//! exporter it set up). Gauges and counters are observable (read from the [`Metrics`] handle at
//! each collection); the pause histogram is recorded as `poll` processes each GC.
//!
//! | instrument | kind | attributes |
//! | --- | --- | --- |
//! | `memwatch_heap_used_bytes` | observable gauge (u64, `By`) | labels |
//! | `memwatch_estimated_base_bytes` | observable gauge (u64, `By`) | labels |
//! | `memwatch_usage_trend_percent` | observable gauge (f64, `%`) | labels |
//! | `memwatch_gc_total` | observable counter (u64) | labels, `type` |
//! | `memwatch_gc_pause_seconds` | histogram (f64, `s`, memwatch's bucket bounds) | labels, `type` |
//! | `memwatch_leak_events_total` | observable counter (u64) | labels, `detector` |

use memwatch_core::leak::DetectorKind;
use memwatch_core::sample::GcType;
use opentelemetry::metrics::{Histogram, Meter, ObservableCounter, ObservableGauge};
use opentelemetry::KeyValue;

use super::{Metrics, MetricsSnapshot, PAUSE_BUCKETS_SECONDS};

/// The instruments created by [`register`]; keep it as long as they should report.
pub struct Instruments {
    pub heap_used: ObservableGauge<u64>,
    pub estimated_base: ObservableGauge<u64>,
    pub usage_trend: ObservableGauge<f64>,
    pub gc_total: ObservableCounter<u64>,
    pub leak_events: ObservableCounter<u64>,
    pub gc_pause: Histogram<f64>,
}

fn attributes(s: &MetricsSnapshot, extra: Option<(&'static str, &str)>) -> Vec<KeyValue> {
    let mut a: Vec<KeyValue> = s.labels.iter().map(|(k, v)| KeyValue::new(k.clone(), v.clone())).collect();
    if let Some((k, v)) = extra {
        a.push(KeyValue::new(k, v.to_owned()));
    }
    a
}

/// Creates memwatch's instruments on `meter` for one attachment's `metrics`.
pub fn register(meter: &Meter, metrics: Metrics) -> Instruments {
    let m = metrics.clone();
    let heap_used = meter
        .u64_observable_gauge("memwatch_heap_used_bytes")
        .with_description("Used V8 heap after the latest GC.")
        .with_unit("By")
        .with_callback(move |o| {
            let s = m.snapshot();
            o.observe(s.heap_used_bytes, &attributes(&s, None))
        })
        .build();
    let m = metrics.clone();
    let estimated_base = meter
        .u64_observable_gauge("memwatch_estimated_base_bytes")
        .with_description("node-memwatch's estimated_base: moving average of the used heap after full GCs.")
        .with_unit("By")
        .with_callback(move |o| {
            let s = m.snapshot();
            o.observe(s.stats.as_ref().map_or(0, |st| st.estimated_base), &attributes(&s, None))
        })
        .build();
    let m = metrics.clone();
    let usage_trend = meter
        .f64_observable_gauge("memwatch_usage_trend_percent")
        .with_description("node-memwatch's usage_trend: recent vs long-running base, in percent.")
        .with_unit("%")
        .with_callback(move |o| {
            let s = m.snapshot();
            o.observe(s.stats.as_ref().map_or(0.0, |st| st.usage_trend), &attributes(&s, None))
        })
        .build();
    let m = metrics.clone();
    let gc_total = meter
        .u64_observable_counter("memwatch_gc_total")
        .with_description("Application garbage collections by V8 GC type.")
        .with_callback(move |o| {
            let s = m.snapshot();
            for t in GcType::ALL {
                o.observe(s.gc_counts.get(&t), &attributes(&s, Some(("type", t.name()))));
            }
        })
        .build();
    let m = metrics.clone();
    let leak_events = meter
        .u64_observable_counter("memwatch_leak_events_total")
        .with_description("Leak events by detector (classic: node-memwatch's rule; trend: regression over full GCs).")
        .with_callback(move |o| {
            let s = m.snapshot();
            for (d, name) in [(DetectorKind::Classic, "classic"), (DetectorKind::Trend, "trend")] {
                o.observe(s.leak_events.get(d), &attributes(&s, Some(("detector", name))));
            }
        })
        .build();
    let gc_pause = meter
        .f64_histogram("memwatch_gc_pause_seconds")
        .with_description("GC pauses (prologue to epilogue) by V8 GC type.")
        .with_unit("s")
        .with_boundaries(PAUSE_BUCKETS_SECONDS.to_vec())
        .build();
    let h = gc_pause.clone();
    // Weak: the observer is stored in the handle itself. Labels are read at each GC (attach
    // may set them after this registration, with `Config::metrics`).
    let weak = std::sync::Arc::downgrade(&metrics.0);
    metrics.observe_pauses(move |t, seconds| {
        let Some(inner) = weak.upgrade() else { return };
        let s = Metrics(inner).snapshot();
        h.record(seconds, &attributes(&s, Some(("type", t.name()))));
    });
    Instruments { heap_used, estimated_base, usage_trend, gc_total, leak_events, gc_pause }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Labels;
    use memwatch_core::sample::{HeapStats, Sample};
    use opentelemetry::metrics::MeterProvider;
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

    fn sample(seq: u64, gc_type: GcType, pause_ns: u64, used: u64) -> Sample {
        Sample {
            seq,
            gc_type,
            flags: 0,
            start_ns: seq * 1_000_000,
            end_ns: seq * 1_000_000 + pause_ns,
            heap: HeapStats { used_heap_size: used, ..HeapStats::default() },
            spaces: None,
            snapshot: false,
            collection: None,
        }
    }

    fn attr(kv: &[KeyValue], key: &str) -> Option<String> {
        kv.iter().find(|k| k.key.as_str() == key).map(|k| k.value.as_str().into_owned())
    }

    #[test]
    fn instruments_report_through_an_sdk_pipeline() {
        let exporter = InMemoryMetricExporter::default();
        let provider =
            SdkMeterProvider::builder().with_reader(PeriodicReader::builder(exporter.clone()).build()).build();
        let meter = provider.meter("memwatch-test");
        let metrics = Metrics::new();
        let _instruments = register(&meter, metrics.clone());
        // Labels set after registration (as attach does with Config::metrics) are used.
        metrics.set_labels(Labels::from([("isolate".to_string(), "main".to_string())]));
        metrics.on_sample(&sample(1, GcType::Scavenge, 300_000, 1000));
        metrics.on_sample(&sample(2, GcType::MarkSweepCompact, 2_000_000, 900));
        metrics.on_sample(&sample(3, GcType::MarkSweepCompact, 4_000_000, 950));
        provider.force_flush().unwrap();

        let exported = exporter.get_finished_metrics().unwrap();
        let all: Vec<_> = exported.iter().flat_map(|r| r.scope_metrics()).flat_map(|s| s.metrics()).collect();
        let find = |name: &str| all.iter().rev().find(|m| m.name() == name).unwrap_or_else(|| panic!("no {name}"));

        let AggregatedMetrics::U64(MetricData::Sum(gc)) = find("memwatch_gc_total").data() else { panic!("gc_total") };
        let counts: Vec<(Option<String>, Option<String>, u64)> = gc
            .data_points()
            .map(|p| {
                let kv: Vec<KeyValue> = p.attributes().cloned().collect();
                (attr(&kv, "type"), attr(&kv, "isolate"), p.value())
            })
            .collect();
        assert!(counts.contains(&(Some("mark_sweep_compact".into()), Some("main".into()), 2)), "{counts:?}");
        assert!(counts.contains(&(Some("scavenge".into()), Some("main".into()), 1)), "{counts:?}");
        assert_eq!(counts.len(), GcType::ALL.len(), "a series per GC type");

        let AggregatedMetrics::F64(MetricData::Histogram(h)) = find("memwatch_gc_pause_seconds").data() else {
            panic!("gc_pause")
        };
        let msc = h
            .data_points()
            .find(|p| {
                attr(&p.attributes().cloned().collect::<Vec<_>>(), "type").as_deref() == Some("mark_sweep_compact")
            })
            .expect("a mark_sweep_compact histogram");
        assert_eq!(msc.count(), 2);
        assert!((msc.sum() - 0.006).abs() < 1e-9);
        assert_eq!(msc.bounds().collect::<Vec<_>>(), PAUSE_BUCKETS_SECONDS.to_vec());

        let AggregatedMetrics::U64(MetricData::Gauge(g)) = find("memwatch_heap_used_bytes").data() else {
            panic!("heap_used")
        };
        assert_eq!(g.data_points().map(|p| p.value()).collect::<Vec<_>>(), vec![950]);
        let AggregatedMetrics::U64(MetricData::Sum(l)) = find("memwatch_leak_events_total").data() else {
            panic!("leak_events")
        };
        assert_eq!(l.data_points().count(), 2, "a series per detector");
    }
}
