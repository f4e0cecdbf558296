//! Quorum queues (`rabbit_quorum_queue`): a replicated log (Raft) that
//! RabbitMQ recommends for anything that must not be lost.
//!
//! What differs from a classic queue, as RabbitMQ 3.10.8 does it
//! (recorded: `args_queue_type`, `qq_declare_arguments`,
//! `qq_delivery_limit_and_requeue`):
//! - always durable, never exclusive nor auto-delete (checked in that
//!   order: `invalid property 'auto-delete' for queue 'q' in vhost '/'`),
//!   and never server-named (`Cannot declare a server-named queue for type
//!   rabbit_quorum_queue`);
//! - no `x-max-priority`, `x-queue-mode`, `x-queue-version`; it takes
//!   `x-delivery-limit` (not validated: any value is accepted),
//!   `x-dead-letter-strategy`, `x-max-in-memory-*` and
//!   `x-quorum-initial-group-size`, and a redeclare must repeat
//!   `x-delivery-limit`;
//! - a delivery carries `x-delivery-count`, how often the message came back
//!   before: a consumer's once it came back at least once, basic.get's
//!   always (0 the first time; `rabbit_fifo_client:dequeue` and
//!   `transform_msgs`). A message that comes back more than
//!   `x-delivery-limit` times is dead-lettered (reason `delivery_limit`)
//!   instead;
//! - a returned message counts as a delivery (nack, reject, basic.recover,
//!   a closed channel, a restart). Where it goes depends on how it came
//!   back (recorded: `qq_requeue_order`): a nack or reject without a
//!   delivery limit sends it to the back of the queue; with a delivery
//!   limit, and whenever its consumer went away, it goes ahead of the
//!   messages never delivered;
//! - `exclusive` on basic.consume is ignored; a channel with a global
//!   prefetch cannot consume (540, a connection error);
//! - every message is stored, persistent or not;
//! - in the `rabbitmq-4.3` profile, a queue without `x-delivery-limit` has
//!   a limit of 20 and a negative one means none
//!   (`Profile::quorum_delivery_limit`); messages are served by priority,
//!   0 to 31 with 4 for none, returned ones first whatever their priority
//!   (`Queue::level_for`, `QUORUM_RETURNS_LEVEL`), expired messages are
//!   dropped at the head of every level (`ReadyQueue::pop_expired`); each
//!   consumer's unacknowledged deliveries time out (`x-consumer-timeout`,
//!   `quorum_timeout.rs`); only a failed delivery counts towards
//!   `x-delivery-count` and the limit, not a nack or a timeout, the header
//!   is absent until one (`return_in_4_3`), and `x-acquired-count` counts
//!   every return (`dispatch::with_return_counts`). `x-max-priority` is
//!   still refused, as
//!   `rabbit_quorum_queue:capabilities()` in v4.3.0 does (the 4.3 guide
//!   says it is ignored). The rest is 3.10's behaviour;
//! - `x-overflow` `reject-publish` is a soft limit: the publish that goes
//!   over is still accepted (and confirmed), later ones are refused until
//!   the queue is down to 80%; `reject-publish-dlx` means `drop-head`.

use super::{QueueTypeRules, RequeuePlacement, ReturnKind};
use crate::engine::event::RequeueReason;
use crate::engine::queue_args::Overflow;

/// RabbitMQ 4.3's quorum queue for a message that came back: whether it
/// counts as a failed delivery (`x-delivery-count`, the delivery limit)
/// and where it goes. The release notes of 4.3.0: "Quorum queues now allow
/// unlimited explicit message returns. The delivery limit is based on
/// `delivery-count` rather than `acquired-count`, so messages can be
/// explicitly returned to the queue without counting towards the delivery
/// limit." In v4.3.0's `rabbit_channel` and `rabbit_fifo`:
/// - basic.nack with requeue and basic.recover are a `return`: not
///   counted; among the returns if the queue has a delivery limit, else
///   requeued behind everything (the `#requeue{}` of `handle_aux`);
/// - basic.reject with requeue is a `modify` with `delivery_failed`:
///   counted, among the returns;
/// - a consumer gone (its channel closed, its connection lost, a restart)
///   is a failed delivery: counted (`return_all(..., Reason == down)`),
///   among the returns;
/// - a consumer timeout is not (`quorum_timeout.rs`): among the returns.
pub fn return_in_4_3(reason: RequeueReason, delivery_limit: bool) -> (bool, RequeuePlacement) {
    match reason {
        RequeueReason::Nack | RequeueReason::Recover if !delivery_limit => {
            (false, RequeuePlacement::Back)
        }
        RequeueReason::Nack | RequeueReason::Recover | RequeueReason::ConsumerTimeout => {
            (false, RequeuePlacement::ReturnsFirst)
        }
        RequeueReason::Reject | RequeueReason::ChannelClosed | RequeueReason::Restart => {
            (true, RequeuePlacement::ReturnsFirst)
        }
    }
}

