//! Every limit at the limit and one past it: the past-the-limit input is
//! refused with a clear error (client-side where the client could not even
//! encode it, RabbitMQ's reply code where RabbitMQ refuses it) and nothing
//! already there changes.

use warren::engine::method::{
    BasicConsume, BasicGet, BasicPublish, BasicQos, Close, ExchangeDeclare, QueueBind, QueueDeclare,
};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, CommandError, Method};
use warren::sim::bounded::Prefetch;

#[path = "support/chan.rs"]
mod chan;
use chan::{consume_ok, declare_ok, get_ok, Chan};

fn broker() -> (Broker, Chan) {
    let mut b = Broker::new(BrokerConfig::default());
    let conn = b.open_connection("t");
    let ch = Chan::open(&mut b, conn).unwrap();
    (b, ch)
}

fn declare(
    b: &mut Broker,
    ch: Chan,
    d: QueueDeclare,
) -> Result<warren::engine::method::QueueDeclareOk, CommandError> {
    ch.call(b, Method::QueueDeclare(d)).map(declare_ok)
}

fn publish(b: &mut Broker, ch: Chan, p: BasicPublish) -> Result<(), CommandError> {
    ch.call(b, Method::BasicPublish(p)).map(|_| ())
}

fn qos(
    b: &mut Broker,
    ch: Chan,
    prefetch_size: u32,
    prefetch_count: u16,
) -> Result<(), CommandError> {
    ch.call(
        b,
        Method::BasicQos(BasicQos {
            prefetch_size,
            prefetch_count,
            global: false,
        }),
    )
    .map(|_| ())
}

fn queue(name: &str) -> QueueDeclare {
    QueueDeclare {
        queue: name.into(),
        ..Default::default()
    }
}

fn args(key: &str, v: FieldValue) -> FieldTable {
    FieldTable::from([(key.to_string(), v)])
}

fn code(e: &CommandError) -> Option<u16> {
    e.amqp().map(|a| a.code.code())
}

#[test]
fn names_of_255_bytes_work_and_256_are_refused_without_side_effects() {
    let (mut b, ch) = broker();
    let ok = "q".repeat(255);
    assert_eq!(
        &*declare(&mut b, ch, queue(&ok)).unwrap().queue,
        ok.as_str()
    );
    let too_long = "q".repeat(256);
    let err = declare(&mut b, ch, queue(&too_long)).unwrap_err();
    assert!(
        matches!(err, CommandError::Invalid(ref m) if m.contains("256 bytes")),
        "{err}"
    );
    assert!(
        b.channel(ch.id).unwrap().open,
        "a client-side refusal leaves the channel open"
    );
    assert!(b.queue_by_name(&ok).is_some());

    // Multi-byte UTF-8 counts bytes, not characters: 128 × 'é' is 256 bytes.
    assert!(declare(&mut b, ch, queue(&"é".repeat(128))).is_err());
    assert!(declare(&mut b, ch, queue(&"é".repeat(127))).is_ok());

    let x255 = "x".repeat(255);
    ch.call(
        &mut b,
        Method::ExchangeDeclare(ExchangeDeclare {
            exchange: x255.clone(),
            ..Default::default()
        }),
    )
    .unwrap();
    assert!(ch
        .call(
            &mut b,
            Method::ExchangeDeclare(ExchangeDeclare {
                exchange: "x".repeat(256),
                ..Default::default()
            })
        )
        .is_err());

    ch.call(
        &mut b,
        Method::QueueBind(QueueBind::new(&ok, &x255, &"k".repeat(255))),
    )
    .unwrap();
    assert!(ch
        .call(
            &mut b,
            Method::QueueBind(QueueBind::new(&ok, &x255, &"k".repeat(256)))
        )
        .is_err());
    publish(&mut b, ch, BasicPublish::new(&x255, &"k".repeat(255), "")).unwrap();
    assert_eq!(b.queue_stats(&ok).unwrap().ready, 1);
    assert!(publish(&mut b, ch, BasicPublish::new(&x255, &"k".repeat(256), "")).is_err());
    assert_eq!(b.queue_stats(&ok).unwrap().ready, 1);

    let tag = "t".repeat(255);
    assert_eq!(
        &*ch.call(
            &mut b,
            Method::BasicConsume(BasicConsume {
                queue: ok.clone(),
                consumer_tag: tag.clone(),
                ..Default::default()
            })
        )
        .map(consume_ok)
        .unwrap(),
        tag.as_str()
    );
    assert!(ch
        .call(
            &mut b,
            Method::BasicConsume(BasicConsume {
                queue: ok,
                consumer_tag: "t".repeat(256),
                ..Default::default()
            })
        )
        .is_err());
}

