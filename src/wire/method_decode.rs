//! Reading a method's arguments.
//!
//! RabbitMQ's generated decoder (`rabbit_framing_amqp_0_9_1`) reads a
//! method in two passes, and the order shows in its errors:
//!
//! 1. one binary match of the whole argument list against the method's
//!    layout. Anything that does not fit (too short, a string or table
//!    running past the end, bytes left over) is `FRAME_ERROR - cannot
//!    decode <<...>>`;
//! 2. then, field by field: each table is parsed (a malformed one crashes
//!    the parser) and, in methods without content, each short string is
//!    checked for UTF-8 (`FRAME_ERROR - Malformed UTF-8 in shortstr`).
//!
//! Each arm below does the same: it reads the fields' raw bytes, checks
//! the end, and only then converts them, in field order.

use crate::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, Close, ConnectionOpen, ExchangeBind, ExchangeDeclare, ExchangeDelete, MethodId,
    QueueBind, QueueDeclare, QueueDelete, QueuePurge,
};
use crate::engine::value::FieldTable;
use crate::wire::error::{WarrenLimit, WireError, QUOTED_ARGUMENTS_MAX};
use crate::wire::field_table::{decode_table, TableError};
use crate::wire::method::{
    has_content, AccessRequest, BasicDeliver, BasicGetOk, BasicReturn, ConnectionStart,
    ConnectionStartOk, Tune, UpdateSecret, WireMethod, ACCESS_REQUEST, ACCESS_REQUEST_OK,
    CONNECTION_UPDATE_SECRET, CONNECTION_UPDATE_SECRET_OK,
};
use crate::wire::primitives::{TrailingBytes, Truncated, WireReader};

/// What went wrong in one method's arguments, before it is put in context
/// (the method, the channel) as a [`WireError`].
enum ArgumentError {
    /// The bytes do not fit the method's layout.
    Layout,
    /// A string that is not UTF-8; `short` for a shortstr.
    NotUtf8 {
        field: &'static str,
        short: bool,
    },
    Table(TableError),
    /// An id that names no method (only a hand-made `MethodId` can).
    UnknownMethod,
}

impl From<Truncated> for ArgumentError {
    fn from(_: Truncated) -> ArgumentError {
        ArgumentError::Layout
    }
}

impl From<TrailingBytes> for ArgumentError {
    fn from(_: TrailingBytes) -> ArgumentError {
        ArgumentError::Layout
    }
}

/// A short string argument as text.
fn text(bytes: &[u8], field: &'static str) -> Result<String, ArgumentError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ArgumentError::NotUtf8 { field, short: true })
}

/// A long string argument that is text by nature (mechanisms, locales).
fn long_text(bytes: &[u8], field: &'static str) -> Result<String, ArgumentError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ArgumentError::NotUtf8 {
        field,
        short: false,
    })
}

fn table(bytes: &[u8]) -> Result<FieldTable, ArgumentError> {
    decode_table(bytes).map_err(ArgumentError::Table)
}

impl WireMethod {
    /// Decodes the arguments of method `id` that arrived on `channel` (the
    /// channel decides what RabbitMQ does about some errors: see
    /// [`WireError::ShortStrNotUtf8`] and [`WireError::MalformedTable`]).
    pub fn decode(channel: u16, id: MethodId, arguments: &[u8]) -> Result<WireMethod, WireError> {
        decode_arguments(id, arguments).map_err(|error| match error {
            ArgumentError::UnknownMethod => WireError::UnknownMethod {
                class_id: id.class_id,
                method_id: id.method_id,
            },
            ArgumentError::Layout => WireError::CannotDecode {
                method: id,
                arguments: arguments
                    .get(..QUOTED_ARGUMENTS_MAX)
                    .unwrap_or(arguments)
                    .to_vec(),
            },
            ArgumentError::NotUtf8 { short: true, .. } if !has_content(id) => {
                WireError::ShortStrNotUtf8 {
                    method: id,
                    channel,
                }
            }
            ArgumentError::NotUtf8 { field, .. } => WireError::NotSupported {
                method: Some(id),
                limit: WarrenLimit::NotUtf8 { field },
            },
            ArgumentError::Table(problem) => match WarrenLimit::of_table(problem) {
                Some(limit) => WireError::NotSupported {
                    method: Some(id),
                    limit,
                },
                None => WireError::MalformedTable {
                    method: id,
                    channel,
                    problem,
                },
            },
        })
    }
}

