//! The event log: every state change of the broker, in order, explained.
//!
//! The log is the broker's account of itself. The UI animates it, the
//! tutorials check it, the conformance replayer reads deliveries and returns
//! from it, and a determinism test hashes it: the same seed and the same
//! commands must give a byte-identical log, natively and in WebAssembly.
//!
//! Events carry names as well as ids, so each one can be read on its own
//! ("m7 expired at the head of q1 …"), and enough detail to say *why*: which
//! bindings matched a publish and which did not, why a consumer was skipped,
//! what a channel close requeued.

use crate::engine::clock::Millis;
use crate::engine::error::{AmqpError, ErrorScope};
use crate::engine::exchange::{DestinationKind, MatchExplanation};
use crate::engine::ids::{ChannelId, ConnId, ConsumerId, QueueId};
use crate::engine::message::{MessageId, MessageRef};
use crate::engine::value::FieldTable;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// One entry of the log.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Position in the log, from 0.
    pub seq: u64,
    /// Virtual time at which it happened.
    pub time: Millis,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Who ended something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Initiator {
    Client,
    Broker,
}

/// An AMQP error as shown in the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: u16,
    pub text: String,
    pub scope: ErrorScope,
}

impl From<&AmqpError> for ErrorInfo {
    fn from(e: &AmqpError) -> ErrorInfo {
        ErrorInfo {
            code: e.code.code(),
            text: e.reply_text(),
            scope: e.scope(),
        }
    }
}

/// Why a consumer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// basic.cancel from the client.
    Client,
    /// Its queue was deleted: the broker sends basic.cancel to the client.
    QueueDeleted,
    /// Its channel or connection closed.
    ChannelClosed,
}

/// Why a queue went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueDeleteReason {
    /// queue.delete from a client.
    Client,
    /// auto-delete: its last consumer went away.
    AutoDelete,
    /// exclusive: the connection that declared it closed.
    OwnerClosed,
    /// x-expires: it was unused for the whole period.
    Expired,
    /// Not durable, so it did not survive a broker restart or crash.
    NotDurable,
    /// `rabbitmqctl delete_queue`: an operator deleted it.
    Operator,
    /// Its virtual host was deleted (`rabbitmqctl delete_vhost`).
    VhostDeleted,
}

/// Why an exchange went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeDeleteReason {
    Client,
    /// auto-delete: its last binding (as a source) was removed.
    AutoDelete,
    NotDurable,
    /// Its virtual host was deleted (`rabbitmqctl delete_vhost`).
    VhostDeleted,
}

/// Why a binding went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnbindReason {
    Client,
    /// Its source or destination was deleted.
    EndDeleted,
    NotDurable,
}

/// Why a consumer was passed over for a delivery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum SkipReason {
    /// It has `prefetch` unacknowledged deliveries (basic.qos, per consumer).
    PrefetchLimit { prefetch: u32 },
    /// Its channel has `limit` unacknowledged deliveries (basic.qos global).
    ChannelPrefetchLimit { limit: u32 },
    /// A 4.3 quorum queue took back `deliveries` of its deliveries when they
    /// timed out, and its client has not settled them yet.
    TimedOut { deliveries: u32 },
}

/// Why a message was requeued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequeueReason {
    Nack,
    Reject,
    Recover,
    ChannelClosed,
    /// Unacked when the broker restarted (it comes back redelivered).
    Restart,
    /// Unacked past its consumer's timeout (4.3 quorum queues).
    ConsumerTimeout,
}

/// Why a message left a queue without being delivered or acked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathReason {
    /// basic.reject / basic.nack with requeue=false.
    Rejected,
    /// Its TTL ran out at the head of the queue.
    Expired,
    /// The queue was over x-max-length / x-max-length-bytes.
    Maxlen,
    /// Quorum queues: returned more often than `x-delivery-limit`.
    DeliveryLimit,
}

impl DeathReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeathReason::Rejected => "rejected",
            DeathReason::Expired => "expired",
            DeathReason::Maxlen => "maxlen",
            DeathReason::DeliveryLimit => "delivery_limit",
        }
    }
}

