//! The AMQP 0-9-1 vocabulary: every method a client sends that Warren
//! supports, with its arguments named as in the specification, and the
//! broker's synchronous replies (`…-ok`).
//!
//! This is the one door into the engine ([`Broker::apply`]): the wire codec,
//! the workbench's commands, tutorial solutions, scenario documents, the
//! conformance replayer and the JavaScript API all build a [`Method`] and
//! apply it on a connection's channel. What the broker sends on its own
//! (deliveries, returns, confirms, cancels, closes) does not come back
//! here but through the connection's outbox (`outbox.rs`).
//!
//! Field names follow the specification with `-` written `_`
//! (`auto_delete`, `no_ack`, `if_unused`); `type` is `exchange_type`.
//! `no_wait` is kept where the specification has it: it asks for no reply
//! on the wire, so the wire layer sends none; the engine's result is the
//! same either way.
//!
//! [`Broker::apply`]: crate::engine::Broker::apply

use crate::engine::exchange::DestinationKind;
use crate::engine::message::{MessageRef, Properties};
use crate::engine::value::FieldTable;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// A class and method of AMQP 0-9-1, as the wire numbers them, with the
/// name RabbitMQ's texts use (`queue.declare`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MethodId {
    pub class_id: u16,
    pub method_id: u16,
    #[serde(skip)]
    pub name: &'static str,
}

macro_rules! method_ids {
    ($($konst:ident = ($class:expr, $method:expr, $name:expr);)*) => {
        impl MethodId {
            $(pub const $konst: MethodId = MethodId::new($class, $method, $name);)*
            /// Every method id Warren knows, client's and server's.
            pub const ALL: &'static [MethodId] = &[$(MethodId::$konst),*];
        }
    };
}

method_ids! {
    CONNECTION_START = (10, 10, "connection.start");
    CONNECTION_START_OK = (10, 11, "connection.start-ok");
    CONNECTION_SECURE = (10, 20, "connection.secure");
    CONNECTION_SECURE_OK = (10, 21, "connection.secure-ok");
    CONNECTION_TUNE = (10, 30, "connection.tune");
    CONNECTION_TUNE_OK = (10, 31, "connection.tune-ok");
    CONNECTION_OPEN = (10, 40, "connection.open");
    CONNECTION_OPEN_OK = (10, 41, "connection.open-ok");
    CONNECTION_CLOSE = (10, 50, "connection.close");
    CONNECTION_CLOSE_OK = (10, 51, "connection.close-ok");
    CONNECTION_BLOCKED = (10, 60, "connection.blocked");
    CONNECTION_UNBLOCKED = (10, 61, "connection.unblocked");
    CHANNEL_OPEN = (20, 10, "channel.open");
    CHANNEL_OPEN_OK = (20, 11, "channel.open-ok");
    CHANNEL_FLOW = (20, 20, "channel.flow");
    CHANNEL_FLOW_OK = (20, 21, "channel.flow-ok");
    CHANNEL_CLOSE = (20, 40, "channel.close");
    CHANNEL_CLOSE_OK = (20, 41, "channel.close-ok");
    EXCHANGE_DECLARE = (40, 10, "exchange.declare");
    EXCHANGE_DECLARE_OK = (40, 11, "exchange.declare-ok");
    EXCHANGE_DELETE = (40, 20, "exchange.delete");
    EXCHANGE_DELETE_OK = (40, 21, "exchange.delete-ok");
    EXCHANGE_BIND = (40, 30, "exchange.bind");
    EXCHANGE_BIND_OK = (40, 31, "exchange.bind-ok");
    EXCHANGE_UNBIND = (40, 40, "exchange.unbind");
    EXCHANGE_UNBIND_OK = (40, 51, "exchange.unbind-ok");
    QUEUE_DECLARE = (50, 10, "queue.declare");
    QUEUE_DECLARE_OK = (50, 11, "queue.declare-ok");
    QUEUE_BIND = (50, 20, "queue.bind");
    QUEUE_BIND_OK = (50, 21, "queue.bind-ok");
    QUEUE_PURGE = (50, 30, "queue.purge");
    QUEUE_PURGE_OK = (50, 31, "queue.purge-ok");
    QUEUE_DELETE = (50, 40, "queue.delete");
    QUEUE_DELETE_OK = (50, 41, "queue.delete-ok");
    QUEUE_UNBIND = (50, 50, "queue.unbind");
    QUEUE_UNBIND_OK = (50, 51, "queue.unbind-ok");
    BASIC_QOS = (60, 10, "basic.qos");
    BASIC_QOS_OK = (60, 11, "basic.qos-ok");
    BASIC_CONSUME = (60, 20, "basic.consume");
    BASIC_CONSUME_OK = (60, 21, "basic.consume-ok");
    BASIC_CANCEL = (60, 30, "basic.cancel");
    BASIC_CANCEL_OK = (60, 31, "basic.cancel-ok");
    BASIC_PUBLISH = (60, 40, "basic.publish");
    BASIC_RETURN = (60, 50, "basic.return");
    BASIC_DELIVER = (60, 60, "basic.deliver");
    BASIC_GET = (60, 70, "basic.get");
    BASIC_GET_OK = (60, 71, "basic.get-ok");
    BASIC_GET_EMPTY = (60, 72, "basic.get-empty");
    BASIC_ACK = (60, 80, "basic.ack");
    BASIC_REJECT = (60, 90, "basic.reject");
    BASIC_RECOVER_ASYNC = (60, 100, "basic.recover-async");
    BASIC_RECOVER = (60, 110, "basic.recover");
    BASIC_RECOVER_OK = (60, 111, "basic.recover-ok");
    BASIC_NACK = (60, 120, "basic.nack");
    CONFIRM_SELECT = (85, 10, "confirm.select");
    CONFIRM_SELECT_OK = (85, 11, "confirm.select-ok");
    TX_SELECT = (90, 10, "tx.select");
    TX_SELECT_OK = (90, 11, "tx.select-ok");
    TX_COMMIT = (90, 20, "tx.commit");
    TX_COMMIT_OK = (90, 21, "tx.commit-ok");
    TX_ROLLBACK = (90, 30, "tx.rollback");
    TX_ROLLBACK_OK = (90, 31, "tx.rollback-ok");
}

