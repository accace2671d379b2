//! A heap snapshot parsed while V8 serialises it: no temporary file, no whole-JSON buffer.
//!
//! V8 hands the JSON to a callback in small chunks (1 KiB with rusty_v8's output stream) on the
//! isolate's thread. They are copied into [`BUF`]-sized buffers that a bounded channel carries to
//! a parser thread, which pushes them into memwatch-core's [`SnapshotParser`] (and, when the
//! snapshot is kept, writes them to its file). So parsing overlaps serialising, and what the
//! stream itself holds is at most `QUEUE + 2` buffers: the channel's slots, the one being parsed
//! and the one being filled. A full channel blocks V8's thread until the parser catches up.
//!
//! When the parser (or the file write) fails, the parser thread drops its end of the channel;
//! the next chunk callback sees that and returns `false`, which makes V8 stop serialising, and
//! the first error is returned. A producer that stops early (V8 aborting, out of memory) ends
//! the input, and the parser's `finish` reports the truncation.

use std::fs::File;
use std::io::Write;
use std::sync::mpsc::sync_channel;

use memwatch_core::snapshot::{HeapSnapshot, ParseError, ParseOptions, SnapshotParser};

/// Size of the buffers handed to the parser thread (the parser's own read size for files).
pub(crate) const BUF: usize = memwatch_core::snapshot::READ_CHUNK;
/// Filled buffers waiting for the parser: bounds the memory the stream adds.
pub(crate) const QUEUE: usize = 4;

/// The chunk callback a producer calls: `false` back means "stop".
pub(crate) type ChunkFn<'a> = &'a mut dyn FnMut(&[u8]) -> bool;

/// What goes wrong in a stream, before the caller names the snapshot.
#[derive(Debug)]
pub(crate) enum StreamError<E> {
    /// The consumer refused a chunk or the end of the input.
    Consumer(E),
    /// The consumer thread panicked (a bug): reported, never propagated as a panic.
    Panicked,
    /// No thread could be started for the consumer.
    Spawn(std::io::Error),
}

/// Where the buffers go: pushed in order, then `finish` once the producer is done.
pub(crate) trait ChunkConsumer: Send {
    type Output: Send;
    type Error: Send;
    fn push(&mut self, chunk: &[u8]) -> Result<(), Self::Error>;
    fn finish(self) -> Result<Self::Output, Self::Error>;
}

/// Runs `produce` on this thread (it calls its argument once per chunk; `false` back means
/// "stop") while `consumer` takes the bytes on a thread of its own. Returns the consumer's
/// output and the number of bytes produced.
pub(crate) fn stream_through<C: ChunkConsumer>(
    produce: impl FnOnce(ChunkFn),
    mut consumer: C,
) -> Result<(C::Output, u64), StreamError<C::Error>> {
    let (full_tx, full_rx) = sync_channel::<Vec<u8>>(QUEUE);
    // Parsed buffers come back for reuse (no page faults for fresh memory per buffer).
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(QUEUE + 2);
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new().name("memwatch-snapshot-parser".into()).spawn_scoped(s, move || {
            for mut buf in full_rx {
                consumer.push(&buf)?;
                buf.clear();
                let _ = free_tx.try_send(buf);
            }
            // The producer hung up: the input is complete (or cut short, which finish reports).
            consumer.finish()
        });
        let worker = match worker {
            Ok(w) => w,
            Err(e) => return Err(StreamError::Spawn(e)),
        };
        let mut bytes = 0u64;
        let mut cur: Vec<u8> = Vec::with_capacity(BUF);
        let mut open = true;
        let send = |buf: Vec<u8>, open: &mut bool| {
            if full_tx.send(buf).is_err() {
                *open = false; // the consumer failed: its error is returned below
            }
        };
        produce(&mut |mut chunk: &[u8]| {
            if !open {
                return false;
            }
            bytes += chunk.len() as u64;
            while !chunk.is_empty() {
                let take = (BUF - cur.len()).min(chunk.len());
                cur.extend_from_slice(&chunk[..take]);
                chunk = &chunk[take..];
                if cur.len() == BUF {
                    let next = free_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(BUF));
                    send(std::mem::replace(&mut cur, next), &mut open);
                    if !open {
                        return false;
                    }
                }
            }
            true
        });
        if open && !cur.is_empty() {
            send(cur, &mut open);
        }
        drop(full_tx);
        match worker.join() {
            Ok(Ok(out)) => Ok((out, bytes)),
            Ok(Err(e)) => Err(StreamError::Consumer(e)),
            Err(_) => Err(StreamError::Panicked),
        }
    })
}

