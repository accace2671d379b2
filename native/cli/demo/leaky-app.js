// memwatch demo: a tiny "web app" with a classic leak.
//
// Every request builds temporary objects (parsed headers, a response body) that become garbage,
// and a Session that is put into `sessions` -- a cache nobody ever evicts. That cache is the
// leak: the heap after each full GC keeps rising, memwatch's detectors report it, and the
// HeapDiff around a batch of requests shows `Session` objects allocated and never freed.

class Session {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.createdAt = Date.now();
    this.history = [];
  }
}

const sessions = new Map(); // the leak: grows with every request, never evicted

function parseHeaders(i) {
  return { host: 'example.test', 'user-agent': `demo/${i % 7}`, cookie: `sid=${i}` };
}

function handleRequest(i) {
  const headers = parseHeaders(i);                       // garbage after the request
  const body = JSON.stringify({ page: i % 50, items: new Array(20).fill(i) }); // garbage too
  const session = new Session(i, { name: `user${i}`, roles: ['reader'] });
  session.history.push(headers.host + '/page/' + (i % 50));
  sessions.set(`sid-${i}`, session);                     // ...but this one is retained forever
  return body.length;
}

const TICKS = 30;
const REQUESTS_PER_TICK = 1500;
let handled = 0;
let tick = 0;
let diff = null;

console.log(`[app] serving ${TICKS * REQUESTS_PER_TICK} requests in ${TICKS} batches`);
const timer = setInterval(() => {
  tick++;
  if (tick === 10) diff = new memwatch.HeapDiff(); // measure batches 10..14
  for (let k = 0; k < REQUESTS_PER_TICK; k++) handleRequest(handled++);
  if (tick === 14) diff.end(); // the CLI prints the diff event
  memwatch.gc(); // a full GC per batch, so the demo does not need minutes of traffic
  if (tick % 10 === 0) console.log(`[app] handled ${handled} requests, ${sessions.size} sessions cached`);
  if (tick === TICKS) clearInterval(timer);
}, 5);