pub struct Quorum;

impl QueueTypeRules for Quorum {
    fn module(&self) -> &'static str {
        "rabbit_quorum_queue"
    }

    /// `rabbit_quorum_queue:capabilities()` in 3.10.8.
    fn queue_arguments(&self) -> &'static [&'static str] {
        &[
            "x-dead-letter-exchange",
            "x-dead-letter-routing-key",
            "x-dead-letter-strategy",
            "x-expires",
            "x-max-length",
            "x-max-length-bytes",
            "x-max-in-memory-length",
            "x-max-in-memory-bytes",
            "x-overflow",
            "x-single-active-consumer",
            "x-queue-type",
            "x-quorum-initial-group-size",
            "x-delivery-limit",
            "x-message-ttl",
            "x-queue-leader-locator",
        ]
    }

    fn server_named_allowed(&self) -> bool {
        false
    }

    /// `rabbit_quorum_queue:declare`: auto-delete, exclusive, non-durable.
    fn refused_property(
        &self,
        durable: bool,
        exclusive: bool,
        auto_delete: bool,
    ) -> Option<&'static str> {
        if auto_delete {
            Some("auto-delete")
        } else if exclusive {
            Some("exclusive-owner")
        } else if !durable {
            Some("non-durable")
        } else {
            None
        }
    }

    /// `rabbit_fifo` 3.10.8: without a delivery limit, a nack or reject
    /// is turned into a `requeue` command that enqueues the message again
    /// at the back; with one, and for every message of a consumer that went
    /// away, `return_one` puts it in the `returns` queue, served first.
    fn requeue_placement(&self, kind: ReturnKind, delivery_limit: bool) -> RequeuePlacement {
        match kind {
            ReturnKind::Explicit if !delivery_limit => RequeuePlacement::Back,
            _ => RequeuePlacement::ReturnsFirst,
        }
    }

    fn stores_every_message(&self) -> bool {
        true
    }

    fn honours_exclusive_consume(&self) -> bool {
        false
    }

    fn refuses_global_qos(&self) -> bool {
        true
    }

    /// `reject-publish-dlx` is accepted but means `drop-head`
    /// (`rabbit_quorum_queue:overflow/3` logs a warning and uses the default).
    fn overflow(&self, declared: Overflow) -> Overflow {
        match declared {
            Overflow::RejectPublishDlx => Overflow::DropHead,
            other => other,
        }
    }

    fn soft_reject_publish(&self) -> bool {
        true
    }

    fn counts_deliveries(&self) -> bool {
        true
    }

    /// `rabbit_fifo` keeps `last_active` and only a dequeue (basic.get,
    /// empty or not) or a consumer going away moves it: a declare, passive
    /// or not, and a publish do not (recorded: `qq_expires`).
    fn redeclare_restarts_expiry(&self) -> bool {
        false
    }

    /// `rabbit_fifo:maybe_return_all/6`: basic.cancel keeps the consumer
    /// (`status = cancelled`) while it has messages checked out, and
    /// `update_or_remove_sub/4` removes it, setting `last_active`, when
    /// the last is settled; a basic.get with ack is a `lifetime = once`
    /// consumer removed the same way. `is_expired/2` wants no consumer.
    fn consumers_stay_until_settled(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_4_3_a_return_counts_only_when_the_delivery_failed() {
        use RequeuePlacement::{Back, ReturnsFirst};
        use RequeueReason::*;
        let table = [
            (Nack, false, (false, Back)),
            (Nack, true, (false, ReturnsFirst)),
            (Recover, false, (false, Back)),
            (ConsumerTimeout, false, (false, ReturnsFirst)),
            (Reject, false, (true, ReturnsFirst)),
            (ChannelClosed, false, (true, ReturnsFirst)),
            (Restart, true, (true, ReturnsFirst)),
        ];
        for (reason, limit, expected) in table {
            assert_eq!(return_in_4_3(reason, limit), expected, "{reason:?} {limit}");
        }
    }
}
