//! Warren's own usage text: the commands, their options, their columns.
//!
//! The layout follows rabbitmqctl's (a bold `Usage` heading, then the
//! synopsis), so an error reads the same way; the words are Warren's.

use crate::control::commands::{CommandSpec, Section, COMMANDS};

/// The program's name in usage lines.
pub(crate) const PROGRAM: &str = "warrenctl";

/// `text` in bold, as rabbitmqctl prints headings (even without a terminal).
pub(crate) fn bold(text: &str) -> String {
    format!("\x1b[1m{text}\x1b[0m")
}

const OPTIONS: &[(&str, &str)] = &[
    (
        "-n <host>:<port>",
        "the node's control port (default 127.0.0.1:25672)",
    ),
    ("-p <vhost>", "the virtual host (default /)"),
    ("-q, --quiet", "no informational lines"),
    (
        "-s, --silent",
        "no informational lines and no table headers",
    ),
    ("--no-table-headers", "no table headers"),
    (
        "--formatter <name>",
        "json, csv or pretty_table instead of tab-separated columns",
    ),
    ("-t <seconds>", "the timeout list_queues reports"),
];

/// The usage of the whole program, ending with a newline.
pub(crate) fn general_usage() -> String {
    let mut text = format!(
        "{}\n\n{PROGRAM} [-n <host>:<port>] [--quiet] [--silent] <command> [<command options>]\n\nOptions:\n\n",
        bold("Usage")
    );
    for (option, meaning) in OPTIONS {
        text.push_str(&format!("   {option:<22}{meaning}\n"));
    }
    text.push_str("\nAvailable commands:\n\n");
    for section in Section::ALL {
        text.push_str(&format!("{}:\n\n", bold(section.title())));
        for spec in COMMANDS.iter().filter(|c| c.section == section) {
            text.push_str(&format!("   {:<24}{}\n", spec.name, spec.summary));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Use '{PROGRAM} help <command>' to learn more about a specific command\n"
    ));
    text
}

/// A command's usage line under its heading, ending with a newline.
pub(crate) fn command_usage(spec: &CommandSpec) -> String {
    let synopsis = if spec.synopsis.is_empty() {
        String::new()
    } else {
        format!(" {}", spec.synopsis)
    };
    format!(
        "{}\n\n{PROGRAM} [-n <host>:<port>] [--quiet] {}{synopsis}\n",
        bold("Usage"),
        spec.name
    )
}

/// `help <command>`: the usage, what it does, and a listing's columns.
pub(crate) fn command_help(spec: &CommandSpec) -> String {
    let mut text = command_usage(spec);
    text.push_str(&format!("\n{}\n", spec.summary));
    if !spec.columns.is_empty() {
        text.push_str(&format!(
            "\nColumns (default: {}):\n\n   {}\n",
            spec.default_columns.join(" "),
            spec.columns.join(" ")
        ));
    }
    text
}
