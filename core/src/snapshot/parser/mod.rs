//! Streaming `.heapsnapshot` parser: a push-based state machine over bytes.
//!
//! A V8 heap snapshot is one JSON object: `{"snapshot":{...header...},"nodes":[ints],
//! "edges":[ints],"strings":[...], ...other keys}`. Feed it in chunks split anywhere with
//! [`SnapshotParser::push`], then call [`SnapshotParser::finish`]. Memory stays at the compact
//! columns of [`HeapSnapshot`] plus one chunk: no whole-file buffer, no per-value allocation.
//!
//! Submodules, one per part of the format:
//! - `meta`: the `"snapshot"` header (captured raw, parsed with serde_json) -> field layout;
//! - `numbers` + `columns`: the integer arrays and the sinks filling the node/edge columns;
//! - `strings`: the string table, unescaped into one arena;
//! - `locations`: where closures were defined (`"locations"`, read when the header came first);
//! - `traces`: allocation stacks (`"trace_function_infos"`, `"trace_tree"`, likewise);
//! - `skip`: skipping keys we do not read, with an explicit nesting stack (no recursion);
//! - `validate`: cross-checks run by `finish` (counts, ranges), assembling the snapshot.
//! - `parallel` (native): whole files with the node/edge arrays scanned on several threads by the
//!   same `numbers` scanner and `columns` sinks (this parser only delimits them, see
//!   [`ArrayKind`]); any anomaly sends the file back through this parser alone.

mod columns;
mod error;
mod locations;
mod meta;
mod numbers;
#[cfg(not(target_arch = "wasm32"))]
mod parallel;
mod skip;
mod strings;
mod traces;
mod validate;

use std::io::Read;

use columns::{reserve_count, EdgeSink, NodeSink};
pub use error::ParseError;
use error::{fail, show_byte, Fail, Position};
use locations::LocationSink;
use meta::Layout;
use numbers::{IntArray, RawInts};
#[cfg(not(target_arch = "wasm32"))]
pub use parallel::{default_threads, parse_in_pieces, parse_positional, ReadAt};
use skip::Skipper;
use strings::StrArray;
use traces::{FunctionSink, TreeScanner};

use super::{HeapSnapshot, StringTable};

/// Size of the reads done by [`parse_reader`].
pub const READ_CHUNK: usize = 256 * 1024;

/// Parser settings.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Total input size if known (e.g. the file length): caps how much the header's declared
    /// node/edge counts may make the parser reserve up front.
    pub size_hint: Option<u64>,
    /// Keep edge types and names (`edge_type`, `edge_name_or_index`). Retainer paths need them;
    /// a HeapDiff does not, and dropping them saves 5 of every 9 bytes per edge. When false
    /// those two columns are left empty (see [`HeapSnapshot::has_edge_details`]), and the
    /// closures' `locations` are skipped too: they only label retainer paths (on a 1M-closure
    /// chain they are 8-16 MiB while parsing).
    pub edge_details: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { size_hint: None, edge_details: true }
    }
}

/// Where the top-level scanner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Top {
    /// Before the opening `{`.
    Start,
    /// Expecting a key (or `}` if `first`).
    Key {
        first: bool,
    },
    InKey {
        escaped: bool,
    },
    Colon,
    /// Inside the value of the current key (see `Section`).
    Value,
    AfterValue,
    /// After the closing `}`: only whitespace may follow.
    Done,
}

/// The scanner for the value being read.
enum Section {
    None,
    Header(Skipper),
    Nodes(IntArray),
    Edges(IntArray),
    Strings(StrArray),
    Locations(IntArray),
    TraceFunctions(IntArray),
    TraceTree,
    Skip(Skipper),
    /// A `"nodes"` or `"edges"` array left to the parallel reader (`parallel`): only its end is
    /// looked for here; the reader scans the byte range with the same `IntArray` and sinks.
    Deferred(ArrayKind),
    /// The strings are next but they need the deferred arrays first (the largest name index
    /// they use decides which strings are kept): scanning pauses until `install_arrays`.
    AwaitArrays,
}

