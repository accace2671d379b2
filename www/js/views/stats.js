// The stats panel (node-memwatch's `stats` fields + per-GC-type counts and pauses) and the list
// of leak events with their reasons. Every value is set with textContent.

import { h, replace } from '../dom.js';
import { formatBytes, formatBytesSigned, formatInt, formatNs, formatSeconds, formatWallClock, exactBytes } from '../format.js';
import { GC_TYPES } from '../model.js';
import { allocationsPanel } from './allocations.js';

/** node-memwatch's fields in its order; `size` marks byte counts (shown with a human size too). */
const FIELDS = [
  ['num_full_gc', 'Full GCs'],
  ['num_inc_gc', 'Incremental GCs'],
  ['heap_compactions', 'Heap compactions'],
  ['usage_trend', 'Usage trend (%)'],
  ['current_base', 'Current base', 'size'],
  ['estimated_base', 'Estimated base', 'size'],
  ['min', 'Min base', 'size'],
  ['max', 'Max base', 'size'],
  ['last_gc_pause_ns', 'Last GC pause (ns)', 'ns'],
];

export function renderStats(dl, tbody, stats) {
  if (!stats) {
    replace(dl, h('p', { class: 'empty', text: 'The export holds no GC samples.' }));
    tbody.replaceChildren();
    return;
  }
  const items = [];
  for (const [key, label, kind] of FIELDS) {
    const v = stats[key];
    const extra = kind === 'size' ? formatBytes(v) : kind === 'ns' ? formatNs(v) : null;
    items.push(
      h('div', { class: 'stat', dataset: { field: key } },
        h('dt', { text: label, title: key }),
        h('dd', {},
          h('span', { class: 'value', text: key === 'usage_trend' ? String(v) : formatInt(v) }),
          extra ? h('span', { class: 'human', text: extra }) : null)),
    );
  }
  replace(dl, items);
  const rows = GC_TYPES.map((t) =>
    h('tr', { dataset: { gcType: t } },
      h('th', { scope: 'row', text: t }),
      h('td', { class: 'num', dataset: { field: 'count' }, text: formatInt(stats.gc_counts?.[t] ?? 0) }),
      h('td', { class: 'num', dataset: { field: 'pause' }, text: formatNs(stats.gc_pause_ns?.[t] ?? 0) })));
  tbody.replaceChildren(...rows);
}

/** `onShow(leak)`: called by the event's "Show on timeline" button. */
export function renderLeaks(ol, badge, leaks, onShow) {
  badge.textContent = String(leaks.length);
  if (leaks.length === 0) {
    replace(ol, h('li', { class: 'none', text: 'No leak events with these parameters.' }));
    return;
  }
  // "Who retains the growth" starts expanded on the first event that has it: the answer up front.
  const firstHeld = leaks.findIndex((l) => l.retainers && !l.retainers.error);
  replace(ol, leaks.map((l, i) =>
    h('li', { class: `leak ${l.detector}`, dataset: { detector: l.detector } },
      h('span', { class: 'det', text: l.detector }),
      h('span', { class: 'reason', text: l.reason }),
      // The chart's time base (seconds since the recording started); wall-clock time on hover.
      h('span', { class: 'when' },
        h('span', {
          class: 'span',
          tabIndex: 0,
          title: `${formatWallClock(l.start)} – ${formatWallClock(l.end)} (wall clock)`,
          text: `${formatSeconds(l.t_start)} – ${formatSeconds(l.t_end)}`,
        }),
        h('span', { class: 'growth', title: exactBytes(l.growth, true), text: `, growth ${formatBytesSigned(l.growth)}` }),
        ` over ${l.gc_count} full GCs${l.r2 != null ? `, r² ${Number(l.r2).toFixed(3)}` : ''}`),
      onShow ? h('button', { type: 'button', class: 'show', text: 'Show on timeline', onclick: () => onShow(l) }) : null,
      l.retainers ? heldBy(l.retainers, i === firstHeld) : null,
      l.allocations ? allocationsPanel(l.allocations) : null)));
}

/**
 * A recorded leak's retainers: the holders of the new objects first (the engine's holders-first
 * report: what holds them, where it is defined, what it gained), then the growing classes and
 * where their new objects are held. One <details> per event; more sections can follow it.
 */
function heldBy(r, open) {
  if (r.error) return h('p', { class: 'held-by none', text: `No retainer paths: ${r.error}` });
  const holders = (r.holders ?? []).map((s) =>
    h('li', { class: 'holder', dataset: { holder: s.name } },
      h('span', { class: 'cls' },
        h('code', { class: 'holder-name', text: s.name }), ` ${s.class}`,
        s.location ? h('code', { class: 'location', text: ` ${s.location}` }) : null,
        `: +${formatInt(s.gained_objects)} objects retaining ${formatBytesSigned(s.gained_retained_size)} (${s.classes.map((c) => `${formatInt(c.count)} ${c.class}`).join(', ')})`),
      h('code', { class: 'path', title: s.example.text, text: `held at ${s.path.text}` })));
  const classes = r.classes.map((c) =>
    h('li', { dataset: { class: c.class } },
      h('span', { class: 'cls', text: `${c.class}: ${formatInt(c.count_before)} → ${formatInt(c.count_after)} objects, retained ${formatBytes(c.retained_size_after)} (${formatBytesSigned(c.retained_size_delta)})` }),
      ...c.paths.map((p) => h('code', { class: 'path', title: p.example.text, text: `${formatInt(p.count)} × ${p.path}` }))));
  const what = holders.length ? `${holders.length} holder${holders.length === 1 ? '' : 's'}, ${r.classes.length} classes` : `${r.classes.length} classes`;
  return h('details', { class: 'held-by', open },
    h('summary', { text: `Who retains the growth (${what} since the previous snapshot)` }),
    holders.length ? h('ul', { class: 'holders', 'aria-label': 'Holders, largest growth first' }, ...holders) : null,
    h('ul', { class: 'classes', 'aria-label': 'Growing classes' }, ...classes));
}
