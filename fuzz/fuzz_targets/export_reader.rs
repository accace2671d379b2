//! The export reader on arbitrary bytes, from memory and through a small-buffered reader (lines
//! split across reads): never a panic, the same result both ways; an accepted export re-analyses
//! without panicking.
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use memwatch_core::export::{analyze_export, read_export, read_export_from};

fuzz_target!(|data: &[u8]| {
    let whole = read_export(data);
    let buffered = read_export_from(BufReader::with_capacity(7, data));
    assert_eq!(whole, buffered);
    if let Ok(export) = whole {
        // Recorded detector parameters may be out of bounds: an error, never a panic.
        if let Ok(analysis) = analyze_export(&export, &Default::default()) {
            let _ = serde_json::to_string(&analysis).expect("an analysis serializes");
        }
    }
});
