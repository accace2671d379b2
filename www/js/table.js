// A sortable, filterable table for class lists (HeapDiff details, snapshot summaries, and the
// retainer-path panel of issue 6 later). Rows are plain objects; cells are text only.
//
// new DataTable(container, {
//   columns: [{ key, label, numeric, format(row) -> string, sortValue(row), title(row) -> tooltip, cellClass(row),
//               help -> header tooltip, clip -> max characters, or a function returning it (longer
//               text is shortened in the middle, full text on hover and on row focus) }],
//   totals: (rows) -> {key: value} | null,   // a totals row over the *filtered* rows
//   onActivate: (row) => void,                // Enter / double-click on a row (extension point)
//   rowAction: { header, label, short },      // also a button per row calling onActivate
//                                             // (setRowActionEnabled(false) removes both)
//   filterKey: 'what', label: 'HeapDiff classes', initialSort: { key, dir }
// })

import { h, replace, clipText } from './dom.js';

/** Rows drawn at most at once; more are reachable by filtering or "Show all". */
const ROW_LIMIT = 2000;

export class DataTable {
  constructor(container, opts) {
    this.opts = opts;
    this.rows = [];
    this.sort = opts.initialSort ?? { key: opts.columns[0].key, dir: 'asc' };
    this.filter = '';
    this.showAll = false;
    this.actionOff = false;
    const id = `${container.id || 'table'}-filter`;
    this.filterInput = h('input', {
      id,
      type: 'search',
      placeholder: 'Filter by name…',
      autocomplete: 'off',
      oninput: () => {
        this.filter = this.filterInput.value;
        this.render();
      },
    });
    this.count = h('span', { class: 'count', role: 'status' });
    this.table = h('table', { class: 'data' });
    this.caption = h('caption', { class: 'visually-hidden', text: opts.label ?? '' });
    this.thead = h('thead');
    this.tbody = h('tbody');
    this.tfoot = h('tfoot');
    this.more = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => { this.showAll = true; this.render(); } });
    this.table.append(this.caption, this.thead, this.tbody, this.tfoot);
    replace(
      container,
      h('div', { class: 'table-tools' }, h('label', { for: id, text: 'Filter' }), this.filterInput, this.count),
      h('div', { class: 'table-scroll' }, this.table),
      this.more,
    );
    this.#renderHead();
  }

  /** Shows or hides the per-row action button (and its column): off where it cannot answer. */
  setRowActionEnabled(on) {
    if (this.actionOff === !on) return;
    this.actionOff = !on;
    this.#renderHead();
    this.render();
  }

  setRows(rows) {
    this.rows = rows;
    this.showAll = false;
    this.render();
  }

  #renderHead() {
    const cells = this.opts.columns.map((c) => {
      const active = this.sort.key === c.key;
      const btn = h('button', {
        type: 'button',
        class: 'sort',
        onclick: () => this.#toggleSort(c.key, c.numeric),
      }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true', text: active ? (this.sort.dir === 'asc' ? ' ▲' : ' ▼') : '' }));
      return h('th', {
        scope: 'col',
        class: c.numeric ? 'num' : '',
        title: c.help,
        'aria-sort': active ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none',
        dataset: { key: c.key },
      }, btn);
    });
    if (this.opts.rowAction && !this.actionOff) cells.push(h('th', { scope: 'col', class: 'action', text: this.opts.rowAction.header ?? '' }));
    replace(this.thead, h('tr', {}, cells));
  }

  #toggleSort(key, numeric) {
    if (this.sort.key === key) this.sort = { key, dir: this.sort.dir === 'asc' ? 'desc' : 'asc' };
    else this.sort = { key, dir: numeric ? 'desc' : 'asc' }; // numbers: biggest first
    this.#renderHead();
    this.render();
    // Keep keyboard focus on the header the user just activated.
    this.thead.querySelector(`th[data-key="${CSS.escape(key)}"] button`)?.focus();
  }

  /** Rows after filter and sort (also what the totals row sums). */
  visibleRows() {
    const f = this.filter.trim().toLowerCase();
    const key = this.opts.filterKey ?? this.opts.columns[0].key;
    const rows = f ? this.rows.filter((r) => String(r[key]).toLowerCase().includes(f)) : this.rows.slice();
    const col = this.opts.columns.find((c) => c.key === this.sort.key);
    const val = col?.sortValue ?? ((r) => r[this.sort.key]);
    const sign = this.sort.dir === 'asc' ? 1 : -1;
    const collator = new Intl.Collator('en', { numeric: true });
    rows.sort((a, b) => {
      const x = val(a);
      const y = val(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return c * sign || collator.compare(String(a[key]), String(b[key]));
    });
    return rows;
  }

  render() {
    const rows = this.visibleRows();
    const shown = this.showAll ? rows : rows.slice(0, ROW_LIMIT);
    const frag = document.createDocumentFragment();
    for (const r of shown) frag.append(this.#row(r));
    this.tbody.replaceChildren(frag);
    const totals = this.opts.totals?.(rows);
    if (totals) {
      const cells = this.opts.columns.map((c, i) =>
        h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: c.numeric ? 'num' : '' },
          i === 0 ? totals.label : (c.format ? c.format(totals) : String(totals[c.key] ?? ''))));
      if (this.opts.rowAction && !this.actionOff) cells.push(h('td'));
      replace(this.tfoot, h('tr', { class: 'totals' }, cells));
    } else {
      this.tfoot.replaceChildren();
    }
    this.count.textContent = rows.length === this.rows.length
      ? `${rows.length} rows`
      : `${rows.length} of ${this.rows.length} rows`;
    this.more.hidden = shown.length === rows.length;
    this.more.textContent = `Show all ${rows.length} rows (showing ${shown.length})`;
  }

  #row(r) {
    const cells = this.opts.columns.map((c, i) => {
      const text = c.format ? c.format(r) : String(r[c.key]);
      return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: `${c.numeric ? 'num' : ''} ${c.cellClass?.(r) ?? ''}`.trim(), dataset: { key: c.key }, title: c.title?.(r) },
        c.clip ? clipText(text, typeof c.clip === 'function' ? c.clip() : c.clip) : text);
    });
    const what = String(r[this.opts.filterKey ?? this.opts.columns[0].key]);
    if (this.opts.rowAction && !this.actionOff && this.opts.onActivate) {
      cells.push(h('td', { class: 'action' }, h('button', {
        type: 'button',
        class: 'row-action',
        title: `${this.opts.rowAction.label} ${what}`,
        'aria-label': `${this.opts.rowAction.label} ${what}`,
        onclick: () => this.opts.onActivate(r),
        onkeydown: (e) => e.stopPropagation(), // Enter on the button is its click, not the row's
      },
      // Narrow windows show the short label (CSS), so the column fits at 800 px.
      h('span', { class: 'long', text: this.opts.rowAction.label }),
      h('span', { class: 'short', 'aria-hidden': 'true', text: this.opts.rowAction.short ?? this.opts.rowAction.label }))));
    }
    const tr = h('tr', { dataset: { what } }, cells);
    if (this.opts.onActivate && !this.actionOff) {
      tr.tabIndex = 0;
      tr.classList.add('activatable');
      tr.addEventListener('dblclick', () => this.opts.onActivate(r));
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.opts.onActivate(r);
      });
    }
    return tr;
  }
}
