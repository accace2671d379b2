// Leak: a cache reachable only through a closure's captured variable.
class Record { constructor(i) { this.id = i; this.fields = new Array(64).fill(i); } }
function makeRecorder() {
  const entries = [];
  return function remember(r) { entries.push(r); };
}
let remember;
function setup() { remember = makeRecorder(); }
function step(i) { remember(new Record(i)); }
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
