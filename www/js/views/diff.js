// The HeapDiff view: a diff recorded in an export, or the diff of two loaded snapshots (the user
// picks before/after). Table: DevTools' Comparison columns (# New, # Deleted, # Delta, Alloc.
// size, Freed size, Size delta; the engine's `compare`, over node-memwatch's rows) with the
// retained-size change of each row (the engine's per-bucket retained sizes, filled in when the
// dominator trees are ready) and node-memwatch's size string; sortable, filterable, with a totals row.
//
// Activating a row of a two-snapshot diff (Enter, double-click or its button) dispatches a
// `memwatch:class-selected` CustomEvent on the view element with
// { what, row, source: { kind: 'pair', before, after } }; the retainer panel answers it. A diff
// recorded in an export has no snapshots, so its rows have no button (the panel says where
// the recording's retainers are instead).

import { h, replace, $ } from '../dom.js';
import { DataTable } from '../table.js';
import { formatInt, formatSigned, formatSeconds, formatBytes, formatBytesSigned, exactBytes, middleEllipsis } from '../format.js';

const PAIR = 'pair';
/** Characters of a class name shown in the table (longer ones are cut in the middle); fewer in
 * a narrow window, so the Comparison columns fit next to it. */
const NAME_CHARS = 34;
const NARROW = matchMedia('(max-width: 900px)');
const nameChars = () => (NARROW.matches ? 20 : NAME_CHARS);
/** Characters of a file name in the before/after pickers. */
const FILE_CHARS = 40;

const growthClass = (bytes) => (bytes > 0 ? 'grew' : bytes < 0 ? 'shrank' : '');
/** Numbers a recorded diff does not have (null) sort below every number. */
const orLow = (v) => (v == null ? -Infinity : v);
const NOT_RECORDED = 'not in a recorded HeapDiff (it holds node-memwatch’s fields only)';

