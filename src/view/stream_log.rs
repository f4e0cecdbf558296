//! A stream as the queue inspector shows it: its log, one row per offset,
//! and where each consumer reads next.
//!
//! A stream keeps every message (`engine/stream_log.rs`): the message at
//! offset `n` is entry `n` of the queue's ready FIFO, and each consumer has
//! its own position, the next offset it reads, and its credit (its
//! prefetch minus its unacknowledged deliveries: an ack gives credit back
//! and removes nothing). So the picture is a log with markers, not a queue
//! that drains: `rows` are the last `max_rows` offsets (a long log says how
//! many came before, `earlier`), and each row lists the readers whose next
//! offset it is; a reader that has read everything waits at
//! `next_offset`, the offset the next publish takes.

use crate::engine::message::Properties;
use crate::engine::queue_type::QueueType;
use crate::sim::Simulation;

/// A stream's log and its readers, at the simulation's present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamLog {
    /// The oldest offset in the log (0: Warren keeps every message).
    pub first_offset: u64,
    /// The newest offset, if the log holds anything.
    pub last_offset: Option<u64>,
    /// The offset the next publish takes (the log's length).
    pub next_offset: u64,
    /// How many offsets come before the first row shown.
    pub earlier: u64,
    /// The last offsets of the log, oldest first.
    pub rows: Vec<LogRow>,
    /// Every consumer of the stream, in registration order.
    pub readers: Vec<StreamReader>,
}

/// One offset of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub offset: u64,
    /// The broker's id of the message (the message inspector's key).
    pub message: u64,
    /// The body as text, cut to a preview (rendered as text, never HTML).
    pub body: String,
    /// The properties that are set, in a few words ("persistent, …").
    pub properties: String,
    /// Indexes into [`StreamLog::readers`] of those reading this offset next.
    pub readers_here: Vec<usize>,
}

/// A consumer of the stream and its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamReader {
    pub consumer_tag: String,
    /// Whose consumer it is: the worker's name, or its connection's label.
    pub holder: String,
    /// The next offset it reads.
    pub next_offset: u64,
    /// Its prefetch (a stream consumer needs one: it is its credit).
    pub prefetch: u32,
    /// Deliveries it has not acknowledged yet.
    pub unacked: u32,
    /// How many more deliveries it may take before it acks (`prefetch -
    /// unacked`; `None` for a no-ack consumer, never limited).
    pub credit: Option<u32>,
}

impl StreamReader {
    /// It has read to the end of the log and waits for the next publish.
    pub fn at_end(&self, log: &StreamLog) -> bool {
        self.next_offset >= log.next_offset
    }
}

/// How many characters of a body a log row shows.
pub const BODY_PREVIEW_CHARS: usize = 60;

/// The log of stream `queue`, its last `max_rows` offsets; `None` if there
/// is no such queue or it is not a stream.
pub fn stream_log(sim: &Simulation, queue: &str, max_rows: usize) -> Option<StreamLog> {
    let broker = &sim.broker;
    let q = broker.queue_by_name(queue)?;
    if q.settings.queue_type != QueueType::Stream {
        return None;
    }
    let readers: Vec<StreamReader> = q
        .consumers
        .ids()
        .filter_map(|id| broker.consumer(id))
        .map(|c| StreamReader {
            consumer_tag: c.tag.to_string(),
            holder: holder_of(sim, c.channel),
            next_offset: c.stream_offset,
            prefetch: c.prefetch,
            unacked: c.unacked,
            credit: (!c.no_ack).then(|| c.prefetch.saturating_sub(c.unacked)),
        })
        .collect();
    let next_offset = q.ready.len();
    let earlier = next_offset.saturating_sub(max_rows as u64);
    let rows = q
        .ready
        .iter()
        .enumerate()
        .skip(usize::try_from(earlier).unwrap_or(usize::MAX))
        .map(|(offset, entry)| {
            let offset = offset as u64;
            LogRow {
                offset,
                message: entry.msg.id().0,
                body: entry.msg.preview(BODY_PREVIEW_CHARS),
                properties: properties_summary(&entry.msg.properties),
                readers_here: readers
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.next_offset == offset)
                    .map(|(i, _)| i)
                    .collect(),
            }
        })
        .collect();
    Some(StreamLog {
        first_offset: 0,
        last_offset: next_offset.checked_sub(1),
        next_offset,
        earlier,
        rows,
        readers,
    })
}

/// Who holds a channel, for people: the worker on it, or its connection's
/// label (a Python process's program name, the setup connection…).
pub fn holder_of(sim: &Simulation, channel: crate::engine::ids::ChannelId) -> String {
    if let Some(w) = sim.workers().find(|w| w.link.channel == channel) {
        return w.spec.name.clone();
    }
    sim.broker
        .channel(channel)
        .and_then(|c| sim.broker.connection(c.conn))
        .map(|c| c.label.to_string())
        .unwrap_or_default()
}

/// The properties that are set, in a few words: `persistent` for delivery
/// mode 2, `headers: n` for a header table, `name=value` for the rest
/// (AMQP names, in the order of the specification).
pub fn properties_summary(p: &Properties) -> String {
    let mut parts: Vec<String> = Vec::new();
    match p.delivery_mode {
        Some(2) => parts.push("persistent".into()),
        Some(mode) => parts.push(format!("delivery_mode={mode}")),
        None => {}
    }
    if let Some(priority) = p.priority {
        parts.push(format!("priority={priority}"));
    }
    if let Some(timestamp) = p.timestamp {
        parts.push(format!("timestamp={timestamp}"));
    }
    for (name, value) in p.short_strings() {
        if let Some(value) = value {
            parts.push(format!("{name}={value}"));
        }
    }
    if let Some(headers) = p.headers.as_ref().filter(|h| !h.is_empty()) {
        parts.push(format!("headers: {}", headers.len()));
    }
    parts.join(", ")
}
