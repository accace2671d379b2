// A cache growing in a busy loop: memwatch.gc() every millisecond, no timers, no awaits. Two
// calls 1 ms apart are two forced collections (issue 11: they used to merge into one by timing,
// and the leak went unseen).
const cache = new Map();
let n = 0;
for (let call = 0; call < 30; call++) {
  for (let k = 0; k < 2000; k++, n++) cache.set(`key-${n}`, { id: n, body: 'x'.repeat(32) + n });
  memwatch.gc();
  const t = Date.now();
  while (Date.now() - t < 1) {}
}
