//! Classic queues (`rabbit_classic_queue`): RabbitMQ's original queue, a
//! FIFO per priority level in one Erlang process. Any combination of
//! durable, exclusive and auto-delete; the server may name it; a returned
//! message goes back to its original place; no delivery counting.

use super::QueueTypeRules;

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
}
