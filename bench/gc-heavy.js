// GC-heavy workload for the sampling-overhead benchmark (scripts/bench-overhead.sh): millions of
// short-lived objects (thousands of scavenges) plus a slowly replaced retained set (regular
// mark-compacts), all in one synchronous loop so the sample buffer's drain path is exercised.
const ROUNDS = Number(process.argv[2] || 150);
let keep = [];
let checksum = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < 100000; i++) {
    const o = { a: i, b: 'x' + i, c: [i, i + 1] };
    checksum += o.c.length;
    if (i % 50 === 0) keep.push(o);
  }
  if (keep.length > 100000) keep = [];
}
console.log(`checksum ${checksum}`);
