// Re-analysis controls: read/write core's AnalyzerConfig ({classic, trend}, null = off) from the
// form; changes are debounced and handed to a callback that re-runs the wasm detectors. The
// inputs' bounds and hints come from the engine (core's detector options), which also has the
// last word: a value it rejects comes back as an error naming the option. A value the form itself
// refuses (not a number, outside the bounds) goes to `onInvalid` with the field's name and the
// browser's message instead, so the page can say why nothing changed.

import { $ } from '../dom.js';

const CLASSIC = [
  ['growth_count', '#p-growth-count'],
  ['noise_floor_bytes', '#p-noise-bytes'],
  ['noise_floor_percent', '#p-noise-percent'],
];
const TREND = [
  ['window', '#p-window'],
  ['warmup_gcs', '#p-warmup'],
  ['min_r2', '#p-min-r2'],
  ['min_growth_bytes', '#p-min-growth'],
  ['min_growth_percent', '#p-min-growth-pct'],
];
const FIELDS = { classic: CLASSIC, trend: TREND };

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

  /**
   * Sets each input's bounds from the engine's option list ([{ detector, name, kind, min, max,
   * help }]), so the browser's own checks and spinners follow core's table.
   */
  setOptions(options) {
    for (const o of options) {
      const sel = FIELDS[o.detector]?.find(([key]) => key === o.name)?.[1];
      if (!sel) continue;
      const input = $(sel);
      input.min = String(o.min);
      input.max = String(o.max);
      input.step = o.kind === 'integer' ? '1' : 'any';
      input.title = `${o.help} (${o.min} to ${o.max})`;
    }
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
      for (const [key, sel] of fields) {
        const input = $(sel);
        input.disabled = !on;
        // Parsed as a number whatever the option; integrality is core's to check (with a message).
        const v = Number.parseFloat(input.value);
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
