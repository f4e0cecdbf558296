//! Classic queues (`rabbit_classic_queue`): RabbitMQ's original queue, a
//! FIFO per priority level in one Erlang process. Any combination of
//! durable, exclusive and auto-delete; the server may name it; a returned
//! message goes back to its original place; no delivery counting.

use super::{Operation, QueueTypeRules, RequeuePlacement, ReturnKind};
use crate::engine::queue_args::Overflow;

pub struct Classic;

impl QueueTypeRules for Classic {
    fn module(&self) -> &'static str {
        "rabbit_classic_queue"
    }

    /// `rabbit_classic_queue:capabilities()` in 3.10.8.
    fn queue_arguments(&self) -> &'static [&'static str] {
        &[
            "x-expires",
            "x-message-ttl",
            "x-dead-letter-exchange",
            "x-dead-letter-routing-key",
            "x-max-length",
            "x-max-length-bytes",
            "x-max-priority",
            "x-overflow",
            "x-queue-mode",
            "x-queue-version",
            "x-single-active-consumer",
            "x-queue-type",
            "x-queue-master-locator",
        ]
    }

    fn server_named_allowed(&self) -> bool {
        true
    }

    fn refused_property(&self, _: bool, _: bool, _: bool) -> Option<&'static str> {
        None
    }

    fn requeue_placement(&self, _: ReturnKind, _: bool) -> RequeuePlacement {
        RequeuePlacement::OriginalPosition
    }

    fn stores_every_message(&self) -> bool {
        false
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

    fn unsupported(&self, _: Operation) -> Option<&'static str> {
        None
    }

    fn consume_needs_prefetch(&self) -> bool {
        false
    }

    fn crashes_on_bad_max_age(&self) -> bool {
        false
    }

    fn soft_reject_publish(&self) -> bool {
        false
    }

    fn counts_deliveries(&self) -> bool {
        false
    }
}
