'use strict';
// Plain messages for misuse of the engine's objects in Node. A wasm-bindgen object (Snapshot,
// SnapshotParser, Export, Analyzer, ...) used after free(), or a method called on something that
// is not one, reaches the generated glue with a 0 pointer, and Rust answers "null pointer passed
// to rust". These checks run first and say what happened. Applied in place to the generated
// module's exports (so `require('memwatch-wasm')` and `import` see the same checked functions).

const { describe } = require('./options.cjs');

/** The generated classes: constructors whose prototype frees wasm memory. */
function engineClasses(engine) {
  return Object.entries(engine).filter(
    ([, v]) => typeof v === 'function' && v.prototype && typeof v.prototype.__destroy_into_raw === 'function',
  );
}

const SKIP = new Set(['constructor', 'free', '__destroy_into_raw']);

function guardEngine(engine) {
  const classes = engineClasses(engine);
  const freedArg = (where, args) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === null || typeof a !== 'object' || a.__wbg_ptr !== 0) continue;
      const cls = classes.find(([, C]) => a instanceof C);
      if (cls) {
        throw new Error(`${where}: argument ${i + 1} is a ${cls[0]} that was already freed (free() was called on it)`);
      }
    }
  };
  for (const [name, C] of classes) {
    const proto = C.prototype;
    const checkThis = (self, member) => {
      if (!(self instanceof C)) {
        throw new TypeError(`${name}.${member}: called on ${describe(self)}, not on a ${name} (a method used unbound?)`);
      }
      if (self.__wbg_ptr === 0) {
        throw new Error(`${name}.${member}: this ${name} was already freed (free() was called, or an earlier call ` +
          'consumed it); create a new one');
      }
    };
    for (const member of Object.getOwnPropertyNames(proto)) {
      if (SKIP.has(member)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, member);
      if (typeof d.value === 'function') {
        const f = d.value;
        d.value = {
          [member](...args) {
            checkThis(this, member);
            freedArg(`${name}.${member}`, args);
            return f.apply(this, args);
          },
        }[member];
      } else if (typeof d.get === 'function') {
        const get = d.get;
        d.get = function () {
          checkThis(this, member);
          return get.call(this);
        };
      } else {
        continue;
      }
      Object.defineProperty(proto, member, d);
    }
  }
  for (const [name, f] of Object.entries(engine)) {
    if (typeof f !== 'function' || classes.some(([, C]) => C === f)) continue;
    engine[name] = {
      [name](...args) {
        freedArg(name, args);
        return f(...args);
      },
    }[name];
  }
  return engine;
}

module.exports = { guardEngine };
