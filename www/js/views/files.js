// The list of opened files with a progress bar each, and the error area. A failed file stays
// listed with its message; nothing else on the page is affected. Every row that finished
// (loaded or failed) has a close button.

import { h, replace, clipText } from '../dom.js';
import { formatBytes, exactBytes } from '../format.js';

/** Characters of a file name shown in its row (longer names are cut in the middle). */
const NAME_CHARS = 44;

export class FileList {
  constructor(list, errors) {
    this.list = list;
    this.errors = errors;
  }

  /** Adds a row for `file`; returns callbacks to update it. */
  add(file) {
    const progress = h('progress', { max: 1, value: 0, 'aria-label': `Loading ${file.name}` });
    const status = h('span', { class: 'status', text: 'waiting…' });
    const kind = h('span', { class: 'kind' });
    const remove = h('button', { type: 'button', class: 'remove', hidden: true, 'aria-label': `Close ${file.name}`, title: `Close ${file.name}`, text: '×' });
    const name = clipText(file.name, NAME_CHARS);
    // A shortened name is focusable, so keyboard users can bring up the full one too.
    if (name.classList.contains('clipped')) name.tabIndex = 0;
    const li = h('li', { class: 'file loading' },
      h('span', { class: 'name' }, name), kind,
      h('span', { class: 'size', text: formatBytes(file.size), title: exactBytes(file.size) }), progress, status, remove);
    this.list.append(li);
    return {
      kind: (k) => { kind.textContent = k; li.dataset.kind = k; },
      progress: ({ loaded, total, phase }) => {
        progress.max = total || 1;
        progress.value = loaded;
        status.textContent = phase === 'read'
          ? `${Math.floor((100 * loaded) / (total || 1))}%`
          : phase === 'index' ? 'indexing…' : 'analysing…';
      },
      done: (text, onRemove) => {
        li.classList.remove('loading');
        li.classList.add('ok');
        status.textContent = text;
        if (onRemove) {
          remove.hidden = false;
          remove.addEventListener('click', () => { li.remove(); onRemove(); });
        }
      },
      /** Replaces the status text (e.g. "replaced by …") without changing the row's state. */
      note: (text) => { status.textContent = text; },
      fail: (message) => {
        li.classList.remove('loading');
        li.classList.add('failed');
        status.textContent = 'failed';
        remove.hidden = false;
        remove.addEventListener('click', () => li.remove());
        this.error(message);
      },
    };
  }

  /** Shows an error message (text only) that the user can dismiss. */
  error(message) {
    const close = h('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss message', text: '×' });
    const item = h('p', { class: 'error' }, h('span', { class: 'msg', text: message }), close);
    close.addEventListener('click', () => item.remove());
    this.errors.append(item);
  }

  clearErrors() {
    replace(this.errors);
  }
}
