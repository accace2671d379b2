//! The parallel reader for whole files (native only): the `"nodes"` and `"edges"` arrays, about
//! 90 % of a snapshot, are scanned on several threads.
//!
//! One thread runs the ordinary [`SnapshotParser`] over the file in a mode where each node/edge
//! array is only delimited (its first `]`, found with memchr) instead of scanned. Each delimited
//! array is cut into pieces after newlines (V8 writes one record per line, so a piece starts
//! with the `,` after a whole record) and the pieces are scanned by worker threads with the same
//! [`IntArray`] scanner and the same column sinks as the serial parser, each reading its bytes
//! with positional reads (no whole-file buffer, no mmap: memory stays one read buffer per thread
//! plus the columns). Pieces are appended to the columns in file order, so the result does not
//! depend on the thread count or on which thread finished first. The parser pauses before the
//! strings until both arrays are in (which strings are kept depends on the names they use).
//!
//! Every rule stays in the serial parser: anything unexpected (a piece that does not end on a
//! record boundary, any error, a count that differs from the header) abandons the parallel
//! attempt and the file is read again by the serial parser, which reports the error at its byte,
//! line and column exactly as [`super::parse_reader_with`] does. A valid file gives the same
//! [`HeapSnapshot`] either way.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use super::columns::{reserve_count, EdgeSink, NodeSink};
use super::meta::Layout;
use super::numbers::{IntArray, IntSink};
use super::{ArrayKind, DeferredArray, HeapSnapshot, ParseError, ParseOptions, SnapshotParser, READ_CHUNK};

/// A byte source read at positions from several threads at once (a `File`: `pread`).
pub trait ReadAt: Sync {
    /// Reads up to `buf.len()` bytes at `offset`; 0 at the end.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
}

impl ReadAt for std::fs::File {
    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self, buf, offset)
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

/// The default thread count: the cores this process may use.
pub fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Pieces smaller than this are not worth a hand-off to another thread (one read buffer).
const MIN_PIECE: u64 = READ_CHUNK as u64;
/// Pieces per thread: small pieces keep threads busy to the end and bound the columns held
/// outside the final ones (pieces finished ahead of an earlier one wait to be appended).
const PIECES_PER_THREAD: u64 = 8;
/// How far after a nominal cut a newline is looked for.
const FIND_WINDOW: usize = 64 * 1024;

/// Parses a whole snapshot from `src` on up to `threads` threads (1: the serial streaming
/// parser). `progress` receives the bytes read so far by the thread that walks the file.
/// Results, errors included, are those of [`super::parse_reader_with`] on the same bytes.
pub fn parse_positional<R: ReadAt + ?Sized>(
    src: &R,
    opts: ParseOptions,
    threads: usize,
    progress: impl FnMut(u64),
) -> Result<HeapSnapshot, ParseError> {
    parse_in_pieces(src, opts, threads, MIN_PIECE, progress)
}

/// [`parse_positional`] with the smallest piece size as a parameter, so that tests and the fuzz
/// target cut tiny files into many pieces.
#[doc(hidden)]
pub fn parse_in_pieces<R: ReadAt + ?Sized>(
    src: &R,
    opts: ParseOptions,
    threads: usize,
    min_piece: u64,
    mut progress: impl FnMut(u64),
) -> Result<HeapSnapshot, ParseError> {
    if threads > 1 {
        if let Ok(snapshot) = parallel(src, opts.clone(), threads, min_piece.max(1), &mut progress) {
            return Ok(snapshot);
        }
    }
    super::parse_reader_with(Sequential { src, at: 0 }, opts, progress)
}

/// `Read` over a [`ReadAt`], from the start.
struct Sequential<'a, R: ?Sized> {
    src: &'a R,
    at: u64,
}

impl<R: ReadAt + ?Sized> Read for Sequential<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.src.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

fn read_some<R: ReadAt + ?Sized>(src: &R, buf: &mut [u8], at: u64) -> Result<usize, ()> {
    loop {
        match src.read_at(buf, at) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(()),
        }
    }
}

/// The columns of one deferred array.
enum Filled {
    Nodes(NodeSink),
    Edges(EdgeSink),
}