/// A connection.close or channel.close.
fn close(r: &mut WireReader<'_>) -> Result<Close, ArgumentError> {
    let reply_code = r.short()?;
    let reply_text = r.shortstr()?;
    let class_id = r.short()?;
    let method_id = r.short()?;
    r.finish()?;
    Ok(Close {
        reply_code,
        reply_text: text(reply_text, "reply-text")?,
        class_id,
        method_id,
    })
}

/// connection.tune or connection.tune-ok.
fn tune(r: &mut WireReader<'_>) -> Result<Tune, ArgumentError> {
    let tune = Tune {
        channel_max: r.short()?,
        frame_max: r.long()?,
        heartbeat: r.short()?,
    };
    r.finish()?;
    Ok(tune)
}

/// exchange.bind or exchange.unbind.
fn exchange_bind(r: &mut WireReader<'_>) -> Result<ExchangeBind, ArgumentError> {
    let _ticket = r.short()?;
    let destination = r.shortstr()?;
    let source = r.shortstr()?;
    let routing_key = r.shortstr()?;
    let flags = r.bits()?;
    let arguments = r.longstr()?;
    r.finish()?;
    Ok(ExchangeBind {
        destination: text(destination, "destination")?,
        source: text(source, "source")?,
        routing_key: text(routing_key, "routing-key")?,
        no_wait: flags.get(0),
        arguments: table(arguments)?,
    })
}

/// A method with no arguments: nothing may follow its ids.
fn no_arguments(r: &WireReader<'_>, method: WireMethod) -> Result<WireMethod, ArgumentError> {
    r.finish()?;
    Ok(method)
}

/// A method with one bit argument.
fn one_bit(r: &mut WireReader<'_>) -> Result<bool, ArgumentError> {
    let flags = r.bits()?;
    r.finish()?;
    Ok(flags.get(0))
}

/// A method with one short string argument.
fn one_shortstr(r: &mut WireReader<'_>, field: &'static str) -> Result<String, ArgumentError> {
    let bytes = r.shortstr()?;
    r.finish()?;
    text(bytes, field)
}

/// A method with one long argument (a message count).
fn one_long(r: &mut WireReader<'_>) -> Result<u32, ArgumentError> {
    let value = r.long()?;
    r.finish()?;
    Ok(value)
}

