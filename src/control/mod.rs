//! warrenctl: a rabbitmqctl-compatible command line for Warren's broker.
//!
//! `rabbitmqctl list_queues` is how people look inside RabbitMQ, and the
//! lessons use it. [`run`] takes the same argument vector (what follows the
//! program name) and answers as RabbitMQ 3.10.8's rabbitmqctl does, byte for
//! byte where recorded: the same informational lines, tab-separated columns,
//! value formats, JSON layout, error texts and exit codes. Only the usage
//! text is Warren's own.
//!
//! ```text
//! $ warrenctl list_queues name messages_ready messages_unacknowledged
//! Timeout: 60.0 seconds ...
//! Listing queues for vhost / ...
//! name    messages_ready  messages_unacknowledged
//! task_queue      3       1
//! ```
//!
//! This module is pure (no sockets, files or clock), so the native server
//! and the browser run the same code. What only the host knows (the node's
//! name, its process, its listeners) comes in a [`NodeInfo`]. The server
//! reaches it through the line protocol of [`serve_request`]; the
//! `warrenctl` binary is a thin client that sends one request line and
//! prints the answer.
//!
//! How a command runs: [`command_line`] reads options anywhere in the
//! vector; [`commands`] says which options and columns each command has;
//! then the command runs (`listing/` for the `list_*` commands, [`access`]
//! for vhosts and permissions, [`queue_commands`], [`close_connection`],
//! [`status`]) and returns a [`report::Report`]: its informational lines,
//! its output, how it failed. The options then decide what is shown
//! ([`format`]): `-q` drops the informational lines, `-s` the header row
//! too, `--formatter json` prints JSON.

mod access;
mod cell;
mod close_connection;
mod command_line;
mod commands;
pub mod error;
mod format;
mod listing;
pub mod node;
mod pid;
mod queue_commands;
mod report;
pub mod request;
mod status;
mod usage;

pub use error::exit_code;
pub use node::{Listener, NodeInfo};
pub use request::{parse_request, parse_response, request_line, response_line, serve_request};

use crate::control::command_line::{CommandLine, GivenSwitch};
use crate::control::commands::CommandSpec;
use crate::control::error::UsageError;
use crate::control::format::{Formatter, Rows, WhenEmpty};
use crate::control::report::{Output, Report};
use crate::engine::vhost::{Permission, DEFAULT_VHOST};
use crate::engine::Broker;
use serde::{Deserialize, Serialize};

/// What a command printed, and its exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CtlOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// The default timeout `list_queues` reports, in seconds.
const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// The options of one command line.
#[derive(Clone, Debug)]
struct Options {
    vhost: String,
    quiet: bool,
    silent: bool,
    table_headers: bool,
    formatter: Formatter,
    timeout_seconds: u64,
    if_empty: bool,
    if_unused: bool,
}

impl Options {
    /// Reads the switches given (the last of a repeated one wins).
    fn read(switches: &[GivenSwitch]) -> Result<Options, UsageError> {
        let mut options = Options {
            vhost: DEFAULT_VHOST.to_string(),
            quiet: false,
            silent: false,
            table_headers: true,
            formatter: Formatter::Table,
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            if_empty: false,
            if_unused: false,
        };
        for given in switches {
            let value = given.value.clone().unwrap_or_default();
            match given.switch.long {
                "vhost" => options.vhost = value,
                "quiet" => options.quiet = true,
                "silent" => options.silent = true,
                "no-table-headers" => options.table_headers = false,
                "formatter" => {
                    options.formatter =
                        Formatter::parse(&value).ok_or(UsageError::UnsupportedFormatter)?;
                }
                "timeout" => {
                    options.timeout_seconds = value.parse().unwrap_or(DEFAULT_TIMEOUT_SECONDS);
                }
                "if-empty" => options.if_empty = true,
                "if-unused" => options.if_unused = true,
                // -n names the node (the client's business), -l, --online,
                // --description...: accepted, and nothing to do.
                _ => {}
            }
        }
        Ok(options)
    }

