// The suspects summary (issue 17): with two or three snapshots loaded, the objects that holders
// gained, ranked by the retained size they gained — the engine's leak report (three snapshots:
// memlab's baseline / target / final, "allocated after the baseline, still alive in the final")
// or growth report (two: new in AFTER). Holder path, gained objects and classes, retained growth
// and the closures' source locations come from the engine; this view only lays them out.
//
// Roles: the user picks which file is which; by default the snapshots in the order they were
// taken (the files' modification times, when all differ), else in load order.

import { h, replace, $ } from '../dom.js';
import { formatBytes, formatBytesSigned, formatInt, exactBytes, middleEllipsis } from '../format.js';

const FILE_CHARS = 40;
const CLASSES_SHOWN = 5;

/** Snapshots in the order they were taken when the files say so (distinct mtimes), else as loaded. */
export function byTakenOrder(snapshots) {
  const times = snapshots.map((s) => s.lastModified);
  const known = times.every((t) => Number.isFinite(t) && t > 0) && new Set(times).size === times.length;
  return known ? snapshots.slice().sort((a, b) => a.lastModified - b.lastModified) : snapshots.slice();
}

export class SuspectsView {
  constructor(engine) {
    this.engine = engine;
    this.snapshots = [];
    this.seq = 0;
    this.roles = { baseline: $('#role-baseline'), target: $('#role-target'), final: $('#role-final') };
    this.mode = $('#suspects-mode');
    this.list = $('#suspects-list');
    this.status = $('#suspects-status');
    this.summary = $('#suspects-summary');
    this.mode.addEventListener('change', () => this.#modeChanged());
    for (const sel of Object.values(this.roles)) sel.addEventListener('change', () => this.run());
    $('#suspects-source').addEventListener('submit', (e) => {
      e.preventDefault();
      this.run();
    });
  }

  /** The loaded snapshots changed: default roles (taken order) and a new report. */
  setSnapshots(snapshots) {
    const before = new Set(this.snapshots.map((s) => s.handle));
    const now = new Set(snapshots.map((s) => s.handle));
    const changed = before.size !== now.size || [...now].some((x) => !before.has(x));
    this.snapshots = snapshots;
    const opts = () => snapshots.map((s) =>
      h('option', { value: String(s.handle), title: s.name, text: middleEllipsis(s.name, FILE_CHARS) }));
    for (const sel of Object.values(this.roles)) sel.replaceChildren(...opts());
    const three = snapshots.length >= 3;
    this.mode.querySelector('option[value="leaks"]').disabled = !three;
    $('#suspects-empty').hidden = snapshots.length >= 2;
    $('#suspects-content').hidden = snapshots.length < 2;
    if (snapshots.length < 2) {
      this.seq++;
      replace(this.list);
      this.summary.textContent = '';
      this.status.textContent = '';
      return;
    }
    if (!changed) return;
    this.mode.value = three ? 'leaks' : 'growth';
    this.#defaultRoles();
    this.run();
  }

  #modeChanged() {
    this.#defaultRoles();
    this.run();
  }

