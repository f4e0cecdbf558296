//! A stream's log: non-destructive consumption by offset.
//!
//! A stream (`x-queue-type: stream`) is an append-only log. Every message
//! published to it gets the next *offset* (0, 1, 2, ...) and stays in the
//! log however often it is read: consuming removes nothing, so every
//! consumer, now or later, can read the whole log again. Warren keeps the
//! messages in the queue's ready FIFO in log order (a stream has one
//! priority level and only retention takes anything out of it), and their
//! offsets in the queue's [`StreamLayout`]; the queue's message count is
//! RabbitMQ's, the offsets from the first to the last.
//!
//! Each consumer has its own position, the next offset it reads,
//! chosen when it consumes by the `x-stream-offset` argument (RabbitMQ
//! 3.10.8, recorded: `stream_offsets`):
//! - absent or `next`: the end of the log, only messages published from now on;
//! - `first` (or any offset before the log's start, even a negative one,
//!   or one retention removed: `stream_retention_max_bytes`): the log's
//!   start, its first chunk left;
//! - `last`: the last *message chunk* (osiris's `last_user_chunk_location`,
//!   past tracking chunks). RabbitMQ's log is written in chunks (the
//!   messages one write batched together); Warren writes each message as its
//!   own chunk, as RabbitMQ does for messages published one at a time, so
//!   `last` is the last message;
//! - a number `n`: offset `n`, and past the end the consumer waits until the
//!   log reaches `n` (a publish of offset 5 does not reach a consumer at 99);
//! - a timestamp (AMQP type `T`, seconds) or an interval written like
//!   `x-max-age` (`1h`, `7D`: that long before now): see below.
//!
//! ## Timestamps
//!
//! osiris stamps every chunk with the time it was written, in Unix
//! milliseconds (`osiris_log:write/2`: `erlang:system_time(millisecond)`),
//! and RabbitMQ 3.10.8 turns both forms into a time in milliseconds
//! (`rabbit_stream_queue:parse_offset_arg`: a timestamp `V` is
//! `{timestamp, V * 1000}`, an interval `{timestamp, system_time(ms) - Ms}`).
//! osiris 1.3.1 then attaches the reader (`init_offset_reader0({timestamp, Ts}, ..)`):
//! if `Ts` is after the last chunk's stamp (`timestamp_idx_file_search`:
//! `Ts > EndTs`), or the log is empty, at `next`; otherwise at the first
//! chunk, in log order, whose stamp is at or after `Ts`
//! (`timestamp_idx_scan`: `Ts =< Timestamp`), which is the log's start when
//! `Ts` is before every stamp (`first_in`). A time inside a chunk's
//! millisecond reads that chunk; a time between two chunks reads the later
//! one.
//!
//! Warren stamps each entry with the virtual clock as Unix milliseconds
//! ([`Clock::unix_millis`](crate::engine::clock::Clock::unix_millis), the
//! broker's configured epoch plus virtual time) in its [`StreamLayout`], and
//! applies that rule, each message being its own chunk (see `last`).
//! Recorded: `stream_timestamp_offset` (the epoch reads from the start,
//! 2100 only what comes next), `stream_offset_arguments` (`1h`, messages a
//! few seconds old: from the start), `stream_interval_offset` (messages
//! written 6 s, 3 s and a moment ago: `2s` reads the last, `5s` the last
//! two, `10s` all three). The stamps are stored with the
//! messages (`DurableMessage::written_at`), so they survive a restart; a
//! stream message from a store written before Warren kept them counts as
//! written when the store was loaded, which keeps the old approximation
//! for them (a time up to then reads from the start).
//!
//! Any other value (another word, and the words are case-sensitive, a
//! table, a boolean) crashes the consuming channel in RabbitMQ 3.10.8:
//! 541 `INTERNAL_ERROR`, and the connection closes
//! (`stream_offset_arguments`): `check_max_age` calls `list_to_integer` on
//! the digits in front, and there are none. A text with digits in front
//! that is still no interval (`0s`: the count must be above 0; `1w`) is
//! refused instead: 406 `invalid arg 'x-stream-offset' for queue 's' in
//! vhost '/': {invalid_stream_offset_arg,{longstr,<<"0s">>}}`
//! (`stream_interval_offset`).
//!
//! Each delivery carries the message's offset in an `x-stream-offset`
//! header (a signed 64-bit integer), is never `redelivered`, and takes a
//! delivery tag on the channel like any other. The consumer's prefetch is
//! its *credit*: at most that many deliveries unacknowledged; an ack gives
//! the credit back and removes nothing (`stream_credit`). Nothing a consumer
//! leaves unacknowledged goes back into the log: a closed channel, a cancel
//! or basic.recover just forget the deliveries.
//!
//! Observed and modelled: the queue's message count (`list_queues`) is the
//! log's length and its unacknowledged count stays 0; `list_consumers` does
//! not list a stream's consumers in 3.10.8 (the queue's consumer count does
//! count them). The count is a statistic RabbitMQ emits every 5 s, so right
//! after a publish or a restart it lags; recordings wait before observing it.
//!
//! Retention (`x-max-length-bytes`, `x-max-age`) deletes whole old
//! segments of the log, and tracking chunks written when a segment rolls
//! take offsets of their own: `stream_segments.rs` keeps that layout, so a
//! message's offset is where it sits there, not its place in the FIFO.
//! A reader whose next offset retention removed reads from the first
//! message left.

