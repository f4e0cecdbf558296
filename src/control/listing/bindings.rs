//! `list_bindings`: the default exchange's implicit binding of every queue
//! (source `""`, routing key the queue's name) and every declared binding.

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::exchange::DestinationKind;
use crate::engine::value::FieldTable;

pub(crate) const COLUMNS: &[&str] = &[
    "source_name",
    "source_kind",
    "destination_name",
    "destination_kind",
    "routing_key",
    "arguments",
];

/// A binding's listed properties.
struct Listed<'a> {
    source: &'a str,
    destination: &'a str,
    destination_kind: DestinationKind,
    routing_key: &'a str,
    arguments: Option<&'a FieldTable>,
}

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    if !source.vhost_exists() {
        return Vec::new();
    }
    let declared = source.broker.bindings();
    let implicit = source.broker.queues().map(|q| Listed {
        source: "",
        destination: &q.name,
        destination_kind: DestinationKind::Queue,
        routing_key: &q.name,
        arguments: None,
    });
    let explicit = declared.iter().map(|b| Listed {
        source: &b.source,
        destination: &b.destination,
        destination_kind: b.destination_kind,
        routing_key: &b.routing_key,
        arguments: Some(&b.arguments),
    });
    implicit
        .chain(explicit)
        .map(|b| columns.iter().map(|c| cell(&b, c)).collect())
        .collect()
}

fn kind_name(kind: DestinationKind) -> &'static str {
    match kind {
        DestinationKind::Queue => "queue",
        DestinationKind::Exchange => "exchange",
    }
}

fn cell(b: &Listed, column: &str) -> Cell {
    match column {
        "source_name" => Cell::text(b.source),
        // Bindings always start at an exchange.
        "source_kind" => Cell::text("exchange"),
        "destination_name" => Cell::text(b.destination),
        "destination_kind" => Cell::text(kind_name(b.destination_kind)),
        "routing_key" => Cell::text(b.routing_key),
        "arguments" => Cell::Table(b.arguments.cloned().unwrap_or_default()),
        _ => Cell::text(""),
    }
}
