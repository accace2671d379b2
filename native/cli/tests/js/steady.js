// Steady state: a fixed retained set and heavy garbage churn for as many full GCs as growing.js.
const retained = [];
for (let i = 0; i < 20000; i++) retained.push({ id: i, body: 'y'.repeat(16) + i });
let ticks = 0;
let sink = 0;
const t = setInterval(() => {
  for (let k = 0; k < 50000; k++) {
    const garbage = { id: k, tags: ['a', 'b'], body: 'x'.repeat(32) + k };
    sink += garbage.body.length;
  }
  memwatch.gc();
  if (++ticks === 40) clearInterval(t);
}, 2);
