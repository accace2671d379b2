// Browser / bundler entry: the wasm engine as an ES module. Initialise once before use:
//   import init, { diffSnapshots } from 'memwatch-wasm';  await init();
// (bundlers resolve the .wasm through `new URL(..., import.meta.url)`; pass `{ module_or_path }`
// to load it from elsewhere, or use `initSync({ module })` with bytes you already have).
export { default, default as init, initSync } from './wasm/web/memwatch_wasm.js';
export {
  SnapshotParser, Snapshot, diffSnapshots, summarizeSnapshot,
  parseExport, analyzeExport, ExportParser, Analyzer, version,
  growthReport, classRetainers, classGrowth, bucketClasses, leakReport, retainedSizes,
} from './wasm/web/memwatch_wasm.js';
