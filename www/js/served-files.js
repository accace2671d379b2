// The files given on the command line of `npx memwatch-wasm view FILE...`: that server lists
// them at files/index.json and prints the page's URL with `?open=served`. Without that
// parameter nothing is fetched (other servers, such as `memwatch serve`, have no files/ list).

/** Resolves to the served files as `File`s, in the order given; [] when the page was not asked. */
export async function servedFiles(location) {
  if (new URLSearchParams(location.search).get('open') !== 'served') return [];
  const list = await fetchOk('files/index.json').then((r) => r.json());
  const files = [];
  // One after the other: snapshots can be large.
  for (const f of list) files.push(new File([await fetchOk(f.url).then((r) => r.blob())], f.name));
  return files;
}

async function fetchOk(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return r;
}