#[test]
fn priority_255_is_accepted_and_256_is_406() {
    let (mut b, ch) = broker();
    let ok = declare(
        &mut b,
        ch,
        QueueDeclare {
            arguments: args("x-max-priority", FieldValue::Int(255)),
            ..queue("p255")
        },
    );
    assert!(ok.is_ok());
    let err = declare(
        &mut b,
        ch,
        QueueDeclare {
            arguments: args("x-max-priority", FieldValue::Int(256)),
            ..queue("p256")
        },
    )
    .unwrap_err();
    assert_eq!(code(&err), Some(406));
    assert!(err
        .amqp()
        .unwrap()
        .reply_text()
        .ends_with("{max_value_exceeded,256}"));
    assert!(b.queue_by_name("p256").is_none());
    assert!(
        b.queue_by_name("p255").is_some(),
        "the earlier queue is untouched"
    );
}

#[test]
fn ttl_bounds_and_bad_arguments_give_rabbitmq_errors() {
    let cases: &[(&str, FieldValue, Option<&str>)] = &[
        ("x-message-ttl", FieldValue::Int(0), None),
        (
            "x-message-ttl",
            FieldValue::Int(-1),
            Some("{value_negative,-1}"),
        ),
        (
            "x-message-ttl",
            FieldValue::LongStr("1000".into()),
            Some("\"expected integer, got longstr\""),
        ),
        (
            "x-message-ttl",
            FieldValue::Double(1.5),
            Some("\"expected integer, got double\""),
        ),
        ("x-expires", FieldValue::Int(1), None),
        ("x-expires", FieldValue::Int(0), Some("{value_zero,0}")),
        (
            "x-expires",
            FieldValue::Int(-5),
            Some("{value_negative,-5}"),
        ),
        ("x-max-length", FieldValue::Int(0), None),
        (
            "x-max-length",
            FieldValue::Int(-1),
            Some("{value_negative,-1}"),
        ),
        (
            "x-max-length-bytes",
            FieldValue::Long(-1),
            Some("{value_negative,-1}"),
        ),
        (
            "x-overflow",
            FieldValue::LongStr("bogus".into()),
            Some("invalid_overflow"),
        ),
        (
            "x-single-active-consumer",
            FieldValue::Int(1),
            Some("{unacceptable_type,signedint}"),
        ),
        (
            "x-max-priority",
            FieldValue::Int(-1),
            Some("{value_negative,-1}"),
        ),
    ];
    for (i, (key, value, error)) in cases.iter().enumerate() {
        let (mut b, ch) = broker();
        let name = format!("q{i}");
        let r = declare(
            &mut b,
            ch,
            QueueDeclare {
                arguments: args(key, value.clone()),
                ..queue(&name)
            },
        );
        match error {
            None => assert!(r.is_ok(), "{key}={value:?} should be accepted: {r:?}"),
            Some(reason) => {
                let e = r.unwrap_err();
                assert_eq!(code(&e), Some(406), "{key}={value:?}");
                let text = e.amqp().unwrap().reply_text();
                assert_eq!(text, format!("PRECONDITION_FAILED - invalid arg '{key}' for queue '{name}' in vhost '/': {reason}"));
                assert!(!b.channel(ch.id).unwrap().open, "a 406 closes the channel");
            }
        }
    }
}

