//! Human-readable sizes exactly as node-memwatch printed them (`niceSize`).

/// Formats a byte count like node-memwatch: "1.5 kb", "1 mb", "1024 bytes", "-2.07 kb".
///
/// Thresholds are strict (`> 1024`, `> 1048576`) and values are rounded to two decimals, printed
/// in the shortest form (no trailing zeros), as the original's JavaScript number formatting did.
pub fn nice_size(bytes: i64) -> String {
    let b = bytes as f64;
    let magnitude = bytes.unsigned_abs();
    if magnitude > 1_048_576 {
        format!("{} mb", shortest((b / 10_485.76).round() / 100.0))
    } else if magnitude > 1024 {
        format!("{} kb", shortest((b / 10.24).round() / 100.0))
    } else {
        format!("{bytes} bytes")
    }
}

/// Prints a float the way JavaScript's `String(number)` does for these magnitudes.
fn shortest(v: f64) -> String {
    // Rust's `Display` for f64 already prints the shortest round-trip form; only "-0" needs care.
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::nice_size;

    #[test]
    fn golden_vectors_from_semantics_doc() {
        assert_eq!(nice_size(1536), "1.5 kb");
        assert_eq!(nice_size(1025), "1 kb");
        assert_eq!(nice_size(1024), "1024 bytes");
        assert_eq!(nice_size(-2120), "-2.07 kb");
        assert_eq!(nice_size(1_048_577), "1 mb");
        assert_eq!(nice_size(1_869_904), "1.78 mb");
        assert_eq!(nice_size(2_119_136), "2.02 mb");
        assert_eq!(nice_size(249_232), "243.39 kb");
        assert_eq!(nice_size(66_688), "65.13 kb");
        assert_eq!(nice_size(239_952), "234.33 kb");
        assert_eq!(nice_size(0), "0 bytes");
    }
}
