// Leak: the shared-closure-context leak (Meteor's): an unused closure shares the context that
// holds the previous value, so every replacement keeps the one before it alive.
class Payload { constructor(i) { this.i = i; this.blob = new Array(64).fill(i); } }
let current = null;
function replace(i) {
  const previous = current;
  function unused() { if (previous) return previous.i; }
  current = { payload: new Payload(i), report: function report() { return 'ok'; } };
}
function setup() {}
function step(i) { replace(i); }
// --- corpus driver (the same in every file; see tests/leaks/README.md) ---
function runUnderNode() {
  const v8 = require('v8');
  const dir = process.argv[2];
  setup();
  for (let i = 0; i < 50; i++) step(i);
  v8.writeHeapSnapshot(dir + '/baseline.heapsnapshot');
  for (let i = 50; i < 550; i++) step(i);
  v8.writeHeapSnapshot(dir + '/target.heapsnapshot');
  for (let i = 550; i < 1050; i++) step(i);
  v8.writeHeapSnapshot(dir + '/final.heapsnapshot');
  process.exit(0);
}
function runUnderMemwatch() {
  setup();
  let i = 0;
  const driver = setInterval(() => {
    for (let k = 0; k < 200; k++) step(i++);
    memwatch.gc();
    if (i >= 8000) {
      clearInterval(driver);
      process.exit(0);
    }
  }, 1);
}
if (typeof memwatch !== 'undefined') runUnderMemwatch();
else runUnderNode();
