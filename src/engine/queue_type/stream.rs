//! Streams (`rabbit_stream_queue`): an append-only log read by offset.
//!
//! Warren has a stream's declare rules (durable, not exclusive, not
//! auto-delete, not server-named; its own arguments; a bad `x-max-age`
//! crashes the channel, 541) and the operations it refuses, as RabbitMQ
//! 3.10.8 answers them (recorded: `stream_declare_and_refusals`):
//! basic.get, basic.consume with `no_ack`, basic.nack and basic.reject,
//! queue.purge (540, closing the connection), and basic.consume without a
//! per-consumer prefetch (406; a global prefetch does not count).
//! queue.delete ignores `if-unused` and `if-empty` (a stream with messages
//! and consumers is deleted, its consumers cancelled) and reports 0
//! messages (`stream_delete`).
//! The log itself, read by offset with `x-stream-offset` and consumer
//! credit, is `stream_log.rs`; its segments and retention
//! (`x-max-length-bytes`, `x-max-age`, `x-stream-max-segment-size-bytes`,
//! at most 3 000 000 000: above, 406 `Exceeded max value for
//! x-stream-max-segment-size-bytes`) are `stream_segments.rs`.

use super::{Operation, QueueTypeRules};

pub struct Stream;

impl QueueTypeRules for Stream {
    fn module(&self) -> &'static str {
        "rabbit_stream_queue"
    }

    /// `rabbit_stream_queue:capabilities()` in 3.10.8.
    fn queue_arguments(&self) -> &'static [&'static str] {
        &[
            "x-max-length-bytes",
            "x-queue-type",
            "x-max-age",
            "x-stream-max-segment-size-bytes",
            "x-initial-cluster-size",
            "x-queue-leader-locator",
        ]
    }

    fn server_named_allowed(&self) -> bool {
        false
    }

    /// `rabbit_stream_queue:declare`: the same checks as a quorum queue.
    fn refused_property(
        &self,
        durable: bool,
        exclusive: bool,
        auto_delete: bool,
    ) -> Option<&'static str> {
        super::quorum::Quorum.refused_property(durable, exclusive, auto_delete)
    }

    fn stores_every_message(&self) -> bool {
        true
    }

    /// `rabbit_stream_queue` 3.10.8: `dequeue`, `consume`, `settle`, `purge`.
    fn unsupported(&self, op: Operation) -> Option<&'static str> {
        Some(match op {
            Operation::BasicGet => "basic.get",
            Operation::AutoAckConsume => "automatic acknowledgement",
            Operation::NackOrReject => "basic.nack and basic.reject",
            Operation::QueuePurge => "queue.purge",
        })
    }

    fn consume_needs_prefetch(&self) -> bool {
        true
    }

    fn crashes_on_bad_max_age(&self) -> bool {
        true
    }

    fn lists_consumers(&self) -> bool {
        false
    }

    fn deletes_unconditionally(&self) -> bool {
        true
    }
}
