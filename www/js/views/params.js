// Re-analysis controls: read/write core's AnalyzerConfig ({classic, trend}, null = off) from the
// form; changes are debounced and handed to a callback that re-runs the wasm detectors. A value
// the form itself refuses (not a number, outside the field's min/max) goes to `onInvalid` with
// the field's name and the browser's message instead, so the page can say why nothing changed.

import { $ } from '../dom.js';

const CLASSIC = [
  ['growth_count', '#p-growth-count', 'int'],
  ['noise_floor_bytes', '#p-noise-bytes', 'int'],
  ['noise_floor_percent', '#p-noise-percent', 'float'],
];
const TREND = [
  ['window', '#p-window', 'int'],
  ['warmup_gcs', '#p-warmup', 'int'],
  ['min_r2', '#p-min-r2', 'float'],
  ['min_growth_bytes', '#p-min-growth', 'int'],
  ['min_growth_percent', '#p-min-growth-pct', 'float'],
];

export class ParamsForm {
  /** onChange(config); onInvalid([{ input, message }]) with one entry per refused field. */
  constructor(form, onChange, onInvalid) {
    this.form = form;
    this.recorded = null;
    this.timer = 0;
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        const { config, errors } = this.read();
        if (config) onChange(config);
        else onInvalid(errors);
      }, 120);
    };
    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    form.addEventListener('submit', (e) => e.preventDefault());
    $('#params-reset').addEventListener('click', () => {
      if (this.recorded) {
        this.write(this.recorded);
        onChange(this.recorded);
      }
    });
  }

  /** Fills the form with `config` (the parameters an analysis used). */
  write(config, { recorded = false } = {}) {
    if (recorded) this.recorded = structuredClone(config);
    fill(config.classic, CLASSIC, '#classic-on');
    fill(config.trend, TREND, '#trend-on');
  }

  /**
   * { config } (core's AnalyzerConfig), or { errors: [{ input, message }] } with the refused
   * fields marked aria-invalid. `step` only sizes the spinner's increments: any value on it is fine.
   */
  read() {
    const errors = [];
    const group = (fields, toggle) => {
      const on = $(toggle).checked;
      const out = {};
      for (const [key, sel, kind] of fields) {
        const input = $(sel);
        input.disabled = !on;
        const v = kind === 'int' ? Number.parseInt(input.value, 10) : Number.parseFloat(input.value);
        const { valid, stepMismatch } = input.validity;
        const problem = !Number.isFinite(v) ? 'enter a number'
          : valid || (stepMismatch && onlyStep(input)) ? null
            : input.validationMessage;
        input.setAttribute('aria-invalid', String(on && problem !== null));
        if (on && problem !== null) errors.push({ input, message: `${fieldName(input)}: ${problem}` });
        out[key] = v;
      }
      return on ? out : null;
    };
    const config = { classic: group(CLASSIC, '#classic-on'), trend: group(TREND, '#trend-on') };
    return errors.length ? { errors } : { config };
  }
}

/** True when the step is the only constraint `input` breaks. */
function onlyStep(input) {
  const v = input.validity;
  return !(v.badInput || v.rangeOverflow || v.rangeUnderflow || v.valueMissing || v.typeMismatch || v.patternMismatch || v.tooLong || v.tooShort || v.customError);
}

/** The visible label of a field ("Growth count"), without the input's own text. */
function fieldName(input) {
  const label = input.closest('label');
  const text = label ? [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('') : '';
  return text.trim() || input.id;
}

function fill(values, fields, toggle) {
  $(toggle).checked = values != null;
  for (const [key, sel] of fields) {
    const input = $(sel);
    input.disabled = values == null;
    input.removeAttribute('aria-invalid');
    if (values != null && values[key] !== undefined) input.value = String(values[key]);
  }
}
