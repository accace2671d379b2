'use strict';
// `memwatch-wasm view [FILES...]`: the web viewer (www/, shipped in the package) on 127.0.0.1,
// with the protections of the native `memwatch serve` (native/cli/src/serve*): loopback only, a
// `Host` other than this server's loopback origin refused (DNS rebinding), request paths
// percent-decoded and refused when a segment is `.`/`..` or holds a backslash or NUL, then
// resolved (symbolic links too) and required to stay inside the served root; no directory
// listings; every response carries the page's Content-Security-Policy, nosniff, no-referrer.
//
// URL layout: `/` is www/, `/pkg/wasm/web/` the engine the viewer's worker imports (it asks for
// `../../pkg/wasm/web/...` relative to www/js/), and `/files/` the files named on the command
// line, nothing else: `files/index.json` lists them and `files/<i>/<name>` serves the i-th. The
// printed URL carries `?open=served`, which makes the page open them (www/js/served-files.js).

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { nonNegativeInteger, UsageError } = require('./args.cjs');
const { InputError } = require('../read-file.cjs');

/** Must match the `<meta http-equiv="Content-Security-Policy">` of www/index.html (and serve/http.rs). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
  "worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
  'Cross-Origin-Opener-Policy': 'same-origin',
  Connection: 'close',
};

const MIME = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
  json: 'application/json',
  map: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  ts: 'text/plain; charset=utf-8',
};

const PKG_ROOT = path.join(__dirname, '..', '..');

/**
 * The viewer directory: `www/` in the installed package (copied in by `npm pack`), or the
 * repository's `www/` next to `pkg/` when run from a checkout (which is then the fresher one).
 */
function viewerRoot() {
  const repoWww = path.join(PKG_ROOT, '..', 'www');
  const inRepo = path.basename(PKG_ROOT) === 'pkg' && fs.existsSync(path.join(PKG_ROOT, '..', 'core', 'Cargo.toml'));
  for (const dir of inRepo ? [repoWww, path.join(PKG_ROOT, 'www')] : [path.join(PKG_ROOT, 'www')]) {
    if (fs.existsSync(path.join(dir, 'index.html'))) return fs.realpathSync(dir);
  }
  throw new Error(`the viewer (www/index.html) is not in ${PKG_ROOT}: a broken install?`);
}