#[test]
fn expiration_property_bounds() {
    let (mut b, ch) = broker();
    declare(&mut b, ch, queue("q")).unwrap();
    for (expiration, ok) in [
        ("0", true),
        ("4294967295", true),
        ("4294967296", false),
        ("-1", false),
        ("1.5", false),
        ("", false),
    ] {
        let mut props = warren::engine::message::Properties::default();
        props.expiration = Some(expiration.into());
        let r = publish(
            &mut b,
            ch,
            BasicPublish {
                properties: props,
                ..BasicPublish::new("", "q", "")
            },
        );
        assert_eq!(r.is_ok(), ok, "expiration {expiration:?}: {r:?}");
        if !ok {
            assert_eq!(code(&r.unwrap_err()), Some(406));
            let conn = b.channel(ch.id).unwrap().conn;
            let fresh = Chan::open(&mut b, conn).unwrap();
            return expiration_rest(b, fresh);
        }
    }
}

fn expiration_rest(mut b: Broker, ch: Chan) {
    // Expiration "0" with no consumer expired at once; the other accepted
    // message is still queued after the refused one.
    assert_eq!(b.queue_stats("q").unwrap().ready, 1);
    let got = ch.call(
        &mut b,
        Method::BasicGet(BasicGet {
            queue: "q".into(),
            no_ack: true,
        }),
    );
    assert!(got.map(get_ok).unwrap().is_some());
}

