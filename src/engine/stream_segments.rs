//! A stream's segments and retention, as osiris 1.3.1 keeps them for
//! RabbitMQ 3.10.8.
//!
//! ## Chunks and offsets
//!
//! osiris writes a stream as *chunks*: each write batch of the stream's
//! writer process becomes one chunk, a 48-byte header followed by its
//! records (each a 4-byte length and the message) and a *trailer*. Every
//! record takes one offset. Warren writes each message as its own chunk,
//! as RabbitMQ does for messages published one at a time
//! (`stream_log.rs`).
//!
//! Not every chunk is a message. Each publishing channel is a *writer*
//! with an id (`rabbit_stream_queue`: the channel's pid, `_`, and a
//! base64 guid) whose last sequence number osiris tracks
//! (`osiris_tracking`, for deduplication); a message chunk's trailer
//! carries it (`osiris_writer:handle_batch`, 1+1+id+8 bytes). When the
//! current segment is full at a write, the writer first writes a
//! *tracking snapshot* chunk (`osiris_log:evaluate_tracking_snapshot`:
//! one record listing every writer the stream has had, 1+1+id+8+8 bytes
//! each), so that the new segment can be read on its own; the snapshot
//! takes the pending tracking with it, so the message chunk written right
//! after it has no trailer. The writer is tracked before that check, so
//! even the first write makes a snapshot when the empty segment (its 8
//! header bytes) is already at the limit. The snapshot takes an offset
//! too: offsets are not message numbers once segments roll. Readers skip
//! it, and the queue's message count counts it
//! (`rabbit_osiris_metrics`: last offset + 1 − first offset).
//! Measured on 3.10.8 (segments of 100 bytes, a 1000-byte body, routing
//! key `s1`): the first segment 1150 bytes (message with trailer), then
//! 111 (snapshot, one writer), 1107 (message, no trailer), 111, ...; a
//! second publishing channel makes the snapshots 162 bytes.
//!
//! ## Segments
//!
//! The log is a series of segment files, each an 8-byte header then whole
//! chunks. Before writing a chunk, osiris checks the current segment
//! (`max_segment_size_reached`): once its size (header included) is at
//! least `x-stream-max-segment-size-bytes` (500 000 000 by default) or it
//! holds 256 000 chunks, it opens a new segment named after the next
//! offset, writes the chunk there, and triggers retention. A segment is
//! only checked *before* a write, so a segment can grow past the limit by
//! one chunk; with a limit of 1 byte every chunk starts a segment.
//!
//! ## Retention
//!
//! `x-max-length-bytes` and `x-max-age` become osiris retention specs, in
//! that order (`rabbit_stream_queue:make_stream_conf`), evaluated on every
//! segment roll (`osiris_log:evaluate_retention`), only ever deleting
//! whole segments and never the current (last) one:
//! - max bytes (`eval_max_bytes`): the current segment's size is taken
//!   from the limit; then, newest first, each older segment is kept while
//!   its size still fits in what is left; the first one that does not fit
//!   is deleted with every older one;
//! - max age (`eval_age`): oldest first, a segment whose *last* chunk was
//!   written more than the age ago (`Ts < Now - Age`) is deleted, stopping
//!   at the first that is young enough.
//!
//! The first offset becomes the first chunk of the first segment left.
//! Offsets of what survives do not change; a reader attaching at `first`,
//! or at an offset or time that is gone, starts at the first chunk left.
//!
//! ## What Warren approximates
//!
//! - osiris evaluates retention in another process (`osiris_retention`,
//!   a cast) right after the roll, reading the segment files' sizes when
//!   it gets to it: usually the writer has appended the message after the
//!   tracking chunk by then, sometimes not (recorded both ways with the
//!   same scenario). Warren evaluates at the roll, before the message; the
//!   recordings choose limits both orders agree on, and wait before
//!   looking.
//! - osiris checks for a full segment at every batch of its writer
//!   process, not only at writes: once a segment is full, whatever the
//!   writer handles next (a consumer attaching, a reader registering for
//!   new data) writes the tracking chunk and rolls, so the next message
//!   lands in a segment already open, after it, with a trailer. Warren
//!   writes the tracking chunk with the next message. The offsets agree;
//!   the count and retention differ only while a full segment waits for
//!   its next message. With a segment smaller than a tracking chunk every
//!   one of those batches rolls again: a stream of 100-byte segments
//!   counted over 1500 "messages" for three (seen, not recorded).
//! - A writer id is the channel's pid as text (`<0.1234.0>`, its length
//!   varies from run to run) plus 23 characters: Warren counts
//!   [`WRITER_ID_BYTES`] (33, as measured) for every writer. Writers are
//!   the channels that published to the stream and the queues that
//!   dead-lettered into it, up to 255 (osiris's `max_sequences`). After a
//!   restart osiris knows the writers of the last segment; Warren counts
//!   those of the last snapshot stored.
//! - `x-stream-max-segment-size-bytes: 1` made 3.10.8's stream writer hang
//!   at start (the declare never answered; seen, not recorded); Warren
//!   starts it like any other size.
//! - A reader whose segment is deleted while it is inside it keeps
//!   reading that segment to its end (its file is still open) before it
//!   jumps to the first segment left (`read_header0`); Warren's reader
//!   jumps at once. With one chunk per segment the two agree.
//! - Messages are sized by [`record_bytes`], RabbitMQ's AMQP 1.0 encoding
//!   of the message (`rabbit_msg_record:to_iodata`).

