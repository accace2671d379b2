//! This crate's tests and examples link with `snapshot_names::LINK_ARGS` (src/snapshot_names.rs:
//! heap snapshots without a 4 KiB buffer per index name), as the `memwatch` CLI does.

include!("snapshot_names_link_args.rs");

fn main() {
    println!("cargo:rerun-if-changed=snapshot_names_link_args.rs");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_POINTER_WIDTH") == "64" {
        for arg in LINK_ARGS {
            println!("cargo:rustc-link-arg-tests={arg}");
            println!("cargo:rustc-link-arg-examples={arg}");
        }
    }
}
