//! V8 reserves large ranges of virtual address space when it starts (the pointer-compression
//! cage and cppgc's caged heap, several GiB, mostly never touched). Under a low `ulimit -v`
//! (RLIMIT_AS) the reservation fails and V8 aborts the process with "Oilpan: CagedHeap
//! reservation"; this check turns that into an error that says which limit is needed.

/// Smallest RLIMIT_AS accepted. Measured on `memwatch run` of a one-line script (V8 152): the
/// process peaks at 48.3 GiB of address space while V8 starts (VmPeak; cppgc reserves its cage
/// with room to align it, then trims to about 17 GiB). Below that, start-up fails at random
/// depending on where the kernel places the cage: 3 of 40 runs aborted at 34 GiB, 1 of 40 at
/// 48 GiB, none of 100 at 49 or 50 GiB. 50 GiB keeps it deterministic.
pub const MIN_ADDRESS_SPACE: u64 = 50 << 30;

#[derive(Debug, thiserror::Error)]
#[error(
    "the address-space limit (ulimit -v {} KiB) is below the {} GiB of virtual address space memwatch run needs (V8 \
     reserves up to 48.3 GiB while it starts, little of it used); raise it with `ulimit -v unlimited` or at least \
     `ulimit -v {}`",
    limit >> 10,
    MIN_ADDRESS_SPACE >> 30,
    MIN_ADDRESS_SPACE >> 10
)]
pub struct AddressSpaceError {
    /// The soft RLIMIT_AS in bytes.
    pub limit: u64,
}

/// Fails when the soft RLIMIT_AS is below [`MIN_ADDRESS_SPACE`].
pub fn check() -> Result<(), AddressSpaceError> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given, which lives for the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } != 0 {
        return Ok(()); // cannot tell: let V8 try
    }
    if lim.rlim_cur == libc::RLIM_INFINITY || lim.rlim_cur >= MIN_ADDRESS_SPACE {
        return Ok(());
    }
    Err(AddressSpaceError { limit: lim.rlim_cur })
}