use std::collections::VecDeque;

use crate::engine::message::MessageRef;
use crate::engine::value::FieldValue;

/// A segment file's header (`"OSIL"` and a version).
pub const SEGMENT_HEADER_BYTES: u64 = 8;
/// A chunk's header (`osiris_log:make_chunk`).
pub const CHUNK_HEADER_BYTES: u64 = 48;
/// A simple record's length prefix.
const RECORD_HEADER_BYTES: u64 = 4;
/// osiris's `max_segment_size_chunks` default.
pub const MAX_SEGMENT_CHUNKS: u64 = 256_000;
/// `x-stream-max-segment-size-bytes` when absent (`?DEFAULT_MAX_SEGMENT_SIZE_B`).
pub const DEFAULT_MAX_SEGMENT_BYTES: u64 = 500_000_000;
/// The largest `x-stream-max-segment-size-bytes` RabbitMQ 3.10.8 accepts
/// (`?MAX_STREAM_MAX_SEGMENT_SIZE`).
pub const MAX_SEGMENT_BYTES_LIMIT: u64 = 3_000_000_000;
/// A writer id's length as Warren counts it: `<0.NNN.0>_-` and a 22-character
/// base64url guid (the pid's digits vary in RabbitMQ).
pub const WRITER_ID_BYTES: u64 = 33;

/// osiris tracks at most this many writers (`?MAX_SEQUENCES`).
pub const MAX_WRITERS: u64 = 255;

/// A message chunk's bytes: header, one record, and, unless a snapshot
/// was written just before it, a trailer tracking its writer's sequence.
pub fn message_chunk_bytes(record_bytes: u64, trailer: bool) -> u64 {
    let trailer = if trailer {
        1 + 1 + WRITER_ID_BYTES + 8
    } else {
        0
    };
    CHUNK_HEADER_BYTES + RECORD_HEADER_BYTES + record_bytes + trailer
}

/// A tracking snapshot chunk's bytes, listing `writers` writers.
pub fn tracking_chunk_bytes(writers: u64) -> u64 {
    CHUNK_HEADER_BYTES + RECORD_HEADER_BYTES + writers * (1 + 1 + WRITER_ID_BYTES + 8 + 8)
}

/// How many writers a snapshot of `bytes` lists.
fn writers_in(bytes: u64) -> u64 {
    bytes.saturating_sub(CHUNK_HEADER_BYTES + RECORD_HEADER_BYTES)
        / (1 + 1 + WRITER_ID_BYTES + 8 + 8)
}

/// What a stream's arguments ask of its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Retention {
    /// `x-stream-max-segment-size-bytes`.
    pub max_segment_bytes: u64,
    /// `x-max-length-bytes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// `x-max-age`, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age_ms: Option<u64>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_segment_bytes: DEFAULT_MAX_SEGMENT_BYTES,
            max_bytes: None,
            max_age_ms: None,
        }
    }
}