use crate::engine::broker::Broker;
use crate::engine::ids::QueueId;
use crate::engine::message::MessageRef;
use crate::engine::stream_segments::StreamLayout;
use crate::engine::value::FieldValue;

impl Broker {
    /// One dispatch of a stream: the first consumer in rotation that has
    /// credit and has a message at or after its offset gets it, and moves
    /// past it. A reader whose offset retention removed reads from the
    /// first message left (`stream_segments.rs`). Returns whether it
    /// delivered.
    pub(crate) fn dispatch_stream_once(&mut self, queue: QueueId) -> bool {
        let Some(q) = self.queues.get(&queue) else {
            return false;
        };
        let log = &q.stream;
        let pick = q.consumers.active().find_map(|id| {
            let c = self.consumers.get(&id)?;
            let next = log.next_message(c.stream_offset)?;
            self.blocked_reason(id).is_none().then_some((id, next))
        });
        let Some((consumer, (offset, index))) = pick else {
            return false;
        };
        let Some(c) = self.consumers.get_mut(&consumer) else {
            return false;
        };
        c.stream_offset = offset + 1;
        let Some(q) = self.queues.get_mut(&queue) else {
            return false;
        };
        let Some(entry) = q.ready.get(index).cloned() else {
            return false;
        };
        q.consumers.rotate(consumer);
        self.deliver(queue, consumer, entry, Vec::new(), Some(offset));
        true
    }

    /// Retention moved the log's start, removing its first `count`
    /// messages: they leave the ready FIFO and the store. A stored message
    /// whose tracking chunk went no longer has one before it.
    pub(crate) fn remove_retained_out(&mut self, queue: QueueId, count: u64) {
        let Some(q) = self.queues.get_mut(&queue) else {
            return;
        };
        let removed: Vec<_> = (0..count).filter_map(|_| q.ready.pop_front()).collect();
        let first = q.stream.first_offset();
        let orphan = q
            .ready
            .get(0)
            .filter(|e| q.stores_message(&e.msg) && q.stream.offset_of_message(0) == Some(first))
            .map(|e| {
                let placement = crate::engine::durable::StreamPlacement {
                    offset: first,
                    written_at: q.stream.written_at(first).unwrap_or(0),
                    tracking_before: None,
                };
                crate::engine::durable::DurableOp::PutMessage {
                    queue: q.name.to_string(),
                    message: crate::engine::durable::DurableMessage::from_entry(e, Some(placement)),
                }
            });
        for entry in &removed {
            self.record_gone(queue, entry);
        }
        if let Some(op) = orphan {
            self.record(op);
        }
    }
}

/// Where a new consumer starts reading, from `x-stream-offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartAt {
    First,
    Last,
    Next,
    Offset(i64),
    /// An AMQP timestamp, seconds since the Unix epoch.
    Timestamp(u64),
    /// An interval back from now (`1h`), in milliseconds.
    Interval(u64),
}

/// Why RabbitMQ 3.10.8 will not start a reader at an `x-stream-offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetRefused {
    /// It crashes reading it: 541 `INTERNAL_ERROR`, the connection closes.
    Crash,
    /// `rabbit_amqqueue:check_stream_offset_arg` turns it down: 406, with
    /// this reason (`{invalid_stream_offset_arg,{longstr,<<"0s">>}}`).
    Invalid(String),
}