/// Why a streamed snapshot failed on the parser thread.
#[derive(Debug)]
pub(crate) enum SnapshotSinkError {
    Parse(ParseError),
    Write(std::io::Error),
}

/// The consumer for V8's snapshots: core's push parser, plus the kept file when there is one.
pub(crate) struct SnapshotSink {
    parser: SnapshotParser,
    file: Option<File>,
}

impl SnapshotSink {
    pub(crate) fn new(opts: ParseOptions, file: Option<File>) -> SnapshotSink {
        SnapshotSink { parser: SnapshotParser::with_options(opts), file }
    }
}

impl ChunkConsumer for SnapshotSink {
    type Output = HeapSnapshot;
    type Error = SnapshotSinkError;

    fn push(&mut self, chunk: &[u8]) -> Result<(), SnapshotSinkError> {
        if let Some(f) = &mut self.file {
            f.write_all(chunk).map_err(SnapshotSinkError::Write)?;
        }
        self.parser.push(chunk).map_err(SnapshotSinkError::Parse)
    }

    fn finish(self) -> Result<HeapSnapshot, SnapshotSinkError> {
        if let Some(mut f) = self.file {
            f.flush().map_err(SnapshotSinkError::Write)?;
        }
        self.parser.finish().map_err(SnapshotSinkError::Parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    const TINY: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],"location_fields":[]},"node_count":2,"edge_count":1,"trace_function_count":0},
