// node-memwatch's HeapDiff test: 10,000 instances allocated between new HeapDiff() and end().
class LeakingClass {}
const keep = [];
const hd = new memwatch.HeapDiff();
for (let i = 0; i < 10000; i++) keep.push(new LeakingClass());
const diff = hd.end();
console.log(JSON.stringify({ diff, kept: keep.length }));
let second = null;
try { hd.end(); } catch (e) { second = e.message; }
let withoutNew = null;
try { memwatch.HeapDiff(); } catch (e) { withoutNew = `${e.constructor.name}: ${e.message}`; }
console.log(JSON.stringify({ second, withoutNew }));