impl StartAt {
    /// The consumer argument's value (absent: `next`), as
    /// `rabbit_stream_queue:parse_offset_arg` reads it: the three words
    /// (a binary's bytes too), a timestamp, an integer type, or a longstr
    /// interval (`rabbit_amqqueue:check_max_age`).
    pub fn from_argument(value: Option<&FieldValue>) -> Result<StartAt, OffsetRefused> {
        use crate::engine::queue_args::{check_max_age, MaxAge};
        let word = |bytes: &[u8]| match bytes {
            b"first" => Some(StartAt::First),
            b"last" => Some(StartAt::Last),
            b"next" => Some(StartAt::Next),
            _ => None,
        };
        Ok(match value {
            None => StartAt::Next,
            Some(FieldValue::LongStr(s)) => match word(s.as_bytes()) {
                Some(start) => start,
                None => match check_max_age(s) {
                    MaxAge::Ms(ms) => StartAt::Interval(ms),
                    MaxAge::Invalid => {
                        return Err(OffsetRefused::Invalid(format!(
                            "{{invalid_stream_offset_arg,{{longstr,{}}}}}",
                            erlang_binary_term(s.as_bytes())
                        )))
                    }
                    MaxAge::Crash => return Err(OffsetRefused::Crash),
                },
            },
            // Any other binary passes the check and crashes osiris.
            Some(FieldValue::Binary(b)) => word(b).ok_or(OffsetRefused::Crash)?,
            Some(FieldValue::Timestamp(t)) => StartAt::Timestamp(*t),
            Some(
                v @ (FieldValue::Byte(_)
                | FieldValue::UnsignedByte(_)
                | FieldValue::Short(_)
                | FieldValue::UnsignedShort(_)
                | FieldValue::Int(_)
                | FieldValue::UnsignedInt(_)
                | FieldValue::Long(_)),
            ) => StartAt::Offset(v.as_integer().ok_or(OffsetRefused::Crash)?),
            Some(_) => return Err(OffsetRefused::Crash),
        })
    }

    /// The first offset to read in `log`, at `now` (Unix milliseconds on
    /// the virtual clock). A number before the log's first offset (gone to
    /// retention, or negative) reads from there.
    pub fn resolve(self, log: &StreamLayout, now: u64) -> u64 {
        // Erlang's integers have no limit: a timestamp's milliseconds and
        // an interval longer than the time since 1970 compare as they are.
        let end = log.next_offset();
        let from_time = |ms: i128| log.first_written_at_or_after(ms).unwrap_or(end);
        match self {
            StartAt::First => log.first_offset(),
            StartAt::Last => log.last_message_offset().unwrap_or(end),
            StartAt::Next => end,
            StartAt::Offset(n) => u64::try_from(n).unwrap_or(0).max(log.first_offset()),
            StartAt::Timestamp(seconds) => from_time(i128::from(seconds) * 1000),
            StartAt::Interval(ms) => from_time(i128::from(now) - i128::from(ms)),
        }
    }
}

/// A binary as Erlang's `~p` prints it: `<<"text">>` when every byte is
/// printable Latin-1 (`"` and `\\` escaped, as are the control characters
/// it allows), else the bytes as numbers (`<<49,119,200,1>>`); checked with
/// `rabbitmqctl eval` on 3.10.8. Latin-1 bytes above 127 are kept as they
/// are, so UTF-8 text reads back as itself.
fn erlang_binary_term(bytes: &[u8]) -> String {
    let escape = |b: u8| -> Option<&'static [u8]> {
        Some(match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x0b => b"\\v",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x1b => b"\\e",
            _ => return None,
        })
    };
    let printable = |b: u8| matches!(b, 32..=126 | 160..=255) || escape(b).is_some();
    if !bytes.iter().all(|b| printable(*b)) {
        let numbers: Vec<String> = bytes.iter().map(u8::to_string).collect();
        return format!("<<{}>>", numbers.join(","));
    }
    let mut text = b"<<\"".to_vec();
    for b in bytes {
        match escape(*b) {
            Some(escaped) => text.extend_from_slice(escaped),
            None => text.push(*b),
        }
    }
    text.extend_from_slice(b"\">>");
    String::from_utf8_lossy(&text).into_owned()
}