export class DiffView {
  constructor(root, engine, reportError) {
    this.root = root;
    this.engine = engine;
    this.reportError = reportError;
    this.recorded = []; // HeapDiffRecord[] from the export
    this.snapshots = []; // { handle, name }
    this.current = null; // source of the shown diff
    this.seq = 0; // the newest pair request; older answers are dropped
    this.select = $('#diff-select');
    this.before = $('#diff-before');
    this.after = $('#diff-after');
    const empty = $('#diff-empty');
    empty.dataset.default = empty.textContent;
    this.table = new DataTable($('#diff-table'), {
      label: 'HeapDiff by class',
      filterKey: 'what',
      initialSort: { key: 'size_bytes', dir: 'desc' },
      columns: [
        { key: 'what', label: 'What', clip: nameChars, help: 'node-memwatch’s “what”: the constructor name, or the object type (Array, String, Code, …)' },
        { key: '+', label: '# New', numeric: true, format: (r) => formatInt(r['+']), help: 'Objects allocated between the snapshots and still reachable (DevTools’ # New, node-memwatch’s “+”)' },
        { key: '-', label: '# Deleted', numeric: true, format: (r) => formatInt(r['-']), help: 'Objects of the first snapshot no longer reachable (DevTools’ # Deleted, node-memwatch’s “−”)' },
        { key: 'delta', label: '# Delta', numeric: true, format: (r) => formatSigned(r.delta), cellClass: (r) => growthClass(r.delta), help: '# New − # Deleted (DevTools’ # Delta)' },
        { key: 'alloc_size', label: 'Alloc. size', numeric: true, sortValue: (r) => orLow(r.alloc_size), format: (r) => (r.alloc_size == null ? '—' : formatBytes(r.alloc_size)), title: (r) => (r.alloc_size == null ? NOT_RECORDED : exactBytes(r.alloc_size)), help: 'Self size of the new objects (DevTools’ Alloc. Size)' },
        { key: 'freed_size', label: 'Freed size', numeric: true, sortValue: (r) => orLow(r.freed_size), format: (r) => (r.freed_size == null ? '—' : formatBytes(r.freed_size)), title: (r) => (r.freed_size == null ? NOT_RECORDED : exactBytes(r.freed_size)), help: 'Self size of the deleted objects (DevTools’ Freed Size)' },
        { key: 'size_bytes', label: 'Size delta', numeric: true, format: (r) => formatBytesSigned(r.size_bytes), title: (r) => exactBytes(r.size_bytes, true), cellClass: (r) => growthClass(r.size_bytes), help: 'Alloc. size − Freed size (DevTools’ Size Delta; node-memwatch’s size_bytes)' },
        { key: 'retained_delta', label: 'Retained Δ', numeric: true, sortValue: (r) => orLow(r.retained_delta), format: retainedText, title: retainedTitle, cellClass: (r) => growthClass(r.retained_delta ?? 0), help: 'Change of the row’s retained size: what its objects keep alive, counted once (the totals of “Who retains this?”)' },
        { key: 'size', label: 'node-memwatch', numeric: true, sortValue: (r) => r.size_bytes, format: (r) => r.size, help: 'The row’s “size” exactly as node-memwatch’s HeapDiff prints it' },
      ],
      totals: (rows) => {
        const t = { label: `Total (${rows.length} classes)`, '+': 0, '-': 0, delta: 0, size_bytes: 0, size: '', alloc_size: 0, freed_size: 0, retained_delta: null, retainedState: 'none' };
        for (const r of rows) {
          t['+'] += r['+'];
          t['-'] += r['-'];
          t.size_bytes += r.size_bytes;
          t.alloc_size = r.alloc_size == null || t.alloc_size == null ? null : t.alloc_size + r.alloc_size;
          t.freed_size = r.freed_size == null || t.freed_size == null ? null : t.freed_size + r.freed_size;
        }
        t.delta = t['+'] - t['-'];
        return t;
      },
      rowAction: { header: 'Retainers', label: 'Who retains this?', short: 'Who?' },
      onActivate: (row) => root.dispatchEvent(new CustomEvent('memwatch:class-selected', {
        bubbles: true,
        detail: { what: row.what, row, source: this.current },
      })),
    });
    this.select.addEventListener('change', () => this.#onSource());
    this.autoPair = true; // false once the user chose a pair
    for (const sel of [this.before, this.after]) sel.addEventListener('change', () => { this.autoPair = false; });
    $('#diff-source').addEventListener('submit', (e) => {
      e.preventDefault();
      this.autoPair = false;
      this.runPair();
    });
    $('#diff-swap').addEventListener('click', () => {
      this.autoPair = false;
      const b = this.before.value;
      this.before.value = this.after.value;
      this.after.value = b;
      this.runPair();
    });
  }

  setRecorded(records) {
    this.recorded = records;
    const showing = this.current?.kind === 'recorded';
    this.#fillSources();
    if (records.length && (!this.current || showing)) {
      // A new export replaces the recorded diffs: show its first one.
      this.select.value = 'rec:0';
      this.#onSource();
    } else if (!records.length && showing) {
      this.current = null;
      this.#fallback();
    }
  }

  /**
   * The loaded snapshots changed (one opened or closed). The pickers always name two loaded,
   * different snapshots; when the shown pair lost a member it is compared again with the first
   * two in load order, so the table never shows a pair that is not in the pickers.
   */
  setSnapshots(snapshots) {
    const loaded = new Set(snapshots.map((s) => String(s.handle)));
    const hadPair = this.snapshots.length >= 2;
    this.snapshots = snapshots;
    this.#fillSources();
    for (const sel of [this.before, this.after]) {
      const keep = sel.value;
      sel.replaceChildren(...snapshots.map((s) =>
        h('option', { value: String(s.handle), title: s.name, text: middleEllipsis(s.name, FILE_CHARS) })));
      if (loaded.has(keep)) sel.value = keep;
    }
    const cur = this.current;
    const pairLost = cur?.kind === 'pair' && !(loaded.has(String(cur.before)) && loaded.has(String(cur.after)));
    const pickersValid = loaded.has(this.before.value) && loaded.has(this.after.value) && this.before.value !== this.after.value;
    // Until the user picks a pair, the pair is the first two in open order: files parse in
    // parallel and may finish in any order, so a file opened earlier can still arrive.
    const firstTwo = snapshots.length >= 2 && [String(snapshots[0].handle), String(snapshots[1].handle)];
    const autoMoved = this.autoPair && firstTwo && hadPair && this.select.value === PAIR
      && (this.before.value !== firstTwo[0] || this.after.value !== firstTwo[1]);
    if (snapshots.length >= 2 && (!hadPair || pairLost || !pickersValid || autoMoved)) {
      // Compare in load order (the older file first).
      this.before.value = firstTwo[0];
      this.after.value = firstTwo[1];
    }
    if (snapshots.length >= 2 && (!hadPair || pairLost || autoMoved)) {
      this.select.value = PAIR;
      this.#onSource();
    } else if (snapshots.length < 2 && (pairLost || this.select.value === PAIR)) {
      this.seq++; // an answer still on its way is for a pair that no longer exists
      this.current = null;
      this.#fallback();
    }
  }

  /** Shows the first recorded diff if there is one, else the empty state. */
  #fallback() {
    if (this.recorded.length) {
      this.select.value = 'rec:0';
      this.#onSource();
    } else {
      $('#pair-controls').hidden = true;
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
      this.seq++;
      const i = Number(v.slice(4));
      this.current = { kind: 'recorded', index: i };
      this.#show(this.recorded[i]?.diff ?? null);
    }
  }

