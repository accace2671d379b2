// Leak: a linked queue that is appended to and never drained.
class QueueNode { constructor(value) { this.value = value; this.next = null; } }
class Job { constructor(i) { this.id = i; this.args = new Array(64).fill(i); } }
class JobQueue {
  constructor() { this.head = null; this.tail = null; }
  push(v) { const n = new QueueNode(v); if (this.tail) this.tail.next = n; else this.head = n; this.tail = n; }
}
const jobs = new JobQueue();
function setup() {}
function step(i) { jobs.push(new Job(i)); }
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