/// The message as a stream delivers it: with its offset in `x-stream-offset`.
pub fn with_offset(msg: &MessageRef, offset: u64) -> MessageRef {
    msg.with_header(
        "x-stream-offset",
        FieldValue::Long(i64::try_from(offset).unwrap_or(i64::MAX)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream_segments::Writer;

    /// A log of five entries written at Unix ms 1000, 1000, 3000, 5000, 5000.
    fn five_entries() -> StreamLayout {
        let mut log = StreamLayout::default();
        for ms in [1000, 1000, 3000, 5000, 5000] {
            log.append_message(10, Writer::Channel(1), ms);
        }
        log
    }

    #[test]
    fn start_positions() {
        let log = five_entries();
        let at = |s: StartAt| s.resolve(&log, 10_000);
        assert_eq!(at(StartAt::First), 0);
        assert_eq!(at(StartAt::Last), 4);
        assert_eq!(at(StartAt::Next), 5);
        assert_eq!(at(StartAt::Offset(2)), 2);
        assert_eq!(at(StartAt::Offset(99)), 99);
        assert_eq!(at(StartAt::Offset(-1)), 0);
        assert_eq!(StartAt::Last.resolve(&StreamLayout::default(), 0), 0);
    }

    #[test]
    fn positions_retention_removed_read_from_the_first_chunk_left() {
        use crate::engine::stream_segments::Retention;
        let mut log = StreamLayout::new(Retention {
            max_segment_bytes: 1,
            max_bytes: None,
            max_age_ms: Some(1000),
        });
        log.append_message(10, Writer::Channel(1), 0);
        log.append_message(10, Writer::Channel(1), 5000);
        // Offsets 0 and 1 are gone; 2 is the tracking chunk before 3.
        assert_eq!(log.first_offset(), 2);
        let at = |s: StartAt| s.resolve(&log, 5000);
        assert_eq!(at(StartAt::First), 2);
        assert_eq!(at(StartAt::Offset(0)), 2);
        assert_eq!(at(StartAt::Timestamp(0)), 2);
        assert_eq!(at(StartAt::Last), 3);
        assert_eq!(log.next_message(at(StartAt::First)), Some((3, 0)));
    }

    #[test]
    fn a_time_attaches_at_the_first_entry_written_at_or_after_it() {
        let log = five_entries();
        let at = |s: StartAt| s.resolve(&log, 10_000);
        // Seconds: before every entry, at the first, between, at the last, after.
        assert_eq!(at(StartAt::Timestamp(0)), 0);
        assert_eq!(at(StartAt::Timestamp(1)), 0);
        assert_eq!(at(StartAt::Timestamp(2)), 2);
        assert_eq!(at(StartAt::Timestamp(3)), 2);
        assert_eq!(at(StartAt::Timestamp(4)), 3);
        assert_eq!(at(StartAt::Timestamp(5)), 3);
        assert_eq!(at(StartAt::Timestamp(6)), 5);
        assert_eq!(at(StartAt::Timestamp(u64::MAX)), 5);
        // Intervals back from now (10 s): 7 s ago is 3000 ms, 1 ms less
        // than that is after it, and an interval longer than 1970 is the start.
        assert_eq!(at(StartAt::Interval(7000)), 2);
        assert_eq!(at(StartAt::Interval(6999)), 3);
        assert_eq!(at(StartAt::Interval(4999)), 5);
        assert_eq!(at(StartAt::Interval(u64::MAX)), 0);
        assert_eq!(StartAt::Interval(0).resolve(&log, u64::MAX), 5);
        // An empty log attaches at next, whatever the time.
        let empty = StreamLayout::default();
        assert_eq!(StartAt::Timestamp(0).resolve(&empty, 0), 0);
    }

    #[test]
    fn times_out_of_order_are_scanned_in_log_order_as_osiris_does() {
        let mut log = StreamLayout::default();
        for ms in [10_000, 4000, 6000] {
            log.append_message(10, Writer::Channel(1), ms);
        }
        // After the last entry's time: next, even though entry 0 is later.
        assert_eq!(log.first_written_at_or_after(7000), None);
        assert_eq!(log.first_written_at_or_after(5000), Some(0));
        assert_eq!(log.first_written_at_or_after(-1), Some(0));
    }

    #[test]
    fn arguments_rabbitmq_takes() {
        let arg = |v: FieldValue| StartAt::from_argument(Some(&v));
        let text = |s: &str| arg(FieldValue::LongStr(s.into()));
        assert_eq!(StartAt::from_argument(None), Ok(StartAt::Next));
        assert_eq!(text("first"), Ok(StartAt::First));
        assert_eq!(arg(FieldValue::Binary(b"last".to_vec())), Ok(StartAt::Last));
        assert_eq!(text("1h"), Ok(StartAt::Interval(3_600_000)));
        assert_eq!(
            text("99999999999999999999Y"),
            Ok(StartAt::Interval(u64::MAX))
        );
        assert_eq!(arg(FieldValue::Int(-1)), Ok(StartAt::Offset(-1)));
        assert_eq!(arg(FieldValue::Timestamp(5)), Ok(StartAt::Timestamp(5)));
        // No digits in front: check_max_age raises, the channel crashes.
        assert_eq!(text("NEXT"), Err(OffsetRefused::Crash));
        assert_eq!(text("-1h"), Err(OffsetRefused::Crash));
        assert_eq!(
            arg(FieldValue::Binary(b"1h".to_vec())),
            Err(OffsetRefused::Crash)
        );
        assert_eq!(arg(FieldValue::Bool(true)), Err(OffsetRefused::Crash));
        // Digits, but no interval: 406 with the value as Erlang prints it
        // (recorded: `stream_interval_offset`, `0s`).
        let invalid = |s: &str| {
            OffsetRefused::Invalid(format!("{{invalid_stream_offset_arg,{{longstr,{s}}}}}"))
        };
        assert_eq!(text("0s"), Err(invalid("<<\"0s\">>")));
        assert_eq!(text("1w\"\\"), Err(invalid("<<\"1w\\\"\\\\\">>")));
        assert_eq!(text("1\té"), Err(invalid("<<\"1\\té\">>")));
        assert_eq!(text("1w\u{7f}"), Err(invalid("<<49,119,127>>")));
    }
}
