//! Methods: every method of AMQP 0-9-1 that RabbitMQ 3.10 knows, in both
//! directions.
//!
//! A method frame's payload is the class id (short), the method id
//! (short) and the method's arguments, laid out in the order the
//! specification lists them (consecutive `bit` arguments share octets).
//! The arguments carry no types or names: the ids say how to read them.
//!
//! # One enum, the engine's structs inside
//! [`WireMethod`] has one variant per method, client's and server's alike,
//! because on the wire a method is just bytes: basic.ack goes both ways
//! with the same layout, and a decoder does not know who sent what. Where
//! the engine already names a method's arguments ([`QueueDeclare`],
//! [`BasicConsume`], [`Close`], ...), the variant holds the engine's struct,
//! so the wire and the engine cannot drift apart and turning a decoded
//! client method into the engine's [`Method`](crate::engine::Method) is a
//! move (see `engine_bridge.rs`). Only the methods the engine never sees
//! have structs here: the handshake ([`ConnectionStart`],
//! [`ConnectionStartOk`], [`Tune`], ...) and the server's deliveries
//! ([`BasicDeliver`], [`BasicReturn`], [`BasicGetOk`]), and the `-ok`
//! replies are inline (`QueuePurgeOk { message_count }`), with the wire's
//! types (`u32` counts, `String` names: a frame is `Send`, so a server may
//! decode on one thread and hand frames to another).
//!
//! Two departures from the specification's field lists:
//! - reserved fields (`ticket`, channel.open's `out-of-band`,
//!   connection.open's `capabilities` and `insist`, open-ok's
//!   `known-hosts`, channel.open-ok's `channel-id`, get-empty's
//!   `cluster-id`) are read and dropped, and written as 0 or empty, as
//!   RabbitMQ writes them; unused bits of a bit octet are dropped too;
//! - basic.publish carries no content in its frame: its
//!   [`BasicPublish`]'s `properties` and `body` are empty after decoding
//!   and ignored when encoding; the content header and body frames that
//!   follow fill them ([`attach_content`](crate::wire::attach_content)).
//!
//! Methods RabbitMQ knows beyond the engine's list (access.request and
//! connection.update-secret with their replies) are here too: a method
//! RabbitMQ does not know resets the connection, so one it knows must
//! not.

use crate::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, Close, ConnectionOpen, ExchangeBind, ExchangeDeclare, ExchangeDelete, MethodId,
    QueueBind, QueueDeclare, QueueDelete, QueuePurge,
};
use crate::engine::value::FieldTable;

/// access.request: a relic of AMQP 0-8 that RabbitMQ still answers
/// (with access.request-ok, ticket 1).
pub const ACCESS_REQUEST: MethodId = MethodId::new(30, 10, "access.request");
/// access.request-ok.
pub const ACCESS_REQUEST_OK: MethodId = MethodId::new(30, 11, "access.request-ok");
/// connection.update-secret: a client renews its credentials (RabbitMQ
/// extension).
pub const CONNECTION_UPDATE_SECRET: MethodId = MethodId::new(10, 70, "connection.update-secret");
/// connection.update-secret-ok.
pub const CONNECTION_UPDATE_SECRET_OK: MethodId =
    MethodId::new(10, 71, "connection.update-secret-ok");

/// The methods the wire knows besides the engine's [`MethodId::ALL`].
const WIRE_ONLY: [MethodId; 4] = [
    ACCESS_REQUEST,
    ACCESS_REQUEST_OK,
    CONNECTION_UPDATE_SECRET,
    CONNECTION_UPDATE_SECRET_OK,
];

/// The method with these ids, if RabbitMQ 3.10 knows it.
pub fn method_id(class_id: u16, method_id: u16) -> Option<MethodId> {
    MethodId::from_wire(class_id, method_id).or_else(|| {
        WIRE_ONLY
            .iter()
            .copied()
            .find(|m| m.class_id == class_id && m.method_id == method_id)
    })
}

