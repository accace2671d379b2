// Sorts the data-type declarations at the top of a wasm-bindgen `.d.ts` by name, in place.
//
// wasm-bindgen writes the `typescript_custom_section`s (here: every `#[derive(tsify::Tsify)]`
// type) in the order the linker laid them out, which can change with the compiler version; the
// classes and functions after them are already sorted. The generated files are committed and
// checked for drift (pkg/test/generated.test.js), so their text must depend on the Rust types only.
//
// Usage: node scripts/normalize-dts.mjs FILE.d.ts...
import fs from 'node:fs';

function normalize(text) {
  const lines = text.split('\n');
  // The header comments, then the custom sections up to the first class or function.
  let start = 0;
  while (start < lines.length && lines[start].startsWith('/* ')) start++;
  let end = lines.findIndex((l) => /^export (declare )?(class|function) /.test(l));
  if (end < 0) end = lines.length;
  // The first class's own doc comment belongs to it, not to the custom sections.
  else if (end > 0 && lines[end - 1] === ' */') {
    let open = end - 1;
    while (open > start && !lines[open].startsWith('/**')) open--;
    if (lines[open].startsWith('/**')) end = open;
  }
  // Top-level blocks: an optional doc comment, then a declaration, up to the next blank line at
  // column 0 that follows a complete declaration (`}` or `;` at the end of a line at depth 0).
  const blocks = [];
  let cur = [];
  let depth = 0;
  for (const line of lines.slice(start, end)) {
    if (line === '' && depth === 0 && cur.length) {
      const last = cur[cur.length - 1];
      if (/[};]$/.test(last) && !/^\s*\*/.test(last)) {
        blocks.push(cur);
        cur = [];
        continue;
      }
    }
    if (line === '' && cur.length === 0) continue;
    cur.push(line);
    for (const ch of line.replace(/\/\*.*?\*\/|\/\/.*$|"[^"]*"/g, '')) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
  }
  if (cur.length) blocks.push(cur);
  const name = (b) => {
    const decl = b.find((l) => /^export (interface|type) /.test(l));
    if (!decl) throw new Error(`normalize-dts: no declaration in block:\n${b.join('\n')}`);
    return decl.match(/^export (?:interface|type) (\w+)/)[1];
  };
  blocks.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const body = blocks.map((b) => b.join('\n')).join('\n\n');
  return [...lines.slice(0, start), body, '', '', ...lines.slice(end)].join('\n');
}

for (const file of process.argv.slice(2)) {
  fs.writeFileSync(file, normalize(fs.readFileSync(file, 'utf8')));
}
