// Number and size formatting shared by the views. Pure functions, no DOM.

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

/** Nanoseconds as a short duration: "812 µs", "3.4 ms", "1.25 s". */
export function formatNs(ns) {
  const n = Number(ns);
  if (n < 1e6) return `${Math.round(n / 1e3)} µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} ms`;
  return `${(n / 1e9).toFixed(2)} s`;
}

/** Seconds since the recording's origin: "12.345 s". */
export function formatSeconds(s) {
  return `${Number(s).toFixed(3)} s`;
}

/** Bytes of a file for the file list: uses niceSize's units for consistency. */
export function formatFileSize(bytes) {
  return niceSize(bytes);
}
