// Tiny DOM builder. Everything that may come from a file goes through textContent or
// attributes set by property: this module never parses HTML (no innerHTML anywhere in www/).

import { middleEllipsis } from './format.js';

/**
 * h('tr', {class: 'x', dataset: {what: 'Array'}, onclick: fn}, child, 'text', ...)
 * Strings become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && !k.includes('-')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * A long name or path shortened in the middle (format.middleEllipsis) with the full text on hover
 * (title) and on keyboard focus of the enclosing row or control (CSS shows `.clip-full` over the
 * short text; it is also what screen readers read). Short texts come back as a plain span.
 */
export function clipText(text, max) {
  const full = String(text);
  const short = middleEllipsis(full, max);
  if (short === full) return h('span', { class: 'clip', text: full });
  return h('span', { class: 'clip clipped', title: full },
    h('span', { class: 'clip-short', 'aria-hidden': 'true', text: short }),
    h('span', { class: 'clip-full', text: full }));
}
