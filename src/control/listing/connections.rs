//! `list_connections`: the open AMQP connections of the node.
//!
//! A connection's name is how RabbitMQ names it: its two ends,
//! `127.0.0.1:45240 -> 127.0.0.1:5672` (IPv6 addresses in brackets). A
//! simulated client has no socket; its name is its label (`worker.py`) and
//! its addresses are `undefined`. The `pid` column is what
//! `close_connection` takes.

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::channel::{Connection, Endpoint};
use crate::engine::vhost::DEFAULT_VHOST;
use serde_json::json;

pub(crate) const COLUMNS: &[&str] = &[
    "pid",
    "name",
    "port",
    "host",
    "peer_port",
    "peer_host",
    "ssl",
    "state",
    "channels",
    "protocol",
    "auth_mechanism",
    "user",
    "vhost",
    "timeout",
    "frame_max",
    "channel_max",
    "client_properties",
    "connected_at",
];

/// `host:port`, with an IPv6 host in brackets.
fn endpoint_text(e: &Endpoint) -> String {
    if e.host.contains(':') {
        format!("[{}]:{}", e.host, e.port)
    } else {
        format!("{}:{}", e.host, e.port)
    }
}

/// The connection's name, `peer -> local`.
pub(crate) fn connection_name(c: &Connection) -> String {
    match (&c.client.peer, &c.client.local) {
        (Some(peer), Some(local)) => {
            format!("{} -> {}", endpoint_text(peer), endpoint_text(local))
        }
        _ => c.label.to_string(),
    }
}

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    source
        .broker
        .connections()
        .filter(|c| c.open)
        .map(|c| columns.iter().map(|col| cell(source, c, col)).collect())
        .collect()
}

fn host(e: Option<&Endpoint>) -> Cell {
    e.map_or_else(|| Cell::text("undefined"), |e| Cell::ip_address(&e.host))
}

fn port(e: Option<&Endpoint>) -> Cell {
    e.map_or_else(
        || Cell::text("undefined"),
        |e| Cell::Count(u64::from(e.port)),
    )
}

fn cell(source: &Source, c: &Connection, column: &str) -> Cell {
    let client = &c.client;
    match column {
        "pid" => source.pid(c.id.0),
        "name" => Cell::text(connection_name(c)),
        "port" => port(client.local.as_ref()),
        "host" => host(client.local.as_ref()),
        "peer_port" => port(client.peer.as_ref()),
        "peer_host" => host(client.peer.as_ref()),
        "ssl" => Cell::Bool(false),
        "state" => Cell::text("running"),
        "channels" => Cell::Count(c.channel_numbers.len() as u64),
        "protocol" => Cell::Custom {
            text: "{0,9,1}".to_string(),
            json: json!([0, 9, 1]),
        },
        "auth_mechanism" => Cell::text(&client.auth_mechanism),
        "user" => Cell::text(&*c.user),
        "vhost" => Cell::text(DEFAULT_VHOST),
        "timeout" => Cell::Count(u64::from(client.heartbeat)),
        "frame_max" => Cell::Count(u64::from(client.frame_max)),
        "channel_max" => Cell::Count(u64::from(c.channel_max)),
        "client_properties" => Cell::Table(client.properties.clone()),
        "connected_at" => {
            let epoch_ms = source
                .broker
                .config()
                .epoch_unix_seconds
                .saturating_mul(1000);
            Cell::Count(epoch_ms.saturating_add(client.connected_at))
        }
        _ => Cell::text(""),
    }
}