/// One chunk still in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub offset: u64,
    /// The message's number among every message ever written to the
    /// stream; `None` for a tracking snapshot.
    pub message: Option<u64>,
    pub bytes: u64,
    /// Unix milliseconds on the virtual clock.
    pub written_at: u64,
    /// A message written in the same write as a tracking snapshot (so
    /// without a trailer).
    pub after_snapshot: bool,
}

/// One segment still on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub first_offset: u64,
    /// Its file's size: header and chunks.
    pub bytes: u64,
    pub chunks: u64,
}

/// What one message's write did to the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The message's offset.
    pub offset: u64,
    /// A tracking snapshot written just before it (its bytes).
    pub tracking_before: Option<u64>,
    /// How many messages retention removed from the log's start.
    pub messages_removed: u64,
}

/// A stream's log as osiris lays it out: chunks in segments, with
/// retention (module doc). Messages themselves stay in the queue's ready
/// FIFO, in log order; this keeps where each one is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamLayout {
    retention: Retention,
    chunks: VecDeque<Chunk>,
    /// Oldest first; the last is the one being written.
    segments: VecDeque<Segment>,
    next_offset: u64,
    messages_written: u64,
    messages_removed: u64,
    /// The writers seen (channel or queue ids, tagged), and how many a
    /// restart recovered.
    writers: std::collections::BTreeSet<u64>,
    recovered_writers: u64,
}

impl Default for StreamLayout {
    fn default() -> Self {
        StreamLayout::new(Retention::default())
    }
}

