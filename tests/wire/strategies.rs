//! Proptest strategies for the wire codec's values: every field type,
//! properties, and every method with the arguments the wire keeps. Shared
//! by `tests/wire_codec.rs` and `tests/fuzz_wire.rs`
//! (`#[path = "wire/strategies.rs"] mod strategies;`).
#![allow(dead_code)]

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::Union;
use warren::engine::message::Properties;
use warren::engine::method::{
    BasicAck, BasicCancel, BasicConsume, BasicGet, BasicNack, BasicPublish, BasicQos, BasicRecover,
    BasicReject, Close, ConnectionOpen, ExchangeBind, ExchangeDeclare, ExchangeDelete, QueueBind,
    QueueDeclare, QueueDelete, QueuePurge,
};
use warren::engine::value::{FieldTable, FieldValue};
use warren::wire::{
    AccessRequest, BasicDeliver, BasicGetOk, BasicReturn, ConnectionStart, ConnectionStartOk, Tune,
    UpdateSecret, WireMethod,
};

/// Short strings: ASCII or any Unicode, at most 255 bytes.
pub fn short_text() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{0,24}", "\\PC{0,30}"]
}

pub fn field_value() -> impl Strategy<Value = FieldValue> {
    let leaf = prop_oneof![
        Just(FieldValue::Void),
        any::<bool>().prop_map(FieldValue::Bool),
        any::<i8>().prop_map(FieldValue::Byte),
        any::<u8>().prop_map(FieldValue::UnsignedByte),
        any::<i16>().prop_map(FieldValue::Short),
        any::<u16>().prop_map(FieldValue::UnsignedShort),
        any::<i32>().prop_map(FieldValue::Int),
        any::<u32>().prop_map(FieldValue::UnsignedInt),
        any::<i64>().prop_map(FieldValue::Long),
        any::<f32>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(FieldValue::Float),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(FieldValue::Double),
        (any::<u8>(), any::<u32>()).prop_map(|(scale, value)| FieldValue::Decimal { scale, value }),
        "\\PC{0,20}".prop_map(FieldValue::LongStr),
        vec(any::<u8>(), 0..24).prop_map(FieldValue::Binary),
        any::<u64>().prop_map(FieldValue::Timestamp),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(FieldValue::Array),
            btree_map(short_text(), inner, 0..6).prop_map(FieldValue::Table),
        ]
    })
}

pub fn field_table() -> impl Strategy<Value = FieldTable> {
    btree_map(short_text(), field_value(), 0..8)
}

pub fn properties() -> impl Strategy<Value = Properties> {
    let text = || proptest::option::of(short_text());
    (
        (text(), text(), proptest::option::of(field_table())),
        (
            proptest::option::of(any::<u8>()),
            proptest::option::of(any::<u8>()),
        ),
        (text(), text(), text(), text()),
        proptest::option::of(any::<u64>()),
        (text(), text(), text(), text()),
    )
        .prop_map(
            |(
                (content_type, content_encoding, headers),
                (delivery_mode, priority),
                (correlation_id, reply_to, expiration, message_id),
                timestamp,
                (kind, user_id, app_id, cluster_id),
            )| Properties {
                content_type,
                content_encoding,
                headers,
                delivery_mode,
                priority,
                correlation_id,
                reply_to,
                expiration,
                message_id,
                timestamp,
                kind,
                user_id,
                app_id,
                cluster_id,
            },
        )
}

fn close() -> impl Strategy<Value = Close> {
    (any::<u16>(), short_text(), any::<u16>(), any::<u16>()).prop_map(
        |(reply_code, reply_text, class_id, method_id)| Close {
            reply_code,
            reply_text,
            class_id,
            method_id,
        },
    )
}

fn tune() -> impl Strategy<Value = Tune> {
    (any::<u16>(), any::<u32>(), any::<u16>()).prop_map(|(channel_max, frame_max, heartbeat)| {
        Tune {
            channel_max,
            frame_max,
            heartbeat,
        }
    })
}

/// exchange.bind's arguments (exchange.unbind's too).
fn exchange_bind() -> impl Strategy<Value = ExchangeBind> {
    (
        short_text(),
        short_text(),
        short_text(),
        any::<bool>(),
        field_table(),
    )
        .prop_map(
            |(destination, source, routing_key, no_wait, arguments)| ExchangeBind {
                destination,
                source,
                routing_key,
                no_wait,
                arguments,
            },
        )
}

/// queue.bind's arguments (queue.unbind's, but for `no_wait`): exchange.bind's
/// with the queue as the destination and the exchange as the source.
fn queue_bind() -> impl Strategy<Value = QueueBind> {
    exchange_bind().prop_map(|b| QueueBind {
        queue: b.destination,
        exchange: b.source,
        routing_key: b.routing_key,
        no_wait: b.no_wait,
        arguments: b.arguments,
    })
}

