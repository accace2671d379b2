//! Prometheus exposition (cargo feature `prometheus`) with the official `prometheus-client`
//! crate: a [`Collector`] that reads the [`Metrics`] of one or more attachments at each scrape.
//!
//! | metric | type | labels |
//! | --- | --- | --- |
//! | `memwatch_heap_used_bytes` | gauge | used heap after the latest GC |
//! | `memwatch_estimated_base_bytes` | gauge | node-memwatch's `estimated_base` (after the latest full GC) |
//! | `memwatch_usage_trend_percent` | gauge | node-memwatch's `usage_trend` |
//! | `memwatch_gc_total` | counter | `type` (`scavenge`, `mark_sweep_compact`, ...) |
//! | `memwatch_gc_pause_seconds` | histogram | `type` |
//! | `memwatch_leak_events_total` | counter | `detector` (`classic`, `trend`) |
//!
//! Every series also carries the attachment's labels (`Config::labels`, e.g. `isolate`).
//!
//! ```
//! use prometheus_client::registry::Registry;
//! let mut registry = Registry::default();
//! let collector = memwatch::metrics::prometheus::register(&mut registry);
//! // After `let mw = Memwatch::attach(...)`: collector.add(mw.metrics());
//! let mut text = String::new();
//! prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
//! assert!(text.ends_with("# EOF\n"));
//! # let _ = collector;
//! ```

use std::sync::{Arc, Mutex};

use memwatch_core::leak::DetectorKind;
use memwatch_core::sample::GcType;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use super::{Metrics, MetricsSnapshot};

/// The collector memwatch registers: one descriptor per metric, one series per attachment
/// (and type or detector). Cheap to clone; clones share the list of attachments.
#[derive(Clone, Debug, Default)]
pub struct MemwatchCollector(Arc<Mutex<Vec<Metrics>>>);

impl MemwatchCollector {
    /// Adds an attachment's metrics (`Memwatch::metrics()`); give each a distinct label set.
    pub fn add(&self, metrics: Metrics) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(metrics);
    }

    fn snapshots(&self) -> Vec<MetricsSnapshot> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).iter().map(Metrics::snapshot).collect()
    }
}

/// Registers a [`MemwatchCollector`] on `registry` and returns it (add attachments to it).
pub fn register(registry: &mut Registry) -> MemwatchCollector {
    let c = MemwatchCollector::default();
    registry.register_collector(Box::new(c.clone()));
    c
}

/// The text exposition (OpenMetrics text, as `/metrics` serves it) of `metrics` alone.
pub fn encode_text(metrics: &[Metrics]) -> String {
    let mut registry = Registry::default();
    let c = register(&mut registry);
    for m in metrics {
        c.add(m.clone());
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

type LabelSet = Vec<(String, String)>;

fn labels(s: &MetricsSnapshot, extra: Option<(&str, &str)>) -> LabelSet {
    let mut l: LabelSet = s.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if let Some((k, v)) = extra {
        l.push((k.to_string(), v.to_string()));
    }
    l
}

impl Collector for MemwatchCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let snaps = self.snapshots();
        let gauge = |encoder: &mut DescriptorEncoder,
                     name: &str,
                     help: &str,
                     unit: Option<&Unit>,
                     value: &dyn Fn(&MetricsSnapshot) -> f64|
         -> Result<(), std::fmt::Error> {
            let mut m = encoder.encode_descriptor(name, help, unit, MetricType::Gauge)?;
            for s in &snaps {
                let ls = labels(s, None);
                m.encode_family(&ls)?.encode_gauge(&value(s))?;
            }
            Ok(())
        };
        gauge(&mut encoder, "memwatch_heap_used", "Used V8 heap after the latest GC.", Some(&Unit::Bytes), &|s| {
            s.heap_used_bytes as f64
        })?;
        gauge(
            &mut encoder,
            "memwatch_estimated_base",
            "node-memwatch's estimated_base: moving average of the used heap after full GCs.",
            Some(&Unit::Bytes),
            &|s| s.stats.as_ref().map_or(0.0, |st| st.estimated_base as f64),
        )?;
        gauge(
            &mut encoder,
            "memwatch_usage_trend_percent",
            "node-memwatch's usage_trend: recent vs long-running base, in percent.",
            None,
            &|s| s.stats.as_ref().map_or(0.0, |st| st.usage_trend),
        )?;

        let mut m = encoder.encode_descriptor(
            "memwatch_gc",
            "Application garbage collections by V8 GC type.",
            None,
            MetricType::Counter,
        )?;
        for s in &snaps {
            for t in GcType::ALL {
                let ls = labels(s, Some(("type", t.name())));
                m.encode_family(&ls)?.encode_counter::<LabelSet, _, f64>(&s.gc_counts.get(&t), None)?;
            }
        }

        let mut m = encoder.encode_descriptor(
            "memwatch_gc_pause",
            "GC pauses (prologue to epilogue) by V8 GC type.",
            Some(&Unit::Seconds),
            MetricType::Histogram,
        )?;
        for s in &snaps {
            for t in GcType::ALL {
                let h = s.gc_pause(&t);
                let ls = labels(s, Some(("type", t.name())));
                m.encode_family(&ls)?.encode_histogram::<LabelSet>(h.sum_seconds, h.count, &h.buckets(), None)?;
            }
        }

        let mut m = encoder.encode_descriptor(
            "memwatch_leak_events",
            "Leak events by detector (classic: node-memwatch's rule; trend: regression over full GCs).",
            None,
            MetricType::Counter,
        )?;
        for s in &snaps {
            for (d, name) in [(DetectorKind::Classic, "classic"), (DetectorKind::Trend, "trend")] {
                let ls = labels(s, Some(("detector", name)));
                m.encode_family(&ls)?.encode_counter::<LabelSet, _, f64>(&s.leak_events.get(d), None)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Labels;
    use memwatch_core::sample::{HeapStats, Sample};

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

    #[test]
    fn exposition_has_every_metric_with_the_isolate_label() {
        let labels: Labels = [("isolate".to_string(), "main".to_string())].into();
        let m = Metrics::new();
        m.set_labels(labels);
        m.on_sample(&sample(1, GcType::Scavenge, 300_000, 1000));
        m.on_sample(&sample(2, GcType::MarkSweepCompact, 2_000_000, 900));
        let text = encode_text(&[m]);
        for line in [
            "memwatch_heap_used_bytes{isolate=\"main\"} 900",
            "memwatch_gc_total{isolate=\"main\",type=\"scavenge\"} 1",
            "memwatch_gc_total{isolate=\"main\",type=\"mark_sweep_compact\"} 1",
            "memwatch_gc_pause_seconds_bucket{le=\"0.0005\",isolate=\"main\",type=\"scavenge\"} 1",
            "memwatch_gc_pause_seconds_bucket{le=\"0.0025\",isolate=\"main\",type=\"mark_sweep_compact\"} 1",
            "memwatch_gc_pause_seconds_bucket{le=\"+Inf\",isolate=\"main\",type=\"scavenge\"} 1",
            "memwatch_gc_pause_seconds_count{isolate=\"main\",type=\"mark_sweep_compact\"} 1",
            "memwatch_leak_events_total{isolate=\"main\",detector=\"classic\"} 0",
            "memwatch_usage_trend_percent{isolate=\"main\"} 0",
            "memwatch_estimated_base_bytes{isolate=\"main\"} 0",
        ] {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
    }
}
