//! The `list_*` commands: which columns each listing has, and its rows.
//!
//! A listing shows the columns named after the command (`list_queues name
//! messages_ready`; `name,messages` counts as two), or its default ones.
//! A name the listing does not have is a usage error, whatever else is
//! right (`Info key(s) nope_column are not supported`).
//!
//! One file per listing; each has its `COLUMNS` and a `rows` function that
//! reads the broker through its public accessors. Rows come in the engine's
//! creation order (RabbitMQ's come in its table order, which is no order
//! at all).

pub(crate) mod bindings;
pub(crate) mod channels;
pub(crate) mod connections;
pub(crate) mod consumers;
pub(crate) mod exchanges;
pub(crate) mod queues;
pub(crate) mod vhosts;

use crate::control::cell::Cell;
use crate::control::commands::CommandSpec;
use crate::control::error::UsageError;
use crate::control::node::NodeInfo;
use crate::engine::Broker;

/// What a listing reads.
pub(crate) struct Source<'a> {
    pub broker: &'a Broker,
    pub node: &'a NodeInfo,
    /// `-p`: listings of vhost objects show only this vhost's.
    pub vhost: &'a str,
}

impl Source<'_> {
    /// Whether the vhost asked for exists (else its listings are empty).
    pub(crate) fn vhost_exists(&self) -> bool {
        self.broker.access().vhost_exists(self.vhost)
    }

    /// The pid of engine object `id`.
    pub(crate) fn pid(&self, id: u32) -> Cell {
        crate::control::pid::pid_cell(&self.node.node_name, id)
    }
}

/// The columns to show: those named in `arguments`, or the defaults.
pub(crate) fn select_columns(
    spec: &CommandSpec,
    arguments: &[String],
) -> Result<Vec<String>, UsageError> {
    let named: Vec<String> = arguments
        .iter()
        .flat_map(|a| a.split(','))
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    if named.is_empty() {
        return Ok(spec.default_columns.iter().map(|c| c.to_string()).collect());
    }
    let unknown: Vec<String> = named
        .iter()
        .filter(|c| !spec.columns.contains(&c.as_str()))
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(named)
    } else {
        Err(UsageError::UnknownColumns(unknown))
    }
}

/// The rows of listing `command` (a listing's name from the catalogue).
pub(crate) fn rows(command: &str, source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    match command {
        "list_queues" => queues::rows(source, columns),
        "list_exchanges" => exchanges::rows(source, columns),
        "list_bindings" => bindings::rows(source, columns),
        "list_consumers" => consumers::rows(source, columns),
        "list_connections" => connections::rows(source, columns),
        "list_channels" => channels::rows(source, columns),
        "list_vhosts" => vhosts::rows(source, columns),
        _ => Vec::new(),
    }
}
