//! Streams (`rabbit_stream_queue`): an append-only log read by offset.
//!
//! Warren has the declare rules of a stream (durable, not exclusive, not
//! auto-delete, not server-named; its own arguments) and otherwise treats
//! it as a classic queue: the log, offsets and credit are not simulated
//! yet.

use super::{QueueTypeRules, RequeuePlacement, ReturnKind};
use crate::engine::queue_args::Overflow;

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

    fn requeue_placement(&self, _: ReturnKind, _: bool) -> RequeuePlacement {
        RequeuePlacement::OriginalPosition
    }

    fn stores_every_message(&self) -> bool {
        true
    }

    fn honours_exclusive_consume(&self) -> bool {
        true
    }

    fn refuses_global_qos(&self) -> bool {
        false
    }

    fn overflow(&self, declared: Overflow) -> Overflow {
        declared
    }

    fn soft_reject_publish(&self) -> bool {
        false
    }

    fn counts_deliveries(&self) -> bool {
        false
    }
}
