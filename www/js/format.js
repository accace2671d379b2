// Number, size and time formatting shared by the views. Pure functions, no DOM.
//
// Sizes: one convention on the whole page, binary units (B, KiB, MiB, GiB) via formatBytes.
// node-memwatch's own strings ("1.5 kb") are shown only where they are node-memwatch output
// (the HeapDiff object's `size` fields, which come from the engine as text).

/** node-memwatch's niceSize: "1.5 kb", "1 mb", "1024 bytes", "-2.07 kb" (same as core/src/size.rs). */
export function niceSize(bytes) {
  const b = Number(bytes);
  if (!Number.isFinite(b)) return String(bytes);
  const mag = Math.abs(b);
  if (mag > 1048576) return `${shortest(Math.round(b / 10485.76) / 100)} mb`;
  if (mag > 1024) return `${shortest(Math.round(b / 10.24) / 100)} kb`;
  return `${b} bytes`;
}

function shortest(v) {
  return Object.is(v, -0) || v === 0 ? '0' : String(v);
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Exact integer with thousands separators ("5,810,000"); other numbers as JS prints them. */
export function formatInt(n) {
  return Number.isInteger(n) ? intFmt.format(n) : String(n);
}

/** Signed integer ("+10,000" / "-78" / "0") for diff columns. */
export function formatSigned(n) {
  return n > 0 ? `+${formatInt(n)}` : formatInt(n);
}

/** Binary units, largest first: [name, bytes]. */
const UNITS = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10], ['B', 1]];
/** Decimals per unit: bytes are exact, KiB one decimal, MiB and GiB two. */
const DECIMALS = { B: 0, KiB: 1, MiB: 2, GiB: 2 };

function unitFor(mag) {
  return UNITS.find(([, size]) => mag >= size) ?? UNITS.at(-1);
}

function fixed(v, decimals) {
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(v);
}

/** Bytes in the page's one size convention: "512 B", "243.4 KiB", "1.78 MiB", "-2.1 KiB". */
export function formatBytes(bytes) {
  const b = Number(bytes);
  if (!Number.isFinite(b)) return String(bytes);
  const [name, size] = unitFor(Math.abs(b));
  const text = fixed(b / size, DECIMALS[name]);
  // "-0.0 KiB" cannot happen (|b| >= 1 KiB there), but rounding can print "-0" for tiny floats.
  return `${text === '-0' ? '0' : text} ${name}`;
}

/** formatBytes with an explicit sign for growth: "+1.5 KiB", "-78 B", "0 B". */
export function formatBytesSigned(bytes) {
  const b = Number(bytes);
  return b > 0 ? `+${formatBytes(b)}` : formatBytes(b);
}

/** Exact byte count for tooltips: "1,234,567 bytes" / "+1,234 bytes". */
export function exactBytes(bytes, signed = false) {
  return `${signed ? formatSigned(Number(bytes)) : formatInt(Number(bytes))} bytes`;
}

/**
 * Axis ticks for a byte scale [min, max]: one unit for every tick (chosen by the larger end),
 * steps of 1, 2 or 5 x 10^k of that unit, at most `maxTicks` of them. Returns the tick values
 * in bytes; label them with byteTickLabels.
 */
export function byteTicks(min, max, maxTicks = 6) {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const [, unit] = unitFor(Math.max(Math.abs(min), Math.abs(max)));
  const span = (max - min) / unit || 1;
  const raw = span / Math.max(1, maxTicks - 1);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw * (1 - 1e-9)) * unit;
  const out = [];
  // Integer multiples of the step, so 0.1 + 0.2 style drift never reaches a label (`|| 0`: no -0).
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) out.push(k * step || 0);
  // A range narrower than the step between two round values: try finer steps.
  return out.length < 2 && maxTicks < 64 && max > min ? byteTicks(min, max, maxTicks * 2) : out;
}

/** Labels for byteTicks' values, all in the unit of the largest tick: "0 MiB", "2 MiB", "4 MiB". */
export function byteTickLabels(ticks) {
  if (!ticks.length) return [];
  const [name, unit] = unitFor(Math.max(...ticks.map((t) => Math.abs(t))));
  // As many decimals as the roundest representation of every tick needs (at most 3).
  const needed = (v) => [0, 1, 2, 3].find((d) => Math.abs(Math.round(v * 10 ** d) / 10 ** d - v) < 1e-9 * Math.max(1, Math.abs(v))) ?? 3;
  const decimals = Math.max(...ticks.map((t) => needed(t / unit)));
  return ticks.map((t) => `${fixed(t / unit, decimals)} ${name}`);
}

/** Nanoseconds as a short duration: "812 µs", "3.4 ms", "1.25 s". */
export function formatNs(ns) {
  const n = Number(ns);
  if (n < 1e6) return `${Math.round(n / 1e3)} µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} ms`;
  return `${(n / 1e9).toFixed(2)} s`;
}

/** Seconds since the recording's origin (the page's one time base): "12.345 s". */
export function formatSeconds(s) {
  return `${Number(s).toFixed(3)} s`;
}

/** Wall-clock time of an epoch-milliseconds instant, for tooltips: "2025-11-24 16:00:05.123" (local). */
export function formatWallClock(epochMs) {
  const d = new Date(Number(epochMs));
  if (Number.isNaN(d.getTime())) return '';
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * `text` shortened to at most `max` characters by cutting the middle ("LeakingCl…ntry"): class
 * names and paths differ at both ends (namespace prefix, file name), so both are kept. The tail
 * gets the extra character. Counts code points, so a surrogate pair is never split.
 */
export function middleEllipsis(text, max) {
  const chars = Array.from(String(text));
  if (chars.length <= max || max < 3) return String(text);
  const keep = max - 1;
  const head = Math.floor(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}
