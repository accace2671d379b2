//! `memwatch run` (not implemented yet).

use super::{CliError, CliResult};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> CliResult {
    Err(CliError::Failure("'run' is not implemented yet".into()))
}