impl StreamLayout {
    /// An empty log: one empty segment at offset 0.
    pub fn new(retention: Retention) -> StreamLayout {
        StreamLayout {
            retention,
            chunks: VecDeque::new(),
            segments: VecDeque::from([Segment {
                first_offset: 0,
                bytes: SEGMENT_HEADER_BYTES,
                chunks: 0,
            }]),
            next_offset: 0,
            messages_written: 0,
            messages_removed: 0,
            writers: Default::default(),
            recovered_writers: 0,
        }
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Appends a message of `record_bytes` ([`record_bytes`]) from
    /// `writer` ([`Writer`]) written at `now` (Unix ms): a tracking
    /// snapshot first if the segment is full, then the message, with
    /// retention on every roll.
    pub fn append_message(&mut self, record_bytes: u64, writer: Writer, now: u64) -> Written {
        let before = self.messages_removed;
        self.writers.insert(writer.key());
        let tracking_before = self.segment_full().then(|| {
            let writers = (self.recovered_writers + self.writers.len() as u64).min(MAX_WRITERS);
            let bytes = tracking_chunk_bytes(writers);
            self.write_chunk(None, bytes, now, false);
            bytes
        });
        let offset = self.next_offset;
        let ordinal = self.messages_written;
        self.messages_written += 1;
        let bytes = message_chunk_bytes(record_bytes, tracking_before.is_none());
        self.write_chunk(Some(ordinal), bytes, now, tracking_before.is_some());
        Written {
            offset,
            tracking_before,
            messages_removed: self.messages_removed - before,
        }
    }

    /// Rebuilds a log from its stored messages (offset, write time, record
    /// bytes, snapshot before it: its bytes, or 0 when retention removed
    /// it), oldest first. Writing them again from the first one's segment
    /// repeats every roll, as the sizes are the same; no retention runs
    /// (osiris evaluates none at start-up). The writers known are those of
    /// the last snapshot.
    pub fn restore(
        retention: Retention,
        stored: impl IntoIterator<Item = (u64, u64, u64, Option<u64>)>,
    ) -> StreamLayout {
        let mut log = StreamLayout::new(retention);
        let mut first = true;
        for (offset, written_at, record_bytes, snapshot) in stored {
            let tracking_before = snapshot.filter(|bytes| *bytes > 0);
            let start = offset.saturating_sub(u64::from(tracking_before.is_some()));
            if first {
                log.next_offset = start;
                log.segments[0].first_offset = start;
                first = false;
            }
            // Offsets this store does not explain (a snapshot whose
            // message is gone) stay as a gap, as chunks Warren has not kept.
            log.next_offset = log.next_offset.max(start);
            if let Some(bytes) = tracking_before {
                let roll = log.segment_full();
                log.push_chunk(None, bytes, written_at, roll);
                log.recovered_writers = writers_in(bytes);
            }
            log.next_offset = log.next_offset.max(offset);
            let ordinal = log.messages_written;
            log.messages_written += 1;
            let roll = log.segment_full();
            log.push_chunk(
                Some(ordinal),
                message_chunk_bytes(record_bytes, snapshot.is_none()),
                written_at,
                roll,
            );
            if let Some(chunk) = log.chunks.back_mut() {
                chunk.after_snapshot = snapshot.is_some();
            }
        }
        log.recovered_writers = log.recovered_writers.max(u64::from(!log.chunks.is_empty()));
        log
    }

    fn segment_full(&self) -> bool {
        self.segments.back().is_some_and(|s| {
            s.bytes >= self.retention.max_segment_bytes || s.chunks >= MAX_SEGMENT_CHUNKS
        })
    }

    fn write_chunk(&mut self, message: Option<u64>, bytes: u64, now: u64, after_snapshot: bool) {
        let roll = self.segment_full();
        self.push_chunk(message, bytes, now, roll);
        if let Some(chunk) = self.chunks.back_mut() {
            chunk.after_snapshot = after_snapshot;
        }
        if roll {
            self.apply_retention(now);
        }
    }

    fn push_chunk(&mut self, message: Option<u64>, bytes: u64, now: u64, roll: bool) {
        let offset = self.next_offset;
        if roll {
            // osiris reopens the same file when the current segment is
            // still empty (it is named after the next offset).
            if self.segments.back().is_some_and(|s| s.chunks == 0) {
                self.segments.pop_back();
            }
            self.segments.push_back(Segment {
                first_offset: offset,
                bytes: SEGMENT_HEADER_BYTES,
                chunks: 0,
            });
        }
        if let Some(segment) = self.segments.back_mut() {
            segment.bytes += bytes;
            segment.chunks += 1;
        }
        self.chunks.push_back(Chunk {
            offset,
            message,
            bytes,
            written_at: now,
            after_snapshot: false,
        });
        self.next_offset = offset + 1;
    }

    /// `osiris_log:evaluate_retention` with the specs in RabbitMQ's order.
    fn apply_retention(&mut self, now: u64) {
        let mut keep = self.segments.len();
        if let Some(max) = self.retention.max_bytes {
            let mut left = i128::from(max);
            let mut kept = 0;
            for segment in self.segments.iter().rev() {
                let bytes = i128::from(segment.bytes);
                // The current segment always stays, whatever its size.
                if kept > 0 && bytes > left {
                    break;
                }
                left -= bytes;
                kept += 1;
            }
            keep = keep.min(kept);
        }
        let mut drop = self.segments.len() - keep;
        if let Some(age) = self.retention.max_age_ms {
            let cutoff = i128::from(now) - i128::from(age);
            while drop + 1 < self.segments.len() {
                let expired = self
                    .last_written_in(drop)
                    .is_some_and(|ts| i128::from(ts) < cutoff);
                if !expired {
                    break;
                }
                drop += 1;
            }
        }
        if drop == 0 {
            return;
        }
        self.segments.drain(..drop);
        let first = self.first_offset();
        while self.chunks.front().is_some_and(|c| c.offset < first) {
            if let Some(chunk) = self.chunks.pop_front() {
                self.messages_removed += u64::from(chunk.message.is_some());
            }
        }
    }

    /// When the last chunk of the `index`th segment was written.
    fn last_written_in(&self, index: usize) -> Option<u64> {
        let segment = self.segments.get(index)?;
        let end = self
            .segments
            .get(index + 1)
            .map_or(self.next_offset, |s| s.first_offset);
        if segment.chunks == 0 {
            return None;
        }
        self.chunk_at(end.checked_sub(1)?).map(|c| c.written_at)
    }

    /// The first offset still in the log (the next one when it is empty).
    pub fn first_offset(&self) -> u64 {
        self.segments
            .front()
            .map_or(self.next_offset, |s| s.first_offset)
    }

    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// RabbitMQ's message count for the stream: every offset from the
    /// first to the last, tracking snapshots included.
    pub fn count(&self) -> u64 {
        self.next_offset - self.first_offset().min(self.next_offset)
    }

    /// How many messages retention has removed: the ready FIFO's index of
    /// a message is its number minus this.
    pub fn messages_removed(&self) -> u64 {
        self.messages_removed
    }

    pub fn chunks(&self) -> impl Iterator<Item = &Chunk> {
        self.chunks.iter()
    }

    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter()
    }

