// Wires the page: file inputs and drag-and-drop -> engine (Web Worker + wasm) -> views.

import { Engine } from './engine.js';
import { $ } from './dom.js';
import { FileList } from './views/files.js';
import { TimelineView } from './views/timeline.js';
import { renderStats, renderLeaks } from './views/stats.js';
import { ParamsForm } from './views/params.js';
import { DiffView } from './views/diff.js';
import { SummaryView } from './views/summary.js';
import { RetainersView } from './views/retainers.js';
import { SuspectsView } from './views/suspects.js';
import { formatInt } from './format.js';
import { servedFiles } from './served-files.js';

// `?parse-workers=N`: how many snapshots to parse at once (tests and benchmarks; default: the
// cores but one).
const engine = new Engine(undefined, { parseWorkers: Number(new URLSearchParams(location.search).get('parse-workers')) });
const files = new FileList($('#file-list'), $('#errors'));
const reportError = (msg) => files.error(msg);
const timeline = new TimelineView($('#chart'), $('#chart-tip'));
const diffView = new DiffView($('#view-diff'), engine, reportError);
const summaryView = new SummaryView(engine, reportError);
const suspectsView = new SuspectsView(engine);
const retainersView = new RetainersView($('#retainers'), $('#view-diff'), engine,
  (handle) => snapshots.find((s) => s.handle === handle)?.name ?? `snapshot #${handle}`);
diffView.onShow = (diff, source) => retainersView.reset(source, leakRetainers());
retainersView.reset();
let shownLeaks = []; // the leak events the Timeline tab shows

/** The export's leak events that carry retainers, and how to get to them (for recorded diffs). */
function leakRetainers() {
  const count = shownLeaks.filter((l) => l.retainers).length;
  return {
    count,
    show: () => {
      selectTab('timeline');
      const first = document.querySelector('#leaks details.held-by');
      if (!first) return;
      first.open = true;
      first.scrollIntoView({ block: 'nearest' });
      first.querySelector('summary').focus();
    },
  };
}
let snapshots = []; // { handle, name, nodes, bytes }
let shownExport = null; // { name, row } of the export on the Timeline tab
let analysisSeq = 0;

const params = new ParamsForm($('#params'), async (config) => {
  const seq = ++analysisSeq;
  $('#params-status').textContent = 'Re-analysing…';
  try {
    const r = await engine.reanalyze(config);
    if (seq !== analysisSeq) return; // a newer change is on its way
    showAnalysis(r);
    markStale(null);
    $('#params-status').textContent = `${r.leaks.length} leak event${r.leaks.length === 1 ? '' : 's'} with these parameters`;
  } catch (e) {
    if (seq !== analysisSeq) return;
    markStale(`The engine refused these parameters: ${e.message}`);
  }
}, (errors) => {
  analysisSeq++; // a re-analysis still running is for values the form no longer shows
  markStale(errors.map((e) => e.message).join(' '), errors[0].input);
});

/**
 * `problem` null: the shown analysis matches the form. Otherwise the message goes under the form
 * and the stats, leak list and chart markers are marked as the result of earlier parameters.
 */
function markStale(problem, input = null) {
  const box = $('#params-error');
  box.hidden = problem === null;
  box.textContent = problem ?? '';
  for (const el of document.querySelectorAll('#params input')) {
    if (el === input) el.setAttribute('aria-describedby', 'params-error');
    else el.removeAttribute('aria-describedby');
  }
  for (const sel of ['#leaks', '#stats', '#gc-types', '.chart-wrap']) $(sel).classList.toggle('stale', problem !== null);
  if (problem !== null) {
    $('#params-status').textContent = 'Not re-analysed: the stats and leak events shown are for the last valid parameters.';
  }
}

engine.detectorOptions().then((o) => params.setOptions(o), (e) => reportError(`Detector options: ${e.message}`));

const showLeak = (l) => timeline.zoomTo(l.t_start, l.t_end);

function showAnalysis(r) {
  renderStats($('#stats'), $('#gc-types tbody'), r.finalStats);
  shownLeaks = r.leaks;
  renderLeaks($('#leaks'), $('#leak-count'), r.leaks, showLeak);
  timeline.setLeaks(r.leaks);
}

/** The first screen's instructions stay up until a file is open (and come back when all are closed). */
function updateIntro() {
  $('#intro').hidden = snapshots.length > 0 || shownExport !== null;
}