    fn shows_banner(&self) -> bool {
        !self.quiet && !self.silent && self.formatter.shows_banners()
    }

    fn shows_headers(&self) -> bool {
        !self.silent && self.table_headers
    }
}

/// Runs one command line (`argv` without the program name) on `broker`.
/// Never panics, whatever the arguments.
pub fn run(broker: &mut Broker, argv: &[String], node: &NodeInfo) -> CtlOutput {
    let line = command_line::parse(argv);
    let Some(name) = line.positionals.first() else {
        return usage_failure(&UsageError::NoCommand, None, argv);
    };
    let Some(spec) = commands::find(name) else {
        return usage_failure(&UsageError::UnknownCommand(name.clone()), None, argv);
    };
    let outcome = check_switches(spec, &line)
        .and_then(|()| Options::read(&line.switches))
        .and_then(|options| {
            let arguments = &line.positionals[1..];
            execute(broker, node, spec, &options, arguments).map(|report| (report, options))
        });
    match outcome {
        Ok((report, options)) => show(report, &options),
        Err(e) => usage_failure(&e, Some(spec), argv),
    }
}

/// Refuses options the command does not take or that could not be read.
fn check_switches(spec: &CommandSpec, line: &CommandLine) -> Result<(), UsageError> {
    let mut invalid: Vec<(String, Option<String>)> = line
        .invalid
        .iter()
        .map(|s| (s.typed.clone(), s.value.clone()))
        .collect();
    for given in &line.switches {
        if commands::find_switch(spec, given.switch.long).is_none() {
            invalid.push((given.typed.clone(), given.value.clone()));
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(UsageError::InvalidOptions(invalid))
    }
}

/// Refuses a wrong number of positional arguments.
fn expect_arguments(arguments: &[String], count: usize) -> Result<(), UsageError> {
    match arguments.len() {
        n if n < count => Err(UsageError::NotEnoughArguments),
        n if n > count => Err(UsageError::TooManyArguments),
        _ => Ok(()),
    }
}

/// Checks the arguments and runs the command.
fn execute(
    broker: &mut Broker,
    node: &NodeInfo,
    spec: &'static CommandSpec,
    options: &Options,
    arguments: &[String],
) -> Result<Report, UsageError> {
    let vhost = options.vhost.as_str();
    if !spec.columns.is_empty() {
        return list(broker, node, spec, options, arguments);
    }
    let report = match spec.name {
        "list_users" => {
            expect_arguments(arguments, 0)?;
            access::list_users(broker)
        }
        "list_permissions" => {
            expect_arguments(arguments, 0)?;
            access::list_permissions(broker, vhost)
        }
        "list_user_permissions" => {
            expect_arguments(arguments, 1)?;
            access::list_user_permissions(broker, &arguments[0])
        }
        "add_vhost" => {
            expect_arguments(arguments, 1)?;
            access::add_vhost(broker, &arguments[0])
        }
        "delete_vhost" => {
            expect_arguments(arguments, 1)?;
            access::delete_vhost(broker, &arguments[0])
        }
        "set_permissions" => {
            expect_arguments(arguments, 4)?;
            let permission = Permission {
                configure: arguments[1].clone(),
                write: arguments[2].clone(),
                read: arguments[3].clone(),
            };
            access::set_permissions(broker, vhost, &arguments[0], permission)
        }
        "purge_queue" => {
            expect_arguments(arguments, 1)?;
            queue_commands::purge_queue(broker, vhost, &arguments[0])
        }
        "delete_queue" => {
            expect_arguments(arguments, 1)?;
            if arguments[0].is_empty() {
                return Err(UsageError::BadArgument(
                    "queue name cannot be empty string.".to_string(),
                ));
            }
            let (if_empty, if_unused) = (options.if_empty, options.if_unused);
            queue_commands::delete_queue(broker, vhost, &arguments[0], if_empty, if_unused)
        }
        "close_connection" => {
            expect_arguments(arguments, 2)?;
            close_connection::close_connection(
                broker,
                &node.node_name,
                &arguments[0],
                &arguments[1],
            )
        }
        "status" => {
            expect_arguments(arguments, 0)?;
            status::status(broker, node, options.formatter)
        }
        "version" => {
            expect_arguments(arguments, 0)?;
            Report::text(Vec::new(), format!("{}\n", node.product_version))
        }
        // "help", the one command left.
        _ => help(arguments)?,
    };
    Ok(report)
}

/// `help [<command>]`.
fn help(arguments: &[String]) -> Result<Report, UsageError> {
    match arguments {
        [] => Ok(Report::text(Vec::new(), usage::general_usage())),
        [name] => commands::find(name)
            .map(|spec| Report::text(Vec::new(), usage::command_help(spec)))
            .ok_or_else(|| UsageError::UnknownCommand(name.clone())),
        _ => Err(UsageError::TooManyArguments),
    }
}

/// The informational lines of a listing.
fn listing_banner(command: &str, options: &Options) -> Vec<String> {
    let vhost = &options.vhost;
    match command {
        "list_queues" => vec![
            format!("Timeout: {}.0 seconds ...", options.timeout_seconds),
            format!("Listing queues for vhost {vhost} ..."),
        ],
        "list_exchanges" => vec![format!("Listing exchanges for vhost {vhost} ...")],
        // Sic: no space before the dots.
        "list_bindings" => vec![format!("Listing bindings for vhost {vhost}...")],
        "list_consumers" => vec![format!("Listing consumers in vhost {vhost} ...")],
        "list_connections" => vec!["Listing connections ...".to_string()],
        "list_channels" => vec!["Listing channels ...".to_string()],
        _ => vec!["Listing vhosts ...".to_string()],
    }
}

/// A `list_*` command with columns.
fn list(
    broker: &Broker,
    node: &NodeInfo,
    spec: &CommandSpec,
    options: &Options,
    arguments: &[String],
) -> Result<Report, UsageError> {
    let columns = listing::select_columns(spec, arguments)?;
    let source = listing::Source {
        broker,
        node,
        vhost: &options.vhost,
    };
    let rows = listing::rows(spec.name, &source, &columns);
    let when_empty = if spec.name == "list_vhosts" {
        WhenEmpty::BlankLine
    } else {
        WhenEmpty::Nothing
    };
    Ok(Report::rows(
        listing_banner(spec.name, options),
        Rows {
            columns,
            rows,
            when_empty,
        },
    ))
}

/// What the options let through of a report.
fn show(report: Report, options: &Options) -> CtlOutput {
    let mut stdout = String::new();
    if options.shows_banner() {
        for line in &report.banner {
            stdout.push_str(line);
            stdout.push('\n');
        }
    }
    match &report.output {
        Output::Nothing => {}
        Output::Text(text) => stdout.push_str(text),
        Output::Rows(rows) => stdout.push_str(&format::render(
            rows,
            options.formatter,
            options.shows_headers(),
        )),
    }
    match report.failure {
        None => CtlOutput {
            stdout,
            stderr: String::new(),
            exit_code: exit_code::OK,
        },
        Some(failure) => CtlOutput {
            stdout,
            stderr: format!("{}\n", failure.text),
            exit_code: failure.exit_code,
        },
    }
}

/// A command line refused before running: the reason, the arguments given
/// and the usage, on stderr.
fn usage_failure(error: &UsageError, spec: Option<&CommandSpec>, argv: &[String]) -> CtlOutput {
    let stderr = match (error, error.validation_text(), spec) {
        (UsageError::UnknownCommand(name), _, _) => {
            format!(
                "\nCommand '{name}' not found. \n\n{}",
                usage::general_usage()
            )
        }
        (_, Some(reason), Some(spec)) => format!(
            "Error (argument validation): {reason}\nArguments given:\n\t{}\n\n{}",
            argv.join(" "),
            usage::command_usage(spec)
        ),
        _ => format!("\n{}", usage::general_usage()),
    };
    CtlOutput {
        stdout: String::new(),
        stderr,
        exit_code: error.exit_code(),
    }
}
