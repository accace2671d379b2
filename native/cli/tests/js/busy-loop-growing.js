// A cache growing in a busy loop: memwatch.gc() every millisecond, no timers, no awaits. Each
// entry is a large array (V8's large-object space), so no scavenge runs between two calls: by
// the old timing rule (full passes within 10 ms of each other are one forced collection) every
// call merged into one, and the ~6 MB growth gave no leak event (issue 11). Passes now carry
// their call's collection id.
const cache = [];
for (let call = 0; call < 12; call++) {
  cache.push(new Array(60000).fill(call));
  memwatch.gc();
  const t = Date.now();
  while (Date.now() - t < 1) {}
}
