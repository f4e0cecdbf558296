//! Queue types: classic, quorum and stream queues, each one module behind
//! one interface, as RabbitMQ's `rabbit_queue_type` behaviour does.
//!
//! A queue's type (`x-queue-type`, fixed when it is declared) decides
//! - which declare arguments it takes, which it refuses, and which are
//!   compared when it is declared again ([`QueueTypeRules::queue_arguments`]);
//! - which queue properties it refuses (a quorum queue is always durable,
//!   never exclusive nor auto-delete) and whether the server may name it;
//! - what a delivery carries and where a returned message goes: a quorum
//!   queue counts deliveries (`x-delivery-count`, `x-delivery-limit`) and
//!   serves returned messages before the others.
//!
//! Declaring checks arguments in RabbitMQ 3.10's order
//! (`rabbit_amqqueue:check_declare_arguments`): `x-queue-type` first; then
//! the values of the arguments the type takes, in `queue_args::DECLARE_ARGS`
//! order (`invalid arg 'x-max-length' for queue 'q' in vhost '/':
//! {value_negative,-1}`); then any argument another type takes and this one
//! does not (`invalid arg 'x-max-priority' for queue 'q' in vhost '/' of
//! queue type rabbit_quorum_queue`). Arguments no type knows are stored and
//! ignored. Recorded: `args_queue_validation`, `qq_declare_arguments`.

pub mod classic;
pub mod quorum;
pub mod stream;

use serde::Serialize;

/// `x-queue-type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueType {
    #[default]
    Classic,
    Quorum,
    Stream,
}

/// Where a message a consumer gave back (nack or reject with requeue, a
/// closed channel, basic.recover) goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequeuePlacement {
    /// Back to where it was, by publish order (a classic queue).
    OriginalPosition,
    /// Ahead of every message never delivered, after those returned before
    /// it (a quorum queue's `returns` queue, served first).
    ReturnsFirst,
    /// Behind every message in the queue, as if published again.
    Back,
}

/// How a message came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnKind {
    /// The client asked: basic.nack or basic.reject with requeue, basic.recover.
    Explicit,
    /// Its channel or connection closed, or the broker restarted.
    ConsumerGone,
}

/// An operation some queue types do not support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    BasicGet,
    /// basic.consume with `no_ack`.
    AutoAckConsume,
    /// basic.nack or basic.reject.
    NackOrReject,
    QueuePurge,
}

/// What one queue type decides. Every method is a fixed fact of the type:
/// no state, no side effects. The provided answers are a classic queue's;
/// a type overrides only where it differs, so each module reads as the
/// list of its differences.
pub trait QueueTypeRules {
    /// RabbitMQ's module for the type, as error texts name it
    /// (`rabbit_quorum_queue`).
    fn module(&self) -> &'static str;

    /// The declare arguments the type takes (its `queue_arguments`
    /// capability), which are also the ones a redeclare must repeat, in the
    /// order RabbitMQ compares them.
    fn queue_arguments(&self) -> &'static [&'static str];

    /// Whether queue.declare with an empty name may create one.
    fn server_named_allowed(&self) -> bool {
        true
    }

    /// The first queue property the type refuses, as RabbitMQ names it
    /// (`auto-delete`, `exclusive-owner`, `non-durable`), or `None`.
    fn refused_property(
        &self,
        _durable: bool,
        _exclusive: bool,
        _auto_delete: bool,
    ) -> Option<&'static str> {
        None
    }

    /// Where a returned message goes; `delivery_limit`: whether the queue
    /// has `x-delivery-limit`.
    fn requeue_placement(&self, _kind: ReturnKind, _delivery_limit: bool) -> RequeuePlacement {
        RequeuePlacement::OriginalPosition
    }

    /// Whether every message is stored, persistent or not (`delivery_mode`
    /// 1 survives a restart).
    fn stores_every_message(&self) -> bool {
        false
    }

    /// Whether basic.consume honours `exclusive` (a quorum queue ignores it).
    fn honours_exclusive_consume(&self) -> bool {
        true
    }

    /// Whether basic.consume refuses a channel with a global prefetch
    /// (540 `queue 'q' in vhost '/' does not support global qos`).
    fn refuses_global_qos(&self) -> bool {
        false
    }

    /// The overflow behaviour `x-overflow` gives this type.
    fn overflow(
        &self,
        declared: crate::engine::queue_args::Overflow,
    ) -> crate::engine::queue_args::Overflow {
        declared
    }

    /// `Some(what)` if the type does not support `op`: RabbitMQ answers
    /// 540 `NOT_IMPLEMENTED - {what} not supported by stream queues queue
    /// 'q' in vhost '/'`, a connection error.
    fn unsupported(&self, _op: Operation) -> Option<&'static str> {
        None
    }

    /// Whether basic.consume needs a per-consumer prefetch (basic.qos
    /// global=false): 406 `consumer prefetch count is not set for 'queue
    /// 'q' in vhost '/''` otherwise.
    fn consume_needs_prefetch(&self) -> bool {
        false
    }

    /// Whether a bad `x-max-age` crashes the declaring channel (541, the
    /// connection closes) instead of a 406.
    fn crashes_on_bad_max_age(&self) -> bool {
        false
    }

    /// Whether `reject-publish` is a soft limit: the publish that goes over
    /// the limit is accepted, and publishes are refused from then on until
    /// the queue is down to 80% of it (`rabbit_fifo:evaluate_limit`).
    fn soft_reject_publish(&self) -> bool {
        false
    }

    /// Whether queue.delete ignores `if-unused` and `if-empty` and its
    /// delete-ok counts 0 messages (`rabbit_stream_queue:delete/4` in
    /// 3.10.8; recorded: `stream_delete`).
    fn deletes_unconditionally(&self) -> bool {
        false
    }

    /// Whether `rabbitmqctl list_consumers` lists the queue's consumers (a
    /// stream's are counted in `list_queues consumers` but not listed in
    /// 3.10.8; recorded: `stream_offsets`).
    fn lists_consumers(&self) -> bool {
        true
    }

    /// Whether deliveries carry `x-delivery-count` (how often the message
    /// came back before) and `x-delivery-limit` applies.
    fn counts_deliveries(&self) -> bool {
        false
    }

    /// Whether a consumer stays with the queue until its deliveries are
    /// settled, and a basic.get delivery is a consumer until settled, so
    /// that unsettled deliveries keep the queue from expiring and settling
    /// the last one starts its `x-expires` timer.
    fn consumers_stay_until_settled(&self) -> bool {
        false
    }

    /// Whether declaring an existing queue again (also passively) restarts
    /// its `x-expires` timer, as a classic queue's `stat` does.
    fn redeclare_restarts_expiry(&self) -> bool {
        true
    }
}

