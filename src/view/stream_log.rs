//! A stream as the queue inspector shows it: its log, one row per offset,
//! the segments it is kept in, and where each consumer reads next.
//!
//! A stream keeps its messages however often they are read
//! (`engine/stream_log.rs`); each consumer has its own position, the next
//! offset it reads, and its credit (its prefetch minus its unacknowledged
//! deliveries: an ack gives credit back and removes nothing). So the
//! picture is a log with markers, not a queue that drains: `rows` are the
//! last `max_rows` offsets (a long log says how many came before,
//! `earlier`), and each row lists the readers whose next read it is; a
//! reader that has read everything waits at `next_offset`, the offset the
//! next publish takes.
//!
//! The log is kept in segments, and retention (`x-max-length-bytes`,
//! `x-max-age`) deletes whole old segments (`engine/stream_segments.rs`):
//! the offsets before `first_offset` are gone, each row says whether it
//! starts a segment and when it was written, and some rows are tracking
//! chunks, which take an offset but hold no message.

use crate::engine::message::Properties;
use crate::engine::queue_type::QueueType;
use crate::engine::stream_segments::Retention;
use crate::sim::Simulation;

/// A stream's log and its readers, at the simulation's present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamLog {
    /// The oldest offset in the log: the offsets before it were removed by
    /// retention.
    pub first_offset: u64,
    /// The newest offset, if the log holds anything.
    pub last_offset: Option<u64>,
    /// The offset the next publish takes.
    pub next_offset: u64,
    /// How many offsets of the log come before the first row shown.
    pub earlier: u64,
    /// The last offsets of the log, oldest first.
    pub rows: Vec<LogRow>,
    /// The segments still kept, oldest first; the last is being written.
    pub segments: Vec<SegmentSummary>,
    /// The stream's segment size and retention.
    pub retention: Retention,
    /// Every consumer of the stream, in registration order.
    pub readers: Vec<StreamReader>,
}

/// One segment file of the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSummary {
    pub first_offset: u64,
    /// Its size in bytes as RabbitMQ's file would be (header and chunks).
    pub bytes: u64,
    pub chunks: u64,
}

/// One offset of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub offset: u64,
    /// The broker's id of the message (the message inspector's key);
    /// `None` for a tracking chunk.
    pub message: Option<u64>,
    /// The body as text, cut to a preview (rendered as text, never HTML).
    pub body: String,
    /// The properties that are set, in a few words ("persistent, …").
    pub properties: String,
    /// When it was written: Unix milliseconds on the virtual clock.
    pub written_at: u64,
    /// It is the first chunk of a segment.
    pub starts_segment: bool,
    /// Indexes into [`StreamLog::readers`] of those reading this offset next.
    pub readers_here: Vec<usize>,
}

/// A consumer of the stream and its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamReader {
    pub consumer_tag: String,
    /// Whose consumer it is: the worker's name, or its connection's label.
    pub holder: String,
    /// The next offset it reads: its next message's (past tracking chunks
    /// and offsets retention removed), or the offset it waits for.
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
    let layout = &q.stream;
    let readers: Vec<StreamReader> = q
        .consumers
        .ids()
        .filter_map(|id| broker.consumer(id))
        .map(|c| StreamReader {
            consumer_tag: c.tag.to_string(),
            holder: holder_of(sim, c.channel),
            next_offset: layout
                .next_message(c.stream_offset)
                .map_or(c.stream_offset.max(layout.next_offset()), |(o, _)| o),
            prefetch: c.prefetch,
            unacked: c.unacked,
            credit: (!c.no_ack).then(|| c.prefetch.saturating_sub(c.unacked)),
        })
        .collect();
    let segments: Vec<SegmentSummary> = layout
        .segments()
        .map(|s| SegmentSummary {
            first_offset: s.first_offset,
            bytes: s.bytes,
            chunks: s.chunks,
        })
        .collect();
    let chunks = layout.chunks().count();
    let earlier = chunks.saturating_sub(max_rows);
    let rows = layout
        .chunks()
        .skip(earlier)
        .map(|chunk| {
            let entry = chunk
                .message
                .and_then(|m| q.ready.get(m.checked_sub(layout.messages_removed())?));
            LogRow {
                offset: chunk.offset,
                message: entry.map(|e| e.msg.id().0),
                body: entry.map_or_else(String::new, |e| e.msg.preview(BODY_PREVIEW_CHARS)),
                properties: entry
                    .map_or_else(String::new, |e| properties_summary(&e.msg.properties)),
                written_at: chunk.written_at,
                starts_segment: segments.iter().any(|s| s.first_offset == chunk.offset),
                readers_here: readers
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.next_offset == chunk.offset)
                    .map(|(i, _)| i)
                    .collect(),
            }
        })
        .collect();
    let next_offset = layout.next_offset();
    Some(StreamLog {
        first_offset: layout.first_offset(),
        last_offset: (layout.count() > 0).then(|| next_offset - 1),
        next_offset,
        earlier: earlier as u64,
        rows,
        segments,
        retention: layout.retention(),
        readers,
    })
}

/// A time of day in UTC with milliseconds (`14:03:07.250`), for a log row's
/// write time.
pub fn time_of_day(unix_ms: u64) -> String {
    let ms = unix_ms % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
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
