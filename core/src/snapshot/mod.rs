//! V8 `.heapsnapshot` files: a streaming parser into a compact, array-based graph.
//!
//! - [`HeapSnapshot`]: nodes and edges as parallel integer arrays (no per-node allocation).
//! - [`SnapshotParser`]: push-based parser (`push(chunk)` then `finish()`), so native readers and
//!   browser `File.stream()` chunks go through the same code.
//! - [`parse_reader`] / [`parse_reader_with`]: wrappers over any `std::io::Read` (the latter with
//!   [`ParseOptions`] and a progress callback).
//! - [`transfer`]: a parsed graph as one byte buffer and back (the viewer parses in parallel
//!   workers and moves the graphs to one).
//! - [`parse_positional`] (native): whole files, the node and edge arrays scanned on several
//!   threads, same results and errors as the streaming parser.

mod graph;
mod parser;
mod traces;
pub mod transfer;

pub use graph::{EdgeType, HeapSnapshot, NodeType, SourceLocation, StringTable};
#[doc(hidden)]
pub use parser::ScanKernel;
#[cfg(not(target_arch = "wasm32"))]
pub use parser::{default_threads, parse_in_pieces, parse_positional, ReadAt};
pub use parser::{parse_bytes, parse_reader, parse_reader_with, ParseError, ParseOptions, SnapshotParser, READ_CHUNK};
pub use traces::{AllocationTraces, TraceFunction, TraceNode, NO_PARENT};
