// Node ES module entry: the same (synchronously initialised) module as require('memwatch-wasm').
import memwatch from './index.cjs';

export default memwatch;
export { memwatch };
// node-memwatch API (bound: usable destructured).
export const on = memwatch.on.bind(memwatch);
export const once = memwatch.once.bind(memwatch);
export const off = memwatch.off.bind(memwatch);
export const removeListener = memwatch.removeListener.bind(memwatch);
export const removeAllListeners = memwatch.removeAllListeners.bind(memwatch);
export const { gc, HeapDiff, configure, record, readSnapshot, diffFiles, leakFiles } = memwatch;
// Engine API: every export of the generated module (the same objects as memwatch[name]).
export * from './wasm/node/memwatch_wasm.js';