/// Every method, with arguments the wire keeps (no content in a publish,
/// no `no_wait` in queue.unbind).
pub fn wire_method() -> impl Strategy<Value = WireMethod> {
    use WireMethod as W;
    let bytes = || vec(any::<u8>(), 0..40);
    let arms: Vec<BoxedStrategy<WireMethod>> = vec![
        (
            any::<u8>(),
            any::<u8>(),
            field_table(),
            short_text(),
            short_text(),
        )
            .prop_map(
                |(version_major, version_minor, server_properties, mechanisms, locales)| {
                    W::ConnectionStart(ConnectionStart {
                        version_major,
                        version_minor,
                        server_properties,
                        mechanisms,
                        locales,
                    })
                },
            )
            .boxed(),
        (field_table(), short_text(), bytes(), short_text())
            .prop_map(|(client_properties, mechanism, response, locale)| {
                W::ConnectionStartOk(ConnectionStartOk {
                    client_properties,
                    mechanism,
                    response,
                    locale,
                })
            })
            .boxed(),
        bytes()
            .prop_map(|challenge| W::ConnectionSecure { challenge })
            .boxed(),
        bytes()
            .prop_map(|response| W::ConnectionSecureOk { response })
            .boxed(),
        tune().prop_map(W::ConnectionTune).boxed(),
        tune().prop_map(W::ConnectionTuneOk).boxed(),
        short_text()
            .prop_map(|virtual_host| W::ConnectionOpen(ConnectionOpen { virtual_host }))
            .boxed(),
        Just(W::ConnectionOpenOk).boxed(),
        close().prop_map(W::ConnectionClose).boxed(),
        Just(W::ConnectionCloseOk).boxed(),
        short_text()
            .prop_map(|reason| W::ConnectionBlocked { reason })
            .boxed(),
        Just(W::ConnectionUnblocked).boxed(),
        (bytes(), short_text())
            .prop_map(|(new_secret, reason)| {
                W::ConnectionUpdateSecret(UpdateSecret { new_secret, reason })
            })
            .boxed(),
        Just(W::ConnectionUpdateSecretOk).boxed(),
        Just(W::ChannelOpen).boxed(),
        Just(W::ChannelOpenOk).boxed(),
        any::<bool>()
            .prop_map(|active| W::ChannelFlow { active })
            .boxed(),
        any::<bool>()
            .prop_map(|active| W::ChannelFlowOk { active })
            .boxed(),
        close().prop_map(W::ChannelClose).boxed(),
        Just(W::ChannelCloseOk).boxed(),
        (short_text(), any::<[bool; 5]>())
            .prop_map(|(realm, [exclusive, passive, active, write, read])| {
                W::AccessRequest(AccessRequest {
                    realm,
                    exclusive,
                    passive,
                    active,
                    write,
                    read,
                })
            })
            .boxed(),
        any::<u16>()
            .prop_map(|ticket| W::AccessRequestOk { ticket })
            .boxed(),
        (
            short_text(),
            short_text(),
            any::<[bool; 5]>(),
            field_table(),
        )
            .prop_map(
                |(
                    exchange,
                    exchange_type,
                    [passive, durable, auto_delete, internal, no_wait],
                    arguments,
                )| {
                    W::ExchangeDeclare(ExchangeDeclare {
                        exchange,
                        exchange_type,
                        passive,
                        durable,
                        auto_delete,
                        internal,
                        no_wait,
                        arguments,
                    })
                },
            )
            .boxed(),
        Just(W::ExchangeDeclareOk).boxed(),
        (short_text(), any::<bool>(), any::<bool>())
            .prop_map(|(exchange, if_unused, no_wait)| {
                W::ExchangeDelete(ExchangeDelete {
                    exchange,
                    if_unused,
                    no_wait,
                })
            })
            .boxed(),
        Just(W::ExchangeDeleteOk).boxed(),
        exchange_bind().prop_map(W::ExchangeBind).boxed(),
        Just(W::ExchangeBindOk).boxed(),
        exchange_bind().prop_map(W::ExchangeUnbind).boxed(),
        Just(W::ExchangeUnbindOk).boxed(),
        (short_text(), any::<[bool; 5]>(), field_table())
            .prop_map(
                |(queue, [passive, durable, exclusive, auto_delete, no_wait], arguments)| {
                    W::QueueDeclare(QueueDeclare {
                        queue,
                        passive,
                        durable,
                        exclusive,
                        auto_delete,
                        no_wait,
                        arguments,
                    })
                },
            )
            .boxed(),
        (short_text(), any::<u32>(), any::<u32>())
            .prop_map(|(queue, messages, consumers)| W::QueueDeclareOk {
                queue,
                message_count: messages,
                consumer_count: consumers,
            })
            .boxed(),
        queue_bind().prop_map(W::QueueBind).boxed(),
        Just(W::QueueBindOk).boxed(),
        (short_text(), any::<bool>())
            .prop_map(|(queue, no_wait)| W::QueuePurge(QueuePurge { queue, no_wait }))
            .boxed(),
        any::<u32>()
            .prop_map(|message_count| W::QueuePurgeOk { message_count })
            .boxed(),
        (short_text(), any::<[bool; 3]>())
            .prop_map(|(queue, [if_unused, if_empty, no_wait])| {
                W::QueueDelete(QueueDelete {
                    queue,
                    if_unused,
                    if_empty,
                    no_wait,
                })
            })
            .boxed(),
        any::<u32>()
            .prop_map(|message_count| W::QueueDeleteOk { message_count })
            .boxed(),
        queue_bind()
            .prop_map(|b| {
                W::QueueUnbind(QueueBind {
                    no_wait: false,
                    ..b
                })
            })
            .boxed(),
        Just(W::QueueUnbindOk).boxed(),
        (any::<u32>(), any::<u16>(), any::<bool>())
            .prop_map(|(prefetch_size, prefetch_count, global)| {
                W::BasicQos(BasicQos {
                    prefetch_size,
                    prefetch_count,
                    global,
                })
            })
            .boxed(),
        Just(W::BasicQosOk).boxed(),
        (
            short_text(),
            short_text(),
            any::<[bool; 4]>(),
            field_table(),
        )
            .prop_map(
                |(queue, consumer_tag, [no_local, no_ack, exclusive, no_wait], arguments)| {
                    W::BasicConsume(BasicConsume {
                        queue,
                        consumer_tag,
                        no_local,
                        no_ack,
                        exclusive,
                        no_wait,
                        arguments,
                    })
                },
            )
            .boxed(),
        short_text()
            .prop_map(|consumer_tag| W::BasicConsumeOk { consumer_tag })
            .boxed(),
        (short_text(), any::<bool>())
            .prop_map(|(consumer_tag, no_wait)| {
                W::BasicCancel(BasicCancel {
                    consumer_tag,
                    no_wait,
                })
            })
            .boxed(),
        short_text()
            .prop_map(|consumer_tag| W::BasicCancelOk { consumer_tag })
            .boxed(),
        (short_text(), short_text(), any::<bool>(), any::<bool>())
            .prop_map(|(exchange, routing_key, mandatory, immediate)| {
                W::BasicPublish(BasicPublish {
                    exchange,
                    routing_key,
                    mandatory,
                    immediate,
                    properties: Properties::default(),
                    body: Vec::new(),
                })
            })
            .boxed(),
        (any::<u16>(), short_text(), short_text(), short_text())
            .prop_map(|(reply_code, reply_text, exchange, routing_key)| {
                W::BasicReturn(BasicReturn {
                    reply_code,
                    reply_text,
                    exchange,
                    routing_key,
                })
            })
            .boxed(),
        (
            short_text(),
            any::<u64>(),
            any::<bool>(),
            short_text(),
            short_text(),
        )
            .prop_map(
                |(consumer_tag, delivery_tag, redelivered, exchange, routing_key)| {
                    W::BasicDeliver(BasicDeliver {
                        consumer_tag,
                        delivery_tag,
                        redelivered,
                        exchange,
                        routing_key,
                    })
                },
            )
            .boxed(),
        (short_text(), any::<bool>())
            .prop_map(|(queue, no_ack)| W::BasicGet(BasicGet { queue, no_ack }))
            .boxed(),
        (
            any::<u64>(),
            any::<bool>(),
            short_text(),
            short_text(),
            any::<u32>(),
        )
            .prop_map(
                |(delivery_tag, redelivered, exchange, routing_key, message_count)| {
                    W::BasicGetOk(BasicGetOk {
                        delivery_tag,
                        redelivered,
                        exchange,
                        routing_key,
                        message_count,
                    })
                },
            )
            .boxed(),
        Just(W::BasicGetEmpty).boxed(),
        (any::<u64>(), any::<bool>())
            .prop_map(|(delivery_tag, multiple)| {
                W::BasicAck(BasicAck {
                    delivery_tag,
                    multiple,
                })
            })
            .boxed(),
        (any::<u64>(), any::<bool>())
            .prop_map(|(delivery_tag, requeue)| {
                W::BasicReject(BasicReject {
                    delivery_tag,
                    requeue,
                })
            })
            .boxed(),
        any::<bool>()
            .prop_map(|requeue| W::BasicRecoverAsync(BasicRecover { requeue }))
            .boxed(),
        any::<bool>()
            .prop_map(|requeue| W::BasicRecover(BasicRecover { requeue }))
            .boxed(),
        Just(W::BasicRecoverOk).boxed(),
        (any::<u64>(), any::<bool>(), any::<bool>())
            .prop_map(|(delivery_tag, multiple, requeue)| {
                W::BasicNack(BasicNack {
                    delivery_tag,
                    multiple,
                    requeue,
                })
            })
            .boxed(),
        any::<bool>()
            .prop_map(|no_wait| W::ConfirmSelect { no_wait })
            .boxed(),
        Just(W::ConfirmSelectOk).boxed(),
        Just(W::TxSelect).boxed(),
        Just(W::TxSelectOk).boxed(),
        Just(W::TxCommit).boxed(),
        Just(W::TxCommitOk).boxed(),
        Just(W::TxRollback).boxed(),
        Just(W::TxRollbackOk).boxed(),
    ];
    assert_eq!(arms.len(), 66, "one arm per method");
    Union::new(arms)
}