impl MethodId {
    /// The method numbered `class_id`.`method_id` on the wire, called `name`
    /// (`"basic.publish"`) in logs and errors.
    pub const fn new(class_id: u16, method_id: u16, name: &'static str) -> MethodId {
        MethodId {
            class_id,
            method_id,
            name,
        }
    }

    /// The method with these wire numbers, if Warren knows it.
    pub fn from_wire(class_id: u16, method_id: u16) -> Option<MethodId> {
        MethodId::ALL
            .iter()
            .copied()
            .find(|m| m.class_id == class_id && m.method_id == method_id)
    }
}

/// connection.close and channel.close: why the sender closes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Close {
    pub reply_code: u16,
    pub reply_text: String,
    /// The method that caused the close (0 when none did).
    pub class_id: u16,
    pub method_id: u16,
}

impl Close {
    /// A client's ordinary close (pika sends 200 "Normal shutdown").
    pub fn normal() -> Close {
        Close {
            reply_code: 200,
            reply_text: "Normal shutdown".into(),
            class_id: 0,
            method_id: 0,
        }
    }
}

/// connection.open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionOpen {
    pub virtual_host: String,
}

/// exchange.declare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeDeclare {
    pub exchange: String,
    /// `direct`, `fanout`, `topic`, `headers`; RabbitMQ checks it (503 for
    /// an unknown type), so it stays the string the client sent.
    #[serde(rename = "type")]
    pub exchange_type: String,
    pub passive: bool,
    pub durable: bool,
    pub auto_delete: bool,
    pub internal: bool,
    pub no_wait: bool,
    pub arguments: FieldTable,
}

impl Default for ExchangeDeclare {
    fn default() -> Self {
        ExchangeDeclare {
            exchange: String::new(),
            exchange_type: "direct".into(),
            passive: false,
            durable: false,
            auto_delete: false,
            internal: false,
            no_wait: false,
            arguments: FieldTable::new(),
        }
    }
}

impl ExchangeDeclare {
    /// A plain declaration of exchange `name` of type `exchange_type`.
    pub fn new(name: &str, exchange_type: &str) -> ExchangeDeclare {
        ExchangeDeclare {
            exchange: name.into(),
            exchange_type: exchange_type.into(),
            ..Default::default()
        }
    }
}

/// exchange.delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeDelete {
    pub exchange: String,
    pub if_unused: bool,
    pub no_wait: bool,
}

/// exchange.bind and exchange.unbind: `destination` receives what
/// `source` routes with `routing_key`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExchangeBind {
    pub destination: String,
    pub source: String,
    pub routing_key: String,
    pub no_wait: bool,
    pub arguments: FieldTable,
}

