'use strict';
// The main thread's side of lib/engine-worker.cjs: one worker_threads Worker running the wasm
// engine, requests as promises. The worker holds the event loop open only while a request is
// pending (an idle readSnapshot() handle does not keep the process alive), and a dead worker
// rejects everything pending with its error.

const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { INPUT_ERROR } = require('./read-file.cjs');

const WORKER_FILE = path.join(__dirname, 'engine-worker.cjs');

class EngineWorker {
  #worker;
  #pending = new Map();
  #nextId = 0;
  #dead = null;

  constructor() {
    this.#worker = new Worker(WORKER_FILE);
    this.#worker.unref();
    this.#worker.on('message', (reply) => {
      const p = this.#pending.get(reply.id);
      if (p === undefined) return;
      this.#settle(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(rebuild(reply));
    });
    this.#worker.on('error', (e) => this.#fail(e));
    this.#worker.on('exit', (code) => this.#fail(new Error(`memwatch: the engine worker exited (code ${code})`)));
  }

  #settle(id) {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #fail(err) {
    if (this.#dead === null) this.#dead = err;
    for (const [id, p] of this.#pending) {
      this.#settle(id);
      p.reject(err);
    }
  }

  /** Sends `{ op, ...args }` (moving the ArrayBuffers in `transfer`); resolves with the engine's answer. */
  request(op, args, transfer = []) {
    if (this.#dead !== null) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, op, ...args }, transfer);
    });
  }

  /** Ends the worker (and frees its wasm memory); pending requests reject. */
  close() {
    if (this.#dead === null) this.#dead = new Error('memwatch: the snapshot was freed');
    return this.#worker.terminate().then(() => undefined);
  }
}

// The worker's error as the caller's: a TypeError stays one; an input error (a file or bytes the
// engine rejected) is an Error with read-file.cjs's code, which the bin exits on with status 2.
function rebuild({ type, message }) {
  if (type === 'TypeError') return new TypeError(message);
  const e = new Error(message);
  if (type === 'InputError') e.code = INPUT_ERROR;
  return e;
}

/** Runs one request in a fresh worker and ends it (its wasm memory goes with it). */
async function runOnce(op, args) {
  const w = new EngineWorker();
  try {
    return await w.request(op, args);
  } finally {
    w.close();
  }
}

module.exports = { EngineWorker, runOnce };
