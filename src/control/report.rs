//! What a command produced, before the options decide what is shown: its
//! informational lines (the banner), its output, and how it failed.

use crate::control::error::Failure;
use crate::control::format::Rows;

/// What a command printed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Output {
    Nothing,
    /// Text printed as it is (ends with a newline if not empty).
    Text(String),
    /// A table, written by the chosen formatter.
    Rows(Rows),
}

/// A command's result.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Report {
    /// Informational lines (`Listing queues for vhost / ...`), shown unless
    /// `--quiet`, `--silent` or a machine-readable formatter.
    pub banner: Vec<String>,
    pub output: Output,
    pub failure: Option<Failure>,
}

impl Report {
    pub(crate) fn done(banner: Vec<String>) -> Report {
        Report {
            banner,
            output: Output::Nothing,
            failure: None,
        }
    }

    pub(crate) fn text(banner: Vec<String>, text: String) -> Report {
        Report {
            banner,
            output: Output::Text(text),
            failure: None,
        }
    }

    pub(crate) fn rows(banner: Vec<String>, rows: Rows) -> Report {
        Report {
            banner,
            output: Output::Rows(rows),
            failure: None,
        }
    }

    pub(crate) fn failed(banner: Vec<String>, failure: Failure) -> Report {
        Report {
            banner,
            output: Output::Nothing,
            failure: Some(failure),
        }
    }
}
