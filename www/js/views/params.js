// Re-analysis controls: read/write core's AnalyzerConfig ({classic, trend}, null = off) from the
// form; changes are debounced and handed to a callback that re-runs the wasm detectors.

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
  constructor(form, onChange) {
    this.form = form;
    this.recorded = null;
    this.timer = 0;
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        const p = this.read();
        if (p) onChange(p);
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

  /** The form as an AnalyzerConfig, or null (and invalid fields marked) when a value is bad. */
  read() {
    let ok = true;
    const group = (fields, toggle) => {
      const on = $(toggle).checked;
      const out = {};
      for (const [key, sel, kind] of fields) {
        const input = $(sel);
        input.disabled = !on;
        const v = kind === 'int' ? Number.parseInt(input.value, 10) : Number.parseFloat(input.value);
        const valid = Number.isFinite(v) && input.checkValidity();
        input.setAttribute('aria-invalid', String(on && !valid));
        if (on && !valid) ok = false;
        out[key] = v;
      }
      return on ? out : null;
    };
    const config = { classic: group(CLASSIC, '#classic-on'), trend: group(TREND, '#trend-on') };
    return ok ? config : null;
  }
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
