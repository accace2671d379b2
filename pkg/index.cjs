'use strict';
// Node entry (CommonJS; `import` goes through index.mjs). Loads the wasm synchronously, so
// `const memwatch = require('memwatch-wasm')` is a drop-in for node-memwatch: the exports are the
// node-memwatch EventEmitter (on/once/off/removeAllListeners, gc, HeapDiff) plus the engine API
// (SnapshotParser, diffSnapshots, summarizeSnapshot, parseExport, analyzeExport, Analyzer, ...).

const engine = require('./wasm/node/memwatch_wasm.js');
const { createMemwatch } = require('./lib/memwatch.cjs');

const memwatch = createMemwatch(engine);
const ENGINE_API = [
  'SnapshotParser', 'Snapshot', 'diffSnapshots', 'summarizeSnapshot',
  'parseExport', 'analyzeExport', 'ExportParser', 'Analyzer', 'version',
  'growthReport', 'classRetainers', 'classGrowth', 'bucketClasses', 'leakReport', 'retainedSizes',
];
for (const name of ENGINE_API) memwatch[name] = engine[name];
memwatch.memwatch = memwatch;
module.exports = memwatch;
