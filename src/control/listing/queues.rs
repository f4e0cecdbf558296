//! `list_queues`: every queue of the vhost, with its counts and properties.
//!
//! Counts follow RabbitMQ's meaning: `messages_ready` wait for a consumer,
//! `messages_unacknowledged` are out on channels, `messages` is both. A
//! message is `persistent` if published with delivery mode 2 into a
//! durable queue. Warren holds everything in memory, so the `_ram` counts
//! equal the totals.

use crate::control::cell::Cell;
use crate::control::listing::Source;
use crate::engine::ids::QueueId;
use crate::engine::queue::{Entry, Queue};
use crate::engine::queue_args::QueueType;
use std::collections::BTreeMap;

pub(crate) const COLUMNS: &[&str] = &[
    "name",
    "durable",
    "auto_delete",
    "arguments",
    "policy",
    "operator_policy",
    "pid",
    "owner_pid",
    "exclusive",
    "exclusive_consumer_pid",
    "exclusive_consumer_tag",
    "messages_ready",
    "messages_unacknowledged",
    "messages",
    "messages_ready_ram",
    "messages_unacknowledged_ram",
    "messages_ram",
    "messages_persistent",
    "message_bytes",
    "message_bytes_ready",
    "message_bytes_unacknowledged",
    "message_bytes_ram",
    "message_bytes_persistent",
    "head_message_timestamp",
    "disk_reads",
    "disk_writes",
    "consumers",
    "consumer_utilisation",
    "consumer_capacity",
    "state",
    "type",
];

/// Sizes of a set of messages.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    count: u64,
    bytes: u64,
    persistent: u64,
    persistent_bytes: u64,
}

impl Tally {
    fn add(&mut self, entry: &Entry, durable_queue: bool) {
        let bytes = entry.msg.body_len();
        self.count += 1;
        self.bytes += bytes;
        if durable_queue && entry.msg.is_persistent() {
            self.persistent += 1;
            self.persistent_bytes += bytes;
        }
    }
}

/// A queue with its ready and unacknowledged messages tallied.
struct Figures<'a> {
    queue: &'a Queue,
    ready: Tally,
    unacked: Tally,
}

pub(crate) fn rows(source: &Source, columns: &[String]) -> Vec<Vec<Cell>> {
    if !source.vhost_exists() {
        return Vec::new();
    }
    let broker = source.broker;
    // Unacknowledged deliveries live on channels: tally them per queue once.
    // `unsettled`, not `unacked`: an ack held by an open transaction still
    // counts until tx.commit, as in the queue's own counter that the
    // conformance replayer reads (`Broker::queue_stats`).
    let mut unacked: BTreeMap<QueueId, Tally> = BTreeMap::new();
    for channel in broker.channels().filter(|c| c.open) {
        for delivery in channel.unsettled() {
            let durable = broker.queue(delivery.queue).is_some_and(|q| q.durable);
            unacked
                .entry(delivery.queue)
                .or_default()
                .add(&delivery.entry, durable);
        }
    }
    broker
        .queues()
        .map(|queue| {
            let mut ready = Tally::default();
            for entry in queue.handoff.iter().chain(queue.ready.iter()) {
                ready.add(entry, queue.durable);
            }
            // A stream counts its offsets, tracking chunks too, as
            // RabbitMQ reports it (`engine/stream_segments.rs`); for other
            // queues this is the tally's count.
            ready.count = queue.ready_count();
            let mut unacked = unacked.get(&queue.id).copied().unwrap_or_default();
            // The count is the queue's own counter, the one the engine keeps
            // at each delivery and settlement and `Broker::queue_stats`
            // reports, so list_queues and the replayer cannot disagree; the
            // tally above (the same deliveries) gives the sizes.
            unacked.count = queue.unacked;
            let figures = Figures {
                queue,
                ready,
                unacked,
            };
            columns.iter().map(|c| cell(source, &figures, c)).collect()
        })
        .collect()
}

/// How much of the time consumers could take messages. RabbitMQ measures
/// it; Warren says 1.0 when some consumer has room now and 0.0 when every
/// one is at its prefetch limit (0 without consumers, as RabbitMQ).
fn consumer_utilisation(source: &Source, queue: &Queue) -> Cell {
    if queue.consumers.is_empty() {
        return Cell::Count(0);
    }
    let broker = source.broker;
    let has_room = queue
        .consumers
        .ids()
        .filter_map(|id| broker.consumer(id))
        .any(|c| {
            !c.is_credit_blocked()
                && broker
                    .channel(c.channel)
                    .is_some_and(|ch| !ch.at_channel_limit())
        });
    Cell::Float(if has_room { 1.0 } else { 0.0 })
}

fn queue_type(kind: QueueType) -> &'static str {
    match kind {
        QueueType::Classic => "classic",
        QueueType::Quorum => "quorum",
        QueueType::Stream => "stream",
    }
}

fn cell(source: &Source, f: &Figures, column: &str) -> Cell {
    let q = f.queue;
    let exclusive_consumer = q
        .consumers
        .exclusive
        .and_then(|id| source.broker.consumer(id));
    let total = |pick: fn(&Tally) -> u64| pick(&f.ready) + pick(&f.unacked);
    match column {
        "name" => Cell::text(&*q.name),
        "durable" => Cell::Bool(q.durable),
        "auto_delete" => Cell::Bool(q.auto_delete),
        "arguments" => Cell::Table(q.args.clone()),
        "pid" => source.pid(q.id.0),
        "owner_pid" => q
            .exclusive_owner
            .map_or_else(|| Cell::text(""), |conn| source.pid(conn.0)),
        "exclusive" => Cell::Bool(q.exclusive_owner.is_some()),
        "exclusive_consumer_pid" => {
            exclusive_consumer.map_or_else(|| Cell::text(""), |c| source.pid(c.channel.0))
        }
        "exclusive_consumer_tag" => Cell::text(exclusive_consumer.map_or("", |c| &c.tag)),
        "messages_ready" | "messages_ready_ram" => Cell::Count(f.ready.count),
        "messages_unacknowledged" | "messages_unacknowledged_ram" => Cell::Count(f.unacked.count),
        "messages" | "messages_ram" => Cell::Count(total(|t| t.count)),
        "messages_persistent" => Cell::Count(total(|t| t.persistent)),
        "message_bytes" | "message_bytes_ram" => Cell::Count(total(|t| t.bytes)),
        "message_bytes_ready" => Cell::Count(f.ready.bytes),
        "message_bytes_unacknowledged" => Cell::Count(f.unacked.bytes),
        "message_bytes_persistent" => Cell::Count(total(|t| t.persistent_bytes)),
        "head_message_timestamp" => q
            .handoff
            .front()
            .or_else(|| q.ready.front())
            .and_then(|e| e.msg.properties.timestamp)
            .map_or_else(|| Cell::text(""), Cell::Count),
        "disk_reads" | "disk_writes" => Cell::Count(0),
        // A quorum queue's unsettled gets and cancelled-but-unsettled
        // consumers count too, as in declare-ok (`settling_consumers`).
        "consumers" => {
            Cell::Count(q.consumers.len() as u64 + source.broker.settling_consumers(q.id))
        }
        "consumer_utilisation" | "consumer_capacity" => consumer_utilisation(source, q),
        "state" => Cell::text("running"),
        "type" => Cell::text(queue_type(q.settings.queue_type)),
        // "policy", "operator_policy": Warren has no policies.
        _ => Cell::text(""),
    }
}
