// Side-effect entry (node -r memwatch-wasm/record): records to MEMWATCH_OUT; exports nothing.
export {};