  async runPair() {
    const before = Number(this.before.value);
    const after = Number(this.after.value);
    if (!before || !after) return;
    if (before === after) {
      this.reportError('Choose two different snapshots to compare.');
      return;
    }
    const seq = ++this.seq;
    const name = (handle) => this.snapshots.find((s) => s.handle === handle)?.name ?? `snapshot #${handle}`;
    // The shown table is for another pair (or none) until the answer arrives: do not leave it up.
    this.current = null;
    this.#show(null, `Comparing ${name(before)} with ${name(after)}…`);
    $('#diff-run').disabled = true;
    $('#diff-run').textContent = 'Comparing…';
    try {
      const { heapdiff, rows } = await this.engine.compare(before, after);
      if (seq !== this.seq) return;
      this.current = { kind: 'pair', before, after };
      this.#show(heapdiff, undefined, rows);
      this.#fillRetained(seq, before, after);
    } catch (e) {
      if (seq !== this.seq) return;
      this.#show(null);
      this.reportError(`HeapDiff failed: ${e.message}`);
    } finally {
      if (seq === this.seq) {
        $('#diff-run').disabled = false;
        $('#diff-run').textContent = 'Compare';
      }
    }
  }

  /**
   * Fills the Retained Δ column once the engine has both snapshots' dominator trees (seconds on
   * a big pair; the table is usable meanwhile).
   */
  async #fillRetained(seq, before, after) {
    let r;
    try {
      r = await this.engine.bucketRetained(before, after);
    } catch (e) {
      if (seq !== this.seq) return;
      this.#setRetained((row) => ({ ...row, retainedState: 'failed', retainedError: e.message }));
      return;
    }
    if (seq !== this.seq) return;
    const size = (list) => new Map(list.map((b) => [b.what, Number(b.retained_size)]));
    const [b, a] = [size(r.before), size(r.after)];
    this.#setRetained((row) => ({
      ...row,
      retainedState: 'ready',
      retained_before: b.get(row.what) ?? 0,
      retained_after: a.get(row.what) ?? 0,
      retained_delta: (a.get(row.what) ?? 0) - (b.get(row.what) ?? 0),
    }));
  }

  #setRetained(update) {
    this.rows = this.rows.map(update);
    this.table.setRows(this.rows);
    $('#diff-table').dataset.retained = this.rows[0]?.retainedState ?? 'ready';
  }

  /**
   * Shows `diff`, or the empty state with `message` (default: what to open). `comparison`: the
   * engine's Comparison rows of a two-snapshot diff (null for a recorded one).
   */
  #show(diff, message, comparison = null) {
    const empty = $('#diff-empty');
    empty.hidden = !!diff;
    empty.textContent = message ?? empty.dataset.default;
    $('#diff-content').hidden = !diff;
    this.table.setRowActionEnabled(this.current?.kind === 'pair');
    this.onShow?.(diff, this.current);
    if (!diff) return;
    const c = diff.change;
    const item = (key, label, value, title) =>
      h('div', { dataset: { field: key } }, h('dt', { text: label }), h('dd', { text: value, title }));
    replace($('#diff-totals'),
      item('before', 'Before', `${formatInt(diff.before.nodes)} nodes, ${diff.before.size}`, exactBytes(diff.before.size_bytes)),
      item('after', 'After', `${formatInt(diff.after.nodes)} nodes, ${diff.after.size}`, exactBytes(diff.after.size_bytes)),
      item('change', 'Change', c.size, exactBytes(c.size_bytes, true)),
      item('allocated_nodes', 'Allocated nodes', formatInt(c.allocated_nodes)),
      item('freed_nodes', 'Freed nodes', formatInt(c.freed_nodes)));
    // The engine's Comparison rows are in the details' order, one per detail.
    const rows = c.details.map((d, i) => {
      const plus = Number(d['+']);
      const minus = Number(d['-']);
      const cmp = comparison?.[i];
      return {
        ...d,
        '+': plus,
        '-': minus,
        delta: plus - minus,
        size_bytes: Number(d.size_bytes),
        alloc_size: cmp ? Number(cmp.alloc_size) : null,
        freed_size: cmp ? Number(cmp.freed_size) : null,
        retained_delta: null,
        retainedState: comparison ? 'computing' : 'none',
      };
    });
    this.rows = rows;
    $('#diff-table').dataset.retained = comparison ? 'computing' : 'none';
    this.table.setRows(rows);
    explainTotals($('#diff-note'), c, rows);
  }
}