/// The parallel attempt; `Err(())` means "read it serially" (see the module docs).
fn parallel<R: ReadAt + ?Sized>(
    src: &R,
    opts: ParseOptions,
    threads: usize,
    min_piece: u64,
    progress: &mut impl FnMut(u64),
) -> Result<HeapSnapshot, ()> {
    let mut parser = SnapshotParser::deferring(opts);
    let stop = AtomicBool::new(false);
    let result = thread::scope(|s| {
        let mut running = Vec::new();
        let mut buf = vec![0u8; READ_CHUNK];
        let mut off = 0u64;
        loop {
            let n = read_some(src, &mut buf, off)?;
            if n == 0 {
                break;
            }
            let mut used = 0;
            while used < n {
                let step = parser.push_some(&buf[used..n]).map_err(|_| ())?;
                used += step;
                for array in parser.take_deferred() {
                    let layout = parser.layout().ok_or(())?.clone();
                    let opts = parser.options().clone();
                    let stop = &stop;
                    running.push(s.spawn(move || scan_array(src, &layout, &opts, &array, threads, min_piece, stop)));
                }
                if parser.waiting() {
                    install(&mut parser, &mut running)?;
                } else if step == 0 {
                    return Err(());
                }
            }
            off += n as u64;
            progress(off);
        }
        install(&mut parser, &mut running)?;
        if parser.outstanding() != 0 {
            return Err(());
        }
        parser.finish().map_err(|_| ())
    });
    // Workers still scanning when the attempt failed stop at their next piece.
    stop.store(true, Ordering::Relaxed);
    result
}

type Running<'s> = Vec<thread::ScopedJoinHandle<'s, Result<Filled, ()>>>;

/// Waits for the arrays being scanned and hands them to the parser, in file order.
fn install(parser: &mut SnapshotParser, running: &mut Running<'_>) -> Result<(), ()> {
    for handle in running.drain(..) {
        match handle.join().map_err(|_| ())?? {
            Filled::Nodes(sink) => parser.install_nodes(sink).map_err(|_| ())?,
            Filled::Edges(sink) => parser.install_edges(sink).map_err(|_| ())?,
        }
    }
    Ok(())
}

/// Column sinks whose pieces can be put back together.
trait Pieces: IntSink + Send + Sized {
    fn append(&mut self, next: Self) -> Result<(), String>;
}

impl Pieces for NodeSink {
    fn append(&mut self, next: Self) -> Result<(), String> {
        NodeSink::append(self, next)
    }
}

impl Pieces for EdgeSink {
    fn append(&mut self, next: Self) -> Result<(), String> {
        EdgeSink::append(self, next)
    }
}

fn scan_array<R: ReadAt + ?Sized>(
    src: &R,
    layout: &Layout,
    opts: &ParseOptions,
    array: &DeferredArray,
    threads: usize,
    min_piece: u64,
    stop: &AtomicBool,
) -> Result<Filled, ()> {
    let pieces = cut(src, array.start, array.end, threads, min_piece)?;
    let len = array.end - array.start;
    match array.kind {
        ArrayKind::Nodes => {
            let total = reserve_count(layout.node_count, layout.node_fields(), opts.size_hint);
            let make = |i: usize, bytes: u64| NodeSink::new(layout, reserve(i, total, bytes, len));
            run_pieces(src, &pieces, threads, make, stop).map(Filled::Nodes)
        }
        ArrayKind::Edges => {
            let total = reserve_count(layout.edge_count, layout.edge_fields(), opts.size_hint);
            let make = |i: usize, bytes: u64| {
                EdgeSink::new(layout, reserve(i, total, bytes, len), array.known_nodes, opts.edge_details)
            };
            run_pieces(src, &pieces, threads, make, stop).map(Filled::Edges)
        }
    }
}

/// Records to reserve for piece `i` of `bytes` bytes: the first piece becomes the final columns,
/// so it gets the serial parser's reservation for the whole array; the others their share.
fn reserve(i: usize, total: usize, bytes: u64, len: u64) -> usize {
    if i == 0 {
        return total;
    }
    let share = (total as u128 * u128::from(bytes) / u128::from(len.max(1))) as usize;
    share + share / 16 + 64
}

