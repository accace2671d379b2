// Two leaks with different holders, plus garbage that must not be reported: a global Map
// `leakyCache` of LeakingClass instances, and a closure's `cachedItems` array of CachedItem.
class LeakingClass {
  constructor(i) { this.i = i; this.payload = 'x'.repeat(64) + i; }
}
class CachedItem {
  constructor(i) { this.i = i; }
}
class TransientThing {
  constructor(i) { this.i = i; this.blob = new Array(16).fill(i); }
}
globalThis.leakyCache = new Map();
function makeHolder() {
  const cachedItems = [];
  return function add(i) { cachedItems.push(new CachedItem(i)); };
}
const add = makeHolder();
let tick = 0;
let n = 0;
const timer = setInterval(() => {
  for (let k = 0; k < 3000; k++) {
    leakyCache.set('k' + n, new LeakingClass(n));
    add(n);
    n++;
  }
  let garbage = [];
  for (let k = 0; k < 5000; k++) garbage.push(new TransientThing(k));
  garbage = null;
  memwatch.gc();
  if (++tick === 8) clearInterval(timer);
}, 1);
if (process.argv[2] === '--print-leaks') {
  // What a script's own listener sees (node-memwatch's `leak` event, plus `retainers`).
  memwatch.on('leak', (l) => {
    const top = l.retainers ? l.retainers.classes.map((c) => `${c.class} @ ${c.paths[0] && c.paths[0].path}`) : [];
    console.log('leak holders: ' + JSON.stringify(top));
  });
}
