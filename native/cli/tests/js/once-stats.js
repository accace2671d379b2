// node-memwatch's classic test: once('stats') + gc() delivers a stats object asynchronously.
let called = false;
memwatch.once('stats', (s) => {
  called = true;
  console.log(JSON.stringify({ stats: s }));
});
memwatch.gc();
console.log(JSON.stringify({ calledSynchronously: called }));