/// Cuts `start..end` into pieces, each but the first starting just after a newline (a record
/// boundary in V8's layout; a cut elsewhere is caught by `scan_piece`).
fn cut<R: ReadAt + ?Sized>(
    src: &R,
    start: u64,
    end: u64,
    threads: usize,
    min_piece: u64,
) -> Result<Vec<(u64, u64)>, ()> {
    let len = end - start;
    let count = (len / min_piece).clamp(1, threads as u64 * PIECES_PER_THREAD);
    let mut cuts = vec![start];
    let mut window = vec![0u8; FIND_WINDOW];
    for k in 1..count {
        let nominal = start + (u128::from(len) * u128::from(k) / u128::from(count)) as u64;
        let last = cuts.last().copied().unwrap_or(start);
        if nominal <= last {
            continue;
        }
        let room = usize::try_from(end - nominal).unwrap_or(usize::MAX).min(FIND_WINDOW);
        let n = read_some(src, &mut window[..room], nominal)?;
        if let Some(p) = memchr::memchr(b'\n', &window[..n]) {
            let at = nominal + p as u64 + 1;
            if at < end {
                cuts.push(at);
            }
        }
    }
    cuts.push(end);
    Ok(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

/// Scans the pieces on up to `threads` threads and appends them in order.
fn run_pieces<R: ReadAt + ?Sized, S: Pieces>(
    src: &R,
    pieces: &[(u64, u64)],
    threads: usize,
    make: impl Fn(usize, u64) -> S + Sync,
    stop: &AtomicBool,
) -> Result<S, ()> {
    let next = AtomicUsize::new(0);
    let last = pieces.len() - 1;
    let (tx, rx) = mpsc::channel::<(usize, Result<S, ()>)>();
    thread::scope(|s| {
        for _ in 0..threads.min(pieces.len()) {
            let (tx, next, make) = (tx.clone(), &next, &make);
            s.spawn(move || {
                let mut buf = vec![0u8; READ_CHUNK];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i > last || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let (a, b) = pieces[i];
                    let result = scan_piece(src, a, b, i == 0, i == last, make(i, b - a), &mut buf);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Pieces that finished before an earlier one wait here; the rest are appended at once.
        let mut early = BTreeMap::new();
        let mut merged: Option<S> = None;
        let mut want = 0;
        for (i, result) in rx {
            let Ok(sink) = result else {
                stop.store(true, Ordering::Relaxed);
                return Err(());
            };
            early.insert(i, sink);
            while let Some(sink) = early.remove(&want) {
                match &mut merged {
                    None => merged = Some(sink),
                    Some(m) => m.append(sink).map_err(|_| stop.store(true, Ordering::Relaxed))?,
                }
                want += 1;
            }
        }
        if want != pieces.len() {
            return Err(());
        }
        merged.ok_or(())
    })
}

/// Scans bytes `start..end` of an array into `sink`. The first piece starts at the array's value
/// (whitespace, `[`), the others after a whole record; each but the last must end after a whole
/// record, and the last exactly after the `]`.
fn scan_piece<R: ReadAt + ?Sized, S: IntSink>(
    src: &R,
    start: u64,
    end: u64,
    first: bool,
    last: bool,
    mut sink: S,
    buf: &mut [u8],
) -> Result<S, ()> {
    let mut arr = if first { IntArray::new() } else { IntArray::after_record() };
    let mut off = start;
    while off < end {
        let room = usize::try_from(end - off).unwrap_or(usize::MAX).min(buf.len());
        let n = read_some(src, &mut buf[..room], off)?;
        if n == 0 {
            return Err(());
        }
        match arr.feed(&buf[..n], &mut sink) {
            Ok(Some(k)) if last && off + k as u64 == end => return Ok(sink),
            Ok(Some(_)) | Err(_) => return Err(()),
            Ok(None) => {}
        }
        off += n as u64;
    }
    if !last && arr.at_record_boundary() {
        Ok(sink)
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A V8-formatted snapshot (one record per line) of `n` nodes in a chain, with a few names.
    fn synthetic(n: usize) -> String {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for i in 0..n {
            let edge_count = usize::from(i + 1 < n);
            nodes.push(format!("{},{},{},{},{},0,{}", 3, i % 5, 2 * i + 1, 16 + i % 7, edge_count, i % 3));
            if i + 1 < n {
                edges.push(format!("2,{},{}", i % 5, (i + 1) * 7));
            }
        }
        format!(
            "{{\"snapshot\":{{\"meta\":{{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\
             \"trace_node_id\",\"detachedness\"],\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\
             \"closure\",\"regexp\",\"number\",\"native\",\"synthetic\"],\"string\",\"number\",\"number\",\"number\",\
             \"number\",\"number\"],\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[[\"context\",\
             \"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],\"string_or_number\",\"node\"]}},\
             \"node_count\":{n},\"edge_count\":{}}},\n\"nodes\":[{}],\n\"edges\":[{}],\n\"strings\":[\"a\",\"b\",\"Foo\",\
             \"bar\",\"baz\",\"unused\"]}}",
            n - 1,
            nodes.join("\n,"),
            edges.join("\n,"),
        )
    }

    fn parse(text: &[u8], threads: usize, min_piece: u64) -> Result<HeapSnapshot, ParseError> {
        parse_in_pieces(text, ParseOptions::default(), threads, min_piece, |_| {})
    }

    fn same(a: &HeapSnapshot, b: &HeapSnapshot) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn any_thread_count_and_piece_size_gives_the_serial_result() {
        let text = synthetic(3000);
        let serial = super::super::parse_bytes(text.as_bytes()).unwrap();
        assert_eq!(serial.node_count(), 3000);
        for threads in [1, 2, 3, 4, 8] {
            for min_piece in [1, 7, 100, 4096, 1 << 20] {
                let got = parse(text.as_bytes(), threads, min_piece).unwrap();
                assert!(same(&got, &serial), "threads {threads}, pieces of {min_piece}");
            }
        }
    }

    /// The attempt is really parallel on V8's layout (not a silent fallback to the serial parser).
    #[test]
    fn v8_layout_is_read_in_pieces() {
        let text = synthetic(3000);
        let mut parser = SnapshotParser::deferring(ParseOptions::default());
        let mut progress = |_| {};
        let got = parallel(text.as_bytes(), ParseOptions::default(), 4, 64, &mut progress).unwrap();
        assert!(same(&got, &super::super::parse_bytes(text.as_bytes()).unwrap()));
        // And the cuts are many.
        parser.push_some(text.as_bytes()).unwrap();
        let deferred = parser.take_deferred();
        assert_eq!(deferred.len(), 2);
        let pieces = cut(text.as_bytes(), deferred[1].start, deferred[1].end, 4, 64).unwrap();
        assert!(pieces.len() > 16, "{} pieces", pieces.len());
    }

    /// Errors anywhere (inside a piece, at a cut, in the counts) are the serial parser's, at the
    /// same byte, line and column.
    #[test]
    fn errors_are_the_serial_parsers() {
        let text = synthetic(2000);
        let mid = text.find("\n,3,2,").unwrap() + 2000;
        let edge_mid = text.find("\"edges\"").unwrap() + 5000;
        let mut cases: Vec<String> = Vec::new();
        let mut put = |at: usize, what: &str| {
            let mut t = text.clone();
            let at = t[at..].find('\n').unwrap() + at;
            t.insert_str(at, what);
            cases.push(t);
        };
        put(mid, "x");
        put(mid, ",");
        put(mid, ",1");
        put(mid, "99999999999999999999999");
        put(edge_mid, ",7");
        put(edge_mid, "\n,9,0,0");
        put(edge_mid, ".5");
        put(edge_mid, " ");
        cases.push(text.replace("\n,2,1,", "\n,2,1,1"));
        cases.push(text.replace("\"node_count\":2000", "\"node_count\":1999"));
        cases.push(text.replace("\"edge_count\":1999", "\"edge_count\":2000"));
        cases.push(text[..text.len() - 40].to_string());
        cases.push(text.replace("\"strings\":[", "\"strings\":[\"s\\q\","));
        for (k, t) in cases.iter().enumerate() {
            let want = super::super::parse_bytes(t.as_bytes());
            for threads in [2, 4] {
                for min_piece in [1, 100, 4096] {
                    match (parse(t.as_bytes(), threads, min_piece), &want) {
                        (Err(e), Err(w)) => assert_eq!(&e, w, "case {k}"),
                        (Ok(a), Ok(b)) => assert!(same(&a, b), "case {k}"),
                        (a, b) => panic!("case {k}: {:?} vs {:?}", a.err(), b.as_ref().err()),
                    }
                }
            }
        }
    }
}
