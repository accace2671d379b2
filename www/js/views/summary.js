// The single-snapshot view: objects by class (count, self size), sortable and filterable.

import { h, $ } from '../dom.js';
import { DataTable } from '../table.js';
import { formatBytes, formatInt, exactBytes, middleEllipsis } from '../format.js';

export class SummaryView {
  constructor(engine, reportError) {
    this.engine = engine;
    this.reportError = reportError;
    this.snapshots = [];
    this.cache = new Map(); // handle -> rows
    this.select = $('#summary-select');
    this.table = new DataTable($('#summary-table'), {
      label: 'Objects by class',
      filterKey: 'what',
      initialSort: { key: 'self_size', dir: 'desc' },
      columns: [
        { key: 'what', label: 'Class', clip: 48 },
        { key: 'count', label: 'Count', numeric: true, format: (r) => formatInt(r.count) },
        { key: 'self_size', label: 'Self size', numeric: true, format: (r) => formatBytes(r.self_size), title: (r) => exactBytes(r.self_size) },
        { key: 'self_bytes', label: 'Self size (bytes)', numeric: true, sortValue: (r) => r.self_size, format: (r) => formatInt(r.self_size) },
      ],
      totals: (rows) => {
        const t = { label: `Total (${rows.length} classes)`, count: 0, self_size: 0 };
        for (const r of rows) {
          t.count += r.count;
          t.self_size += r.self_size;
        }
        return t;
      },
    });
    this.select.addEventListener('change', () => this.show(Number(this.select.value)));
  }

  setSnapshots(snapshots) {
    this.snapshots = snapshots;
    const keep = this.select.value;
    this.select.replaceChildren(...snapshots.map((s) => h('option', { value: String(s.handle), title: s.name, text: middleEllipsis(s.name, 40) })));
    for (const handle of this.cache.keys()) {
      if (!snapshots.some((s) => s.handle === handle)) this.cache.delete(handle);
    }
    if (snapshots.some((s) => String(s.handle) === keep)) this.select.value = keep;
    else if (snapshots.length) this.select.value = String(snapshots.at(-1).handle);
    if (snapshots.length) this.show(Number(this.select.value));
    else {
      $('#summary-empty').hidden = false;
      $('#summary-content').hidden = true;
    }
  }

  async show(handle) {
    const snap = this.snapshots.find((s) => s.handle === handle);
    if (!snap) return;
    try {
      let rows = this.cache.get(handle);
      if (!rows) {
        rows = normalize(await this.engine.summary(handle));
        this.cache.set(handle, rows);
      }
      if (Number(this.select.value) !== handle) return; // the user picked another meanwhile
      $('#summary-empty').hidden = true;
      $('#summary-content').hidden = false;
      const total = rows.reduce((a, r) => a + r.self_size, 0);
      $('#summary-meta').textContent =
        `${snap.name}: ${formatInt(snap.nodes)} nodes, ${formatInt(rows.length)} classes, ${formatBytes(total)} self size in total`;
      this.table.setRows(rows);
    } catch (e) {
      this.reportError(`${snap.name}: class summary failed: ${e.message}`);
    }
  }
}

/** Engine rows (core's ClassSummary) with plain numbers. */
function normalize(summary) {
  return summary.map((c) => ({ what: String(c.what), count: Number(c.count), self_size: Number(c.self_size) }));
}
