// The retainer panel (issue 6): for the class selected in the HeapDiff table (Enter, double-click
// or the row's "Who retains this?" button -> `memwatch:class-selected`), shows where its objects
// are held in the AFTER snapshot and how its retained size changed since BEFORE. Both come from
// the engine (`retainers()`: pkg's classRetainers + the class's growthReport row, the same
// objects as `memwatch diff --json --retainers N`). Text only: paths come from the snapshot.

import { h, replace, $ } from '../dom.js';
import { formatBytes, formatBytesSigned, formatInt } from '../format.js';

const PATHS = 5;

export class RetainersView {
  /** `root`: the panel element; `listenOn`: the element the HeapDiff view dispatches on. */
  constructor(root, listenOn, engine, snapshotName) {
    this.root = root;
    this.engine = engine;
    this.snapshotName = snapshotName; // handle -> file name
    this.title = $('#retainers-title', root);
    this.body = $('#retainers-body', root);
    this.status = $('#retainers-status', root);
    this.seq = 0;
    listenOn.addEventListener('memwatch:class-selected', (e) => this.select(e.detail));
  }

  /**
   * A new diff replaced the table: the hint again, or for a diff recorded in an export (no
   * snapshots, so no row has a button) where that recording's retainers are, if it has any.
   * `leakRetainers`: { count, show() } of the export's leak events that carry retainers.
   */
  reset(source = null, leakRetainers = null) {
    this.seq++;
    this.title.textContent = 'Who retains this?';
    this.status.textContent = '';
    if (source?.kind !== 'recorded') {
      replace(this.body, h('p', { class: 'hint', text: 'Select a class in the table above (Enter, double-click or its “Who retains this?” button) to see its retainer paths and retained size.' }));
      return;
    }
    const parts = [h('p', { class: 'notice', dataset: { state: 'no-snapshots' }, text:
      'This HeapDiff was recorded in an export file, which holds only the per-class counts, not the heap snapshots. ' +
      'Retainer paths need the snapshots themselves: open the two .heapsnapshot files and compare them (“Two snapshots…”).' })];
    if (leakRetainers?.count) {
      parts.push(h('p', {},
        h('button', { type: 'button', id: 'to-leak-retainers', onclick: () => leakRetainers.show(),
          text: `Who retains the growth: ${leakRetainers.count} leak event${leakRetainers.count === 1 ? '' : 's'} of this recording` })));
    } else {
      parts.push(h('p', { class: 'hint', dataset: { state: 'no-leak-retainers' }, text:
        'This recording has no leak events with retainers; `memwatch run --leak-retainers` records who retains the growth at each leak event.' }));
    }
    replace(this.body, ...parts);
  }

  async select({ what, source }) {
    const seq = ++this.seq;
    this.title.textContent = `Who retains ${what}?`;
    this.root.hidden = false;
    if (source?.kind !== 'pair') return; // recorded diffs have no row action
    this.status.textContent = `Finding the retainers of ${what}…`;
    replace(this.body, h('p', { class: 'hint', text: 'Computing dominators and retainer paths…' }));
    this.root.focus();
    let r;
    try {
      r = await this.engine.retainers(source.before, source.after, what, PATHS);
    } catch (e) {
      if (seq !== this.seq) return;
      this.status.textContent = '';
      replace(this.body, h('p', { class: 'error', role: 'alert', text: `Retainer analysis failed: ${e.message}` }));
      return;
    }
    if (seq !== this.seq) return; // another class was selected meanwhile
    this.status.textContent = `Retainers of ${what} ready`;
    this.#render(what, source, r);
  }

  #render(what, source, { retainers, growth }) {
    const beforeName = this.snapshotName(source.before);
    const afterName = this.snapshotName(source.after);
    const item = (key, label, value, title) =>
      h('div', { dataset: { field: key } }, h('dt', { text: label }), h('dd', { text: value, title }));
    const totals = h('dl', { class: 'diff-totals retainer-totals' },
      item('count', `Objects in ${afterName}`, formatInt(retainers.count)),
      item('self_size', 'Self size', formatBytes(retainers.self_size), `${formatInt(retainers.self_size)} bytes`),
      item('retained_size', 'Retained size', formatBytes(retainers.retained_size), `${formatInt(retainers.retained_size)} bytes`),
      growth && item('retained_size_delta', 'Retained size change', formatBytesSigned(growth.retained_size_delta),
        `${formatInt(growth.retained_size_before)} → ${formatInt(growth.retained_size_after)} bytes`),
      growth && item('new_objects', `New since ${beforeName}`, formatInt(growth.new_objects)));

    const parts = [totals];
    if (growth) {
      parts.push(h('h3', { text: `Where the new objects are held (since ${beforeName})` }),
        pathList(growth.paths, 'growth-paths'));
    } else {
      parts.push(h('p', { class: 'hint', dataset: { state: 'not-growing' }, text: `${what} did not grow from ${beforeName} to ${afterName} (or is a V8-internal class), so it has no growth row.` }));
    }
    parts.push(h('h3', { text: `All retainer paths in ${afterName}` }));
    parts.push(retainers.paths.length
      ? pathList(retainers.paths, 'class-paths')
      : h('p', { class: 'hint', text: `No reachable ${what} objects in ${afterName}.` }));
    replace(this.body, ...parts);
  }
}

/** Path groups as a list: normalised path, then count / retained size, then one real example. */
function pathList(groups, id) {
  if (!groups.length) return h('p', { class: 'hint', text: 'No paths (the objects are unreachable from the GC roots).' });
  return h('ol', { class: 'retainer-paths', id },
    groups.map((g) => h('li', { dataset: { path: g.path } },
      h('code', { class: 'path', text: g.path }),
      h('span', { class: 'meta', title: `${formatInt(g.retained_size)} bytes`, text: `${formatInt(g.count)} object${g.count === 1 ? '' : 's'}, retained ${formatBytes(g.retained_size)}` }),
      h('span', { class: 'example', text: `e.g. ${g.example.text} @${g.example.hops.at(-1)?.node_id ?? '?'}` }))));
}
