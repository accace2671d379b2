// The HeapDiff view: a diff recorded in an export, or the diff of two loaded snapshots (the user
// picks before/after). Table: what / + / - / size delta, sortable, filterable, with a totals row.
//
// Extension point (issue 6, retainer paths): activating a row (Enter or double-click) dispatches
// a `memwatch:class-selected` CustomEvent on the view element with
// { what, row, source: { kind: 'recorded', index } | { kind: 'pair', before, after } };
// a retainer panel listens for it and asks the engine for paths of that class.

import { h, replace, $ } from '../dom.js';
import { DataTable } from '../table.js';
import { niceSize, formatInt, formatSigned, formatSeconds } from '../format.js';

const PAIR = 'pair';

export class DiffView {
  constructor(root, engine, reportError) {
    this.root = root;
    this.engine = engine;
    this.reportError = reportError;
    this.recorded = []; // HeapDiffRecord[] from the export
    this.snapshots = []; // { handle, name }
    this.current = null; // source of the shown diff
    this.busy = false;
    this.select = $('#diff-select');
    this.before = $('#diff-before');
    this.after = $('#diff-after');
    this.table = new DataTable($('#diff-table'), {
      label: 'HeapDiff by class',
      filterKey: 'what',
      initialSort: { key: 'size_bytes', dir: 'desc' },
      columns: [
        { key: 'what', label: 'What' },
        { key: '+', label: '+ allocated', numeric: true, format: (r) => formatInt(r['+']) },
        { key: '-', label: '− freed', numeric: true, format: (r) => formatInt(r['-']) },
        { key: 'size_bytes', label: 'Size delta', numeric: true, format: (r) => r.size ?? niceSize(r.size_bytes), title: (r) => `${formatSigned(r.size_bytes)} bytes`, cellClass: (r) => (r.size_bytes > 0 ? 'grew' : r.size_bytes < 0 ? 'shrank' : '') },
      ],
      totals: (rows) => {
        const t = { label: `Total (${rows.length} classes)`, '+': 0, '-': 0, size_bytes: 0 };
        for (const r of rows) {
          t['+'] += Number(r['+']);
          t['-'] += Number(r['-']);
          t.size_bytes += Number(r.size_bytes);
        }
        t.size = niceSize(t.size_bytes);
        return t;
      },
      rowAction: { header: 'Retainers', label: 'Who retains this?' },
      onActivate: (row) => root.dispatchEvent(new CustomEvent('memwatch:class-selected', {
        bubbles: true,
        detail: { what: row.what, row, source: this.current },
      })),
    });
    this.select.addEventListener('change', () => this.#onSource());
    $('#diff-source').addEventListener('submit', (e) => {
      e.preventDefault();
      this.runPair();
    });
    $('#diff-swap').addEventListener('click', () => {
      const b = this.before.value;
      this.before.value = this.after.value;
      this.after.value = b;
      this.runPair();
    });
  }

  setRecorded(records) {
    this.recorded = records;
    this.#fillSources();
    if (records.length && !this.current) {
      this.select.value = 'rec:0';
      this.#onSource();
    }
  }

  setSnapshots(snapshots) {
    const hadPair = this.snapshots.length >= 2;
    this.snapshots = snapshots;
    this.#fillSources();
    for (const sel of [this.before, this.after]) {
      const keep = sel.value;
      sel.replaceChildren(...snapshots.map((s) => h('option', { value: String(s.handle), text: s.name })));
      if (snapshots.some((s) => String(s.handle) === keep)) sel.value = keep;
    }
    if (snapshots.length >= 2 && !hadPair) {
      // First pair: compare in load order (older file first).
      this.before.value = String(snapshots[0].handle);
      this.after.value = String(snapshots[1].handle);
      this.select.value = PAIR;
      this.#onSource();
    } else if (snapshots.length < 2 && this.current?.kind === 'pair') {
      this.current = null;
      this.#show(null);
    }
  }

  #fillSources() {
    const keep = this.select.value;
    const opts = this.recorded.map((r, i) =>
      h('option', { value: `rec:${i}`, text: `Recorded ${r.label ? `“${r.label}” ` : ''}at ${formatSeconds(Number(r.time_ns) / 1e9)}` }));
    opts.push(h('option', { value: PAIR, disabled: this.snapshots.length < 2, text: this.snapshots.length < 2 ? 'Two snapshots (open two .heapsnapshot files)' : 'Two snapshots…' }));
    this.select.replaceChildren(...opts);
    if ([...this.select.options].some((o) => o.value === keep && !o.disabled)) this.select.value = keep;
  }

  #onSource() {
    const v = this.select.value;
    $('#pair-controls').hidden = v !== PAIR;
    if (v === PAIR) {
      this.runPair();
    } else if (v.startsWith('rec:')) {
      const i = Number(v.slice(4));
      this.current = { kind: 'recorded', index: i };
      this.#show(this.recorded[i]?.diff ?? null);
    }
  }

  async runPair() {
    const before = Number(this.before.value);
    const after = Number(this.after.value);
    if (!before || !after || this.busy) return;
    if (before === after) {
      this.reportError('Choose two different snapshots to compare.');
      return;
    }
    this.busy = true;
    $('#diff-run').disabled = true;
    $('#diff-run').textContent = 'Comparing…';
    try {
      const diff = await this.engine.diff(before, after);
      this.current = { kind: 'pair', before, after };
      this.#show(diff);
    } catch (e) {
      this.reportError(`HeapDiff failed: ${e.message}`);
    } finally {
      this.busy = false;
      $('#diff-run').disabled = false;
      $('#diff-run').textContent = 'Compare';
    }
  }

  #show(diff) {
    $('#diff-empty').hidden = !!diff;
    $('#diff-content').hidden = !diff;
    this.onShow?.(diff);
    if (!diff) return;
    const c = diff.change;
    const item = (key, label, value) =>
      h('div', { dataset: { field: key } }, h('dt', { text: label }), h('dd', { text: value }));
    replace($('#diff-totals'),
      item('before', 'Before', `${formatInt(diff.before.nodes)} nodes, ${diff.before.size}`),
      item('after', 'After', `${formatInt(diff.after.nodes)} nodes, ${diff.after.size}`),
      item('change', 'Change', `${c.size} (${formatSigned(Number(c.size_bytes))} bytes)`),
      item('allocated_nodes', 'Allocated nodes', formatInt(c.allocated_nodes)),
      item('freed_nodes', 'Freed nodes', formatInt(c.freed_nodes)));
    this.table.setRows(c.details.map((d) => ({ ...d, '+': Number(d['+']), '-': Number(d['-']), size_bytes: Number(d.size_bytes) })));
  }
}