/// queue.declare. An empty `queue` asks the broker for a name (`amq.gen-…`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueDeclare {
    pub queue: String,
    pub passive: bool,
    pub durable: bool,
    pub exclusive: bool,
    pub auto_delete: bool,
    pub no_wait: bool,
    pub arguments: FieldTable,
}

impl QueueDeclare {
    /// A plain declaration of queue `name` (transient, no arguments).
    pub fn named(name: &str) -> QueueDeclare {
        QueueDeclare {
            queue: name.into(),
            ..Default::default()
        }
    }
}

/// queue.declare-ok.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueDeclareOk {
    pub queue: Rc<str>,
    /// Ready messages (not the unacknowledged ones).
    pub message_count: u64,
    pub consumer_count: u64,
}

/// queue.bind and queue.unbind (queue.unbind has no `no_wait`; it is
/// ignored there).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueBind {
    pub queue: String,
    pub exchange: String,
    pub routing_key: String,
    pub no_wait: bool,
    pub arguments: FieldTable,
}

impl QueueBind {
    /// Binds `queue` to `exchange` with `routing_key` (no arguments).
    pub fn new(queue: &str, exchange: &str, routing_key: &str) -> QueueBind {
        QueueBind {
            queue: queue.into(),
            exchange: exchange.into(),
            routing_key: routing_key.into(),
            ..Default::default()
        }
    }
}

/// queue.purge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueuePurge {
    pub queue: String,
    pub no_wait: bool,
}

/// queue.delete.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueDelete {
    pub queue: String,
    pub if_unused: bool,
    pub if_empty: bool,
    pub no_wait: bool,
}

/// basic.qos.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicQos {
    pub prefetch_size: u32,
    pub prefetch_count: u16,
    pub global: bool,
}

/// basic.consume. An empty `consumer_tag` asks the broker for one
/// (`amq.ctag-…`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicConsume {
    pub queue: String,
    pub consumer_tag: String,
    /// Not implemented by RabbitMQ (ignored), kept for the wire.
    pub no_local: bool,
    pub no_ack: bool,
    pub exclusive: bool,
    pub no_wait: bool,
    /// Consumer arguments, e.g. `x-priority`.
    pub arguments: FieldTable,
}

/// basic.cancel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicCancel {
    pub consumer_tag: String,
    pub no_wait: bool,
}

impl BasicCancel {
    pub fn new(consumer_tag: &str) -> BasicCancel {
        BasicCancel {
            consumer_tag: consumer_tag.into(),
            no_wait: false,
        }
    }
}

/// basic.publish with its content (the content header's properties and
/// the body).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicPublish {
    /// Empty: the default exchange.
    pub exchange: String,
    pub routing_key: String,
    pub mandatory: bool,
    /// Refused by RabbitMQ (540 NOT_IMPLEMENTED).
    pub immediate: bool,
    pub properties: Properties,
    pub body: Vec<u8>,
}

impl BasicPublish {
    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A message with no properties.
    pub fn new(exchange: &str, routing_key: &str, body: impl Into<Vec<u8>>) -> BasicPublish {
        BasicPublish {
            exchange: exchange.into(),
            routing_key: routing_key.into(),
            body: body.into(),
            ..Default::default()
        }
    }
}

/// basic.get.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicGet {
    pub queue: String,
    pub no_ack: bool,
}

/// basic.get-ok with its content.
#[derive(Clone, Debug)]
pub struct GetOk {
    pub delivery_tag: u64,
    pub redelivered: bool,
    /// Ready messages left in the queue.
    pub message_count: u64,
    /// The message; its envelope holds the exchange and routing key.
    pub message: MessageRef,
}

/// basic.ack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicAck {
    pub delivery_tag: u64,
    pub multiple: bool,
}

/// basic.reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicReject {
    pub delivery_tag: u64,
    pub requeue: bool,
}

impl Default for BasicReject {
    fn default() -> Self {
        BasicReject {
            delivery_tag: 0,
            requeue: true,
        }
    }
}

/// basic.nack (a RabbitMQ extension: reject several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicNack {
    pub delivery_tag: u64,
    pub multiple: bool,
    pub requeue: bool,
}

impl Default for BasicNack {
    fn default() -> Self {
        BasicNack {
            delivery_tag: 0,
            multiple: false,
            requeue: true,
        }
    }
}

/// basic.recover and basic.recover-async.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BasicRecover {
    pub requeue: bool,
}

impl Default for BasicRecover {
    fn default() -> Self {
        BasicRecover { requeue: true }
    }
}

