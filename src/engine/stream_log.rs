//! A stream's log: non-destructive consumption by offset.
//!
//! A stream (`x-queue-type: stream`) is an append-only log. Every message
//! published to it gets the next *offset* (0, 1, 2, ...) and stays in the
//! log however often it is read: consuming removes nothing, so every
//! consumer, now or later, can read the whole log again. Warren keeps the
//! log in the queue's ready FIFO (a stream has one priority level and
//! nothing is ever taken out of it), so the message at offset `n` is entry
//! `n` of that FIFO and the queue's message count is the log's length.
//!
//! Each consumer has its own position, the next offset it reads,
//! chosen when it consumes by the `x-stream-offset` argument (RabbitMQ
//! 3.10.8, recorded: `stream_offsets`):
//! - absent or `next`: the end of the log, only messages published from now on;
//! - `first` (or any offset before the log's start, even a negative one):
//!   the log's start;
//! - `last`: the last *chunk*. RabbitMQ's log is written in chunks (the
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
//! broker's configured epoch plus virtual time) in [`WriteTimes`], and
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
//! Not modelled: retention. `x-max-length-bytes` and `x-max-age` remove
//! whole segment files (`x-stream-max-segment-size-bytes`, 500 MB by
//! default) once a newer segment exists, so with the default sizes nothing
//! is ever removed; Warren accepts those arguments and keeps every message.
//! Tried against 3.10.8 with tiny segments (not a recording, because Warren
//! does not reproduce it): with segments of 500 bytes and a 1000-byte limit,
//! 40 messages of 19 bytes left three messages at offsets 49 to 51 (a
//! consumer from `first` got only those), and the next publish took
//! offset 53: each new segment begins with a tracking chunk that takes an
//! offset of its own (our reading), so offsets are not message numbers;
//! the queue's count was 8, more than the three messages a consumer read. Reproducing
//! that needs osiris's byte layout (segment, chunk and record headers).

use crate::engine::broker::Broker;
use crate::engine::ids::QueueId;
use crate::engine::message::MessageRef;
use crate::engine::value::FieldValue;

impl Broker {
    /// One dispatch of a stream: the first consumer in rotation that has
    /// credit and has not read to the end of the log gets the message at
    /// its offset, and moves on by one. Returns whether it delivered.
    pub(crate) fn dispatch_stream_once(&mut self, queue: QueueId) -> bool {
        let Some(q) = self.queues.get(&queue) else {
            return false;
        };
        let len = q.ready.len();
        let pick = q.consumers.active().find(|id| {
            self.consumers
                .get(id)
                .is_some_and(|c| c.stream_offset < len)
                && self.blocked_reason(*id).is_none()
        });
        let Some(consumer) = pick else {
            return false;
        };
        let Some(c) = self.consumers.get_mut(&consumer) else {
            return false;
        };
        let offset = c.stream_offset;
        c.stream_offset += 1;
        let Some(q) = self.queues.get_mut(&queue) else {
            return false;
        };
        let Some(entry) = q.ready.get(offset).cloned() else {
            return false;
        };
        q.consumers.rotate(consumer);
        self.deliver(queue, consumer, entry, Vec::new(), Some(offset));
        true
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

    /// The first offset to read in a log of `len` messages written at
    /// `times`, at `now` (Unix milliseconds on the virtual clock).
    pub fn resolve(self, len: u64, times: &WriteTimes, now: u64) -> u64 {
        // Erlang's integers have no limit: a timestamp's milliseconds and
        // an interval longer than the time since 1970 compare as they are.
        let from_time = |ms: i128| times.first_written_at_or_after(ms).unwrap_or(len);
        match self {
            StartAt::First => 0,
            StartAt::Last => len.saturating_sub(1),
            StartAt::Next => len,
            StartAt::Offset(n) => u64::try_from(n).unwrap_or(0),
            StartAt::Timestamp(seconds) => from_time(i128::from(seconds) * 1000),
            StartAt::Interval(ms) => from_time(i128::from(now) - i128::from(ms)),
        }
    }
}

/// When each entry of a stream's log was written (Unix milliseconds on the
/// virtual clock), kept as runs: one `(first offset, time)` pair per run of
/// entries written in the same millisecond, so a burst costs one pair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteTimes {
    runs: Vec<(u64, u64)>,
    len: u64,
}

