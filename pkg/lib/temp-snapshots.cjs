'use strict';
// Private temporary snapshot files (HeapDiff, leak retainers): a directory made by fs.mkdtemp in
// os.tmpdir() (unpredictable name, mode 0700) while snapshot files exist, removed with the last
// file, at exit, and on SIGINT, SIGTERM and SIGHUP.
//
// Signals: a listener on a signal turns off Node's default action (terminate), so listeners are
// installed only while files exist, and on a signal that nobody else listens to, the directory is
// removed, the listeners are removed and the signal is raised again: the process then ends by
// that signal exactly as it would have. When the application listens to the signal too, it
// decides what happens (graceful shutdown, or ignoring it) and the files go at exit.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SIGNALS = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];

let dir = null;
let live = 0;
let listening = false;
let exitHook = false;

function removeDir() {
  if (dir === null) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Best effort at exit.
  }
  dir = null;
  live = 0;
}

function onSignal(signal) {
  if (process.listenerCount(signal) > 1) return;
  removeDir();
  stopListening();
  process.kill(process.pid, signal);
}

function startListening() {
  if (listening) return;
  listening = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function stopListening() {
  if (!listening) return;
  listening = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** The directory, created when needed; it exists while files written into it do. */
function snapshotDir() {
  if (dir === null) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memwatch-'));
    if (!exitHook) {
      exitHook = true;
      process.once('exit', removeDir);
    }
  }
  return dir;
}

/**
 * Runs `write(file)`, which creates `file` in the directory, counting the file while it exists
 * (the signal listeners are installed while the count is above 0). A failed write deletes what
 * it left. The counter is a number so that nothing is allocated on the JS heap between a
 * HeapDiff's two snapshots.
 */
function writeFile(file, write) {
  live++;
  startListening();
  try {
    write(file);
  } catch (e) {
    try {
      fs.unlinkSync(file);
    } catch {
      // Never created.
    }
    release();
    throw e;
  }
}

// The last file gone: the (empty) directory goes too, so a later kill leaves nothing behind.
function release() {
  if (--live <= 0) {
    live = 0;
    stopListening();
    removeDir();
  }
}

/** Deletes a file written by writeFile(); safe to call twice for one file. */
function removeFile(file) {
  let removed = false;
  try {
    fs.unlinkSync(file);
    removed = true;
  } catch {
    // Already gone (end() and the finalizer may both try, or the directory went at a signal).
  }
  if (removed) release();
}

module.exports = { snapshotDir, writeFile, removeFile };
