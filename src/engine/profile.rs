//! Broker profiles: which RabbitMQ version's behaviour the broker reproduces.
//!
//! Warren's recordings come from RabbitMQ 3.10 (`rabbitmq-3`, the default).
//! RabbitMQ 4.3 changed a few things a learner runs into at once, so the
//! `rabbitmq-4.3` profile reproduces them:
//! - transient (non-durable) non-exclusive classic queues are refused
//!   (the deprecated feature `transient_nonexcl_queues` is denied by default),
//!   so the tutorials' `queue_declare(queue='hello')` fails;
//! - `basic.qos(global=True)` is treated as per-consumer (`global_qos` denied);
//! - a topic binding key may hold at most two `#` words;
//! - dead-lettered messages also carry `x-last-death-*` headers (added in 3.13);
//! - headers-exchange values compare exactly (Erlang `=:=`), so `1` no longer
//!   equals `1.0`;
//! - basic.cancel of a single active consumer makes the queue deliver to the
//!   consumer it activates at once;
//! - the delivery acknowledgement timeout no longer closes channels over
//!   classic-queue deliveries (4.3 enforces it for quorum queues only);
//! - a quorum queue without `x-delivery-limit` has a limit of 20, and a
//!   negative one means none;
//! - quorum queues time out unacknowledged deliveries themselves, per
//!   consumer (`x-consumer-timeout`), returning the messages and cancelling
//!   the consumer (`quorum_timeout.rs`);
//! - quorum queues have strict message priorities, 0 to 31 (absent: 4);
//! - a quorum queue counts only failed deliveries (a reject, a consumer
//!   gone) in `x-delivery-count`, not a nack.

use serde::{Deserialize, Serialize};

/// RabbitMQ 4.x's delivery limit for a quorum queue that sets none.
pub const QUORUM_DEFAULT_DELIVERY_LIMIT_4_3: u64 = 20;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    #[default]
    #[serde(rename = "rabbitmq-3")]
    RabbitMq3,
    #[serde(rename = "rabbitmq-4.3")]
    RabbitMq43,
}

impl Profile {
    pub fn parse(name: &str) -> Option<Profile> {
        match name {
            "rabbitmq-3" => Some(Profile::RabbitMq3),
            "rabbitmq-4.3" => Some(Profile::RabbitMq43),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::RabbitMq3 => "rabbitmq-3",
            Profile::RabbitMq43 => "rabbitmq-4.3",
        }
    }

    pub fn refuses_transient_queues(self) -> bool {
        self == Profile::RabbitMq43
    }

    pub fn global_qos_is_per_consumer(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// The most `#` words a topic binding key may hold, if limited.
    pub fn topic_hash_words_max(self) -> Option<usize> {
        match self {
            Profile::RabbitMq3 => None,
            Profile::RabbitMq43 => Some(2),
        }
    }

    pub fn adds_last_death_headers(self) -> bool {
        self == Profile::RabbitMq43
    }

    pub fn headers_compare_exactly(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// Whether a client's basic.cancel of a queue's single active consumer
    /// makes the queue deliver to the consumer it activates right away.
    /// RabbitMQ 3.10's classic queue only hands the role over (its
    /// `basic_cancel` clause replies without `run_message_queue`): the new
    /// active consumer gets nothing until something else runs the queue (a
    /// publish, a requeue, a channel closing). 4.x runs the queue
    /// when the active consumer changed (`requeue_and_run(AckTags,
    /// Holder =/= Holder1, ...)`).
    pub fn delivers_after_single_active_cancel(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// Whether a channel is closed when its oldest unacknowledged delivery
    /// outlives `consumer_timeout` (`ack_timeout.rs`). RabbitMQ 4.3 supports
    /// consumer timeouts for quorum queues only: "Classic queues and stream
    /// queues do not support consumer timeouts" (rabbitmq-server v4.3.0,
    /// `consumer_timeouts.md`, "Queue Type Support"), and there a timed-out
    /// quorum-queue consumer is cancelled rather than its channel closed
    /// (same file, "Changes from v4.2.x"). Warren's 4.3 profile has no
    /// channel-wide timeout; its quorum queues' is `quorum_timeout.rs`.
    pub fn channel_closes_on_consumer_timeout(self) -> bool {
        self == Profile::RabbitMq3
    }

    /// Whether a quorum queue times out its consumers' unacknowledged
    /// deliveries itself (`quorum_timeout.rs`): "Consumer timeout support
    /// for quorum queues is available as of RabbitMQ 4.3" (*Quorum Queues*
    /// guide, 4.3). It also reads `x-consumer-timeout`, which 3.10 ignores.
    pub fn quorum_consumer_timeout(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// Whether quorum queues order ready messages by priority: "Quorum
    /// queues implement strict priority support with 32 priority levels
    /// (0-31)" (*Quorum Queues* guide, 4.3, "Message Priorities"). RabbitMQ
    /// 3.10's quorum queues ignore the `priority` property.
    pub fn quorum_strict_priorities(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// Whether a quorum queue counts only failed deliveries in
    /// `x-delivery-count` (basic.reject, a consumer gone), not a nack, a
    /// recover or a consumer timeout, and delivers the header only once it
    /// counted one (`queue_type::quorum::return_in_4_3`). RabbitMQ 3.10
    /// counts every return, and basic.get always carries the header.
    pub fn counts_only_failed_deliveries(self) -> bool {
        self == Profile::RabbitMq43
    }

    /// A quorum queue's delivery limit for its `x-delivery-limit` argument.
    /// 3.10: the argument as it is (not validated; a value that is not a
    /// non-negative integer sets none). 4.3: 20 when the argument is absent
    /// or not an integer, none when it is negative (rabbitmq-server v4.3.0,
    /// `rabbit_quorum_queue`: `get_delivery_limit` and
    /// `?DEFAULT_DELIVERY_LIMIT`; a negative limit is "undefined", see
    /// `canonicalize_delivery_limit`; a 4.0 change, listed in
    /// `shared/notes/rabbitmq-semantics.md`, B10).
    pub fn quorum_delivery_limit(self, argument: Option<i64>) -> Option<u64> {
        match self {
            Profile::RabbitMq3 => argument.and_then(|n| u64::try_from(n).ok()),
            Profile::RabbitMq43 => match argument {
                None => Some(QUORUM_DEFAULT_DELIVERY_LIMIT_4_3),
                Some(n) => u64::try_from(n).ok(),
            },
        }
    }
}