impl WriteTimes {
    /// The next offset was written at `unix_ms`.
    pub fn record(&mut self, unix_ms: u64) {
        if self.runs.last().map(|run| run.1) != Some(unix_ms) {
            self.runs.push((self.len, unix_ms));
        }
        self.len += 1;
    }

    /// How many entries have a time.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// When the entry at `offset` was written.
    pub fn written_at(&self, offset: u64) -> Option<u64> {
        if offset >= self.len {
            return None;
        }
        let after = self.runs.partition_point(|run| run.0 <= offset);
        self.runs.get(after.checked_sub(1)?).map(|run| run.1)
    }

    /// Where a reader asking for time `ms` attaches (osiris's rule, in the
    /// module doc): `None` (the end) past the last entry's time, else the
    /// first entry written at or after it. The scan runs in log order rather
    /// than bisecting, as osiris's does: a host clock set back can leave the
    /// times out of order.
    pub fn first_written_at_or_after(&self, ms: i128) -> Option<u64> {
        let last = self.runs.last()?;
        if ms > i128::from(last.1) {
            return None;
        }
        self.runs
            .iter()
            .find(|run| ms <= i128::from(run.1))
            .map(|run| run.0)
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

    /// A log of five entries written at Unix ms 1000, 1000, 3000, 5000, 5000.
    fn five_entries() -> WriteTimes {
        let mut times = WriteTimes::default();
        for ms in [1000, 1000, 3000, 5000, 5000] {
            times.record(ms);
        }
        times
    }

    #[test]
    fn start_positions() {
        let times = five_entries();
        let at = |s: StartAt| s.resolve(5, &times, 10_000);
        assert_eq!(at(StartAt::First), 0);
        assert_eq!(at(StartAt::Last), 4);
        assert_eq!(at(StartAt::Next), 5);
        assert_eq!(at(StartAt::Offset(2)), 2);
        assert_eq!(at(StartAt::Offset(99)), 99);
        assert_eq!(at(StartAt::Offset(-1)), 0);
        assert_eq!(StartAt::Last.resolve(0, &WriteTimes::default(), 0), 0);
    }

    #[test]
    fn a_time_attaches_at_the_first_entry_written_at_or_after_it() {
        let times = five_entries();
        let at = |s: StartAt| s.resolve(5, &times, 10_000);
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
        assert_eq!(StartAt::Interval(0).resolve(5, &times, u64::MAX), 5);
        // An empty log attaches at next, whatever the time.
        let empty = WriteTimes::default();
        assert_eq!(StartAt::Timestamp(0).resolve(0, &empty, 0), 0);
    }

    #[test]
    fn times_out_of_order_are_scanned_in_log_order_as_osiris_does() {
        let mut times = WriteTimes::default();
        for ms in [10_000, 4000, 6000] {
            times.record(ms);
        }
        // After the last entry's time: next, even though entry 0 is later.
        assert_eq!(times.first_written_at_or_after(7000), None);
        assert_eq!(times.first_written_at_or_after(5000), Some(0));
        assert_eq!(times.first_written_at_or_after(-1), Some(0));
    }

    #[test]
    fn write_times_are_runs_of_one_millisecond() {
        let times = five_entries();
        assert_eq!(times.runs.len(), 3);
        assert_eq!(times.len(), 5);
        let each: Vec<_> = (0..6).map(|o| times.written_at(o)).collect();
        assert_eq!(
            each,
            [
                Some(1000),
                Some(1000),
                Some(3000),
                Some(5000),
                Some(5000),
                None
            ]
        );
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