/// What became of a dead message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum DeadFate {
    /// No dead-letter exchange is configured: the message is gone.
    Dropped,
    /// The configured dead-letter exchange does not exist: the message is gone.
    DlxMissing { dlx: String },
    /// `at-least-once` (a quorum queue): the dead-letter exchange is
    /// missing or routes it to no queue, so the queue keeps it and tries
    /// again later.
    Held { dlx: String },
    /// Republished to the dead-letter exchange.
    DeadLettered {
        dlx: String,
        routing_keys: Vec<String>,
        queues: Vec<String>,
        cycle_dropped: Vec<String>,
    },
}

/// Where the TTL that expired a message came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum TtlSource {
    /// The queue's `x-message-ttl`.
    Queue { ttl_ms: u64 },
    /// The message's own `expiration` property.
    Message { expiration_ms: u64 },
}

/// One binding that a publish matched, and where it led.
#[derive(Clone, Debug, Serialize)]
pub struct MatchedBinding {
    pub exchange: Rc<str>,
    pub key: Rc<str>,
    pub destination: Rc<str>,
    pub destination_kind: DestinationKind,
}

/// One binding that a publish did not match, and why.
#[derive(Clone, Debug, Serialize)]
pub struct MissedBinding {
    pub exchange: Rc<str>,
    pub key: Rc<str>,
    pub destination: String,
    pub explanation: MatchExplanation,
}

/// The route of one publish through the exchanges.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RouteTrace {
    pub matched: Vec<MatchedBinding>,
    /// Non-matching bindings, explained, up to `limits::EXPLAINED_MISSES_MAX`.
    pub missed: Vec<MissedBinding>,
    /// How many non-matching bindings there were in all.
    pub missed_total: usize,
    /// Alternate exchanges the message went through.
    pub alternates: Vec<Rc<str>>,
    /// Queues reached, sorted by name, each once.
    pub queues: Vec<Rc<str>>,
}