/// Whether content (a header and body frames) follows the method:
/// basic.publish, basic.return, basic.deliver and basic.get-ok.
pub fn has_content(id: MethodId) -> bool {
    matches!(
        id,
        MethodId::BASIC_PUBLISH
            | MethodId::BASIC_RETURN
            | MethodId::BASIC_DELIVER
            | MethodId::BASIC_GET_OK
    )
}

/// connection.start: the server's greeting.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionStart {
    /// RabbitMQ sends 0 and 9 (for 0-9-1 too).
    pub version_major: u8,
    pub version_minor: u8,
    /// `capabilities`, `product`, `version`, ... (re-encoded with sorted
    /// keys, see `field_table.rs`).
    pub server_properties: FieldTable,
    /// Space-separated SASL mechanisms, e.g. `PLAIN AMQPLAIN`.
    pub mechanisms: String,
    /// Space-separated locales, e.g. `en_US`.
    pub locales: String,
}

/// connection.start-ok: the client's answer, with its credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionStartOk {
    /// `product`, `capabilities` (e.g. `consumer_cancel_notify`), ...
    pub client_properties: FieldTable,
    pub mechanism: String,
    /// The SASL response: bytes (PLAIN is `\0user\0password`; AMQPLAIN a
    /// table body).
    pub response: Vec<u8>,
    pub locale: String,
}

/// connection.tune and connection.tune-ok.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tune {
    pub channel_max: u16,
    /// The largest frame, in bytes (see `frame.rs` for how RabbitMQ counts it).
    pub frame_max: u32,
    /// Seconds between heartbeats (0: none).
    pub heartbeat: u16,
}

/// connection.update-secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateSecret {
    pub new_secret: Vec<u8>,
    pub reason: String,
}

/// access.request (all of it is ignored by RabbitMQ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRequest {
    pub realm: String,
    pub exclusive: bool,
    pub passive: bool,
    pub active: bool,
    pub write: bool,
    pub read: bool,
}

/// basic.deliver: a message for a consumer (its content follows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicDeliver {
    pub consumer_tag: String,
    pub delivery_tag: u64,
    pub redelivered: bool,
    pub exchange: String,
    pub routing_key: String,
}

/// basic.return: an unroutable mandatory message comes back (its content
/// follows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicReturn {
    pub reply_code: u16,
    pub reply_text: String,
    pub exchange: String,
    pub routing_key: String,
}

/// basic.get-ok (its content follows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicGetOk {
    pub delivery_tag: u64,
    pub redelivered: bool,
    pub exchange: String,
    pub routing_key: String,
    /// Ready messages left in the queue.
    pub message_count: u32,
}