  /** Leak mode: the first three in taken order; growth mode: the first and the last. */
  #defaultRoles() {
    const order = byTakenOrder(this.snapshots);
    const leaks = this.mode.value === 'leaks';
    const pick = leaks ? [order[0], order[1], order[2]] : [order[0], null, order[order.length - 1]];
    this.roles.baseline.value = String(pick[0].handle);
    if (pick[1]) this.roles.target.value = String(pick[1].handle);
    this.roles.final.value = String(pick[2].handle);
    this.#labels();
  }

  #labels() {
    const leaks = this.mode.value === 'leaks';
    $('#role-target-wrap').hidden = !leaks;
    $('#role-baseline-label').textContent = leaks ? 'Baseline' : 'Before';
    $('#role-final-label').textContent = leaks ? 'Final' : 'After';
    $('#suspects-explain').textContent = leaks
      ? 'Objects allocated after the baseline (present in the target) and still alive in the final snapshot, grouped by the object that holds them: memlab’s baseline / target / final. Take the baseline before the action, the target after it, the final after undoing it.'
      : 'Objects new in the after snapshot, grouped by the object that holds them. Three snapshots (baseline, target, final) separate a leak from objects still in use.';
  }

  async run() {
    this.#labels();
    const leaks = this.mode.value === 'leaks';
    const baseline = Number(this.roles.baseline.value);
    const target = leaks ? Number(this.roles.target.value) : null;
    const final = Number(this.roles.final.value);
    const handles = [baseline, target, final].filter((x) => x !== null);
    const seq = ++this.seq;
    replace(this.list);
    this.summary.textContent = '';
    if (new Set(handles).size !== handles.length) {
      this.status.textContent = leaks
        ? 'Choose three different snapshots for baseline, target and final.'
        : 'Choose two different snapshots for before and after.';
      $('#suspects-content').dataset.state = 'invalid';
      return;
    }
    $('#suspects-content').dataset.state = 'computing';
    this.status.textContent = 'Finding suspects (dominator tree and retainer paths)…';
    let r;
    try {
      r = await this.engine.suspects(baseline, target, final);
    } catch (e) {
      if (seq !== this.seq) return;
      $('#suspects-content').dataset.state = 'failed';
      this.status.textContent = `Suspects failed: ${e.message}`;
      return;
    }
    if (seq !== this.seq) return;
    this.#render(r, { baseline, target, final });
  }

  #render({ mode, report }, roles) {
    const name = (handle) => this.snapshots.find((s) => s.handle === handle)?.name ?? `snapshot #${handle}`;
    const holders = report.holders ?? [];
    $('#suspects-content').dataset.state = 'ready';
    this.status.textContent = holders.length
      ? `${holders.length} suspect${holders.length === 1 ? '' : 's'}, largest retained growth first`
      : 'No suspects: no object holds new objects that are still alive.';
    this.summary.textContent = mode === 'leaks'
      ? `Allocated after ${name(roles.baseline)}, present in ${name(roles.target)} and still alive in ${name(roles.final)}: `
        + `${formatInt(report.leaked_objects)} objects (${formatBytes(report.leaked_self_size)} self size); `
        + `${formatInt(report.reported_objects)} of them are not held by another such object and retain ${formatBytes(report.reported_retained_size)}.`
      : `New in ${name(roles.final)} since ${name(roles.baseline)}, by the object that holds them.`;
    replace(this.list, ...holders.map((holder, i) => suspect(holder, i)));
  }
}

/** One holder: what it is and where it is defined, what it gained, and the paths to it and past it. */
function suspect(s, i) {
  const classes = s.classes.slice(0, CLASSES_SHOWN);
  return h('li', { class: 'suspect', dataset: { holder: s.name, class: s.class } },
    h('h3', { class: 'suspect-head' },
      h('span', { class: 'rank', text: `#${i + 1}` }),
      h('code', { class: 'holder-name', text: s.name }),
      h('span', { class: 'holder-class', text: s.class }),
      s.location ? h('code', { class: 'location', title: 'where the closure holding it was defined', text: s.location }) : null),
    h('p', { class: 'gain' },
      h('strong', { class: 'gained', title: exactBytes(s.gained_retained_size, true), text: formatBytesSigned(s.gained_retained_size) }),
      ` retained by ${formatInt(s.gained_objects)} new object${s.gained_objects === 1 ? '' : 's'}; the holder retains `,
      h('span', { title: exactBytes(s.retained_size), text: formatBytes(s.retained_size) }),
      ' now'),
    h('ul', { class: 'gained-classes', 'aria-label': 'Gained objects by class' },
      classes.map((c) => h('li', { dataset: { class: c.class } },
        h('span', { class: 'count', text: `+${formatInt(c.count)}` }), ' ',
        h('span', { class: 'cls', text: c.class }), ' ',
        h('span', { class: 'size', title: exactBytes(c.retained_size), text: `(${formatBytes(c.retained_size)})` })))),
    h('p', { class: 'held-at' }, h('span', { class: 'label', text: 'Held at ' }), h('code', { class: 'path', text: s.path.text })),
    h('p', { class: 'example' }, h('span', { class: 'label', text: 'e.g. ' }),
      h('code', { class: 'path', text: `${s.example.text} @${s.example.hops.at(-1)?.node_id ?? '?'}` })));
}
