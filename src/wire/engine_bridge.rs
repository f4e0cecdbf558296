//! Between the wire and the engine: what a client's method is for, and
//! what the engine's replies and outbox look like on the wire.
//!
//! A server built on this codec reads frames, turns each client method
//! into the engine's [`Method`] ([`WireMethod::into_client_method`]), applies it
//! with `Broker::apply`, and writes the [`Reply`] and then everything in
//! the connection's outbox ([`Outgoing`]) back as frames
//! ([`MethodWithContent`]). The handshake, heartbeats, close-ok and the
//! order of content frames are the connection's own business; the engine
//! never sees them.

use crate::engine::message::{MessageRef, Properties};
use crate::engine::method::{BasicCancel, BasicNack, BasicPublish, Close, Method, MethodId, Reply};
use crate::engine::outbox::{Closing, Outgoing, ServerMethod};
use crate::wire::error::{EncodeError, WireError};
use crate::wire::frame::{encode_content_frames, encode_method_frame};
use crate::wire::method::{BasicDeliver, BasicGetOk, BasicReturn, WireMethod};

/// A count the engine keeps as `u64`, for a `long` field. RabbitMQ's
/// counts never reach 2^32; should one, it is capped rather than wrapped.
fn count(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Who handles a method a client sent.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientMethod {
    /// The broker: apply it with `Broker::apply`. A basic.publish must get
    /// its content first ([`attach_content`]); a method with `no_wait`
    /// gets no reply on the wire.
    Broker(Method),
    /// The connection itself: the handshake (start-ok, secure-ok,
    /// tune-ok), connection.close-ok and channel.close-ok (answers to the
    /// server's close), connection.update-secret, and access.request
    /// (RabbitMQ answers access.request-ok with ticket 1).
    ///
    /// Also the connection methods only a server sends (start, tune,
    /// open-ok, ...). RabbitMQ answers those on channel 0 with 504
    /// (`CHANNEL_ERROR - unexpected method in connection state running`,
    /// naming the state), and on any other channel, like every connection
    /// method there, with 503 (`COMMAND_INVALID - unimplemented method`).
    Connection(WireMethod),
}

impl WireMethod {
    /// Sorts a method a client sent. A method only a server sends (outside
    /// the connection class) is refused as RabbitMQ refuses it: 503
    /// `COMMAND_INVALID - unimplemented method`; for basic.deliver,
    /// basic.get-ok and basic.return RabbitMQ reads their content before it
    /// says so.
    pub fn into_client_method(self) -> Result<ClientMethod, WireError> {
        let server_only = |method: MethodId| Err(WireError::ServerOnlyMethod { method });
        let broker = |method: Method| Ok(ClientMethod::Broker(method));
        match self {
            WireMethod::ConnectionOpen(open) => broker(Method::ConnectionOpen(open)),
            WireMethod::ConnectionClose(close) => broker(Method::ConnectionClose(close)),
            WireMethod::ChannelOpen => broker(Method::ChannelOpen),
            WireMethod::ChannelFlow { active } => broker(Method::ChannelFlow { active }),
            WireMethod::ChannelClose(close) => broker(Method::ChannelClose(close)),
            WireMethod::ExchangeDeclare(m) => broker(Method::ExchangeDeclare(m)),
            WireMethod::ExchangeDelete(m) => broker(Method::ExchangeDelete(m)),
            WireMethod::ExchangeBind(m) => broker(Method::ExchangeBind(m)),
            WireMethod::ExchangeUnbind(m) => broker(Method::ExchangeUnbind(m)),
            WireMethod::QueueDeclare(m) => broker(Method::QueueDeclare(m)),
            WireMethod::QueueBind(m) => broker(Method::QueueBind(m)),
            WireMethod::QueueUnbind(m) => broker(Method::QueueUnbind(m)),
            WireMethod::QueuePurge(m) => broker(Method::QueuePurge(m)),
            WireMethod::QueueDelete(m) => broker(Method::QueueDelete(m)),
            WireMethod::BasicQos(m) => broker(Method::BasicQos(m)),
            WireMethod::BasicConsume(m) => broker(Method::BasicConsume(m)),
            WireMethod::BasicCancel(m) => broker(Method::BasicCancel(m)),
            WireMethod::BasicPublish(m) => broker(Method::BasicPublish(m)),
            WireMethod::BasicGet(m) => broker(Method::BasicGet(m)),
            WireMethod::BasicAck(m) => broker(Method::BasicAck(m)),
            WireMethod::BasicReject(m) => broker(Method::BasicReject(m)),
            WireMethod::BasicNack(m) => broker(Method::BasicNack(m)),
            WireMethod::BasicRecover(m) => broker(Method::BasicRecover(m)),
            WireMethod::BasicRecoverAsync(m) => broker(Method::BasicRecoverAsync(m)),
            WireMethod::TxSelect => broker(Method::TxSelect),
            WireMethod::TxCommit => broker(Method::TxCommit),
            WireMethod::TxRollback => broker(Method::TxRollback),
            WireMethod::ConfirmSelect { no_wait } => broker(Method::ConfirmSelect { no_wait }),
            method @ (WireMethod::ConnectionStart(_)
            | WireMethod::ConnectionStartOk(_)
            | WireMethod::ConnectionSecure { .. }
            | WireMethod::ConnectionSecureOk { .. }
            | WireMethod::ConnectionTune(_)
            | WireMethod::ConnectionTuneOk(_)
            | WireMethod::ConnectionOpenOk
            | WireMethod::ConnectionCloseOk
            | WireMethod::ConnectionBlocked { .. }
            | WireMethod::ConnectionUnblocked
            | WireMethod::ConnectionUpdateSecret(_)
            | WireMethod::ConnectionUpdateSecretOk
            | WireMethod::ChannelCloseOk
            | WireMethod::AccessRequest(_)) => Ok(ClientMethod::Connection(method)),
            method @ (WireMethod::ChannelOpenOk
            | WireMethod::ChannelFlowOk { .. }
            | WireMethod::AccessRequestOk { .. }
            | WireMethod::ExchangeDeclareOk
            | WireMethod::ExchangeDeleteOk
            | WireMethod::ExchangeBindOk
            | WireMethod::ExchangeUnbindOk
            | WireMethod::QueueDeclareOk { .. }
            | WireMethod::QueueBindOk
            | WireMethod::QueuePurgeOk { .. }
            | WireMethod::QueueDeleteOk { .. }
            | WireMethod::QueueUnbindOk
            | WireMethod::BasicQosOk
            | WireMethod::BasicConsumeOk { .. }
            | WireMethod::BasicCancelOk { .. }
            | WireMethod::BasicReturn(_)
            | WireMethod::BasicDeliver(_)
            | WireMethod::BasicGetOk(_)
            | WireMethod::BasicGetEmpty
            | WireMethod::BasicRecoverOk
            | WireMethod::ConfirmSelectOk
            | WireMethod::TxSelectOk
            | WireMethod::TxCommitOk
            | WireMethod::TxRollbackOk) => server_only(method.id()),
        }
    }
}

/// A client's method in wire form. A basic.publish keeps its properties
/// and body in the struct; [`encode_client_method`] sends them as content
/// frames.
impl From<Method> for WireMethod {
    fn from(method: Method) -> WireMethod {
        match method {
            Method::ConnectionOpen(m) => WireMethod::ConnectionOpen(m),
            Method::ConnectionClose(m) => WireMethod::ConnectionClose(m),
            Method::ChannelOpen => WireMethod::ChannelOpen,
            Method::ChannelFlow { active } => WireMethod::ChannelFlow { active },
            Method::ChannelClose(m) => WireMethod::ChannelClose(m),
            Method::ExchangeDeclare(m) => WireMethod::ExchangeDeclare(m),
            Method::ExchangeDelete(m) => WireMethod::ExchangeDelete(m),
            Method::ExchangeBind(m) => WireMethod::ExchangeBind(m),
            Method::ExchangeUnbind(m) => WireMethod::ExchangeUnbind(m),
            Method::QueueDeclare(m) => WireMethod::QueueDeclare(m),
            Method::QueueBind(m) => WireMethod::QueueBind(m),
            Method::QueueUnbind(m) => WireMethod::QueueUnbind(m),
            Method::QueuePurge(m) => WireMethod::QueuePurge(m),
            Method::QueueDelete(m) => WireMethod::QueueDelete(m),
            Method::BasicQos(m) => WireMethod::BasicQos(m),
            Method::BasicConsume(m) => WireMethod::BasicConsume(m),
            Method::BasicCancel(m) => WireMethod::BasicCancel(m),
            Method::BasicPublish(m) => WireMethod::BasicPublish(m),
            Method::BasicGet(m) => WireMethod::BasicGet(m),
            Method::BasicAck(m) => WireMethod::BasicAck(m),
            Method::BasicReject(m) => WireMethod::BasicReject(m),
            Method::BasicNack(m) => WireMethod::BasicNack(m),
            Method::BasicRecover(m) => WireMethod::BasicRecover(m),
            Method::BasicRecoverAsync(m) => WireMethod::BasicRecoverAsync(m),
            Method::TxSelect => WireMethod::TxSelect,
            Method::TxCommit => WireMethod::TxCommit,
            Method::TxRollback => WireMethod::TxRollback,
            Method::ConfirmSelect { no_wait } => WireMethod::ConfirmSelect { no_wait },
        }
    }
}

/// Gives a basic.publish the content its header and body frames brought.
pub fn attach_content(publish: &mut BasicPublish, properties: Properties, body: Vec<u8>) {
    publish.properties = properties;
    publish.body = body;
}

/// Appends a client's method as frames: the method frame, and for a
/// basic.publish its content (header and body frames cut for `frame_max`).
pub fn encode_client_method(
    out: &mut Vec<u8>,
    channel: u16,
    method: &Method,
    frame_max: u32,
) -> Result<(), EncodeError> {
    let start = out.len();
    let result = match method {
        Method::BasicPublish(publish) => {
            // The method frame without the content, which goes in its own
            // frames (and is not copied for the method frame).
            let frame_only = WireMethod::BasicPublish(BasicPublish {
                exchange: publish.exchange.clone(),
                routing_key: publish.routing_key.clone(),
                mandatory: publish.mandatory,
                immediate: publish.immediate,
                properties: Properties::default(),
                body: Vec::new(),
            });
            encode_method_frame(out, channel, &frame_only).and_then(|()| {
                encode_content_frames(out, channel, &publish.properties, &publish.body, frame_max)
            })
        }
        other => encode_method_frame(out, channel, &WireMethod::from(other.clone())),
    };
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// A method the server sends, with the message whose content follows it
/// (basic.deliver, basic.get-ok, basic.return).
#[derive(Clone, Debug)]
pub struct MethodWithContent {
    pub method: WireMethod,
    pub message: Option<MessageRef>,
}

impl MethodWithContent {
    fn plain(method: WireMethod) -> MethodWithContent {
        MethodWithContent {
            method,
            message: None,
        }
    }

    /// The engine's reply to a client's method, as the server sends it;
    /// `None` for [`Reply::None`]. (When the client asked for `no_wait`,
    /// the connection sends nothing.)
    pub fn from_reply(reply: &Reply) -> Option<MethodWithContent> {
        let plain = |method| Some(MethodWithContent::plain(method));
        match reply {
            Reply::ConnectionOpenOk => plain(WireMethod::ConnectionOpenOk),
            Reply::ConnectionCloseOk => plain(WireMethod::ConnectionCloseOk),
            Reply::ChannelOpenOk => plain(WireMethod::ChannelOpenOk),
            Reply::ChannelFlowOk { active } => plain(WireMethod::ChannelFlowOk { active: *active }),
            Reply::ChannelCloseOk => plain(WireMethod::ChannelCloseOk),
            Reply::ExchangeDeclareOk => plain(WireMethod::ExchangeDeclareOk),
            Reply::ExchangeDeleteOk => plain(WireMethod::ExchangeDeleteOk),
            Reply::ExchangeBindOk => plain(WireMethod::ExchangeBindOk),
            Reply::ExchangeUnbindOk => plain(WireMethod::ExchangeUnbindOk),
            Reply::QueueDeclareOk(ok) => plain(WireMethod::QueueDeclareOk {
                queue: ok.queue.to_string(),
                message_count: count(ok.message_count),
                consumer_count: count(ok.consumer_count),
            }),
            Reply::QueueBindOk => plain(WireMethod::QueueBindOk),
            Reply::QueueUnbindOk => plain(WireMethod::QueueUnbindOk),
            Reply::QueuePurgeOk { message_count } => plain(WireMethod::QueuePurgeOk {
                message_count: count(*message_count),
            }),
            Reply::QueueDeleteOk { message_count } => plain(WireMethod::QueueDeleteOk {
                message_count: count(*message_count),
            }),
            Reply::BasicQosOk => plain(WireMethod::BasicQosOk),
            Reply::BasicConsumeOk { consumer_tag } => plain(WireMethod::BasicConsumeOk {
                consumer_tag: consumer_tag.to_string(),
            }),
            Reply::BasicCancelOk { consumer_tag } => plain(WireMethod::BasicCancelOk {
                consumer_tag: consumer_tag.to_string(),
            }),
            Reply::BasicGetOk(get_ok) => Some(MethodWithContent {
                method: WireMethod::BasicGetOk(BasicGetOk {
                    delivery_tag: get_ok.delivery_tag,
                    redelivered: get_ok.redelivered,
                    exchange: get_ok.message.exchange.to_string(),
                    routing_key: get_ok.message.routing_key.to_string(),
                    message_count: count(get_ok.message_count),
                }),
                message: Some(get_ok.message.clone()),
            }),
            Reply::BasicGetEmpty => plain(WireMethod::BasicGetEmpty),
            Reply::BasicRecoverOk => plain(WireMethod::BasicRecoverOk),
            Reply::TxSelectOk => plain(WireMethod::TxSelectOk),
            Reply::TxCommitOk => plain(WireMethod::TxCommitOk),
            Reply::TxRollbackOk => plain(WireMethod::TxRollbackOk),
            Reply::ConfirmSelectOk => plain(WireMethod::ConfirmSelectOk),
            Reply::None => None,
        }
    }

    /// What the broker sends on its own (an outbox entry), as the server
    /// sends it.
    pub fn from_server_method(method: &ServerMethod) -> MethodWithContent {
        let close = |closing: &Closing| Close {
            reply_code: closing.reply_code,
            reply_text: closing.reply_text.clone(),
            class_id: closing.method.map_or(0, |m| m.class_id),
            method_id: closing.method.map_or(0, |m| m.method_id),
        };
        match method {
            ServerMethod::BasicDeliver(delivery) => MethodWithContent {
                method: WireMethod::BasicDeliver(BasicDeliver {
                    consumer_tag: delivery.consumer_tag.to_string(),
                    delivery_tag: delivery.delivery_tag,
                    redelivered: delivery.redelivered,
                    exchange: delivery.message.exchange.to_string(),
                    routing_key: delivery.message.routing_key.to_string(),
                }),
                message: Some(delivery.message.clone()),
            },
            ServerMethod::BasicReturn {
                reply_code,
                reply_text,
                message,
            } => MethodWithContent {
                method: WireMethod::BasicReturn(BasicReturn {
                    reply_code: *reply_code,
                    reply_text: (*reply_text).to_owned(),
                    exchange: message.exchange.to_string(),
                    routing_key: message.routing_key.to_string(),
                }),
                message: Some(message.clone()),
            },
            ServerMethod::Confirm(confirm) if confirm.ack => {
                MethodWithContent::plain(WireMethod::BasicAck(crate::engine::method::BasicAck {
                    delivery_tag: confirm.delivery_tag,
                    multiple: confirm.multiple,
                }))
            }
            // RabbitMQ's publisher nack leaves `requeue` at its default, true.
            ServerMethod::Confirm(confirm) => {
                MethodWithContent::plain(WireMethod::BasicNack(BasicNack {
                    delivery_tag: confirm.delivery_tag,
                    multiple: confirm.multiple,
                    requeue: true,
                }))
            }
            // RabbitMQ's own cancel asks for no reply.
            ServerMethod::BasicCancel { consumer_tag } => {
                MethodWithContent::plain(WireMethod::BasicCancel(BasicCancel {
                    consumer_tag: consumer_tag.to_string(),
                    no_wait: true,
                }))
            }
            ServerMethod::ChannelClose(closing) => {
                MethodWithContent::plain(WireMethod::ChannelClose(close(closing)))
            }
            ServerMethod::ConnectionClose(closing) => {
                MethodWithContent::plain(WireMethod::ConnectionClose(close(closing)))
            }
        }
    }

    /// Appends the method frame and, with a message, its content frames
    /// (bodies cut for `frame_max`). On error nothing is appended.
    pub fn encode(
        &self,
        out: &mut Vec<u8>,
        channel: u16,
        frame_max: u32,
    ) -> Result<(), EncodeError> {
        let start = out.len();
        let result =
            encode_method_frame(out, channel, &self.method).and_then(|()| match &self.message {
                Some(message) => encode_content_frames(
                    out,
                    channel,
                    &message.properties,
                    message.body(),
                    frame_max,
                ),
                None => Ok(()),
            });
        if result.is_err() {
            out.truncate(start);
        }
        result
    }
}

/// Appends an outbox entry as frames on its channel.
pub fn encode_outgoing(
    out: &mut Vec<u8>,
    outgoing: &Outgoing,
    frame_max: u32,
) -> Result<(), EncodeError> {
    MethodWithContent::from_server_method(&outgoing.method).encode(out, outgoing.channel, frame_max)
}