/// One AMQP 0-9-1 method, as it travels on the wire, either way.
// basic.publish is large (the engine's `BasicPublish` holds the properties
// its content brings), as in the engine's `Method`; boxing it would cost
// an allocation per publish to save a copy of a few hundred bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum WireMethod {
    ConnectionStart(ConnectionStart),
    ConnectionStartOk(ConnectionStartOk),
    ConnectionSecure {
        challenge: Vec<u8>,
    },
    ConnectionSecureOk {
        response: Vec<u8>,
    },
    ConnectionTune(Tune),
    ConnectionTuneOk(Tune),
    ConnectionOpen(ConnectionOpen),
    ConnectionOpenOk,
    ConnectionClose(Close),
    ConnectionCloseOk,
    ConnectionBlocked {
        reason: String,
    },
    ConnectionUnblocked,
    ConnectionUpdateSecret(UpdateSecret),
    ConnectionUpdateSecretOk,
    ChannelOpen,
    ChannelOpenOk,
    ChannelFlow {
        active: bool,
    },
    ChannelFlowOk {
        active: bool,
    },
    ChannelClose(Close),
    ChannelCloseOk,
    AccessRequest(AccessRequest),
    AccessRequestOk {
        ticket: u16,
    },
    ExchangeDeclare(ExchangeDeclare),
    ExchangeDeclareOk,
    ExchangeDelete(ExchangeDelete),
    ExchangeDeleteOk,
    ExchangeBind(ExchangeBind),
    ExchangeBindOk,
    ExchangeUnbind(ExchangeBind),
    ExchangeUnbindOk,
    QueueDeclare(QueueDeclare),
    /// Not the engine's `QueueDeclareOk`: that one holds the name as an
    /// `Rc<str>`, which would make every frame `!Send`.
    QueueDeclareOk {
        queue: String,
        message_count: u32,
        consumer_count: u32,
    },
    QueueBind(QueueBind),
    QueueBindOk,
    QueuePurge(QueuePurge),
    QueuePurgeOk {
        message_count: u32,
    },
    QueueDelete(QueueDelete),
    QueueDeleteOk {
        message_count: u32,
    },
    /// queue.unbind has no `no_wait` on the wire: it decodes as false and
    /// is not encoded.
    QueueUnbind(QueueBind),
    QueueUnbindOk,
    BasicQos(BasicQos),
    BasicQosOk,
    BasicConsume(BasicConsume),
    BasicConsumeOk {
        consumer_tag: String,
    },
    BasicCancel(BasicCancel),
    BasicCancelOk {
        consumer_tag: String,
    },
    /// Without its content (see the module doc).
    BasicPublish(BasicPublish),
    BasicReturn(BasicReturn),
    BasicDeliver(BasicDeliver),
    BasicGet(BasicGet),
    BasicGetOk(BasicGetOk),
    BasicGetEmpty,
    BasicAck(BasicAck),
    BasicReject(BasicReject),
    BasicRecoverAsync(BasicRecover),
    BasicRecover(BasicRecover),
    BasicRecoverOk,
    BasicNack(BasicNack),
    ConfirmSelect {
        no_wait: bool,
    },
    ConfirmSelectOk,
    TxSelect,
    TxSelectOk,
    TxCommit,
    TxCommitOk,
    TxRollback,
    TxRollbackOk,
}

