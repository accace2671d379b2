//! Index names in heap snapshots without a 4 KiB buffer each (V8 15.2; opt-in at link time).
//!
//! While V8 builds a heap snapshot, every slot of a `FixedArray` that holds an object (the
//! backing store of a `Map`, a `Set`, a dictionary-mode object) gets an internal edge named by its
//! index, made by `StringsStorage::GetName(int)` as `GetFormatted("%d", index)`. V8 15.2's
//! `GetVFormatted` formats into a fresh `new char[4096]` and keeps that whole buffer as the stored
//! name when the name is new: one distinct name per slot index that holds an object, so a
//! snapshot of a Map with 1.57 M object values keeps ~1.6 M such buffers, 6.4 GB of RSS (the
//! 300 MB heap of docs/benchmarks-retainers.md: twice Node's peak; Node 20's V8 uses 1 KiB).
//!
//! [`__wrap__ZN2v88internal14StringsStorage7GetNameEi`] makes the same name (the decimal index)
//! in a buffer of its exact size and hands it to the same `StringsStorage::AddOrDisposeString`,
//! which takes ownership exactly as it does of `GetVFormatted`'s buffer (keeps it for a new name,
//! `delete[]`s it for a known one). A binary opts in by linking with [`LINK_ARGS`]
//! (`-Wl,--wrap=...`): GNU ld and lld then route every call that V8's other object files make to
//! `GetName(int)` here. Calls inside `strings-storage.o` itself are not routed, and none of them
//! call `GetName(int)`. The `memwatch` CLI links this way (native/cli/build.rs), as do this
//! crate's tests and examples (build.rs); an embedder adds the same arguments to its binary.
//! Without them nothing here is called.
//!
//! The symbols are V8 15.2's (`v8 = "=152.2.0"`), by their Itanium-mangled names: if a V8 update
//! renames `AddOrDisposeString`, linking fails rather than anything changing silently.

use std::ffi::{c_char, c_int, c_void};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

include!("../snapshot_names_link_args.rs");

unsafe extern "C" {
    /// `const char* v8::internal::StringsStorage::AddOrDisposeString(char* str, size_t len)`:
    /// under the storage's mutex, keeps `str` (allocated with `new[]`) as the entry for a new
    /// name or `delete[]`s it for a known one; returns the stored name.
    #[link_name = "_ZN2v88internal14StringsStorage18AddOrDisposeStringEPcm"]
    fn strings_storage_add_or_dispose(storage: *mut c_void, name: *mut c_char, len: usize) -> *const c_char;
    /// `operator new[](size_t)` of V8's own C++ runtime, the allocator whose `delete[]` the
    /// storage frees its names with. It aborts when out of memory (V8 is built without
    /// exceptions), as V8's own `new char[4096]` there does.
    #[link_name = "_Znam"]
    fn cxx_new_array(size: usize) -> *mut c_void;
}

/// Index names made here (so tests can tell that a binary was linked with [`LINK_ARGS`]).
static NAMES_MADE: AtomicU64 = AtomicU64::new(0);

/// How many index names V8 has asked for through this module in this process: 0 when the
/// binary was not linked with [`LINK_ARGS`] or took no snapshot.
pub fn index_names_made() -> u64 {
    NAMES_MADE.load(Ordering::Relaxed)
}

/// `const char* v8::internal::StringsStorage::GetName(int index)` for binaries linked with
/// [`LINK_ARGS`]: the same name V8 makes, `"%d"` of `index`.
///
/// # Safety
/// Called by V8 only, with `storage` the `this` of a live `StringsStorage` (the heap
/// profiler's), as V8 calls the function it stands for.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __wrap__ZN2v88internal14StringsStorage7GetNameEi(
    storage: *mut c_void,
    index: c_int,
) -> *const c_char {
    NAMES_MADE.fetch_add(1, Ordering::Relaxed);
    // i32::MIN is 11 characters: the write cannot fail.
    let mut digits = [0u8; 12];
    let len = {
        let mut rest = &mut digits[..];
        let _ = write!(rest, "{index}");
        12 - rest.len()
    };
    // SAFETY: `cxx_new_array` returns a block of at least `len + 1` bytes (or aborts), which is
    // filled with the digits and a NUL; ownership passes to the storage, which frees it with the
    // matching `delete[]`. `storage` is V8's own `this` for the call it made (see "Safety").
    unsafe {
        let name = cxx_new_array(len + 1).cast::<u8>();
        std::ptr::copy_nonoverlapping(digits.as_ptr(), name, len);
        *name.add(len) = 0;
        strings_storage_add_or_dispose(storage, name.cast(), len)
    }
}
