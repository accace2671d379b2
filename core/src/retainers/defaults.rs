//! The one set of report defaults, shared by the CLI (`leaks`, `diff --retainers`, `run
//! --leak-retainers`), wasm and the live sampler: hosts take these instead of their own numbers.

/// Leak-report groups shown (`memwatch leaks --max-groups`, wasm `leakReport`'s `max_groups`).
pub const MAX_GROUPS: usize = 20;
/// Representative retainer-path groups per growing class (growth reports, the viewer's panel).
pub const PATHS_PER_CLASS: usize = 3;
