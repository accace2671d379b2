//! The streaming snapshot parser on arbitrary bytes pushed in arbitrary chunks: never a panic,
//! and the same result (graph, or error with offset and message) as one whole push; the same
//! again from the parallel reader (2-4 threads, the arrays cut into pieces of 1-64 bytes) and
//! from every integer-scan kernel the CPU has (byte loop, SWAR, SSE2, AVX2).
//! Input: one byte choosing the chunk sizes (and the threads and pieces), then the snapshot bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use memwatch_core::snapshot::{parse_bytes, parse_in_pieces, ParseOptions, ScanKernel};
use memwatch_fuzz::{assert_same, check_graph, parse_chunked};

fuzz_target!(|data: &[u8]| {
    let Some((&seed, bytes)) = data.split_first() else { return };
    let whole = parse_bytes(bytes);
    let chunked = parse_chunked(bytes, seed, ParseOptions::default());
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => {
            check_graph(a);
            assert_same(a, b);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("whole and chunked parses disagree: {:?} vs {:?}", whole.err(), chunked.err()),
    }
    for kernel in ScanKernel::available() {
        let other = ScanKernel::force(kernel, || parse_bytes(bytes));
        match (&whole, &other) {
            (Ok(a), Ok(b)) => assert_same(a, b),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("whole parses disagree with {kernel:?}: {:?} vs {:?}", whole.err(), other.err()),
        }
    }
    let threads = 2 + usize::from(seed % 3);
    let parallel = parse_in_pieces(bytes, ParseOptions::default(), threads, 1 + u64::from(seed % 64), |_| {});
    match (&whole, &parallel) {
        (Ok(a), Ok(b)) => assert_same(a, b),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("whole and parallel parses disagree: {:?} vs {:?}", whole.err(), parallel.err()),
    }
});
