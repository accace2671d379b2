// The GC timeline: used heap after every GC (points coloured by GC type, pause time on hover),
// current_base and estimated_base after each full GC, and leak events as shaded spans.
// Drawn with uPlot (vendored in www/vendor/uplot); re-created when the colour scheme changes.

import uPlot from '../../vendor/uplot/uPlot.esm.js';
import { GC_TYPES } from '../model.js';
import { formatBytes, formatNs, formatSeconds, byteTicks, byteTickLabels, exactBytes } from '../format.js';

const TYPE_LABELS = {
  scavenge: 'Scavenge',
  minor_mark_sweep: 'Minor mark-sweep',
  mark_sweep_compact: 'Full (mark-sweep-compact)',
  incremental_marking: 'Incremental marking',
  weak_callbacks: 'Weak callbacks',
};

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export class TimelineView {
  constructor(container, tip) {
    this.container = container;
    this.tip = tip;
    this.plot = null;
    this.data = null; // { timeline, stats, leaks }
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.#rebuild());
    new ResizeObserver(() => this.#resize()).observe(container);
  }

  /** timeline: columns from model.toTimeline; stats: model.toStatsSeries; leaks: normalised events. */
  show(timeline, stats, leaks) {
    this.data = { timeline, stats, leaks };
    this.#rebuild();
  }

  /** New leak events (after re-analysis): redraw with the same data (the base lines do not
   * depend on detector parameters), so a re-analysis of a long recording stays cheap. */
  setLeaks(leaks) {
    if (!this.data) return;
    this.data.leaks = leaks;
    this.plot?.redraw(false);
  }

  /** Closes the chart (the export was closed). */
  clear() {
    this.plot?.destroy();
    this.plot = null;
    this.data = null;
    this.tip.hidden = true;
  }

  /**
   * Zooms the x axis to a leak event's span with a margin, kept inside the recorded GCs (the
   * time axis never shows a time before the first or after the last GC). Double-click resets.
   */
  zoomTo(t0, t1) {
    if (!this.plot) return;
    const t = this.data.timeline.t;
    const first = t[0];
    const last = t[t.length - 1];
    const pad = Math.max((t1 - t0) * 0.25, 0.5);
    this.plot.setScale('x', { min: Math.max(first, t0 - pad), max: Math.min(last, t1 + pad) });
    this.container.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  /** The visible x range in seconds, or null before a chart exists. */
  range() {
    return this.plot ? { min: this.plot.scales.x.min, max: this.plot.scales.x.max } : null;
  }

  #resize() {
    if (this.plot) this.plot.setSize(this.#size());
  }

  #size() {
    return { width: Math.max(320, this.container.clientWidth), height: 320 };
  }

  /** Aligns all series on the GC times (uPlot wants one x array). */
  #columns() {
    const { timeline: tl, stats } = this.data;
    const n = tl.t.length;
    const cur = new Array(n).fill(null);
    const est = new Array(n).fill(null);
    // Stats events come from full GCs, in order; match them to samples by time.
    let j = 0;
    for (let i = 0; i < n && j < stats.t.length; i++) {
      if (Math.abs(tl.t[i] - stats.t[j]) < 1e-9) {
        cur[i] = stats.current_base[j];
        est[i] = stats.estimated_base[j];
        j++;
      }
    }
    const used = Array.from(tl.used);
    const byType = GC_TYPES.map((_, k) => Array.from(tl.type, (ty, i) => (ty === k ? tl.used[i] : null)));
    return [Array.from(tl.t), used, cur, est, ...byType];
  }

  #rebuild() {
    if (!this.data) return;
    this.plot?.destroy();
    const fg = cssVar('--fg');
    const grid = cssVar('--grid');
    const typeColors = GC_TYPES.map((_, i) => cssVar(`--gc-${i}`));
    const leakFill = cssVar('--leak-fill');
    const leakLine = cssVar('--leak-line');
    this.trendFill = cssVar('--leak-trend');
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    const present = new Set(this.data.timeline.type);
    const opts = {
      ...this.#size(),
      title: 'Used heap after each GC',
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 'seconds since start', values: (u, v) => v.map((s) => `${s} s`) },
        // One binary unit for every tick, at round values of it (format.byteTicks).
        {
          ...axis,
          label: 'used heap',
          size: 80,
          splits: (u, ai, min, max) => byteTicks(min, max, Math.max(2, Math.floor(u.bbox.height / devicePixelRatio / 30))),
          values: (u, v) => byteTickLabels(v),
        },
      ],
      cursor: { points: { show: false }, drag: { x: true, y: false } },
      legend: { live: false },
      series: [
        { label: 'time' },
        { label: 'used heap', stroke: cssVar('--used'), width: 1, points: { show: false } },
        { label: 'current_base', stroke: cssVar('--current'), width: 2, spanGaps: true, points: { show: false } },
        { label: 'estimated_base', stroke: cssVar('--estimated'), width: 2, dash: [6, 4], spanGaps: true, points: { show: false } },
        ...GC_TYPES.map((t, i) => ({
          label: TYPE_LABELS[t],
          show: present.has(i),
          stroke: typeColors[i],
          fill: typeColors[i],
          paths: () => null,
          // Markers only while the visible range is sparse enough to read them (and to draw
          // them quickly); zoom in (drag) to see every GC of a long recording.
          points: {
            show: (u, si, i0, i1) => i1 - i0 <= (t === 'mark_sweep_compact' ? 20000 : 4000),
            size: t === 'mark_sweep_compact' ? 8 : 5,
            stroke: typeColors[i],
            fill: typeColors[i],
          },
        })),
      ],
      hooks: {
        drawClear: [(u) => this.#drawLeaks(u, leakFill, leakLine)],
        setCursor: [(u) => this.#hover(u)],
      },
    };
    this.plot = new uPlot(opts, this.#columns(), this.container);
  }

  /** Leak events: a bar over the event's span in a lane per detector at the top of the plot,
   * and a line at the GC that fired it (drawn under the series). */
  #drawLeaks(u, fill, line) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const lane = 7 * devicePixelRatio;
    ctx.save();
    // Zoomed in, events reach outside the visible range: draw only what falls on the plot.
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const l of this.data.leaks) {
      const x0 = u.valToPos(l.t_start, 'x', true);
      const x1 = u.valToPos(l.t_end, 'x', true);
      const y = top + (l.detector === 'trend' ? lane + 2 : 0);
      ctx.fillStyle = l.detector === 'trend' ? this.trendFill : fill;
      ctx.fillRect(x0, y, Math.max(2, x1 - x0), lane);
      ctx.strokeStyle = line;
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash(l.detector === 'trend' ? [4 * devicePixelRatio, 3 * devicePixelRatio] : []);
      ctx.beginPath();
      ctx.moveTo(x1, y);
      ctx.lineTo(x1, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Tooltip with the nearest GC: type, time, used heap, pause (text only). */
  #hover(u) {
    const i = u.cursor.idx;
    const tl = this.data.timeline;
    if (i === null || i === undefined || i >= tl.t.length) {
      this.tip.hidden = true;
      return;
    }
    const type = GC_TYPES[tl.type[i]] ?? 'unknown';
    const leak = this.data.leaks.find((l) => tl.t[i] >= l.t_start && tl.t[i] <= l.t_end);
    const lines = [
      `GC #${tl.seq[i]} — ${TYPE_LABELS[type] ?? type}${tl.snapshot[i] ? ' (snapshot)' : ''}`,
      `at ${formatSeconds(tl.t[i])}, pause ${formatNs(tl.pause_ns[i])}`,
      `used heap ${formatBytes(tl.used[i])} (${exactBytes(tl.used[i])})`,
    ];
    if (leak) lines.push(`inside a ${leak.detector} leak event`);
    this.tip.replaceChildren(...lines.map((s) => Object.assign(document.createElement('div'), { textContent: s })));
    this.tip.hidden = false;
    const left = u.cursor.left ?? 0;
    const top = u.cursor.top ?? 0;
    const over = u.over.getBoundingClientRect();
    const host = this.container.getBoundingClientRect();
    const x = over.left - host.left + left + 12;
    this.tip.style.left = `${Math.min(x, host.width - 240)}px`;
    this.tip.style.top = `${over.top - host.top + top + 12}px`;
  }
}
