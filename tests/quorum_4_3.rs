//! The `rabbitmq-4.3` profile's quorum queues (issue 17): what RabbitMQ 4.x
//! changed, each test citing the documentation or source it follows. The
//! 3.10 behaviour is recorded (`tests/conformance/scenarios/qq_*.json`).

use warren::engine::message::Properties;
use warren::engine::method::{BasicGet, BasicNack, BasicReject};
use warren::engine::value::{FieldTable, FieldValue};
use warren::engine::{Broker, BrokerConfig, Method, Profile};

#[path = "support/chan.rs"]
mod chan;
use chan::{get_ok, Chan};

fn quorum(b: &mut Broker, ch: Chan, name: &str, limit: Option<i32>) {
    let mut arguments = FieldTable::new();
    arguments.insert("x-queue-type".into(), FieldValue::LongStr("quorum".into()));
    if let Some(l) = limit {
        arguments.insert("x-delivery-limit".into(), FieldValue::Int(l));
    }
    ch.declare_durable(b, name, arguments);
}

/// How many times one message can be taken with basic.get and rejected
/// (requeue) before the queue dead-letters it.
fn deliveries_before_death(profile: Profile, limit: Option<i32>) -> u32 {
    let mut b = Broker::new(BrokerConfig {
        profile,
        ..BrokerConfig::default()
    });
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", limit);
    ch.publish(&mut b, "q", "poison");
    b.run_until_idle();
    let mut deliveries = 0;
    while deliveries < 100 {
        let got = get_ok(
            ch.call(
                &mut b,
                Method::BasicGet(BasicGet {
                    queue: "q".into(),
                    no_ack: false,
                }),
            )
            .unwrap(),
        );
        let Some(got) = got else { break };
        deliveries += 1;
        ch.call(
            &mut b,
            Method::BasicReject(BasicReject {
                delivery_tag: got.delivery_tag,
                requeue: true,
            }),
        )
        .unwrap();
        b.run_until_idle();
    }
    deliveries
}

/// Quorum queues have a default delivery limit of 20 since RabbitMQ 4.0
/// (rabbitmq-server v4.3.0 `rabbit_quorum_queue:get_delivery_limit`,
/// `?DEFAULT_DELIVERY_LIMIT`; *Quorum Queues* guide, poison message
/// handling): a message is delivered 21 times (the first delivery and 20
/// returns) and dead-lettered on its 21st return. RabbitMQ 3.10 has no
/// default limit.
#[test]
fn quorum_queues_have_a_default_delivery_limit_of_20_in_4_3() {
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, None), 21);
    assert_eq!(
        deliveries_before_death(Profile::RabbitMq3, None),
        100,
        "no limit"
    );
}

/// An explicit limit wins, and a negative one turns the limit off in 4.3
/// (v4.3.0 `rabbit_quorum_queue:canonicalize_delivery_limit` maps any
/// negative value to "undefined"); 3.10 does not validate the argument
/// and a negative value sets no limit either.
#[test]
fn an_explicit_or_negative_delivery_limit() {
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, Some(2)), 3);
    assert_eq!(deliveries_before_death(Profile::RabbitMq3, Some(2)), 3);
    assert_eq!(deliveries_before_death(Profile::RabbitMq43, Some(-1)), 100);
    assert_eq!(deliveries_before_death(Profile::RabbitMq3, Some(-1)), 100);
}

fn publish_with_priority(b: &mut Broker, ch: Chan, queue: &str, body: &str, priority: Option<u8>) {
    let properties = Properties {
        priority,
        ..Properties::default()
    };
    ch.publish_with(b, queue, body, properties);
}

/// basic.get with manual ack: the body and delivery tag, or `None` if empty.
fn get(b: &mut Broker, ch: Chan, queue: &str) -> Option<(String, u64)> {
    let got = get_ok(
        ch.call(
            b,
            Method::BasicGet(BasicGet {
                queue: queue.into(),
                no_ack: false,
            }),
        )
        .unwrap(),
    )?;
    Some((
        String::from_utf8_lossy(got.message.body()).into_owned(),
        got.delivery_tag,
    ))
}

fn drain(b: &mut Broker, ch: Chan, queue: &str) -> Vec<String> {
    std::iter::from_fn(|| get(b, ch, queue).map(|(body, _)| body)).collect()
}

fn broker(profile: Profile) -> Broker {
    Broker::new(BrokerConfig {
        profile,
        ..BrokerConfig::default()
    })
}