/// Which integer array a deferred range holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArrayKind {
    Nodes,
    Edges,
}

/// A `"nodes"` or `"edges"` value handed to the parallel reader: bytes `start..end` of the input
/// (from just after the key's `:` to just after the closing `]`).
#[derive(Clone, Debug)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // read by the (native) parallel reader
pub(crate) struct DeferredArray {
    pub kind: ArrayKind,
    pub start: u64,
    pub end: u64,
    /// For edges: the node count to range-check `to_node` against while scanning (the serial
    /// parser's `known_nodes`: the declared count when the nodes were deferred too, which
    /// `install_arrays` then checks is the real count).
    pub known_nodes: Option<u64>,
}

/// Node/edge integers go straight into columns when the header came first (V8 always writes
/// it first); otherwise they are kept raw and distributed in `finish`.
enum Ints<S> {
    Columns(S),
    Raw(RawInts),
}

/// Push-based heap-snapshot parser. See the module docs.
pub struct SnapshotParser {
    opts: ParseOptions,
    pos: Position,
    top: Top,
    key: Vec<u8>,
    section: Section,
    layout: Option<Layout>,
    nodes: Option<Ints<NodeSink>>,
    edges: Option<Ints<EdgeSink>>,
    strings: Option<StringTable>,
    locations: Option<LocationSink>,
    trace_functions: Option<FunctionSink>,
    trace_tree: Option<TreeScanner>,
    /// String lengths when the strings came before the nodes or edges (see `strings::compact`).
    string_lengths: Option<Vec<u8>>,
    /// Byte offsets where each section's value starts (to locate validation errors).
    at: validate::Offsets,
    nodes_done: bool,
    /// Set once a push failed: the parser refuses further input with the same error.
    failed: Option<ParseError>,
    /// Parallel reader mode: node/edge arrays (when the header came first) are only delimited,
    /// into `deferred`, for the reader to scan; see [`ArrayKind`].
    defer: bool,
    deferred: Vec<DeferredArray>,
    /// Deferred arrays whose sinks `install_arrays` has not received yet.
    outstanding: usize,
}

impl Default for SnapshotParser {
    fn default() -> Self {
        Self::new()
    }
}

/// Longest top-level key we accept (V8's longest is `trace_function_infos`).
const MAX_KEY: usize = 256;

impl SnapshotParser {
    pub fn new() -> Self {
        Self::with_options(ParseOptions::default())
    }

    pub fn with_options(opts: ParseOptions) -> Self {
        SnapshotParser {
            opts,
            pos: Position::default(),
            top: Top::Start,
            key: Vec::new(),
            section: Section::None,
            layout: None,
            nodes: None,
            edges: None,
            strings: None,
            locations: None,
            trace_functions: None,
            trace_tree: None,
            string_lengths: None,
            at: validate::Offsets::default(),
            nodes_done: false,
            failed: None,
            defer: false,
            deferred: Vec::new(),
            outstanding: 0,
        }
    }

    /// A parser for the parallel reader: see [`ArrayKind`].
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn deferring(opts: ParseOptions) -> Self {
        SnapshotParser { defer: true, ..Self::with_options(opts) }
    }