/**
 * node-memwatch's headline (Change, Allocated/Freed nodes) and the sum of its rows measure
 * different things; when they differ, say by how much and why instead of leaving two numbers
 * that look like they should agree.
 */
function explainTotals(note, change, rows) {
  const sum = rows.reduce((a, r) => a + r.size_bytes, 0);
  const plus = rows.reduce((a, r) => a + r['+'], 0);
  const minus = rows.reduce((a, r) => a + r['-'], 0);
  const same = sum === Number(change.size_bytes) && plus === Number(change.allocated_nodes) && minus === Number(change.freed_nodes);
  note.hidden = same;
  note.textContent = same ? '' : `The rows add up to ${formatBytesSigned(sum)}, ${formatInt(plus)} new and ${formatInt(minus)} deleted objects; `
    + `the headline's Change (${change.size}, ${exactBytes(change.size_bytes, true)}) and node counts cover every reachable node: `
    + 'node-memwatch lists no row for hidden and synthetic nodes, concatenated and sliced strings, symbols, BigInts and '
    + 'object shapes, and Change is the difference of the two heaps’ total sizes, so nodes in both whose size differs count too.';
}

/** The Retained Δ cell: the change once computed, else why there is none (yet). */
function retainedText(r) {
  switch (r.retainedState) {
    case 'ready': return formatBytesSigned(r.retained_delta);
    case 'computing': return '…';
    case 'failed': return '?';
    default: return r.label ? '' : '—';
  }
}

function retainedTitle(r) {
  switch (r.retainedState) {
    case 'ready': return `${formatInt(r.retained_before)} → ${formatInt(r.retained_after)} bytes`;
    case 'computing': return 'Computing retained sizes (dominator trees of both snapshots)…';
    case 'failed': return `Retained sizes failed: ${r.retainedError}`;
    default: return 'Retained sizes need the snapshots (a recorded HeapDiff has only node-memwatch’s fields)';
  }
}
