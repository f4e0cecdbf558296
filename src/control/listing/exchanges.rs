//! `list_exchanges`: every exchange of the vhost, the default one (named
//! `""`, direct, durable) included.

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::value::FieldTable;

pub(crate) const COLUMNS: &[&str] = &[
    "name",
    "type",
    "durable",
    "auto_delete",
    "internal",
    "arguments",
    "policy",
];

/// An exchange's listed properties.
struct Listed<'a> {
    name: &'a str,
    kind: &'static str,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: Option<&'a FieldTable>,
}

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    if !source.vhost_exists() {
        return Vec::new();
    }
    let default = Listed {
        name: "",
        kind: "direct",
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: None,
    };
    let declared = source.broker.exchanges().map(|x| Listed {
        name: &x.name,
        kind: x.kind.name(),
        durable: x.durable,
        auto_delete: x.auto_delete,
        internal: x.internal,
        arguments: Some(&x.args),
    });
    std::iter::once(default)
        .chain(declared)
        .map(|x| columns.iter().map(|c| cell(&x, c)).collect())
        .collect()
}

fn cell(x: &Listed, column: &str) -> Cell {
    match column {
        "name" => Cell::text(x.name),
        "type" => Cell::text(x.kind),
        "durable" => Cell::Bool(x.durable),
        "auto_delete" => Cell::Bool(x.auto_delete),
        "internal" => Cell::Bool(x.internal),
        "arguments" => Cell::Table(x.arguments.cloned().unwrap_or_default()),
        _ => Cell::text(""),
    }
}