    /// Bytes consumed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.pos.consumed
    }

    /// Feeds the next chunk (any size, split at any byte).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ParseError> {
        // Only a deferring parser pauses (and only the parallel reader makes one).
        self.push_some(chunk).map(|_| ())
    }

    /// Feeds a chunk and returns how many of its bytes were consumed: all of them, except when a
    /// deferring parser pauses before the strings ([`Self::waiting`]).
    pub(crate) fn push_some(&mut self, chunk: &[u8]) -> Result<usize, ParseError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.scan(chunk) {
            Ok(used) => {
                if self.defer {
                    // A deferring parser's errors are never shown (the serial re-read reports
                    // them): lines need not be counted, which over a whole file is a pass the
                    // size of the arrays.
                    self.pos.consumed += used as u64;
                } else {
                    self.pos.advance(&chunk[..used]);
                }
                Ok(used)
            }
            Err(f) => {
                let e = self.pos.error(chunk, f);
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Ends the input: checks the snapshot is complete and consistent and returns it.
    pub fn finish(self) -> Result<HeapSnapshot, ParseError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let end = self.pos.consumed;
        match self.top {
            Top::Done => {}
            Top::Start => {
                return Err(ParseError::at(end, "empty file"));
            }
            Top::Value => {
                let key = String::from_utf8_lossy(&self.key);
                let what = match self.section {
                    Section::Header(_) => "the \"snapshot\" header".to_string(),
                    Section::Skip(_) => format!("the \"{key}\" value"),
                    _ => format!("the \"{key}\" array"),
                };
                return Err(ParseError::at(end, format!("unexpected end of file inside {what} (truncated file?)")));
            }
            _ => {
                return Err(ParseError::at(
                    end,
                    "unexpected end of file before the snapshot's closing '}' (truncated file?)",
                ))
            }
        }
        validate::assemble(validate::Parts {
            layout: self.layout,
            nodes: self.nodes,
            edges: self.edges,
            strings: self.strings,
            locations: self.locations,
            trace_functions: self.trace_functions,
            trace_tree: self.trace_tree,
            string_lengths: self.string_lengths,
            at: self.at,
            end,
            opts: self.opts,
        })
    }

    fn scan(&mut self, chunk: &[u8]) -> Result<usize, Fail> {
        let mut i = 0;
        while i < chunk.len() {
            let b = chunk[i];
            match self.top {
                Top::Value if matches!(self.section, Section::AwaitArrays) => return Ok(i),
                Top::Value => {
                    match self.feed_section(&chunk[i..]) {
                        Ok(Some(n)) => {
                            i += n;
                            self.end_value(i)?;
                            self.top = Top::AfterValue;
                        }
                        Ok(None) => i = chunk.len(),
                        Err(f) => return fail(i + f.at, f.message),
                    }
                    continue;
                }
                Top::InKey { escaped } => {
                    if escaped {
                        self.key.push(b);
                        self.top = Top::InKey { escaped: false };
                    } else if b == b'"' {
                        self.top = Top::Colon;
                    } else if b == b'\\' {
                        self.top = Top::InKey { escaped: true };
                    } else {
                        self.key.push(b);
                    }
                    if self.key.len() > MAX_KEY {
                        return fail(i, "a top-level key is longer than 256 bytes (not a V8 heap snapshot?)");
                    }
                }
                _ if is_ws(b) => {}
                Top::Start => {
                    if b != b'{' {
                        return fail(i, format!("not a V8 heap snapshot (expected '{{' but found {})", show_byte(b)));
                    }
                    self.top = Top::Key { first: true };
                }
                Top::Key { first } => match b {
                    b'"' => {
                        self.key.clear();
                        self.top = Top::InKey { escaped: false };
                    }
                    b'}' if first => self.top = Top::Done,
                    _ => return fail(i, format!("expected a key string but found {}", show_byte(b))),
                },
                Top::Colon => {
                    if b != b':' {
                        return fail(i, format!("expected ':' after a key but found {}", show_byte(b)));
                    }
                    self.start_value(i + 1)?;
                    self.top = Top::Value;
                }
                Top::AfterValue => match b {
                    b',' => self.top = Top::Key { first: false },
                    b'}' => self.top = Top::Done,
                    _ => {
                        return fail(
                            i,
                            format!(
                                "expected ',' or '}}' after the \"{}\" value but found {}",
                                String::from_utf8_lossy(&self.key),
                                show_byte(b)
                            ),
                        )
                    }
                },
                Top::Done => return fail(i, format!("unexpected {} after the end of the snapshot", show_byte(b))),
            }
            i += 1;
        }
        Ok(chunk.len())
    }

    /// Chooses the scanner for the value of `self.key`, which starts at chunk index `i`.
    fn start_value(&mut self, i: usize) -> Result<(), Fail> {
        let offset = self.pos.consumed + i as u64;
        let dup = |done: bool, key: &[u8]| {
            if done {
                fail(i, format!("the key \"{}\" appears twice", String::from_utf8_lossy(key)))
            } else {
                Ok(())
            }
        };
        self.section = match self.key.as_slice() {
            b"snapshot" => {
                dup(self.at.header.is_some(), &self.key)?;
                self.at.header = Some(offset);
                Section::Header(Skipper::new(true))
            }
            b"nodes" if self.defer && self.layout.is_some() => {
                dup(self.at.nodes.is_some(), &self.key)?;
                self.at.nodes = Some(offset);
                Section::Deferred(ArrayKind::Nodes)
            }
            b"edges" if self.defer && self.layout.is_some() => {
                dup(self.at.edges.is_some(), &self.key)?;
                self.at.edges = Some(offset);
                Section::Deferred(ArrayKind::Edges)
            }
            b"nodes" => {
                dup(self.at.nodes.is_some(), &self.key)?;
                self.at.nodes = Some(offset);
                self.nodes = Some(match &self.layout {
                    Some(l) => {
                        let n = reserve_count(l.node_count, l.node_fields(), self.opts.size_hint);
                        Ints::Columns(NodeSink::new(l, n))
                    }
                    None => Ints::Raw(RawInts::default()),
                });
                Section::Nodes(IntArray::new())
            }
            b"edges" => {
                dup(self.at.edges.is_some(), &self.key)?;
                self.at.edges = Some(offset);
                let known_nodes = match (&self.nodes, self.nodes_done) {
                    (Some(Ints::Columns(n)), true) => Some(n.nodes() as u64),
                    _ => None,
                };
                self.edges = Some(match &self.layout {
                    Some(l) => {
                        let n = reserve_count(l.edge_count, l.edge_fields(), self.opts.size_hint);
                        Ints::Columns(EdgeSink::new(l, n, known_nodes, self.opts.edge_details))
                    }
                    None => Ints::Raw(RawInts::default()),
                });
                Section::Edges(IntArray::new())
            }
            b"strings" => {
                dup(self.at.strings.is_some(), &self.key)?;
                self.at.strings = Some(offset);
                self.strings = Some(StringTable::default());
                match self.outstanding {
                    0 => self.strings_section(),
                    _ => Section::AwaitArrays,
                }
            }
            b"locations" => {
                dup(self.at.locations.is_some(), &self.key)?;
                self.at.locations = Some(offset);
                self.locations = match self.opts.edge_details {
                    true => self.layout.as_ref().and_then(LocationSink::new),
                    false => None,
                };
                match self.locations {
                    Some(_) => Section::Locations(IntArray::new()),
                    None => Section::Skip(Skipper::new(false)),
                }
            }
            b"trace_function_infos" => {
                dup(self.at.trace_functions.is_some(), &self.key)?;
                self.at.trace_functions = Some(offset);
                self.trace_functions = self.layout.as_ref().and_then(FunctionSink::new);
                match self.trace_functions {
                    Some(_) => Section::TraceFunctions(IntArray::new()),
                    None => Section::Skip(Skipper::new(false)),
                }
            }
            b"trace_tree" => {
                dup(self.at.trace_tree.is_some(), &self.key)?;
                self.at.trace_tree = Some(offset);
                self.trace_tree = self.layout.as_ref().and_then(TreeScanner::new);
                match self.trace_tree {
                    Some(_) => Section::TraceTree,
                    None => Section::Skip(Skipper::new(false)),
                }
            }
            _ => Section::Skip(Skipper::new(false)),
        };
        Ok(())
    }

    /// The scanner for the strings, once the node and edge arrays (if any) are in.
    fn strings_section(&self) -> Section {
        // Both arrays complete (strings come after them in V8's order): the largest name index
        // they use is known.
        let referenced = match (&self.nodes, &self.edges) {
            (Some(Ints::Columns(n)), Some(Ints::Columns(e))) => {
                let edge_max = e.max_name.map_or(0, |(m, _)| m);
                let trace_max = self.trace_functions.as_ref().map_or(0, |f| f.max_string);
                Some(u64::from(n.max_name.max(edge_max).max(trace_max)) + 1)
            }
            _ => None,
        };
        Section::Strings(StrArray::new(referenced))
    }

    /// Deferred arrays delimited since the last call (see [`ArrayKind`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn take_deferred(&mut self) -> Vec<DeferredArray> {
        std::mem::take(&mut self.deferred)
    }

    /// Paused before the strings until the deferred arrays are installed.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn waiting(&self) -> bool {
        self.top == Top::Value && matches!(self.section, Section::AwaitArrays)
    }

    /// Deferred arrays not installed yet.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn outstanding(&self) -> usize {
        self.outstanding
    }

    /// The layout from the header (known once an array was deferred).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn layout(&self) -> Option<&Layout> {
        self.layout.as_ref()
    }

    /// The options the parser was made with.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn options(&self) -> &ParseOptions {
        &self.opts
    }

    /// Hands over the columns the parallel reader filled for a deferred array, with the checks
    /// the serial parser makes when that array ends; resumes a parser waiting for the strings.
    /// An error here is a message without position: the parallel reader then re-reads the file
    /// with the serial parser, which reports it at its byte.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn install_nodes(&mut self, sink: NodeSink) -> Result<(), String> {
        if let Some(declared) = self.layout.as_ref().and_then(|l| l.node_count) {
            if declared != sink.nodes() as u64 {
                return Err("node count differs from snapshot.node_count".into());
            }
        }
        self.nodes = Some(Ints::Columns(sink));
        self.nodes_done = true;
        self.installed();
        Ok(())
    }

    /// See [`Self::install_nodes`].
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn install_edges(&mut self, sink: EdgeSink) -> Result<(), String> {
        if let Some(declared) = self.layout.as_ref().and_then(|l| l.edge_count) {
            if declared != sink.edges() as u64 {
                return Err("edge count differs from snapshot.edge_count".into());
            }
        }
        self.edges = Some(Ints::Columns(sink));
        self.installed();
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn installed(&mut self) {
        self.outstanding = self.outstanding.saturating_sub(1);
        if self.outstanding == 0 && self.waiting() {
            self.section = self.strings_section();
        }
    }

    fn feed_section(&mut self, buf: &[u8]) -> Result<Option<usize>, Fail> {
        match &mut self.section {
            Section::Nodes(arr) => match &mut self.nodes {
                Some(Ints::Columns(sink)) => arr.feed(buf, sink),
                Some(Ints::Raw(raw)) => arr.feed(buf, raw),
                None => fail(0, "internal error: nodes sink missing"),
            },
            Section::Edges(arr) => match &mut self.edges {
                Some(Ints::Columns(sink)) => arr.feed(buf, sink),
                Some(Ints::Raw(raw)) => arr.feed(buf, raw),
                None => fail(0, "internal error: edges sink missing"),
            },
            Section::Strings(arr) => match &mut self.strings {
                Some(table) => arr.feed(buf, table),
                None => fail(0, "internal error: string table missing"),
            },
            Section::Locations(arr) => match &mut self.locations {
                Some(sink) => arr.feed(buf, sink),
                None => fail(0, "internal error: locations sink missing"),
            },
            Section::TraceFunctions(arr) => match &mut self.trace_functions {
                Some(sink) => arr.feed(buf, sink),
                None => fail(0, "internal error: trace functions sink missing"),
            },
            Section::TraceTree => match &mut self.trace_tree {
                Some(tree) => tree.feed(buf),
                None => fail(0, "internal error: trace tree missing"),
            },
            Section::Header(s) | Section::Skip(s) => s.feed(buf),
            // Integers hold no `]`: the first one ends the array (or is an error the serial
            // re-read reports).
            Section::Deferred(_) => Ok(memchr::memchr(b']', buf).map(|p| p + 1)),
            Section::AwaitArrays | Section::None => fail(0, "internal error: no section"),
        }
    }

    /// The value of `self.key` ended just before chunk index `i`.
    fn end_value(&mut self, i: usize) -> Result<(), Fail> {
        match std::mem::replace(&mut self.section, Section::None) {
            Section::Header(s) => {
                let layout = match meta::parse_header(&s.into_captured()) {
                    Ok(l) => l,
                    Err(m) => return fail(i, m),
                };
                self.layout = Some(layout);
            }
            Section::Strings(arr) => self.string_lengths = arr.into_lengths(),
            Section::Deferred(kind) => {
                let start = match kind {
                    ArrayKind::Nodes => self.at.nodes,
                    ArrayKind::Edges => self.at.edges,
                };
                let known_nodes = match (kind, &self.nodes) {
                    (ArrayKind::Edges, Some(Ints::Columns(n))) if self.nodes_done => Some(n.nodes() as u64),
                    (ArrayKind::Edges, None) if self.at.nodes.is_some() => {
                        self.layout.as_ref().and_then(|l| l.node_count)
                    }
                    _ => None,
                };
                self.deferred.push(DeferredArray {
                    kind,
                    start: start.unwrap_or(0),
                    end: self.pos.consumed + i as u64,
                    known_nodes,
                });
                self.outstanding += 1;
            }
            Section::Nodes(_) => {
                self.nodes_done = true;
                // A count mismatch is reported here, before the edges and strings are read.
                if let (Some(Ints::Columns(s)), Some(declared)) =
                    (&self.nodes, self.layout.as_ref().and_then(|l| l.node_count))
                {
                    // (A partial last record is reported by `finish`, with the values count.)
                    if declared != s.nodes() as u64 && s.whole() {
                        let n = s.nodes();
                        return fail(
                            i,
                            format!("snapshot.node_count is {declared} but the \"nodes\" array holds {n} nodes"),
                        );
                    }
                }
            }
            Section::Edges(_) => {
                if let (Some(Ints::Columns(s)), Some(declared)) =
                    (&self.edges, self.layout.as_ref().and_then(|l| l.edge_count))
                {
                    if declared != s.edges() as u64 && s.whole() {
                        let n = s.edges();
                        return fail(
                            i,
                            format!("snapshot.edge_count is {declared} but the \"edges\" array holds {n} edges"),
                        );
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Parses a whole snapshot held in memory.
pub fn parse_bytes(bytes: &[u8]) -> Result<HeapSnapshot, ParseError> {
    let mut p = SnapshotParser::new();
    p.push(bytes)?;
    p.finish()
}

/// Parses a snapshot from a reader in [`READ_CHUNK`]-sized reads.
pub fn parse_reader<R: Read>(r: R) -> Result<HeapSnapshot, ParseError> {
    parse_reader_with(r, ParseOptions::default(), |_| {})
}

/// [`parse_reader`] with options and a progress callback receiving the bytes consumed so far
/// (after each read), e.g. for a progress bar.
pub fn parse_reader_with<R: Read>(
    mut r: R,
    opts: ParseOptions,
    mut progress: impl FnMut(u64),
) -> Result<HeapSnapshot, ParseError> {
    let mut parser = SnapshotParser::with_options(opts);
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ParseError::at(parser.bytes_consumed(), format!("read error: {e}"))),
        };
        parser.push(&buf[..n])?;
        progress(parser.bytes_consumed());
    }
    parser.finish()
}
