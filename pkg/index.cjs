'use strict';
// Node entry (CommonJS; `import` goes through index.mjs). Loads the wasm synchronously, so
// `const memwatch = require('memwatch-wasm')` is a drop-in for node-memwatch: the exports are the
// node-memwatch facade (lib/facade.js: on/once/off/removeAllListeners, gc, HeapDiff, configure)
// plus the whole engine API (SnapshotParser, diffSnapshots, analyzeExport, Analyzer, ...).
// The engine API is not listed anywhere: it is every export of the module wasm-bindgen generates
// from the #[wasm_bindgen] items (index.mjs and web.mjs re-export it with `export *`).

// lib/engine-guard.cjs: plain errors for freed objects (instead of "null pointer passed to rust").
const { guardEngine } = require('./lib/engine-guard.cjs');
const engine = guardEngine(require('./wasm/node/memwatch_wasm.js'));
const { createMemwatch } = require('./lib/memwatch.cjs');

const memwatch = createMemwatch(engine);
// `install_panic_hook` is the module's start function (already run by wasm-bindgen).
for (const [name, value] of Object.entries(engine)) if (name !== 'install_panic_hook') memwatch[name] = value;
memwatch.memwatch = memwatch;
module.exports = memwatch;