async function openExport(file, row) {
  const r = await engine.loadExport(file, null, row.progress);
  // The engine keeps one export: the previous one is no longer what the Timeline tab shows.
  shownExport?.row.note(`export, replaced by ${file.name}`);
  const mine = { name: file.name, row };
  shownExport = mine;
  $('#timeline-empty').hidden = true;
  $('#timeline-content').hidden = false;
  const truncated = r.truncatedLine ? ` — last line ${r.truncatedLine} was cut off and ignored` : '';
  const unknown = r.unknownGcTypes ? ` (${formatInt(r.unknownGcTypes)} of a GC type this viewer does not know)` : '';
  $('#export-meta').textContent =
    `${file.name}: ${r.producer}, format ${r.formatVersion}, ${formatInt(r.timeline.t.length)} GCs${unknown}${truncated}`;
  analysisSeq++;
  params.write(r.config, { recorded: true });
  renderStats($('#stats'), $('#gc-types tbody'), r.finalStats);
  shownLeaks = r.leaks;
  renderLeaks($('#leaks'), $('#leak-count'), r.leaks, showLeak);
  markStale(null);
  $('#params-status').textContent = '';
  timeline.show(r.timeline, r.stats, r.leaks);
  diffView.setRecorded(r.heapdiffs);
  row.done(`export, ${formatInt(r.timeline.t.length)} GCs`, () => {
    if (shownExport !== mine) return; // already replaced by a newer export
    shownExport = null;
    analysisSeq++;
    timeline.clear();
    shownLeaks = [];
    $('#timeline-content').hidden = true;
    $('#timeline-empty').hidden = false;
    diffView.setRecorded([]);
    updateIntro();
  });
  updateIntro();
  selectTab('timeline');
}

async function openSnapshot(file, row, order) {
  const s = { ...(await engine.loadSnapshot(file, row.progress)), order };
  // Parsed in parallel, so they may finish in any order: keep the order they were opened in.
  snapshots = [...snapshots, s].sort((x, y) => x.order - y.order);
  row.done(`snapshot, ${formatInt(s.nodes)} nodes`, () => {
    snapshots = snapshots.filter((x) => x.handle !== s.handle);
    engine.drop(s.handle);
    diffView.setSnapshots(snapshots);
    suspectsView.setSnapshots(snapshots);
    summaryView.setSnapshots(snapshots);
    updateIntro();
  });
  diffView.setSnapshots(snapshots);
  suspectsView.setSnapshots(snapshots);
  summaryView.setSnapshots(snapshots);
  updateIntro();
  // Two or more snapshots open on the suspects: the answer without a click.
  selectTab(snapshots.length >= 2 ? 'suspects' : 'summary');
}

/**
 * Opens files: each file's kind first (in the order given), then snapshots load in parallel
 * (the engine parses each in a worker of its own) while exports load one after another (the
 * engine keeps one).
 */
let queue = Promise.resolve();
let exportQueue = Promise.resolve();
let opened = 0;
function openFiles(list) {
  const jobs = [];
  for (const file of list) {
    const row = files.add(file);
    const order = opened++;
    const job = (async () => {
      try {
        const kind = await engine.sniff(file);
        row.kind(kind);
        if (kind === 'export') {
          const mine = exportQueue.then(() => openExport(file, row));
          exportQueue = mine.catch(() => {});
          await mine;
        } else {
          await openSnapshot(file, row, order);
        }
      } catch (e) {
        row.fail(e.message.startsWith(file.name) ? e.message : `${file.name}: ${e.message}`);
      }
    })();
    jobs.push(job);
  }
  queue = Promise.all([queue, ...jobs]);
  return queue;
}

// File input
$('#file-input').addEventListener('change', (e) => {
  openFiles([...e.target.files]);
  e.target.value = '';
});

// Drag and drop anywhere on the page
const overlay = $('#drop-overlay');
let dragDepth = 0;
window.addEventListener('dragenter', (e) => {
  if (!e.dataTransfer?.types?.includes('Files')) return;
  dragDepth++;
  overlay.hidden = false;
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) overlay.hidden = true;
});
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  const list = [...(e.dataTransfer?.files ?? [])];
  if (list.length) openFiles(list);
});

// Tabs (WAI-ARIA tabs pattern: arrow keys move between tabs, Tab goes into the panel)
const TABS = ['timeline', 'suspects', 'diff', 'summary'];
function selectTab(name, focus = false) {
  for (const t of TABS) {
    const tab = $(`#tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#view-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
}
for (const t of TABS) {
  const tab = $(`#tab-${t}`);
  tab.addEventListener('click', () => selectTab(t));
  tab.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(t);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    selectTab(TABS[(next + TABS.length) % TABS.length], true);
  });
}

// Files given to `memwatch-wasm view FILE...` (served-files.js).
const served = servedFiles(location).then(openFiles, (e) => reportError(`Cannot load the files given to memwatch-wasm view: ${e.message}`));

// For tests and debugging: resolves when every opened file has been handled.
window.memwatchViewer = { idle: () => served.then(() => queue), engine, timelineRange: () => timeline.range() };
