// Turns the engine's export objects (core's Export / ExportAnalysis, see docs/format.md) into
// the compact column arrays the views draw. Pure functions: used by the worker so the page
// receives typed arrays instead of thousands of record objects.

/** The GC types the views draw, in legend order (the fields of core's per-type counters); the
 * index is stored in `timeline.type`, 255 for a type the engine kept from a newer format. */
export const GC_TYPES = ['scavenge', 'minor_mark_sweep', 'mark_sweep_compact', 'incremental_marking', 'weak_callbacks'];

// The engine returns plain numbers (never BigInts).
const num = (v) => Number(v ?? 0);

/**
 * GC samples (the engine's `Export.gcSamples()`) as columns: t (seconds since the recording's
 * origin, at GC end), used (used_heap_size after the GC), type (index into GC_TYPES), pause_ns,
 * snapshot (1 when the GC was caused by a heap snapshot), seq.
 */
export function toTimeline(gcs) {
  const n = gcs.length;
  const t = new Float64Array(n);
  const used = new Float64Array(n);
  const type = new Uint8Array(n);
  const pause = new Float64Array(n);
  const snapshot = new Uint8Array(n);
  const seq = new Float64Array(n);
  gcs.forEach((g, i) => {
    t[i] = num(g.end_ns) / 1e9;
    used[i] = num(g.heap?.used_heap_size);
    const ti = GC_TYPES.indexOf(g.gc_type);
    type[i] = ti < 0 ? 255 : ti;
    pause[i] = Math.max(0, num(g.end_ns) - num(g.start_ns));
    snapshot[i] = g.snapshot ? 1 : 0;
    seq[i] = num(g.seq);
  });
  return { t, used, type, pause_ns: pause, snapshot, seq };
}

/** The stats events as columns for the base lines: t (s), current_base, estimated_base. */
export function toStatsSeries(events) {
  const n = events.length;
  const t = new Float64Array(n);
  const current = new Float64Array(n);
  const estimated = new Float64Array(n);
  events.forEach((s, i) => {
    t[i] = num(s.time_ns) / 1e9;
    current[i] = num(s.current_base);
    estimated[i] = num(s.estimated_base);
  });
  return { t, current_base: current, estimated_base: estimated };
}

/** Leak events with their monotonic times also in seconds (t_start/t_end) for the chart. */
export function normalizeLeaks(leaks) {
  return leaks.map((l) => ({
    ...l,
    t_start: num(l.start_ns) / 1e9,
    t_end: num(l.end_ns) / 1e9,
  }));
}