/// RabbitMQ's refusal of `op` on queue `resource` of a type that does not
/// support it: 540, a connection error.
pub fn unsupported_error(what: &str, resource: &str) -> crate::engine::AmqpError {
    crate::engine::AmqpError::new(
        crate::engine::ReplyCode::NotImplemented,
        format!("{what} not supported by stream queues {resource}"),
    )
}

impl QueueType {
    /// The type `x-queue-type` names (absent: classic).
    pub fn from_argument(value: Option<&str>) -> QueueType {
        match value {
            Some("quorum") => QueueType::Quorum,
            Some("stream") => QueueType::Stream,
            _ => QueueType::Classic,
        }
    }

    /// The type's rules.
    pub fn rules(self) -> &'static dyn QueueTypeRules {
        match self {
            QueueType::Classic => &classic::Classic,
            QueueType::Quorum => &quorum::Quorum,
            QueueType::Stream => &stream::Stream,
        }
    }

    pub fn module(self) -> &'static str {
        self.rules().module()
    }

    /// Whether the type takes declare argument `key`.
    pub fn takes_argument(self, key: &str) -> bool {
        self.rules().queue_arguments().contains(&key)
    }

    /// Whether some other type takes `key` and this one does not: such an
    /// argument is refused (`... of queue type rabbit_quorum_queue`).
    pub fn refuses_argument(self, key: &str) -> bool {
        self.refused_argument(key).is_some()
    }

    /// `key` (as the type's rules spell it) if this type refuses it.
    pub fn refused_argument(self, key: &str) -> Option<&'static str> {
        if self.takes_argument(key) {
            return None;
        }
        [QueueType::Classic, QueueType::Quorum, QueueType::Stream]
            .iter()
            .flat_map(|t| t.rules().queue_arguments())
            .find(|k| **k == key)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_refuses_what_only_others_take() {
        assert!(QueueType::Quorum.refuses_argument("x-max-priority"));
        assert!(QueueType::Quorum.refuses_argument("x-queue-version"));
        assert!(!QueueType::Quorum.refuses_argument("x-overflow"));
        assert!(!QueueType::Quorum.refuses_argument("x-foo"));
        assert!(QueueType::Classic.refuses_argument("x-delivery-limit"));
        assert!(QueueType::Stream.refuses_argument("x-message-ttl"));
        assert!(!QueueType::Stream.refuses_argument("x-max-age"));
    }

    #[test]
    fn quorum_queues_are_durable_and_shared() {
        let q = QueueType::Quorum.rules();
        assert_eq!(q.refused_property(true, false, false), None);
        assert_eq!(q.refused_property(false, true, true), Some("auto-delete"));
        assert_eq!(
            q.refused_property(false, true, false),
            Some("exclusive-owner")
        );
        assert_eq!(q.refused_property(false, false, false), Some("non-durable"));
        assert_eq!(
            QueueType::Classic
                .rules()
                .refused_property(false, true, true),
            None
        );
    }
}
