// "What allocates the growth": a recorded leak's allocation sites (the export's
// `allocation_profile` record, attached to the leak by the engine's analyze, as in
// `memwatch analyze --json`), one table row per growing site. The sites, their order and the
// noise floor that admitted them come from the engine; this only presents them. Text only.

import { h, replace, clipText } from '../dom.js';
import { formatBytes, formatBytesSigned, formatInt, exactBytes } from '../format.js';

/** `handleRequest`, or `(anonymous)` for an unnamed function. */
function functionName(frame) {
  return frame.function || '(anonymous)';
}

/** `server.js:41:17` (the script's last path component; the whole URL on hover). */
function location(frame) {
  if (!frame.url) return '(native)';
  const file = frame.url.split(/[\\/]/).pop() || frame.url;
  return `${file}:${frame.line}:${frame.column}`;
}

/** The calling frames below the site, innermost first, for the row's tooltip. */
function stackText(site) {
  const lines = site.stack.map((f) => `${functionName(f)} (${frameUrl(f)})`);
  if (site.frames_omitted) lines.push(`… ${site.frames_omitted} more frames`);
  return lines.join('\n');
}

function frameUrl(f) {
  return f.url ? `${f.url}:${f.line}:${f.column}` : 'native';
}

const sameFrame = (a, b) => a.function === b.function && a.url === b.url && a.line === b.line && a.column === b.column;

/** The site's function, and the runtime builtin it allocated through when that is the innermost
 * frame (`handleRequest via repeat`): two rows of one function differ there. */
function functionCell(site) {
  const inner = site.stack[0];
  const via = inner && !sameFrame(inner, site.site) ? inner : null;
  return [
    clipText(functionName(site.site), 40),
    via ? h('span', { class: 'via', text: ` via ${functionName(via)}` }) : null,
  ];
}

/** The frame that called the site (`called from (anonymous) server.js:22:27`), if any. */
function callerLine(site) {
  const at = site.stack.findIndex((f) => sameFrame(f, site.site));
  const caller = at >= 0 ? site.stack[at + 1] : undefined;
  if (!caller) return null;
  return h('span', { class: 'caller', title: frameUrl(caller) },
    'called from ', clipText(`${functionName(caller)} ${location(caller)}`, 48));
}

/**
 * Renders `allocations` (a LeakAllocations) into `el`: a caption and a table of growing sites
 * (function, file:line:col, live bytes then and now, growth), or why there is none.
 */
export function renderAllocations(el, allocations) {
  if (allocations.error) {
    replace(el, h('p', { class: 'alloc-none', text: `No allocation sites: ${allocations.error}` }));
    return;
  }
  const caption = `Live sampled bytes per allocation site, one sample per ${formatBytes(allocations.interval)} allocated`;
  if (allocations.sites.length > 0) {
    replace(el, sitesTable(allocations.sites, caption));
    return;
  }
  // What this interval can name at all (the engine's min_site_growth; absent in older
  // recordings), so a small leak does not read as no leak.
  const total = allocations.total_bytes_after - allocations.total_bytes_before;
  const floor = allocations.min_site_growth
    ? ` Sampled live memory ${formatBytesSigned(total)} in all; at one sample per ${formatBytes(allocations.interval)} ` +
      `a site needs ~${formatBytes(allocations.min_site_growth)} to be named: sample more often for smaller growth.`
    : '';
  const none = h('p', {
    class: 'alloc-none',
    text: `No allocation site grew beyond sampling noise since the previous profile.${floor}`,
  });
  // A leak too slow for one window, named over the whole run (the engine's sites_since_start).
  const sinceStart = allocations.sites_since_start ?? [];
  if (sinceStart.length === 0) {
    replace(el, none);
    return;
  }
  const seconds = ((allocations.time_ns - allocations.start_ns) / 1e9).toFixed(1);
  replace(el, none, sitesTable(sinceStart,
    `Grown since sampling started (${seconds} s before this profile): live sampled bytes per allocation site, ` +
    `one sample per ${formatBytes(allocations.interval)} allocated`, 'since-start'));
}

/** The table of growing sites, largest growth first. */
function sitesTable(sites, caption, kind = 'window') {
  const rows = sites.map((s, i) =>
    h('tr', { dataset: { rank: String(i + 1), function: s.site.function }, title: stackText(s) },
      h('th', { scope: 'row', class: 'fn' }, ...functionCell(s), callerLine(s)),
      h('td', { class: 'loc', title: frameUrl(s.site) }, clipText(location(s.site), 48)),
      h('td', { class: 'num', dataset: { field: 'bytes_before' }, title: exactBytes(s.bytes_before), text: formatBytes(s.bytes_before) }),
      h('td', { class: 'num', dataset: { field: 'bytes_after' }, title: exactBytes(s.bytes_after), text: formatBytes(s.bytes_after) }),
      h('td', { class: 'num', dataset: { field: 'growth' }, title: exactBytes(s.growth, true), text: formatBytesSigned(s.growth) }),
      h('td', { class: 'num', dataset: { field: 'samples' }, text: `${formatInt(s.samples_before)} → ${formatInt(s.samples_after)}` })));
  return h('table', { class: 'alloc-sites', dataset: { kind } },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {},
      ...['Function', 'Location', 'Live then', 'Live now', 'Growth', 'Samples'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, ...rows));
}

/** A leak's "What allocates the growth" block (a <details> holding renderAllocations' table). */
export function allocationsPanel(allocations) {
  const body = h('div', { class: 'alloc-body' });
  renderAllocations(body, allocations);
  const n = allocations.sites?.length ?? 0;
  const m = allocations.sites_since_start?.length ?? 0;
  const since = n === 0 && m > 0 ? `; ${m} since sampling started` : '';
  return h('details', { class: 'allocated-by' },
    h('summary', { text: `What allocates the growth (${n} growing ${n === 1 ? 'site' : 'sites'}${since})` }),
    body);
}