    fn chunk_index(&self, offset: u64) -> usize {
        self.chunks.partition_point(|c| c.offset < offset)
    }

    pub fn chunk_at(&self, offset: u64) -> Option<&Chunk> {
        self.chunks
            .get(self.chunk_index(offset))
            .filter(|c| c.offset == offset)
    }

    /// The first message at or after `offset` (a reader's next read), with
    /// its index in the ready FIFO.
    pub fn next_message(&self, offset: u64) -> Option<(u64, u64)> {
        self.chunks
            .range(self.chunk_index(offset)..)
            .find_map(|c| Some((c.offset, c.message?.checked_sub(self.messages_removed)?)))
    }

    /// The last message's offset (`last` attaches there: osiris's last
    /// user chunk).
    pub fn last_message_offset(&self) -> Option<u64> {
        self.chunks
            .iter()
            .rev()
            .find(|c| c.message.is_some())
            .map(|c| c.offset)
    }

    /// The offset of the message at index `index` of the ready FIFO.
    pub fn offset_of_message(&self, index: u64) -> Option<u64> {
        let ordinal = self.messages_removed + index;
        // A tracking chunk is always followed by the message written with
        // it, so it sorts as that message.
        let key = |i: usize| {
            let message = |i: usize| self.chunks.get(i).and_then(|c| c.message);
            message(i).or_else(|| message(i + 1))
        };
        let (mut low, mut high) = (0, self.chunks.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if key(mid).is_some_and(|m| m < ordinal) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        self.chunks
            .range(low..)
            .find(|c| c.message == Some(ordinal))
            .map(|c| c.offset)
    }

    /// The tracking snapshot written just before the message at `offset`,
    /// which a stored message keeps so that a restart rebuilds the same
    /// segments: its bytes, 0 if retention removed it (the message still
    /// has no trailer), `None` if there was none.
    pub fn tracking_before(&self, offset: u64) -> Option<u64> {
        let message = self.chunk_at(offset)?;
        if !message.after_snapshot {
            return None;
        }
        let snapshot = offset.checked_sub(1).and_then(|o| self.chunk_at(o));
        Some(
            snapshot
                .filter(|c| c.message.is_none())
                .map_or(0, |c| c.bytes),
        )
    }

    /// When the chunk at `offset` was written.
    pub fn written_at(&self, offset: u64) -> Option<u64> {
        self.chunk_at(offset).map(|c| c.written_at)
    }

    /// Where a reader asking for time `ms` attaches (osiris's rule,
    /// `stream_log.rs`): `None` (the end) past the last chunk's time or in
    /// an empty log, else the first chunk written at or after it. The scan
    /// runs in log order rather than bisecting, as osiris's does: a host
    /// clock set back can leave the times out of order.
    pub fn first_written_at_or_after(&self, ms: i128) -> Option<u64> {
        let last = self.chunks.back()?;
        if ms > i128::from(last.written_at) {
            return None;
        }
        self.chunks
            .iter()
            .find(|c| ms <= i128::from(c.written_at))
            .map(|c| c.offset)
    }
}

/// Who wrote a message: tracked by osiris as a writer id each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// A publishing channel (its id).
    Channel(u32),
    /// A queue dead-lettering into the stream (its id).
    Queue(u32),
}

impl Writer {
    fn key(self) -> u64 {
        match self {
            Writer::Channel(id) => u64::from(id),
            Writer::Queue(id) => 1 << 32 | u64::from(id),
        }
    }
}

