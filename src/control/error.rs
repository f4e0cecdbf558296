//! How a command fails: rabbitmqctl's error texts and exit codes.
//!
//! Exit codes are BSD's `sysexits`, as the RabbitMQ CLI uses them: 64 a
//! usage error (unknown command or option, missing arguments, an unknown
//! column), 65 bad data (a vhost that does not exist), 67 an unknown user,
//! 69 the operation failed on the node (`not_found`, a malformed pid).
//!
//! Usage errors are found before anything runs, so they print no banner;
//! their text names the arguments given and ends with the command's usage.
//! A failure found while running follows the banner already printed.

/// The exit codes rabbitmqctl uses.
pub mod exit_code {
    pub const OK: i32 = 0;
    /// A usage error (`EX_USAGE`).
    pub const USAGE: i32 = 64;
    /// The data given is wrong (`EX_DATAERR`): a vhost that does not exist.
    pub const DATA_ERROR: i32 = 65;
    /// No such user (`EX_NOUSER`).
    pub const NO_USER: i32 = 67;
    /// The operation failed on the node (`EX_UNAVAILABLE`); also the
    /// client's exit code when it cannot reach the node.
    pub const UNAVAILABLE: i32 = 69;
}

/// Why a command line was refused before running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UsageError {
    /// No command at all.
    NoCommand,
    UnknownCommand(String),
    /// Options this command does not take, or could not read: (as typed,
    /// value).
    InvalidOptions(Vec<(String, Option<String>)>),
    NotEnoughArguments,
    TooManyArguments,
    /// Columns the listing does not have.
    UnknownColumns(Vec<String>),
    /// `--formatter` names none Warren has.
    UnsupportedFormatter,
    /// An argument with a value the command refuses (exit 65).
    BadArgument(String),
}

impl UsageError {
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            UsageError::BadArgument(_) => exit_code::DATA_ERROR,
            _ => exit_code::USAGE,
        }
    }

    /// The text after `Error (argument validation): `; `None` for the
    /// errors that print the general usage instead (no command, an unknown
    /// one).
    pub(crate) fn validation_text(&self) -> Option<String> {
        let text = match self {
            UsageError::NoCommand | UsageError::UnknownCommand(_) => return None,
            UsageError::InvalidOptions(options) => {
                let lines: Vec<String> = options
                    .iter()
                    .map(|(typed, value)| format!("{typed} : {}", value.as_deref().unwrap_or("")))
                    .collect();
                format!("Invalid options for this command:\n{}", lines.join("\n"))
            }
            UsageError::NotEnoughArguments => "not enough arguments.".to_string(),
            UsageError::TooManyArguments => "too many arguments.".to_string(),
            UsageError::UnknownColumns(keys) => {
                format!("Info key(s) {} are not supported", keys.join(","))
            }
            UsageError::UnsupportedFormatter => {
                "the requested formatter is not supported by this command".to_string()
            }
            UsageError::BadArgument(text) => text.clone(),
        };
        Some(text)
    }
}

/// A command that ran and failed: what goes to stderr, and the exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub exit_code: i32,
    /// The error text, without its final newline.
    pub text: String,
}

impl Failure {
    /// rabbitmqctl's usual form: `Error:` on a line of its own, then the reason.
    pub(crate) fn error(exit_code: i32, reason: impl std::fmt::Display) -> Failure {
        Failure {
            exit_code,
            text: format!("Error:\n{reason}"),
        }
    }

    /// A reason printed as it is (`Virtual host 'x' does not exist`).
    pub(crate) fn bare(exit_code: i32, reason: impl std::fmt::Display) -> Failure {
        Failure {
            exit_code,
            text: reason.to_string(),
        }
    }
}