/// RabbitMQ 4.3's quorum queues deliver by priority with no argument to
/// ask for it. https://www.rabbitmq.com/docs/quorum-queues#priorities
/// (4.3): "Quorum queues implement strict priority support with 32
/// priority levels (0-31): higher priority messages are dispatched ahead of
/// lower priority ones" and "Priorities are clamped to the 0-31 range.
/// Messages without a `priority` property are treated as priority 4".
/// Within a level, publish order. RabbitMQ 3.10's quorum queues ignore
/// priorities: the same messages come out in publish order.
#[test]
fn quorum_queues_deliver_by_priority_in_4_3_only() {
    let published: [(&str, Option<u8>); 7] = [
        ("none", None),
        ("p0", Some(0)),
        ("p9", Some(9)),
        ("p31", Some(31)),
        ("p200", Some(200)),
        ("p4", Some(4)),
        ("p5", Some(5)),
    ];
    let order = |profile| {
        let mut b = broker(profile);
        let ch = Chan::connect(&mut b, "c");
        quorum(&mut b, ch, "q", None);
        for (body, priority) in published {
            publish_with_priority(&mut b, ch, "q", body, priority);
        }
        drain(&mut b, ch, "q")
    };
    assert_eq!(
        order(Profile::RabbitMq43),
        ["p31", "p200", "p9", "p5", "none", "p4", "p0"],
        "200 is clamped to 31 and keeps its publish order there; no priority is 4"
    );
    assert_eq!(
        order(Profile::RabbitMq3),
        ["none", "p0", "p9", "p31", "p200", "p4", "p5"]
    );
}

/// Returned messages go first, in the order they came back, whatever their
/// priority. https://www.rabbitmq.com/docs/quorum-queues#returned-messages
/// (4.3): "When messages are returned to the queue (via `reject`, `nack`,
/// or `modify`), they do not retain their original priority. Instead, they
/// are added to the returns queue and are requeued in the exact order they
/// were returned, regardless of their priority." (`rabbit_fifo:take_next_msg`
/// reads the returns before the priority queue.)
#[test]
fn returned_messages_go_first_in_return_order_whatever_their_priority() {
    let mut b = broker(Profile::RabbitMq43);
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", None);
    publish_with_priority(&mut b, ch, "q", "low", Some(0));
    publish_with_priority(&mut b, ch, "q", "high", Some(9));
    publish_with_priority(&mut b, ch, "q", "high too", Some(9));
    let taken: Vec<(String, u64)> = std::iter::from_fn(|| get(&mut b, ch, "q")).collect();
    let bodies: Vec<&str> = taken.iter().map(|(body, _)| body.as_str()).collect();
    assert_eq!(bodies, ["high", "high too", "low"]);
    for returned in ["low", "high too"] {
        let tag = taken.iter().find(|(body, _)| body == returned).unwrap().1;
        ch.call(
            &mut b,
            Method::BasicReject(BasicReject {
                delivery_tag: tag,
                requeue: true,
            }),
        )
        .unwrap();
    }
    publish_with_priority(&mut b, ch, "q", "top", Some(31));
    assert_eq!(drain(&mut b, ch, "q"), ["low", "high too", "top"]);
}

/// A nack with requeue on a 4.3 quorum queue without a delivery limit goes
/// in at the back of the default priority, 4, whatever the message's own
/// (v4.3.0 `rabbit_fifo`: without a limit a return becomes a `#requeue{}`
/// command, applied with `rabbit_fifo_pq:in(?DEFAULT_PRIORITY, ...)`; the
/// guide does not describe this case).
#[test]
fn a_requeue_without_a_delivery_limit_goes_in_at_priority_4() {
    let mut b = broker(Profile::RabbitMq43);
    let ch = Chan::connect(&mut b, "c");
    quorum(&mut b, ch, "q", Some(-1));
    publish_with_priority(&mut b, ch, "q", "urgent", Some(9));
    publish_with_priority(&mut b, ch, "q", "five", Some(5));
    publish_with_priority(&mut b, ch, "q", "background", Some(1));
    let (body, tag) = get(&mut b, ch, "q").unwrap();
    assert_eq!(body, "urgent");
    ch.call(
        &mut b,
        Method::BasicNack(BasicNack {
            delivery_tag: tag,
            multiple: false,
            requeue: true,
        }),
    )
    .unwrap();
    assert_eq!(drain(&mut b, ch, "q"), ["five", "urgent", "background"]);
}
