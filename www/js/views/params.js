// Re-analysis controls: read/write core's AnalyzerConfig ({classic, trend}, null = off) from the
// form; changes are debounced and handed to a callback that re-runs the wasm detectors. The
// inputs' bounds and hints come from the engine (core's detector options), which also has the
// last word: a value it rejects comes back as an error naming the option.

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

  /** The form as an AnalyzerConfig, or null (and invalid fields marked) when a value is bad. */
  read() {
    let ok = true;
    const group = (fields, toggle) => {
      const on = $(toggle).checked;
      const out = {};
      for (const [key, sel] of fields) {
        const input = $(sel);
        input.disabled = !on;
        // Parsed as a number whatever the option; integrality is core's to check (with a message).
        const v = Number.parseFloat(input.value);
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
