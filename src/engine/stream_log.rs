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
//! - a timestamp (AMQP type `T`): in RabbitMQ, the first chunk written at or
//!   after it (recorded: `stream_timestamp_offset`, the epoch reads from
//!   the start, 2100 only what comes next). Warren's virtual clock starts at
//!   the epoch and it does not keep publish times in the log (a
//!   simplification): a timestamp not after the virtual now reads from the
//!   start, a later one from the end. A timestamp between two messages'
//!   publish times is where Warren differs.
//! - an interval, written like `x-max-age` (`1h`, `7D`): in RabbitMQ, the
//!   timestamp that long ago. Warren reads it from the start (it keeps no
//!   publish times; recorded: `stream_offset_arguments`, `1h`, messages
//!   a few seconds old).
//!
//! Any other value (another word, and the words are case-sensitive, a
//! table, a boolean) crashes the consuming channel in RabbitMQ 3.10.8:
//! 541 `INTERNAL_ERROR`, and the connection closes
//! (`stream_offset_arguments`).
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
    /// An AMQP timestamp, seconds since the epoch.
    Timestamp(u64),
    /// An interval back from now (`1h`).
    Interval,
}

impl StartAt {
    /// The consumer argument's value (absent: `next`), or `None` for one
    /// RabbitMQ crashes on.
    pub fn from_argument(value: Option<&FieldValue>) -> Option<StartAt> {
        Some(match value {
            None => StartAt::Next,
            Some(FieldValue::LongStr(s)) => match s.as_str() {
                "first" => StartAt::First,
                "last" => StartAt::Last,
                "next" => StartAt::Next,
                s if crate::engine::queue_args::valid_max_age(s) => StartAt::Interval,
                _ => return None,
            },
            Some(FieldValue::Timestamp(t)) => StartAt::Timestamp(*t),
            Some(
                v @ (FieldValue::Byte(_)
                | FieldValue::UnsignedByte(_)
                | FieldValue::Short(_)
                | FieldValue::UnsignedShort(_)
                | FieldValue::Int(_)
                | FieldValue::UnsignedInt(_)
                | FieldValue::Long(_)),
            ) => StartAt::Offset(v.as_integer()?),
            Some(_) => return None,
        })
    }

    /// The first offset to read in a log of `len` messages, at virtual
    /// time `now_s` (seconds).
    pub fn resolve(self, len: u64, now_s: u64) -> u64 {
        match self {
            StartAt::First | StartAt::Interval => 0,
            StartAt::Last => len.saturating_sub(1),
            StartAt::Next => len,
            StartAt::Offset(n) => u64::try_from(n).unwrap_or(0),
            StartAt::Timestamp(t) if t <= now_s => 0,
            StartAt::Timestamp(_) => len,
        }
    }
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

    #[test]
    fn start_positions() {
        let at = |s: StartAt| s.resolve(5, 10);
        assert_eq!(at(StartAt::First), 0);
        assert_eq!(at(StartAt::Last), 4);
        assert_eq!(at(StartAt::Next), 5);
        assert_eq!(at(StartAt::Offset(2)), 2);
        assert_eq!(at(StartAt::Offset(99)), 99);
        assert_eq!(at(StartAt::Offset(-1)), 0);
        assert_eq!(at(StartAt::Timestamp(10)), 0);
        assert_eq!(at(StartAt::Timestamp(11)), 5);
        assert_eq!(StartAt::Last.resolve(0, 0), 0);
        assert_eq!(at(StartAt::Interval), 0);
    }

    #[test]
    fn arguments_rabbitmq_takes() {
        let arg = |v: FieldValue| StartAt::from_argument(Some(&v));
        assert_eq!(StartAt::from_argument(None), Some(StartAt::Next));
        assert_eq!(
            arg(FieldValue::LongStr("first".into())),
            Some(StartAt::First)
        );
        assert_eq!(
            arg(FieldValue::LongStr("1h".into())),
            Some(StartAt::Interval)
        );
        assert_eq!(arg(FieldValue::LongStr("NEXT".into())), None);
        assert_eq!(arg(FieldValue::Bool(true)), None);
        assert_eq!(arg(FieldValue::Int(-1)), Some(StartAt::Offset(-1)));
        assert_eq!(arg(FieldValue::Timestamp(5)), Some(StartAt::Timestamp(5)));
    }
}