#[test]
fn prefetch_65535_is_accepted_and_65536_refused_client_side() {
    let (mut b, ch) = broker();
    qos(&mut b, ch, 0, Prefetch::new(65_535).unwrap().get()).unwrap();
    // prefetch_count is a 16-bit field: basic.qos cannot carry 65536, so it
    // is refused where the number comes in (a form, a document, the JS API)
    // and where a method is read from JSON, before anything reaches the broker.
    let err = Prefetch::new(65_536).unwrap_err();
    assert_eq!(err.to_string(), "expected an integer 0..65535, got 65536");
    assert!(serde_json::from_str::<BasicQos>(r#"{"prefetch_count": 65536}"#).is_err());
    assert!(b.channel(ch.id).unwrap().open);
    assert_eq!(b.channel(ch.id).unwrap().consumer_prefetch, 65_535);
    // prefetch_size is not implemented by RabbitMQ: 540, a connection error.
    let err = qos(&mut b, ch, 10, 1).unwrap_err();
    assert_eq!(code(&err), Some(540));
    assert!(!b.connection(b.channel(ch.id).unwrap().conn).unwrap().open);
}

#[test]
fn nested_headers_are_bounded() {
    let (mut b, ch) = broker();
    declare(&mut b, ch, queue("q")).unwrap();
    let mut value = FieldValue::Int(1);
    for _ in 0..40 {
        value = FieldValue::Table(FieldTable::from([("n".to_string(), value)]));
    }
    let mut props = warren::engine::message::Properties::default();
    props.headers = Some(FieldTable::from([("deep".to_string(), value)]));
    let err = publish(
        &mut b,
        ch,
        BasicPublish {
            properties: props,
            ..BasicPublish::new("", "q", "")
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, CommandError::Invalid(ref m) if m.contains("deeper")),
        "{err}"
    );
    assert!(b.channel(ch.id).unwrap().open);
}

#[test]
fn methods_on_closed_channels_and_connections_change_nothing() {
    let (mut b, ch) = broker();
    declare(&mut b, ch, queue("q")).unwrap();
    b.close_channel_gracefully(ch.conn, ch.number).unwrap();
    let before = b.next_event_seq();
    assert_eq!(
        publish(&mut b, ch, BasicPublish::new("", "q", "")).unwrap_err(),
        CommandError::ChannelClosed
    );
    assert_eq!(
        declare(&mut b, ch, queue("other")).unwrap_err(),
        CommandError::ChannelClosed
    );
    assert_eq!(b.next_event_seq(), before, "nothing was logged");
    let conn = b.channel(ch.id).unwrap().conn;
    b.close_connection_gracefully(conn).unwrap();
    assert_eq!(
        b.open_next_channel(conn).unwrap_err(),
        CommandError::ConnectionClosed
    );
    assert_eq!(
        b.close_connection_gracefully(conn).unwrap_err(),
        CommandError::ConnectionClosed
    );
    assert_eq!(
        b.apply(conn, 0, Method::ConnectionClose(Close::normal()))
            .unwrap_err(),
        CommandError::ConnectionClosed
    );
    assert_eq!(b.queue_stats("q").unwrap().ready, 0);
}

#[test]
fn rabbitmq_4_3_profile_refuses_transient_queues_with_its_truncated_541() {
    let mut b = Broker::new(BrokerConfig {
        profile: warren::engine::Profile::RabbitMq43,
        ..BrokerConfig::default()
    });
    let conn = b.open_connection("t");
    let ch = Chan::open(&mut b, conn).unwrap();
    let err = declare(&mut b, ch, queue("hello")).unwrap_err();
    let e = err.amqp().unwrap();
    assert_eq!(e.code.code(), 541);
    assert_eq!(
        e.reply_text(),
        "INTERNAL_ERROR - Feature `transient_nonexcl_queues` is deprecated.\nBy default, this feature is not permitted anymore.\nThe feature will be removed from a future major RabbitMQ version, regardless of the configuration; actual version to be determined.\nTo..."
    );
    assert_eq!(e.reply_text().len(), 255);
    assert!(
        !b.connection(conn).unwrap().open,
        "541 closes the connection"
    );
    // Durable or exclusive queues are fine under 4.3.
    let conn = b.open_connection("t2");
    let ch = Chan::open(&mut b, conn).unwrap();
    assert!(declare(
        &mut b,
        ch,
        QueueDeclare {
            durable: true,
            ..queue("hello")
        }
    )
    .is_ok());
    assert!(declare(
        &mut b,
        ch,
        QueueDeclare {
            exclusive: true,
            ..queue("mine")
        }
    )
    .is_ok());
}

/// RabbitMQ's channel_max counts open channels, not channel numbers
/// (recorded against 3.10.8: channel 65535 opens; one channel past the
/// limit is a 530 that closes the connection).
#[test]
fn channel_max_counts_open_channels_not_numbers() {
    let mut b = Broker::new(BrokerConfig::default());
    let conn = b.open_connection("many");
    assert!(b.apply(conn, u16::MAX, Method::ChannelOpen).is_ok());
    for n in 1..warren::engine::limits::CHANNEL_MAX {
        b.apply(conn, n, Method::ChannelOpen)
            .unwrap_or_else(|e| panic!("channel {n}: {e}"));
    }
    assert_eq!(b.connection(conn).unwrap().channel_numbers.len(), 2047);
    let err = b
        .apply(
            conn,
            warren::engine::limits::CHANNEL_MAX,
            Method::ChannelOpen,
        )
        .unwrap_err();
    let amqp = err.amqp().expect("a broker error");
    assert_eq!(amqp.code.code(), 530);
    assert_eq!(
        amqp.reply_text(),
        "NOT_ALLOWED - number of channels opened (2047) has reached the negotiated channel_max (2047)"
    );
    assert!(!b.connection(conn).unwrap().open, "a connection error");
    // Opening a number that is open already is 504, also for the connection.
    let conn = b.open_connection("twice");
    b.apply(conn, 1, Method::ChannelOpen).unwrap();
    let err = b.apply(conn, 1, Method::ChannelOpen).unwrap_err();
    assert_eq!(err.amqp().map(|a| a.code.code()), Some(504));
    assert!(!b.connection(conn).unwrap().open);
}
