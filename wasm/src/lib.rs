//! wasm-bindgen bindings over memwatch-core (being written: issue 4).
