//! `list_consumers`: every consumer on the vhost's queues.
//!
//! `prefetch_count` is the consumer's own limit (basic.qos global=false
//! before basic.consume); a channel-wide limit shows in `list_channels`.
//! With single active consumer, only the active one is `active`, and the
//! others are `waiting`. A quorum queue also lists each unacknowledged
//! basic.get as a consumer tagged with its delivery tag, with `undefined`
//! ack mode and prefetch (RabbitMQ 3.10.8). A stream's consumers are not listed (RabbitMQ
//! 3.10.8 leaves them out; they count in `list_queues consumers`).

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::consumer::Consumer;
use crate::engine::ids::ChannelId;
use crate::engine::queue::Queue;

pub(crate) const COLUMNS: &[&str] = &[
    "queue_name",
    "channel_pid",
    "consumer_tag",
    "ack_required",
    "prefetch_count",
    "active",
    "activity_status",
    "arguments",
];

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    if !source.vhost_exists() {
        return Vec::new();
    }
    let broker = source.broker;
    let mut rows: Vec<Vec<Cell>> = broker
        .queues()
        .filter(|q| q.settings.queue_type.rules().lists_consumers())
        .flat_map(|q| {
            q.consumers
                .ids()
                .filter_map(|id| broker.consumer(id))
                .map(move |c| (q, c))
        })
        .map(|(q, c)| columns.iter().map(|col| cell(source, q, c, col)).collect())
        .collect();
    // A quorum queue's basic.get consumers (`Broker::get_consumers`).
    for q in broker.queues() {
        for (channel, tag) in broker.get_consumers(q.id) {
            rows.push(
                columns
                    .iter()
                    .map(|col| get_cell(source, q, channel, tag, col))
                    .collect(),
            );
        }
    }
    rows
}

/// A basic.get consumer's cell: it has no ack mode, prefetch or arguments.
fn get_cell(source: &Source, q: &Queue, channel: ChannelId, tag: u64, column: &str) -> Cell {
    match column {
        "queue_name" => Cell::text(&*q.name),
        "channel_pid" => source.pid(channel.0),
        "consumer_tag" => Cell::text(&tag.to_string()),
        "ack_required" | "prefetch_count" => Cell::text("undefined"),
        "active" => Cell::Bool(true),
        "activity_status" => Cell::text("up"),
        "arguments" => Cell::Table(Default::default()),
        _ => Cell::text(""),
    }
}

fn cell(source: &Source, q: &Queue, c: &Consumer, column: &str) -> Cell {
    let single_active = q.settings.single_active_consumer;
    let active = !single_active || q.consumers.single_active == Some(c.id);
    match column {
        "queue_name" => Cell::text(&*q.name),
        "channel_pid" => source.pid(c.channel.0),
        "consumer_tag" => Cell::text(&*c.tag),
        "ack_required" => Cell::Bool(!c.no_ack),
        "prefetch_count" => Cell::Count(u64::from(c.prefetch)),
        "active" => Cell::Bool(active),
        "activity_status" => Cell::text(match (single_active, active) {
            (false, _) => "up",
            (true, true) => "single_active",
            (true, false) => "waiting",
        }),
        "arguments" => Cell::Table(c.args.clone()),
        _ => Cell::text(""),
    }
}