/// The bytes of a message as RabbitMQ 3.10.8 stores it in a stream: its
/// AMQP 1.0 encoding (`rabbit_stream_queue:msg_to_iodata`,
/// `rabbit_msg_record:from_amqp091` and `to_iodata`, sizes from
/// `amqp10_binary_generator`): message annotations (`x-exchange`,
/// `x-routing-key`, delivery mode, priority, expiration), the properties
/// section when a property it maps is set, application properties (the
/// headers, `type`, `app-id`), then the body as a data section.
/// Headers of a type AMQP 1.0 has no counterpart for (tables, arrays)
/// are left out, as RabbitMQ leaves them out.
pub fn record_bytes(msg: &MessageRef) -> u64 {
    let envelope = msg.envelope();
    let p = &envelope.properties;
    let utf8 = |s: &str| var_bytes(s.len() as u64);
    // Symbols always use the one-byte length form.
    let symbol = |s: &str| 2 + s.len() as u64;
    let described = |body: u64| 3 + body;
    let mut annotations = vec![
        symbol("x-exchange") + utf8(&envelope.exchange),
        symbol("x-routing-key") + utf8(&envelope.routing_key),
    ];
    if let Some(_mode) = p.delivery_mode {
        annotations.push(symbol("x-basic-delivery-mode") + 2);
    }
    if let Some(_priority) = p.priority {
        annotations.push(symbol("x-basic-priority") + 2);
    }
    if let Some(expiration) = &p.expiration {
        annotations.push(symbol("x-basic-expiration") + utf8(expiration));
    }
    let mut total = described(compound_bytes(&annotations));
    let mut fields: Vec<u64> = vec![1; 13];
    let mut any = false;
    let mut set = |i: usize, bytes: Option<u64>| {
        if let Some(b) = bytes {
            fields[i] = b;
            any = true;
        }
    };
    set(0, p.message_id.as_deref().map(utf8));
    set(1, p.user_id.as_deref().map(|s| var_bytes(s.len() as u64)));
    set(4, p.reply_to.as_deref().map(utf8));
    set(5, p.correlation_id.as_deref().map(utf8));
    set(6, p.content_type.as_deref().map(symbol));
    set(7, p.content_encoding.as_deref().map(symbol));
    set(9, p.timestamp.map(|_| 9));
    if any {
        total += described(compound_bytes(&fields));
    }
    let mut application: Vec<u64> = p
        .headers
        .iter()
        .flat_map(|table| table.iter())
        .filter_map(|(key, value)| Some(utf8(key) + amqp10_value_bytes(value)?))
        .collect();
    if let Some(kind) = &p.kind {
        application.push(utf8("x-basic-type") + utf8(kind));
    }
    if let Some(app_id) = &p.app_id {
        application.push(utf8("x-basic-app-id") + utf8(app_id));
    }
    if !application.is_empty() {
        total += described(compound_bytes(&application));
    }
    total + described(var_bytes(msg.body_len()))
}

/// A string or binary: a one-byte length below 256 bytes, else four.
fn var_bytes(len: u64) -> u64 {
    if len < 256 {
        2 + len
    } else {
        5 + len
    }
}

/// A list or map of encoded `items` (a map's items are its pairs, each
/// counting two): the short form when it fits (`amqp10_binary_generator`).
fn compound_bytes(items: &[u64]) -> u64 {
    let size: u64 = items.iter().sum();
    if items.len() >= 255 || size + 1 >= 256 {
        9 + size
    } else {
        3 + size
    }
}

