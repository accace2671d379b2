//! The report text comes from core (`memwatch_core::render`, shared with the npm package's
//! `memwatch-wasm` bin); this module only names what the subcommands use of it.

pub use memwatch_core::render::retainers::leak_details;
pub use memwatch_core::render::{escape_controls, printable, NAME_WIDTH};
