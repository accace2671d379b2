//! The `memwatch` binary links with the sampler's `snapshot_names::LINK_ARGS`: V8's heap
//! snapshots then make their index names without a 4 KiB buffer each
//! (native/sampler/src/snapshot_names.rs).

include!("../sampler/snapshot_names_link_args.rs");

fn main() {
    println!("cargo:rerun-if-changed=../sampler/snapshot_names_link_args.rs");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_POINTER_WIDTH") == "64" {
        for arg in LINK_ARGS {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
}
