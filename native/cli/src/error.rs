//! Errors of the `memwatch` subcommands and the exit codes they map to.

use std::process::ExitCode;

/// Errors map to exit codes: 2 for bad input or usage, 1 for the command's own failure verdicts
/// (e.g. `--fail-on-leak` with a leak found, an uncaught JS exception).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::BadInput(_) => ExitCode::from(2),
            CliError::Failure(_) => ExitCode::from(1),
        }
    }

    /// Bad input naming the file: `memwatch: FILE: message`.
    pub fn in_file(path: &std::path::Path, msg: impl std::fmt::Display) -> CliError {
        CliError::BadInput(format!("{}: {msg}", path.display()))
    }
}

pub type CliResult = Result<ExitCode, CliError>;
