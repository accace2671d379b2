//! `memwatch serve` (not implemented yet).

use super::{CliError, CliResult};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> CliResult {
    Err(CliError::Failure("'serve' is not implemented yet".into()))
}