fn decode_arguments(id: MethodId, arguments: &[u8]) -> Result<WireMethod, ArgumentError> {
    let r = &mut WireReader::new(arguments);
    Ok(match id {
        MethodId::CONNECTION_START => {
            let version_major = r.octet()?;
            let version_minor = r.octet()?;
            let server_properties = r.longstr()?;
            let mechanisms = r.longstr()?;
            let locales = r.longstr()?;
            r.finish()?;
            WireMethod::ConnectionStart(ConnectionStart {
                version_major,
                version_minor,
                server_properties: table(server_properties)?,
                mechanisms: long_text(mechanisms, "mechanisms")?,
                locales: long_text(locales, "locales")?,
            })
        }
        MethodId::CONNECTION_START_OK => {
            let client_properties = r.longstr()?;
            let mechanism = r.shortstr()?;
            let response = r.longstr()?;
            let locale = r.shortstr()?;
            r.finish()?;
            WireMethod::ConnectionStartOk(ConnectionStartOk {
                client_properties: table(client_properties)?,
                mechanism: text(mechanism, "mechanism")?,
                response: response.to_vec(),
                locale: text(locale, "locale")?,
            })
        }
        MethodId::CONNECTION_SECURE => {
            let challenge = r.longstr()?.to_vec();
            r.finish()?;
            WireMethod::ConnectionSecure { challenge }
        }
        MethodId::CONNECTION_SECURE_OK => {
            let response = r.longstr()?.to_vec();
            r.finish()?;
            WireMethod::ConnectionSecureOk { response }
        }
        MethodId::CONNECTION_TUNE => WireMethod::ConnectionTune(tune(r)?),
        MethodId::CONNECTION_TUNE_OK => WireMethod::ConnectionTuneOk(tune(r)?),
        MethodId::CONNECTION_OPEN => {
            let virtual_host = r.shortstr()?;
            let capabilities = r.shortstr()?;
            let _insist = r.bits()?;
            r.finish()?;
            let virtual_host = text(virtual_host, "virtual-host")?;
            // Reserved, but RabbitMQ checks it like any short string.
            text(capabilities, "capabilities")?;
            WireMethod::ConnectionOpen(ConnectionOpen { virtual_host })
        }
        MethodId::CONNECTION_OPEN_OK => {
            one_shortstr(r, "known-hosts")?;
            WireMethod::ConnectionOpenOk
        }
        MethodId::CONNECTION_CLOSE => WireMethod::ConnectionClose(close(r)?),
        MethodId::CONNECTION_CLOSE_OK => no_arguments(r, WireMethod::ConnectionCloseOk)?,
        MethodId::CONNECTION_BLOCKED => WireMethod::ConnectionBlocked {
            reason: one_shortstr(r, "reason")?,
        },
        MethodId::CONNECTION_UNBLOCKED => no_arguments(r, WireMethod::ConnectionUnblocked)?,
        CONNECTION_UPDATE_SECRET => {
            let new_secret = r.longstr()?;
            let reason = r.shortstr()?;
            r.finish()?;
            WireMethod::ConnectionUpdateSecret(UpdateSecret {
                new_secret: new_secret.to_vec(),
                reason: text(reason, "reason")?,
            })
        }
        CONNECTION_UPDATE_SECRET_OK => no_arguments(r, WireMethod::ConnectionUpdateSecretOk)?,
        MethodId::CHANNEL_OPEN => {
            one_shortstr(r, "out-of-band")?;
            WireMethod::ChannelOpen
        }
        MethodId::CHANNEL_OPEN_OK => {
            let _channel_id = r.longstr()?;
            no_arguments(r, WireMethod::ChannelOpenOk)?
        }
        MethodId::CHANNEL_FLOW => WireMethod::ChannelFlow {
            active: one_bit(r)?,
        },
        MethodId::CHANNEL_FLOW_OK => WireMethod::ChannelFlowOk {
            active: one_bit(r)?,
        },
        MethodId::CHANNEL_CLOSE => WireMethod::ChannelClose(close(r)?),
        MethodId::CHANNEL_CLOSE_OK => no_arguments(r, WireMethod::ChannelCloseOk)?,
        ACCESS_REQUEST => {
            let realm = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::AccessRequest(AccessRequest {
                realm: text(realm, "realm")?,
                exclusive: flags.get(0),
                passive: flags.get(1),
                active: flags.get(2),
                write: flags.get(3),
                read: flags.get(4),
            })
        }
        ACCESS_REQUEST_OK => {
            let ticket = r.short()?;
            r.finish()?;
            WireMethod::AccessRequestOk { ticket }
        }
        MethodId::EXCHANGE_DECLARE => {
            let _ticket = r.short()?;
            let exchange = r.shortstr()?;
            let exchange_type = r.shortstr()?;
            let flags = r.bits()?;
            let arguments = r.longstr()?;
            r.finish()?;
            WireMethod::ExchangeDeclare(ExchangeDeclare {
                exchange: text(exchange, "exchange")?,
                exchange_type: text(exchange_type, "type")?,
                passive: flags.get(0),
                durable: flags.get(1),
                auto_delete: flags.get(2),
                internal: flags.get(3),
                no_wait: flags.get(4),
                arguments: table(arguments)?,
            })
        }
        MethodId::EXCHANGE_DECLARE_OK => no_arguments(r, WireMethod::ExchangeDeclareOk)?,
        MethodId::EXCHANGE_DELETE => {
            let _ticket = r.short()?;
            let exchange = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::ExchangeDelete(ExchangeDelete {
                exchange: text(exchange, "exchange")?,
                if_unused: flags.get(0),
                no_wait: flags.get(1),
            })
        }
        MethodId::EXCHANGE_DELETE_OK => no_arguments(r, WireMethod::ExchangeDeleteOk)?,
        MethodId::EXCHANGE_BIND => WireMethod::ExchangeBind(exchange_bind(r)?),
        MethodId::EXCHANGE_BIND_OK => no_arguments(r, WireMethod::ExchangeBindOk)?,
        MethodId::EXCHANGE_UNBIND => WireMethod::ExchangeUnbind(exchange_bind(r)?),
        MethodId::EXCHANGE_UNBIND_OK => no_arguments(r, WireMethod::ExchangeUnbindOk)?,
        MethodId::QUEUE_DECLARE => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let flags = r.bits()?;
            let arguments = r.longstr()?;
            r.finish()?;
            WireMethod::QueueDeclare(QueueDeclare {
                queue: text(queue, "queue")?,
                passive: flags.get(0),
                durable: flags.get(1),
                exclusive: flags.get(2),
                auto_delete: flags.get(3),
                no_wait: flags.get(4),
                arguments: table(arguments)?,
            })
        }
        MethodId::QUEUE_DECLARE_OK => {
            let queue = r.shortstr()?;
            let message_count = r.long()?;
            let consumer_count = r.long()?;
            r.finish()?;
            WireMethod::QueueDeclareOk {
                queue: text(queue, "queue")?,
                message_count,
                consumer_count,
            }
        }
        MethodId::QUEUE_BIND => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            let flags = r.bits()?;
            let arguments = r.longstr()?;
            r.finish()?;
            WireMethod::QueueBind(QueueBind {
                queue: text(queue, "queue")?,
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
                no_wait: flags.get(0),
                arguments: table(arguments)?,
            })
        }
        MethodId::QUEUE_BIND_OK => no_arguments(r, WireMethod::QueueBindOk)?,
        MethodId::QUEUE_PURGE => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::QueuePurge(QueuePurge {
                queue: text(queue, "queue")?,
                no_wait: flags.get(0),
            })
        }
        MethodId::QUEUE_PURGE_OK => WireMethod::QueuePurgeOk {
            message_count: one_long(r)?,
        },
        MethodId::QUEUE_DELETE => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::QueueDelete(QueueDelete {
                queue: text(queue, "queue")?,
                if_unused: flags.get(0),
                if_empty: flags.get(1),
                no_wait: flags.get(2),
            })
        }
        MethodId::QUEUE_DELETE_OK => WireMethod::QueueDeleteOk {
            message_count: one_long(r)?,
        },
        MethodId::QUEUE_UNBIND => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            let arguments = r.longstr()?;
            r.finish()?;
            WireMethod::QueueUnbind(QueueBind {
                queue: text(queue, "queue")?,
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
                no_wait: false,
                arguments: table(arguments)?,
            })
        }
        MethodId::QUEUE_UNBIND_OK => no_arguments(r, WireMethod::QueueUnbindOk)?,
        MethodId::BASIC_QOS => {
            let prefetch_size = r.long()?;
            let prefetch_count = r.short()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicQos(BasicQos {
                prefetch_size,
                prefetch_count,
                global: flags.get(0),
            })
        }
        MethodId::BASIC_QOS_OK => no_arguments(r, WireMethod::BasicQosOk)?,
        MethodId::BASIC_CONSUME => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let consumer_tag = r.shortstr()?;
            let flags = r.bits()?;
            let arguments = r.longstr()?;
            r.finish()?;
            WireMethod::BasicConsume(BasicConsume {
                queue: text(queue, "queue")?,
                consumer_tag: text(consumer_tag, "consumer-tag")?,
                no_local: flags.get(0),
                no_ack: flags.get(1),
                exclusive: flags.get(2),
                no_wait: flags.get(3),
                arguments: table(arguments)?,
            })
        }
        MethodId::BASIC_CONSUME_OK => WireMethod::BasicConsumeOk {
            consumer_tag: one_shortstr(r, "consumer-tag")?,
        },
        MethodId::BASIC_CANCEL => {
            let consumer_tag = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicCancel(BasicCancel {
                consumer_tag: text(consumer_tag, "consumer-tag")?,
                no_wait: flags.get(0),
            })
        }
        MethodId::BASIC_CANCEL_OK => WireMethod::BasicCancelOk {
            consumer_tag: one_shortstr(r, "consumer-tag")?,
        },
        MethodId::BASIC_PUBLISH => {
            let _ticket = r.short()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicPublish(BasicPublish {
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
                mandatory: flags.get(0),
                immediate: flags.get(1),
                // Filled from the content frames that follow.
                properties: Default::default(),
                body: Vec::new(),
            })
        }
        MethodId::BASIC_RETURN => {
            let reply_code = r.short()?;
            let reply_text = r.shortstr()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            r.finish()?;
            WireMethod::BasicReturn(BasicReturn {
                reply_code,
                reply_text: text(reply_text, "reply-text")?,
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
            })
        }
        MethodId::BASIC_DELIVER => {
            let consumer_tag = r.shortstr()?;
            let delivery_tag = r.longlong()?;
            let flags = r.bits()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            r.finish()?;
            WireMethod::BasicDeliver(BasicDeliver {
                consumer_tag: text(consumer_tag, "consumer-tag")?,
                delivery_tag,
                redelivered: flags.get(0),
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
            })
        }
        MethodId::BASIC_GET => {
            let _ticket = r.short()?;
            let queue = r.shortstr()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicGet(BasicGet {
                queue: text(queue, "queue")?,
                no_ack: flags.get(0),
            })
        }
        MethodId::BASIC_GET_OK => {
            let delivery_tag = r.longlong()?;
            let flags = r.bits()?;
            let exchange = r.shortstr()?;
            let routing_key = r.shortstr()?;
            let message_count = r.long()?;
            r.finish()?;
            WireMethod::BasicGetOk(BasicGetOk {
                delivery_tag,
                redelivered: flags.get(0),
                exchange: text(exchange, "exchange")?,
                routing_key: text(routing_key, "routing-key")?,
                message_count,
            })
        }
        MethodId::BASIC_GET_EMPTY => {
            one_shortstr(r, "cluster-id")?;
            WireMethod::BasicGetEmpty
        }
        MethodId::BASIC_ACK => {
            let delivery_tag = r.longlong()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicAck(BasicAck {
                delivery_tag,
                multiple: flags.get(0),
            })
        }
        MethodId::BASIC_REJECT => {
            let delivery_tag = r.longlong()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicReject(BasicReject {
                delivery_tag,
                requeue: flags.get(0),
            })
        }
        MethodId::BASIC_RECOVER_ASYNC => WireMethod::BasicRecoverAsync(BasicRecover {
            requeue: one_bit(r)?,
        }),
        MethodId::BASIC_RECOVER => WireMethod::BasicRecover(BasicRecover {
            requeue: one_bit(r)?,
        }),
        MethodId::BASIC_RECOVER_OK => no_arguments(r, WireMethod::BasicRecoverOk)?,
        MethodId::BASIC_NACK => {
            let delivery_tag = r.longlong()?;
            let flags = r.bits()?;
            r.finish()?;
            WireMethod::BasicNack(BasicNack {
                delivery_tag,
                multiple: flags.get(0),
                requeue: flags.get(1),
            })
        }
        MethodId::CONFIRM_SELECT => WireMethod::ConfirmSelect {
            no_wait: one_bit(r)?,
        },
        MethodId::CONFIRM_SELECT_OK => no_arguments(r, WireMethod::ConfirmSelectOk)?,
        MethodId::TX_SELECT => no_arguments(r, WireMethod::TxSelect)?,
        MethodId::TX_SELECT_OK => no_arguments(r, WireMethod::TxSelectOk)?,
        MethodId::TX_COMMIT => no_arguments(r, WireMethod::TxCommit)?,
        MethodId::TX_COMMIT_OK => no_arguments(r, WireMethod::TxCommitOk)?,
        MethodId::TX_ROLLBACK => no_arguments(r, WireMethod::TxRollback)?,
        MethodId::TX_ROLLBACK_OK => no_arguments(r, WireMethod::TxRollbackOk)?,
        // `method_id` only names the methods above.
        _ => return Err(ArgumentError::UnknownMethod),
    })
}
