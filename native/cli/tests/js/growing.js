// A retained structure that grows across many full GCs (a cache nobody evicts).
const cache = new Map();
let n = 0;
let ticks = 0;
const t = setInterval(() => {
  for (let k = 0; k < 5000; k++, n++) cache.set(`key-${n}`, { id: n, tags: ['a', 'b'], body: 'x'.repeat(32) + n });
  memwatch.gc();
  if (++ticks === 40) clearInterval(t);
}, 2);