const VIEW = {
  usage: 'memwatch-wasm view [OPTIONS] [FILES]...',
  about: 'Serve the web viewer on 127.0.0.1 and open FILES in it (export files, .heapsnapshot files). Prints the URL on stdout; Ctrl-C stops. Only the given files are served, nothing else from the disk.',
  positionals: { rest: 'FILES' },
  flags: {
    port: { takes: 'N', parse: nonNegativeInteger, help: 'Port on 127.0.0.1 [default: 0, a free port the OS picks]' },
  },
  run(engine, { flags, positionals }) {
    const port = flags.port ?? 0;
    if (port > 65535) throw new UsageError(`invalid value '${port}' for '--port <N>': at most 65535`);
    const files = positionals.map(servedFile);
    const roots = { www: viewerRoot(), wasm: fs.realpathSync(path.join(PKG_ROOT, 'wasm', 'web')) };
    const server = createServer(roots, files);
    return new Promise((resolve) => {
      server.on('error', (e) => {
        process.stderr.write(`memwatch-wasm: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
        resolve(2);
      });
      server.listen(port, '127.0.0.1', () => {
        const actual = server.address().port;
        server.allowedHosts = new Set([`127.0.0.1:${actual}`, `localhost:${actual}`]);
        process.stderr.write(`memwatch-wasm: serving the viewer with ${files.length} file(s) (Ctrl-C to stop)\n`);
        // The URL is the one line on stdout so scripts and tests can read it.
        process.stdout.write(`http://127.0.0.1:${actual}/${files.length ? '?open=served' : ''}\n`);
      });
      const stop = () => {
        server.close(() => resolve(0));
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};

/** A file named on the command line: must be a regular file now; served under its base name. */
function servedFile(file) {
  let real;
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    throw new InputError(file, `cannot open: ${e.message}`);
  }
  if (!fs.statSync(real).isFile()) throw new InputError(file, 'cannot open: not a regular file');
  return { path: real, name: path.basename(file) };
}

function createServer(roots, files) {
  const server = http.createServer({ maxHeaderSize: 16 * 1024, requireHostHeader: false }, (req, res) => {
    respond(server, roots, files, req, res);
  });
  // Bounds like memwatch serve's: a slow client cannot hold a connection open forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 0;
  server.allowedHosts = new Set();
  return server;
}

function send(res, code, body, headOnly, type = 'text/plain; charset=utf-8') {
  res.writeHead(code, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}

const REASONS = { 400: 'bad request\n', 403: 'forbidden host\n', 404: 'not found\n', 405: 'method not allowed\n' };

function respond(server, roots, files, req, res) {
  const headOnly = req.method === 'HEAD';
  if (req.method !== 'GET' && !headOnly) return send(res, 405, REASONS[405], false);
  // No Host (HTTP/1.0) is allowed: the socket is loopback-only anyway.
  if (req.headers.host !== undefined && !server.allowedHosts.has(req.headers.host)) {
    return send(res, 403, REASONS[403], headOnly);
  }
  const target = resolve(roots, files, req.url);
  if (typeof target === 'number') return send(res, target, REASONS[target], headOnly);
  if (target.json !== undefined) return send(res, 200, target.json, headOnly, MIME.json);
  let stream;
  try {
    const fd = fs.openSync(target.path, 'r');
    const size = fs.fstatSync(fd).size;
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': target.type, 'Content-Length': size });
    if (headOnly) {
      fs.closeSync(fd);
      return res.end();
    }
    stream = fs.createReadStream(null, { fd });
  } catch {
    return send(res, 404, REASONS[404], headOnly);
  }
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Segments of a request path, or 400 for `.`/`..`, backslashes, NUL or bad percent-encoding. */
function segments(url) {
  const pathname = url.split(/[?#]/, 1)[0];
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return 400;
  }
  const parts = decoded.split('/').filter((s) => s !== '');
  if (parts.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return 400;
  return parts;
}

/** What a request path names: `{ path, type }`, `{ json }`, or the status to answer with. */
function resolve(roots, files, url) {
  const parts = segments(url);
  if (typeof parts === 'number') return parts;
  if (parts[0] === 'files') {
    if (parts.length === 2 && parts[1] === 'index.json') {
      const list = files.map((f, i) => ({ name: f.name, url: `files/${i}/${encodeURIComponent(f.name)}` }));
      return { json: JSON.stringify(list) };
    }
    // Exactly `files/<i>/<name>` of a given file.
    const i = parts.length === 3 && /^\d+$/.test(parts[1]) ? Number(parts[1]) : -1;
    if (i < 0 || i >= files.length || files[i].name !== parts[2]) return 404;
    return { path: files[i].path, type: 'application/octet-stream' };
  }
  let root = roots.www;
  let rest = parts;
  if (parts[0] === 'pkg') {
    // Only the web engine: the viewer's worker imports nothing else from the package.
    if (parts[1] !== 'wasm' || parts[2] !== 'web') return 404;
    root = roots.wasm;
    rest = parts.slice(3);
  }
  let file = path.join(root, ...rest);
  let real;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    // Resolve last: a symbolic link inside the tree must not lead outside it (roots are real paths).
    real = fs.realpathSync(file);
  } catch {
    return 404;
  }
  if (!(real === root || real.startsWith(root + path.sep)) || !fs.statSync(real).isFile()) return 404;
  return { path: real, type: MIME[path.extname(real).slice(1)] ?? 'application/octet-stream' };
}

module.exports = { VIEW, resolve, CSP };
