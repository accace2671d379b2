// Included by src/snapshot_names.rs and by the build scripts of this crate and of the CLI, so the
// symbol names are written once.

/// Linker arguments that route V8's `StringsStorage::GetName(int)` to
/// `memwatch::snapshot_names` (64-bit Linux, GNU ld or lld): `--wrap` redirects the calls,
/// `--undefined` makes the linker take the wrapper from this crate's archive.
pub const LINK_ARGS: [&str; 2] = [
    "-Wl,--wrap=_ZN2v88internal14StringsStorage7GetNameEi",
    "-Wl,--undefined=__wrap__ZN2v88internal14StringsStorage7GetNameEi",
];