"nodes":[9,0,1,0,1,0,0
,3,1,3,40,0,0,0],
"edges":[2,2,7],
"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],
"strings":["","Leaky","x"]}"#;

    /// Feeds `bytes` in chunks of `n`, as V8 does (then the final empty chunk).
    fn chunks_of(bytes: &[u8], n: usize) -> impl FnOnce(ChunkFn) + '_ {
        move |cb| {
            for c in bytes.chunks(n) {
                if !cb(c) {
                    return;
                }
            }
            cb(&[]);
        }
    }

    fn sink() -> SnapshotSink {
        SnapshotSink::new(ParseOptions::default(), None)
    }

    #[test]
    fn a_snapshot_split_anywhere_parses_as_a_whole() {
        for n in [1, 7, 1024, BUF + 3] {
            let (snap, bytes) = stream_through(chunks_of(TINY.as_bytes(), n), sink()).unwrap();
            assert_eq!(bytes, TINY.len() as u64);
            assert_eq!(snap.node_count(), 2, "chunk size {n}");
            assert_eq!(snap.strings.get(snap.node_name[1]), "Leaky");
        }
    }

    #[test]
    fn the_kept_file_gets_the_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.heapsnapshot");
        let file = File::create(&path).unwrap();
        let sink = SnapshotSink::new(ParseOptions::default(), Some(file));
        stream_through(chunks_of(TINY.as_bytes(), 5), sink).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), TINY);
    }

    #[test]
    fn a_parse_error_mid_stream_stops_the_producer_and_is_returned() {
        // Valid up to inside the nodes array, then garbage; then far more input than the queue
        // holds (the rest of a big snapshot).
        let at = TINY.find("\"nodes\":[").unwrap() + 9;
        let mut bad = TINY.as_bytes()[..at].to_vec();
        bad.extend_from_slice(b"@@@");
        bad.resize(64 * BUF, b'1');
        let calls = AtomicUsize::new(0);
        let refused = AtomicUsize::new(0);
        let produce = |cb: ChunkFn| {
            // A producer that ignores `false` (keeps going): must neither hang nor buffer it all.
            for c in bad.chunks(1024) {
                calls.fetch_add(1, Ordering::Relaxed);
                if !cb(c) {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
        };
        let err = stream_through(produce, sink()).unwrap_err();
        match err {
            StreamError::Consumer(SnapshotSinkError::Parse(e)) => {
                let m = e.to_string();
                assert!(m.contains(&at.to_string()), "the error names the byte position {at}: {m}");
            }
            other => panic!("{other:?}"),
        }
        assert!(refused.load(Ordering::Relaxed) > 0, "the producer was told to stop");
    }

    #[test]
    fn a_stream_cut_short_is_reported_as_truncated() {
        let cut = &TINY.as_bytes()[..TINY.len() / 2];
        let produce = |cb: ChunkFn| {
            cb(cut); // then the producer gives up (V8 aborting): no more chunks
        };
        match stream_through(produce, sink()).unwrap_err() {
            StreamError::Consumer(SnapshotSinkError::Parse(e)) => {
                assert!(e.to_string().contains("truncated"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_stream_is_an_error_not_an_empty_snapshot() {
        match stream_through(|_| {}, sink()).unwrap_err() {
            StreamError::Consumer(SnapshotSinkError::Parse(e)) => assert!(e.to_string().contains("empty"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    /// A consumer slower than the producer, counting what it has received.
    struct Slow {
        received: Arc<AtomicUsize>,
    }

    impl ChunkConsumer for Slow {
        type Output = usize;
        type Error = ();
        fn push(&mut self, chunk: &[u8]) -> Result<(), ()> {
            std::thread::sleep(Duration::from_millis(2));
            self.received.fetch_add(chunk.len(), Ordering::SeqCst);
            Ok(())
        }
        fn finish(self) -> Result<usize, ()> {
            Ok(self.received.load(Ordering::SeqCst))
        }
    }

    #[test]
    fn a_slow_parser_holds_back_the_producer_at_a_bounded_distance() {
        let received = Arc::new(AtomicUsize::new(0));
        let ahead = AtomicUsize::new(0);
        let total = 40 * BUF;
        let produce = |cb: ChunkFn| {
            let chunk = vec![b'x'; 1024];
            let mut sent = 0usize;
            while sent < total {
                assert!(cb(&chunk));
                sent += chunk.len();
                let lead = sent - received.load(Ordering::SeqCst);
                ahead.fetch_max(lead, Ordering::Relaxed);
            }
        };
        let (got, bytes) = stream_through(produce, Slow { received: received.clone() }).unwrap();
        assert_eq!((got, bytes), (total, total as u64));
        // Queued buffers, the one being consumed and the one being filled.
        let bound = (QUEUE + 2) * BUF;
        let lead = ahead.load(Ordering::Relaxed);
        assert!(lead <= bound, "producer ran {lead} bytes ahead (bound {bound})");
        assert!(lead >= QUEUE * BUF, "the queue was used at all: {lead}");
    }

    /// A consumer that fails at once: the producer must learn it and the error come back.
    struct Refuses;

    impl ChunkConsumer for Refuses {
        type Output = ();
        type Error = &'static str;
        fn push(&mut self, _: &[u8]) -> Result<(), &'static str> {
            Err("refused")
        }
        fn finish(self) -> Result<(), &'static str> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_consumer_stops_a_long_producer() {
        let mut stopped_after = None;
        let produce = |cb: ChunkFn| {
            let chunk = vec![b' '; 1024];
            for i in 0..(1000 * BUF / 1024) {
                if !cb(&chunk) {
                    stopped_after = Some(i);
                    return;
                }
            }
        };
        assert!(matches!(stream_through(produce, Refuses), Err(StreamError::Consumer("refused"))));
        let n = stopped_after.expect("the producer was stopped");
        assert!(n < (QUEUE + 3) * BUF / 1024, "stopped only after {n} chunks");
    }
}
