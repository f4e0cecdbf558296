//! The `rabbitmq-4.3` profile's quorum queues (issue 17): what RabbitMQ 4.x
//! changed, each test citing the documentation or source it follows. The
//! 3.10 behaviour is recorded (`tests/conformance/scenarios/qq_*.json`).

use warren::engine::method::{BasicGet, BasicPublish, BasicReject, QueueDeclare};
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
    ch.call(
        b,
        Method::QueueDeclare(QueueDeclare {
            queue: name.into(),
            durable: true,
            arguments,
            ..Default::default()
        }),
    )
    .unwrap();
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
    ch.call(
        &mut b,
        Method::BasicPublish(BasicPublish {
            routing_key: "q".into(),
            body: b"poison".to_vec(),
            ..Default::default()
        }),
    )
    .unwrap();
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