/// Everything that can happen in a broker.
#[derive(Clone, Debug, Serialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    BrokerStarted {
        profile: &'static str,
        recovered: bool,
    },
    BrokerStopped {
        graceful: bool,
    },
    ConnectionOpened {
        conn: ConnId,
        user: Rc<str>,
        /// The client's name for itself (the program: `worker.py`, …).
        label: Rc<str>,
    },
    ConnectionClosed {
        conn: ConnId,
        by: Initiator,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<ErrorInfo>,
    },
    ChannelOpened {
        conn: ConnId,
        channel: ChannelId,
        number: u16,
    },
    ChannelClosed {
        conn: ConnId,
        channel: ChannelId,
        number: u16,
        by: Initiator,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<ErrorInfo>,
        /// How many unacknowledged deliveries went back to their queues.
        requeued: u32,
    },
    /// A channel's oldest unacknowledged delivery outlived `consumer_timeout`
    /// at one of the channel's ticks; the broker closes the channel next
    /// (`ack_timeout.rs`).
    AckTimedOut {
        conn: ConnId,
        channel: ChannelId,
        number: u16,
        delivery_tag: u64,
        queue_name: Rc<str>,
        /// When the delivery was made (virtual ms).
        delivered_at: Millis,
        timeout_ms: u64,
    },
    /// A 4.3 quorum queue took back `deliveries` deliveries of a consumer
    /// (`None` with no tag: basic.get deliveries) that timed out
    /// (`quorum_timeout.rs`): with `cancel_sent` the client was sent
    /// basic.cancel and the consumer receives nothing until it settles
    /// them; otherwise the broker closes the channel next.
    ConsumerTimedOut {
        consumer: Option<ConsumerId>,
        tag: Option<Rc<str>>,
        channel: ChannelId,
        queue_name: Rc<str>,
        deliveries: u32,
        cancel_sent: bool,
    },
    /// A method failed; the broker closes the channel or connection next.
    MethodFailed {
        conn: ConnId,
        channel: ChannelId,
        method: &'static str,
        error: ErrorInfo,
    },
    ExchangeDeclared {
        name: Rc<str>,
        exchange_type: &'static str,
        durable: bool,
        auto_delete: bool,
        internal: bool,
        arguments: FieldTable,
    },
    ExchangeDeleted {
        name: Rc<str>,
        reason: ExchangeDeleteReason,
    },
    QueueDeclared {
        queue: QueueId,
        name: Rc<str>,
        durable: bool,
        exclusive: bool,
        auto_delete: bool,
        arguments: FieldTable,
        server_named: bool,
    },
    /// queue.declare of a queue that exists with the same properties:
    /// nothing changes (declaring is idempotent).
    QueueRedeclared {
        queue: QueueId,
        name: Rc<str>,
    },
    QueueDeleted {
        queue: QueueId,
        name: Rc<str>,
        reason: QueueDeleteReason,
        messages_lost: u64,
    },
    QueuePurged {
        queue: QueueId,
        name: Rc<str>,
        count: u64,
    },
    BindingAdded {
        source: Rc<str>,
        destination: Rc<str>,
        destination_kind: DestinationKind,
        key: Rc<str>,
        arguments: FieldTable,
    },
    BindingRemoved {
        source: Rc<str>,
        destination: Rc<str>,
        destination_kind: DestinationKind,
        key: Rc<str>,
        arguments: FieldTable,
        reason: UnbindReason,
    },
    QosSet {
        channel: ChannelId,
        prefetch_count: u32,
        global: bool,
    },
    ConsumerAdded {
        consumer: ConsumerId,
        tag: Rc<str>,
        channel: ChannelId,
        queue: QueueId,
        queue_name: Rc<str>,
        no_ack: bool,
        exclusive: bool,
        prefetch: u32,
        priority: i64,
        active: bool,
    },
    ConsumerCancelled {
        consumer: ConsumerId,
        tag: Rc<str>,
        channel: ChannelId,
        queue_name: Rc<str>,
        reason: CancelReason,
    },
    /// Single active consumer: this consumer now receives the queue's messages.
    ConsumerActivated {
        consumer: ConsumerId,
        tag: Rc<str>,
        queue_name: Rc<str>,
    },
    Published {
        message: MessageRef,
        channel: ChannelId,
        mandatory: bool,
        confirm_seq: Option<u64>,
        in_tx: bool,
    },
    Routed {
        message: MessageId,
        exchange: Rc<str>,
        routing_key: Rc<str>,
        trace: RouteTrace,
    },
    /// No queue took the message: it is dropped, or returned when mandatory.
    Unroutable {
        message: MessageId,
        exchange: Rc<str>,
        routing_key: Rc<str>,
        returned: bool,
    },
    /// basic.return to the publisher.
    Returned {
        message: MessageRef,
        channel: ChannelId,
        reply_code: u16,
        reply_text: &'static str,
    },
    Enqueued {
        message: MessageId,
        queue: QueueId,
        queue_name: Rc<str>,
        /// Messages waiting in the queue afterwards.
        ready: u64,
        persistent: bool,
        /// Published into an empty queue with a consumer free: it goes
        /// straight to that consumer at the next step, before TTL and length
        /// limits could touch it (RabbitMQ delivers such a message at once).
        handoff: bool,
    },
    /// Hand-off messages whose consumer went away before the next step
    /// join the queue after all; limits and TTL now apply to them.
    HandoffJoined {
        queue: QueueId,
        queue_name: Rc<str>,
        count: u64,
    },
    /// x-overflow reject-publish(-dlx): the queue is full and refuses the message.
    PublishRefused {
        message: MessageId,
        queue_name: Rc<str>,
        max_length: Option<u64>,
        max_length_bytes: Option<u64>,
    },
    /// Publisher confirm (basic.ack or basic.nack to the publisher).
    Confirmed {
        channel: ChannelId,
        seq: u64,
        multiple: bool,
        ack: bool,
    },
    Delivered {
        message: MessageRef,
        queue: QueueId,
        queue_name: Rc<str>,
        channel: ChannelId,
        /// `None` for basic.get.
        consumer: Option<ConsumerId>,
        consumer_tag: Option<Rc<str>>,
        delivery_tag: u64,
        redelivered: bool,
        /// Needs an ack (false for no-ack consumers and basic.get no_ack).
        ack_required: bool,
        /// Consumers passed over for this delivery, and why.
        skipped: Vec<(Rc<str>, SkipReason)>,
        /// basic.get: messages left in the queue.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_count: Option<u64>,
    },
    GetEmpty {
        channel: ChannelId,
        queue_name: Rc<str>,
    },
    Acked {
        channel: ChannelId,
        delivery_tag: u64,
        message: MessageId,
        queue_name: Rc<str>,
    },
    /// A delivery rejected or nacked (requeue or not).
    Rejected {
        channel: ChannelId,
        delivery_tag: u64,
        message: MessageId,
        queue_name: Rc<str>,
        requeue: bool,
        nack: bool,
    },
    Requeued {
        message: MessageId,
        queue: QueueId,
        queue_name: Rc<str>,
        reason: RequeueReason,
        /// The delivery it was, if it was out on a channel.
        channel: Option<ChannelId>,
        delivery_tag: Option<u64>,
    },
    /// The message's TTL ran out at the head of its queue.
    Expired {
        message: MessageId,
        queue_name: Rc<str>,
        ttl: TtlSource,
    },
    /// The head was pushed out by x-max-length / x-max-length-bytes.
    Overflowed {
        message: MessageId,
        queue_name: Rc<str>,
        max_length: Option<u64>,
        max_length_bytes: Option<u64>,
    },
    /// A message died (rejected, expired, overflowed) and this is its fate.
    MessageDead {
        message: MessageId,
        queue_name: Rc<str>,
        reason: DeathReason,
        fate: DeadFate,
    },
    /// A confirm for a persistent message waits for batch `batch` to commit.
    ConfirmPending {
        channel: ChannelId,
        seq: u64,
        batch: u64,
    },
    /// A batch of durable changes is sealed for writing.
    BatchSealed {
        batch: u64,
        ops: u64,
    },
    /// The store wrote the batch: its changes survive a crash now.
    BatchCommitted {
        batch: u64,
    },
    /// The store could not write the batch: none of it is durable.
    BatchFailed {
        batch: u64,
        reason: String,
    },
    TxCommitted {
        channel: ChannelId,
        publishes: u32,
        acks: u32,
    },
    TxRolledBack {
        channel: ChannelId,
        publishes: u32,
        acks: u32,
    },
    ConfirmSelected {
        channel: ChannelId,
    },
    TxSelected {
        channel: ChannelId,
    },
    /// An operator deleted the virtual host (`rabbitmqctl delete_vhost`):
    /// its queues, exchanges and permissions go and its connections are
    /// closed (the events that follow).
    VhostDeleted {
        vhost: Rc<str>,
    },
    /// An operator added the virtual host back (`rabbitmqctl add_vhost`),
    /// with its predeclared exchanges and no permissions.
    VhostAdded {
        vhost: Rc<str>,
    },
    /// An operator gave a user a permission on the vhost
    /// (`rabbitmqctl set_permissions`).
    PermissionsSet {
        vhost: Rc<str>,
        user: Rc<str>,
        configure: String,
        write: String,
        read: String,
    },
}

impl EventKind {
    /// Every name [`EventKind::name`] gives, in declaration order.
    pub const NAMES: &'static [&'static str] = <EventKind as strum::VariantNames>::VARIANTS;

    /// A short, stable name for filtering ("delivered", "acked", ...): the
    /// same as the `kind` of the event's JSON.
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// Consumers that a delivery event involves, for the UI's filters.
pub fn delivered_to(kind: &EventKind) -> Option<(Option<ConsumerId>, ChannelId, QueueId)> {
    match kind {
        EventKind::Delivered {
            consumer,
            channel,
            queue,
            ..
        } => Some((*consumer, *channel, *queue)),
        _ => None,
    }
}

/// Connections an event involves.
pub fn connection_of(kind: &EventKind) -> Option<ConnId> {
    match kind {
        EventKind::ConnectionOpened { conn, .. }
        | EventKind::ConnectionClosed { conn, .. }
        | EventKind::ChannelOpened { conn, .. }
        | EventKind::ChannelClosed { conn, .. }
        | EventKind::MethodFailed { conn, .. }
        | EventKind::AckTimedOut { conn, .. } => Some(*conn),
        _ => None,
    }
}
