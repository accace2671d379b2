// Browser / bundler entry: the wasm engine as an ES module. Initialise once before use:
//   import init, { diffSnapshots } from 'memwatch-wasm';  await init();
// (bundlers resolve the .wasm through `new URL(..., import.meta.url)`; pass `{ module_or_path }`
// to load it from elsewhere, or use `initSync({ module })` with bytes you already have).
// Engine API: every export of the module wasm-bindgen generates (initSync included).
export { default, default as init } from './wasm/web/memwatch_wasm.js';
export * from './wasm/web/memwatch_wasm.js';
