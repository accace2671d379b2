// Leak: every error object (with its stack) kept in an error log.
const errorLog = [];
function handle(i) {
  try { throw new Error('request ' + i + ' failed'); } catch (e) { e.context = new Array(64).fill(i); errorLog.push(e); }
}
function setup() {}
function step(i) { handle(i); }
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
