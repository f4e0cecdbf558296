//! `list_channels`: the open channels of the node's open connections.
//!
//! `prefetch_count` is the limit basic.qos(global=false) gives consumers
//! created next; `global_prefetch_count` the channel-wide limit of
//! basic.qos(global=true). As in RabbitMQ 3.10, a per-consumer qos after a
//! global one lifts the global limit.

use crate::control::cell::Cell;
use crate::control::listing::connections::connection_name;
use crate::control::listing::Source;
use crate::engine::channel::{Channel, Connection};
use crate::engine::vhost::DEFAULT_VHOST;

pub(crate) const COLUMNS: &[&str] = &[
    "pid",
    "connection",
    "name",
    "number",
    "user",
    "vhost",
    "transactional",
    "confirm",
    "consumer_count",
    "messages_unacknowledged",
    "messages_uncommitted",
    "acks_uncommitted",
    "messages_unconfirmed",
    "prefetch_count",
    "global_prefetch_count",
];

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    let broker = source.broker;
    broker
        .channels()
        .filter(|ch| ch.open)
        .filter_map(|ch| {
            let conn = broker.connection(ch.conn).filter(|c| c.open)?;
            Some(
                columns
                    .iter()
                    .map(|col| cell(source, conn, ch, col))
                    .collect(),
            )
        })
        .collect()
}

fn cell(source: &Source, conn: &Connection, ch: &Channel, column: &str) -> Cell {
    match column {
        "pid" => source.pid(ch.id.0),
        "connection" => source.pid(conn.id.0),
        "name" => Cell::text(format!("{} ({})", connection_name(conn), ch.number)),
        "number" => Cell::Count(u64::from(ch.number)),
        "user" => Cell::text(&*conn.user),
        "vhost" => Cell::text(DEFAULT_VHOST),
        "transactional" => Cell::Bool(ch.tx.is_some()),
        "confirm" => Cell::Bool(ch.confirm),
        "consumer_count" => Cell::Count(ch.consumers.len() as u64),
        "messages_unacknowledged" => Cell::Count(ch.unacked.len() as u64),
        "messages_uncommitted" => {
            Cell::Count(ch.tx.as_ref().map_or(0, |tx| tx.publishes.len() as u64))
        }
        "acks_uncommitted" => Cell::Count(ch.tx.as_ref().map_or(0, |tx| {
            tx.settles.iter().map(|s| s.deliveries.len() as u64).sum()
        })),
        "messages_unconfirmed" => Cell::Count(source.broker.unconfirmed_count(ch.id)),
        "prefetch_count" => Cell::Count(u64::from(ch.consumer_prefetch)),
        "global_prefetch_count" => Cell::Count(u64::from(ch.channel_prefetch)),
        _ => Cell::text(""),
    }
}