/// Every client-to-server method Warren supports.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    ConnectionOpen(ConnectionOpen),
    ConnectionClose(Close),
    ChannelOpen,
    ChannelFlow { active: bool },
    ChannelClose(Close),
    ExchangeDeclare(ExchangeDeclare),
    ExchangeDelete(ExchangeDelete),
    ExchangeBind(ExchangeBind),
    ExchangeUnbind(ExchangeBind),
    QueueDeclare(QueueDeclare),
    QueueBind(QueueBind),
    QueueUnbind(QueueBind),
    QueuePurge(QueuePurge),
    QueueDelete(QueueDelete),
    BasicQos(BasicQos),
    BasicConsume(BasicConsume),
    BasicCancel(BasicCancel),
    BasicPublish(BasicPublish),
    BasicGet(BasicGet),
    BasicAck(BasicAck),
    BasicReject(BasicReject),
    BasicNack(BasicNack),
    BasicRecover(BasicRecover),
    BasicRecoverAsync(BasicRecover),
    TxSelect,
    TxCommit,
    TxRollback,
    ConfirmSelect { no_wait: bool },
}

impl Method {
    /// queue.bind or exchange.bind (`unbind`: the unbind), by what the
    /// destination is: `destination` receives what `source` routes with
    /// `routing_key`.
    pub fn binding(
        unbind: bool,
        kind: DestinationKind,
        source: &str,
        destination: &str,
        routing_key: &str,
        arguments: FieldTable,
    ) -> Method {
        let queue_bind = || QueueBind {
            queue: destination.into(),
            exchange: source.into(),
            routing_key: routing_key.into(),
            no_wait: false,
            arguments: arguments.clone(),
        };
        let exchange_bind = || ExchangeBind {
            destination: destination.into(),
            source: source.into(),
            routing_key: routing_key.into(),
            no_wait: false,
            arguments: arguments.clone(),
        };
        match (kind, unbind) {
            (DestinationKind::Queue, false) => Method::QueueBind(queue_bind()),
            (DestinationKind::Queue, true) => Method::QueueUnbind(queue_bind()),
            (DestinationKind::Exchange, false) => Method::ExchangeBind(exchange_bind()),
            (DestinationKind::Exchange, true) => Method::ExchangeUnbind(exchange_bind()),
        }
    }

    pub fn id(&self) -> MethodId {
        match self {
            Method::ConnectionOpen(_) => MethodId::CONNECTION_OPEN,
            Method::ConnectionClose(_) => MethodId::CONNECTION_CLOSE,
            Method::ChannelOpen => MethodId::CHANNEL_OPEN,
            Method::ChannelFlow { .. } => MethodId::CHANNEL_FLOW,
            Method::ChannelClose(_) => MethodId::CHANNEL_CLOSE,
            Method::ExchangeDeclare(_) => MethodId::EXCHANGE_DECLARE,
            Method::ExchangeDelete(_) => MethodId::EXCHANGE_DELETE,
            Method::ExchangeBind(_) => MethodId::EXCHANGE_BIND,
            Method::ExchangeUnbind(_) => MethodId::EXCHANGE_UNBIND,
            Method::QueueDeclare(_) => MethodId::QUEUE_DECLARE,
            Method::QueueBind(_) => MethodId::QUEUE_BIND,
            Method::QueueUnbind(_) => MethodId::QUEUE_UNBIND,
            Method::QueuePurge(_) => MethodId::QUEUE_PURGE,
            Method::QueueDelete(_) => MethodId::QUEUE_DELETE,
            Method::BasicQos(_) => MethodId::BASIC_QOS,
            Method::BasicConsume(_) => MethodId::BASIC_CONSUME,
            Method::BasicCancel(_) => MethodId::BASIC_CANCEL,
            Method::BasicPublish(_) => MethodId::BASIC_PUBLISH,
            Method::BasicGet(_) => MethodId::BASIC_GET,
            Method::BasicAck(_) => MethodId::BASIC_ACK,
            Method::BasicReject(_) => MethodId::BASIC_REJECT,
            Method::BasicNack(_) => MethodId::BASIC_NACK,
            Method::BasicRecover(_) => MethodId::BASIC_RECOVER,
            Method::BasicRecoverAsync(_) => MethodId::BASIC_RECOVER_ASYNC,
            Method::TxSelect => MethodId::TX_SELECT,
            Method::TxCommit => MethodId::TX_COMMIT,
            Method::TxRollback => MethodId::TX_ROLLBACK,
            Method::ConfirmSelect { .. } => MethodId::CONFIRM_SELECT,
        }
    }