/// A header value as `rabbit_msg_record:from_091` converts it.
fn amqp10_value_bytes(value: &FieldValue) -> Option<u64> {
    Some(match value {
        FieldValue::Void => 1,
        FieldValue::Bool(_) | FieldValue::Byte(_) | FieldValue::UnsignedByte(_) => 2,
        FieldValue::Short(_) | FieldValue::UnsignedShort(_) => 3,
        FieldValue::Int(n) => {
            if (-128..128).contains(n) {
                2
            } else {
                5
            }
        }
        FieldValue::UnsignedInt(n) => match n {
            0 => 1,
            1..=255 => 2,
            _ => 5,
        },
        FieldValue::Long(n) => {
            if (-128..128).contains(n) {
                2
            } else {
                9
            }
        }
        FieldValue::Float(_) => 5,
        FieldValue::Double(_) | FieldValue::Timestamp(_) => 9,
        FieldValue::LongStr(s) => var_bytes(s.len() as u64),
        FieldValue::Binary(b) => var_bytes(b.len() as u64),
        // RabbitMQ has no conversion for a decimal (its write would fail);
        // Warren counts the smallest value.
        FieldValue::Decimal { .. } => 1,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl StreamLayout {
        /// A message from channel 1.
        fn append_message_from_test(&mut self, record_bytes: u64, now: u64) -> Written {
            self.append_message(record_bytes, Writer::Channel(1), now)
        }
    }

    fn tiny(max_bytes: Option<u64>, max_age_ms: Option<u64>) -> StreamLayout {
        StreamLayout::new(Retention {
            max_segment_bytes: 1,
            max_bytes,
            max_age_ms,
        })
    }

    #[test]
    fn default_segments_never_roll_and_offsets_are_message_numbers() {
        let mut log = StreamLayout::default();
        for i in 0..5 {
            let w = log.append_message_from_test(100, 1000 + i);
            assert_eq!((w.offset, w.tracking_before), (i, None));
        }
        assert_eq!(log.segments().count(), 1);
        assert_eq!(log.count(), 5);
        assert_eq!(log.next_message(2), Some((2, 2)));
    }

    #[test]
    fn a_full_segment_gets_a_tracking_snapshot_then_the_message_in_new_segments() {
        let mut log = tiny(None, None);
        // The empty first segment (8 bytes) is already "full" at 1 byte.
        let offsets: Vec<_> = (0..3)
            .map(|_| log.append_message_from_test(50, 0).offset)
            .collect();
        assert_eq!(offsets, [1, 3, 5]);
        let firsts: Vec<_> = log.segments().map(|s| s.first_offset).collect();
        assert_eq!(firsts, [0, 1, 2, 3, 4, 5]);
        assert_eq!(log.count(), 6);
        // Readers skip snapshots.
        assert_eq!(log.next_message(0), Some((1, 0)));
        assert_eq!(log.next_message(2), Some((3, 1)));
        assert_eq!(log.next_message(6), None);
        assert_eq!(log.last_message_offset(), Some(5));
        let each: Vec<_> = (0..4).map(|i| log.offset_of_message(i)).collect();
        assert_eq!(each, [Some(1), Some(3), Some(5), None]);
    }

    #[test]
    fn max_bytes_keeps_the_newest_segments_that_fit_and_the_current_one() {
        let message = SEGMENT_HEADER_BYTES + message_chunk_bytes(1000, false);
        let snapshot = SEGMENT_HEADER_BYTES + tracking_chunk_bytes(1);
        // Room for the current message, a snapshot and one more message.
        let mut log = tiny(Some(2 * message + snapshot), None);
        let mut removed = 0;
        for _ in 0..5 {
            removed += log.append_message_from_test(1000, 0).messages_removed;
        }
        assert_eq!(removed, 3);
        assert_eq!(log.first_offset(), 7);
        assert_eq!(log.next_message(0), Some((7, 0)));
        assert_eq!(log.count(), 3);
        // A limit smaller than the current segment still keeps it.
        let mut log = tiny(Some(1), None);
        for _ in 0..3 {
            log.append_message_from_test(10, 0);
        }
        assert_eq!((log.first_offset(), log.count()), (5, 1));
    }

    #[test]
    fn max_age_drops_segments_whose_last_chunk_is_older_and_keeps_the_current() {
        let mut log = tiny(None, Some(2000));
        log.append_message_from_test(10, 1000);
        log.append_message_from_test(10, 2000);
        assert_eq!(log.first_offset(), 0);
        let w = log.append_message_from_test(10, 5000);
        // Offsets 0..3 were written before 3000: gone; the snapshot written
        // with the new message stays.
        assert_eq!((w.offset, w.messages_removed), (5, 2));
        assert_eq!((log.first_offset(), log.count()), (4, 2));
        // Exactly the age old is not older.
        let mut log = tiny(None, Some(2000));
        log.append_message_from_test(10, 1000);
        log.append_message_from_test(10, 3000);
        assert_eq!(log.first_offset(), 0);
    }

    #[test]
    fn restore_repeats_the_rolls() {
        let mut log = tiny(Some(300), None);
        let mut sizes = Vec::new();
        for i in 0..4 {
            let w = log.append_message_from_test(20 + i, 100 * i);
            sizes.push((w.offset, 100 * i, 20 + i));
        }
        // The first message left lost its snapshot to retention.
        assert_eq!(log.first_offset(), 5);
        let kept = log.messages_removed() as usize;
        let stored: Vec<_> = sizes
            .split_off(kept)
            .into_iter()
            .map(|(o, t, b)| (o, t, b, log.tracking_before(o)))
            .collect();
        assert_eq!(stored[0].3, Some(0));
        let back = StreamLayout::restore(log.retention(), stored);
        assert_eq!(back, log_without_history(&log));
        assert_eq!(back.count(), log.count());
    }

    /// `log` as a restart sees it: the same chunks and segments, message
    /// numbers counted from the first one left.
    fn log_without_history(log: &StreamLayout) -> StreamLayout {
        let mut copy = log.clone();
        let removed = copy.messages_removed;
        for chunk in &mut copy.chunks {
            chunk.message = chunk.message.map(|m| m - removed);
        }
        copy.messages_written -= removed;
        copy.messages_removed = 0;
        // A restart knows the writers of the last snapshot.
        copy.recovered_writers = copy.writers.len() as u64;
        copy.writers.clear();
        copy
    }

    /// Segment files RabbitMQ 3.10.8 wrote (segments of 100 bytes, one
    /// chunk each: a message chunk after a tracking chunk is 52 bytes plus
    /// the record), published to the default exchange with routing key
    /// `s3` or `s1`.
    #[test]
    fn record_sizes_match_the_segment_files_rabbitmq_wrote() {
        use crate::engine::message::{MessageId, MessageRef, Properties};
        use crate::engine::value::{FieldTable, FieldValue};
        let size = |routing_key: &str, body: &[u8], properties: Properties| {
            let msg = MessageRef::new(
                MessageId(1),
                "".into(),
                routing_key.into(),
                Vec::new(),
                properties,
                body,
            );
            record_bytes(&msg)
        };
        let plain = Properties::default;
        // The first message: 147-byte segment, header, chunk with trailer.
        assert_eq!(
            SEGMENT_HEADER_BYTES + message_chunk_bytes(size("s3", b"", plain()), true),
            147
        );
        let after_snapshot = |bytes| SEGMENT_HEADER_BYTES + message_chunk_bytes(bytes, false);
        assert_eq!(after_snapshot(size("s3", b"a", plain())), 105);
        assert_eq!(after_snapshot(size("s3", &[b'a'; 10], plain())), 114);
        assert_eq!(after_snapshot(size("s3", &[b'a'; 300], plain())), 407);
        assert_eq!(after_snapshot(size("s1", &[b'x'; 1000], plain())), 1107);
        let persistent = Properties {
            delivery_mode: Some(2),
            ..plain()
        };
        assert_eq!(after_snapshot(size("s3", b"a", persistent)), 130);
        let typed = Properties {
            content_type: Some("text/plain".into()),
            headers: Some(FieldTable::from([(
                "k".to_string(),
                FieldValue::LongStr("v".into()),
            )])),
            ..plain()
        };
        assert_eq!(after_snapshot(size("s3", b"a", typed)), 147);
        // Tracking chunks of one and two writers.
        assert_eq!(SEGMENT_HEADER_BYTES + tracking_chunk_bytes(1), 111);
        assert_eq!(SEGMENT_HEADER_BYTES + tracking_chunk_bytes(2), 162);
    }

    #[test]
    fn a_time_attaches_at_the_first_chunk_written_at_or_after_it() {
        let mut log = StreamLayout::default();
        for ms in [1000, 1000, 3000, 5000] {
            log.append_message_from_test(1, ms);
        }
        assert_eq!(log.first_written_at_or_after(0), Some(0));
        assert_eq!(log.first_written_at_or_after(2000), Some(2));
        assert_eq!(log.first_written_at_or_after(5000), Some(3));
        assert_eq!(log.first_written_at_or_after(5001), None);
        assert_eq!(log.written_at(2), Some(3000));
    }
}