impl WireMethod {
    /// The method's class and method id, and its name.
    pub fn id(&self) -> MethodId {
        match self {
            WireMethod::ConnectionStart(_) => MethodId::CONNECTION_START,
            WireMethod::ConnectionStartOk(_) => MethodId::CONNECTION_START_OK,
            WireMethod::ConnectionSecure { .. } => MethodId::CONNECTION_SECURE,
            WireMethod::ConnectionSecureOk { .. } => MethodId::CONNECTION_SECURE_OK,
            WireMethod::ConnectionTune(_) => MethodId::CONNECTION_TUNE,
            WireMethod::ConnectionTuneOk(_) => MethodId::CONNECTION_TUNE_OK,
            WireMethod::ConnectionOpen(_) => MethodId::CONNECTION_OPEN,
            WireMethod::ConnectionOpenOk => MethodId::CONNECTION_OPEN_OK,
            WireMethod::ConnectionClose(_) => MethodId::CONNECTION_CLOSE,
            WireMethod::ConnectionCloseOk => MethodId::CONNECTION_CLOSE_OK,
            WireMethod::ConnectionBlocked { .. } => MethodId::CONNECTION_BLOCKED,
            WireMethod::ConnectionUnblocked => MethodId::CONNECTION_UNBLOCKED,
            WireMethod::ConnectionUpdateSecret(_) => CONNECTION_UPDATE_SECRET,
            WireMethod::ConnectionUpdateSecretOk => CONNECTION_UPDATE_SECRET_OK,
            WireMethod::ChannelOpen => MethodId::CHANNEL_OPEN,
            WireMethod::ChannelOpenOk => MethodId::CHANNEL_OPEN_OK,
            WireMethod::ChannelFlow { .. } => MethodId::CHANNEL_FLOW,
            WireMethod::ChannelFlowOk { .. } => MethodId::CHANNEL_FLOW_OK,
            WireMethod::ChannelClose(_) => MethodId::CHANNEL_CLOSE,
            WireMethod::ChannelCloseOk => MethodId::CHANNEL_CLOSE_OK,
            WireMethod::AccessRequest(_) => ACCESS_REQUEST,
            WireMethod::AccessRequestOk { .. } => ACCESS_REQUEST_OK,
            WireMethod::ExchangeDeclare(_) => MethodId::EXCHANGE_DECLARE,
            WireMethod::ExchangeDeclareOk => MethodId::EXCHANGE_DECLARE_OK,
            WireMethod::ExchangeDelete(_) => MethodId::EXCHANGE_DELETE,
            WireMethod::ExchangeDeleteOk => MethodId::EXCHANGE_DELETE_OK,
            WireMethod::ExchangeBind(_) => MethodId::EXCHANGE_BIND,
            WireMethod::ExchangeBindOk => MethodId::EXCHANGE_BIND_OK,
            WireMethod::ExchangeUnbind(_) => MethodId::EXCHANGE_UNBIND,
            WireMethod::ExchangeUnbindOk => MethodId::EXCHANGE_UNBIND_OK,
            WireMethod::QueueDeclare(_) => MethodId::QUEUE_DECLARE,
            WireMethod::QueueDeclareOk { .. } => MethodId::QUEUE_DECLARE_OK,
            WireMethod::QueueBind(_) => MethodId::QUEUE_BIND,
            WireMethod::QueueBindOk => MethodId::QUEUE_BIND_OK,
            WireMethod::QueuePurge(_) => MethodId::QUEUE_PURGE,
            WireMethod::QueuePurgeOk { .. } => MethodId::QUEUE_PURGE_OK,
            WireMethod::QueueDelete(_) => MethodId::QUEUE_DELETE,
            WireMethod::QueueDeleteOk { .. } => MethodId::QUEUE_DELETE_OK,
            WireMethod::QueueUnbind(_) => MethodId::QUEUE_UNBIND,
            WireMethod::QueueUnbindOk => MethodId::QUEUE_UNBIND_OK,
            WireMethod::BasicQos(_) => MethodId::BASIC_QOS,
            WireMethod::BasicQosOk => MethodId::BASIC_QOS_OK,
            WireMethod::BasicConsume(_) => MethodId::BASIC_CONSUME,
            WireMethod::BasicConsumeOk { .. } => MethodId::BASIC_CONSUME_OK,
            WireMethod::BasicCancel(_) => MethodId::BASIC_CANCEL,
            WireMethod::BasicCancelOk { .. } => MethodId::BASIC_CANCEL_OK,
            WireMethod::BasicPublish(_) => MethodId::BASIC_PUBLISH,
            WireMethod::BasicReturn(_) => MethodId::BASIC_RETURN,
            WireMethod::BasicDeliver(_) => MethodId::BASIC_DELIVER,
            WireMethod::BasicGet(_) => MethodId::BASIC_GET,
            WireMethod::BasicGetOk(_) => MethodId::BASIC_GET_OK,
            WireMethod::BasicGetEmpty => MethodId::BASIC_GET_EMPTY,
            WireMethod::BasicAck(_) => MethodId::BASIC_ACK,
            WireMethod::BasicReject(_) => MethodId::BASIC_REJECT,
            WireMethod::BasicRecoverAsync(_) => MethodId::BASIC_RECOVER_ASYNC,
            WireMethod::BasicRecover(_) => MethodId::BASIC_RECOVER,
            WireMethod::BasicRecoverOk => MethodId::BASIC_RECOVER_OK,
            WireMethod::BasicNack(_) => MethodId::BASIC_NACK,
            WireMethod::ConfirmSelect { .. } => MethodId::CONFIRM_SELECT,
            WireMethod::ConfirmSelectOk => MethodId::CONFIRM_SELECT_OK,
            WireMethod::TxSelect => MethodId::TX_SELECT,
            WireMethod::TxSelectOk => MethodId::TX_SELECT_OK,
            WireMethod::TxCommit => MethodId::TX_COMMIT,
            WireMethod::TxCommitOk => MethodId::TX_COMMIT_OK,
            WireMethod::TxRollback => MethodId::TX_ROLLBACK,
            WireMethod::TxRollbackOk => MethodId::TX_ROLLBACK_OK,
        }
    }

    /// `queue.declare`, as RabbitMQ names it.
    pub fn name(&self) -> &'static str {
        self.id().name
    }

    /// Whether content follows the method (see [`has_content`]).
    pub fn has_content(&self) -> bool {
        has_content(self.id())
    }
}