    /// `queue.declare`, as RabbitMQ's texts name it.
    pub fn name(&self) -> &'static str {
        self.id().name
    }

    /// Whether the client asked for no reply (`no_wait`).
    pub fn no_wait(&self) -> bool {
        match self {
            Method::ExchangeDeclare(m) => m.no_wait,
            Method::ExchangeDelete(m) => m.no_wait,
            Method::ExchangeBind(m) | Method::ExchangeUnbind(m) => m.no_wait,
            Method::QueueDeclare(m) => m.no_wait,
            Method::QueueBind(m) => m.no_wait,
            Method::QueuePurge(m) => m.no_wait,
            Method::QueueDelete(m) => m.no_wait,
            Method::BasicConsume(m) => m.no_wait,
            Method::BasicCancel(m) => m.no_wait,
            Method::ConfirmSelect { no_wait } => *no_wait,
            _ => false,
        }
    }
}

/// The broker's synchronous answer to a method.
#[derive(Clone, Debug)]
pub enum Reply {
    ConnectionOpenOk,
    ConnectionCloseOk,
    ChannelOpenOk,
    ChannelFlowOk {
        active: bool,
    },
    ChannelCloseOk,
    ExchangeDeclareOk,
    ExchangeDeleteOk,
    ExchangeBindOk,
    ExchangeUnbindOk,
    QueueDeclareOk(QueueDeclareOk),
    QueueBindOk,
    QueueUnbindOk,
    QueuePurgeOk {
        message_count: u64,
    },
    QueueDeleteOk {
        message_count: u64,
    },
    BasicQosOk,
    BasicConsumeOk {
        consumer_tag: Rc<str>,
    },
    BasicCancelOk {
        consumer_tag: Rc<str>,
    },
    BasicGetOk(GetOk),
    BasicGetEmpty,
    BasicRecoverOk,
    TxSelectOk,
    TxCommitOk,
    TxRollbackOk,
    ConfirmSelectOk,
    /// The method has no reply (publish, ack, reject, nack, recover-async).
    None,
}

impl Reply {
    /// The reply's method id (`None` for methods without a reply).
    pub fn id(&self) -> Option<MethodId> {
        Some(match self {
            Reply::ConnectionOpenOk => MethodId::CONNECTION_OPEN_OK,
            Reply::ConnectionCloseOk => MethodId::CONNECTION_CLOSE_OK,
            Reply::ChannelOpenOk => MethodId::CHANNEL_OPEN_OK,
            Reply::ChannelFlowOk { .. } => MethodId::CHANNEL_FLOW_OK,
            Reply::ChannelCloseOk => MethodId::CHANNEL_CLOSE_OK,
            Reply::ExchangeDeclareOk => MethodId::EXCHANGE_DECLARE_OK,
            Reply::ExchangeDeleteOk => MethodId::EXCHANGE_DELETE_OK,
            Reply::ExchangeBindOk => MethodId::EXCHANGE_BIND_OK,
            Reply::ExchangeUnbindOk => MethodId::EXCHANGE_UNBIND_OK,
            Reply::QueueDeclareOk(_) => MethodId::QUEUE_DECLARE_OK,
            Reply::QueueBindOk => MethodId::QUEUE_BIND_OK,
            Reply::QueueUnbindOk => MethodId::QUEUE_UNBIND_OK,
            Reply::QueuePurgeOk { .. } => MethodId::QUEUE_PURGE_OK,
            Reply::QueueDeleteOk { .. } => MethodId::QUEUE_DELETE_OK,
            Reply::BasicQosOk => MethodId::BASIC_QOS_OK,
            Reply::BasicConsumeOk { .. } => MethodId::BASIC_CONSUME_OK,
            Reply::BasicCancelOk { .. } => MethodId::BASIC_CANCEL_OK,
            Reply::BasicGetOk(_) => MethodId::BASIC_GET_OK,
            Reply::BasicGetEmpty => MethodId::BASIC_GET_EMPTY,
            Reply::BasicRecoverOk => MethodId::BASIC_RECOVER_OK,
            Reply::TxSelectOk => MethodId::TX_SELECT_OK,
            Reply::TxCommitOk => MethodId::TX_COMMIT_OK,
            Reply::TxRollbackOk => MethodId::TX_ROLLBACK_OK,
            Reply::ConfirmSelectOk => MethodId::CONFIRM_SELECT_OK,
            Reply::None => return None,
        })
    }
}
